"""Photos: the type and size are checked by decoding the image, the original is
kept for staff, and a re-encoded public copy carries no EXIF (so no location)."""

from __future__ import annotations

import hashlib
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

from pingan.events.models import Event, Photo, Step
from pingan.lib.errors import DomainError

FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
PUBLIC_MAX_SIDE = 2048
Image.MAX_IMAGE_PIXELS = 50_000_000  # larger is refused, not just warned about


class PhotoError(DomainError):
    pass


def decode(data: bytes) -> Image.Image:
    try:
        Image.open(io.BytesIO(data)).verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise PhotoError("只能上传JPEG、PNG或WebP格式的照片") from None
    if image.format not in FORMATS:
        raise PhotoError("只能上传JPEG、PNG或WebP格式的照片")
    return image


def public_copy(image: Image.Image) -> bytes:
    """Turned upright, scaled down, re-encoded with no metadata at all."""
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((PUBLIC_MAX_SIDE, PUBLIC_MAX_SIDE))
    out = io.BytesIO()
    if image.format == "JPEG":
        upright.convert("RGB").save(out, format="JPEG", quality=85)
    else:
        upright.save(out, format=image.format)
    return out.getvalue()


def photo_check(upload: UploadedFile) -> tuple[bytes, Image.Image]:
    if (upload.size or 0) > settings.MAX_PHOTO_BYTES:
        raise PhotoError(f"照片不能超过{settings.MAX_PHOTO_BYTES // (1024 * 1024)}MB")
    data = upload.read()
    return data, decode(data)


def stored_name(data: bytes, image: Image.Image) -> tuple[str, str, str]:
    """A checked photo's content type, SHA-256 and the file name it is kept under."""
    content_type, extension = FORMATS[str(image.format)]
    digest = hashlib.sha256(data).hexdigest()
    return content_type, digest, f"{digest[:16]}.{extension}"


Checked = tuple[bytes, Image.Image]  # a photo's bytes and its decoded image


def photo_attach(
    *, event: Event, data: bytes, image: Image.Image, step: Step | None = None
) -> Photo:
    content_type, digest, name = stored_name(data, image)
    photo = Photo(event=event, step=step, content_type=content_type, size=len(data), sha256=digest)
    photo.original.save(name, ContentFile(data), save=False)
    photo.public.save(name, ContentFile(public_copy(image)), save=False)
    photo.save()
    return photo


def uploaded(upload: UploadedFile | None) -> list[Checked]:
    """The form's photo, checked before anything is stored (none when none sent)."""
    return [photo_check(upload)] if upload else []


def labelled(event: Event) -> list[Photo]:
    """The event's photos in order, with their steps (for Photo.stage)."""
    return list(event.photos.select_related("step").order_by("id"))
