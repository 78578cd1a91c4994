"""MANSCDP, the XML a GB/T 28181 MESSAGE carries: read by its prolog's charset
(GB2312 declared by most devices, UTF-8 by some, and UTF-8 sent under a GB2312
prolog by others), parsed with defusedxml because a device is not to be trusted
with entity expansion; and the platform's queries, written in the device's charset."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

ROOTS = ("Notify", "Response", "Query", "Control")
CONTENT_TYPE = "Application/MANSCDP+xml"


class BodyError(ValueError):
    """Not a MANSCDP body this endpoint reads."""


def text(body: bytes) -> tuple[str, str]:
    """The body as text and the charset it was read with. Bytes that are valid
    UTF-8 with any non-ASCII in them are UTF-8 whatever the prolog says (devices
    send UTF-8 under a GB2312 prolog; Chinese in GB2312 is almost never valid
    UTF-8, while UTF-8 often reads as GB18030 mojibake). Else the declared
    charset, GB2312/GBK read as GB18030 (their superset, so 生僻字 survive)."""
    if not body.isascii():
        try:
            return body.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            pass
    declared = re.search(rb'encoding="([A-Za-z0-9_-]+)"', body[:100])
    charset = declared.group(1).decode().upper() if declared else "UTF-8"
    if charset in ("GB2312", "GBK", "GB18030"):
        charset = "GB18030"
    try:
        return body.decode(charset), charset
    except (UnicodeDecodeError, LookupError):
        raise BodyError("body is neither UTF-8 nor in its declared charset") from None


@dataclass
class Body:
    root: str  # Notify, Response, Query or Control
    cmd: str  # CmdType: Keepalive, Catalog, DeviceInfo, Alarm …
    sn: int
    device_id: str
    tree: ET.Element
    charset: str

    def value(self, path: str) -> str:
        found = self.tree.find(path)
        return (found.text or "").strip() if found is not None else ""

    def number(self, path: str, default: int = 0) -> int:
        found = self.value(path)
        return int(found) if found.isdigit() else default

    def items(self) -> list[dict[str, str]]:
        """DeviceList/Item as flat dicts of their child elements' text (Info's
        children under their own names)."""
        rows = []
        for item in self.tree.iterfind("DeviceList/Item"):
            row = {child.tag: (child.text or "").strip() for child in item if len(child) == 0}
            for info in item.iterfind("Info/*"):
                row.setdefault(info.tag, (info.text or "").strip())
            rows.append(row)
        return rows


def read(body: bytes) -> Body:
    decoded, charset = text(body)
    # The prolog names the bytes' charset, which the text no longer has.
    decoded = re.sub(r"^\s*<\?xml[^>]*\?>", "", decoded)
    try:
        tree = SafeET.fromstring(decoded)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise BodyError(f"not well-formed XML: {exc}") from None
    if tree.tag not in ROOTS:
        raise BodyError(f"unknown root element {tree.tag!r}")
    body_ = Body(tree.tag, "", 0, "", tree, charset)
    body_.cmd, body_.device_id = body_.value("CmdType"), body_.value("DeviceID")
    body_.sn = body_.number("SN")
    if not body_.cmd:
        raise BodyError("no CmdType")
    return body_


def query(cmd: str, sn: int, device_id: str, charset: str) -> bytes:
    """A <Query> the platform sends a device (Catalog, DeviceInfo), encoded as the
    device reads: GB2312 declared, written as GB18030, unless it speaks UTF-8."""
    declared = "UTF-8" if charset.upper() == "UTF-8" else "GB2312"
    xml = (
        f'<?xml version="1.0" encoding="{declared}"?>\r\n<Query>\r\n'
        f"<CmdType>{cmd}</CmdType>\r\n<SN>{sn}</SN>\r\n<DeviceID>{device_id}</DeviceID>\r\n"
        "</Query>\r\n"
    )
    return xml.encode("utf-8" if declared == "UTF-8" else "gb18030")
