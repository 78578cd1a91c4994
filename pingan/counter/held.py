"""Files a resident attached to an application that was sent back for a mistake
elsewhere (a wrong phone number, a missing material): a browser cannot refill a
file input, so the good files wait here under a random token the page carries,
and the next try takes them. Kept a day, then swept."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings

from pingan.counter.files import CheckedFile

TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
KEEP_SECONDS = 24 * 3600


def _folder(token: str) -> Path | None:
    if not TOKEN.fullmatch(token or ""):
        return None
    return Path(settings.MEDIA_ROOT) / "counter-held" / token


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hold(token: str, files: dict[int, CheckedFile]) -> None:
    """Keep `files` (by the number of their material) under the token, beside any
    kept before; a material sent again replaces its earlier file."""
    folder = _folder(token)
    if folder is None:
        raise ValueError("bad token")
    folder.mkdir(parents=True, exist_ok=True)
    index = _index(folder)
    for number, checked in files.items():
        (folder / f"{number}.bin").write_bytes(checked.data)
        index[str(number)] = [checked.name, checked.content_type, checked.extension]
    (folder / "index.json").write_text(json.dumps(index, ensure_ascii=False), "utf-8")
    _sweep(folder.parent)


def held(token: str) -> dict[int, CheckedFile]:
    folder = _folder(token)
    if folder is None or not folder.is_dir():
        return {}
    found = {}
    for number, (name, content_type, extension) in _index(folder).items():
        data = (folder / f"{number}.bin").read_bytes()
        found[int(number)] = CheckedFile(name, content_type, extension, data)
    return found


def release(token: str) -> None:
    folder = _folder(token)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _index(folder: Path) -> dict:
    path = folder / "index.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def _sweep(root: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
