import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pingan.events.photos import PhotoError, decode, photo_attach, photo_check


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (36.0, 28.0, 12.0), 3: "E", 4: (102.0, 3.0, 0.0)}  # GPS IFD
    exif[0x010F] = "TestCam"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_non_image_is_refused():
    with pytest.raises(PhotoError, match="JPEG"):
        decode(b"%PDF-1.4 not an image")


def test_an_oversized_upload_is_refused(settings):
    settings.MAX_PHOTO_BYTES = 100
    with pytest.raises(PhotoError, match="不能超过"):
        photo_check(SimpleUploadedFile("big.jpg", b"x" * 200))


def test_the_public_copy_has_no_exif_but_the_original_keeps_it(reported, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get(0x8825)
    photo = photo_attach(event=reported, data=data, image=decode(data))
    public = Image.open(photo.public.path)
    assert not public.getexif() and "exif" not in public.info
    assert Image.open(photo.original.path).getexif().get(0x010F) == "TestCam"
    assert photo.content_type == "image/jpeg" and photo.size == len(data)
