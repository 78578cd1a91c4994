"""The files residents attach to applications: recognised by their first bytes,
never by the name or type the browser sends, and held to a size."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile

from pingan.lib.errors import DomainError

MAX_FILES = 10
MAX_FILE_BYTES = 10 * 1024 * 1024
# Recognised by their first bytes, never by the name the browser sends.
FILE_TYPES = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
]


class FileRefused(DomainError):
    """A file that cannot be taken; the message is Chinese."""


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    extension: str
    data: bytes


def checked_files(uploads: Sequence[UploadedFile], *, required: bool) -> list[CheckedFile]:
    uploads = [upload for upload in uploads if upload and upload.size]
    if required and not uploads:
        raise FileRefused("请上传申请材料（PDF或照片）")
    if len(uploads) > MAX_FILES:
        raise FileRefused(f"一次最多上传{MAX_FILES}个文件")
    return [checked_file(upload) for upload in uploads]


def checked_file(upload: UploadedFile) -> CheckedFile:
    name = _safe_name(upload.name or "材料")
    if (upload.size or 0) > MAX_FILE_BYTES:
        raise FileRefused(f"「{name}」超过{MAX_FILE_BYTES // (1024 * 1024)}MB")
    data = upload.read()
    kind = next((kind for magic, *kind in FILE_TYPES if data.startswith(magic)), None)
    if kind is None:
        raise FileRefused(f"「{name}」不是PDF、JPEG或PNG文件")
    content_type, extension = kind
    return CheckedFile(name, content_type, extension, data)


def _safe_name(name: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", name.rsplit("/", 1)[-1])[-100:]
