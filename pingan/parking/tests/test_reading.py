"""A camera that sends a picture and no plate: the plate read from the picture
(agentclpr, PINGAN_PARKING_IMAGE_READER), through the real 臻识 URL. The picture
is one of bench/plate_reading.py's, drawn to GA 36's layout."""

import base64
from pathlib import Path

import pytest

from pingan.parking import reading
from pingan.parking.models import Passage, Review
from pingan.parking.tests.conftest import at
from pingan.parking.tests.test_push import plate_push, post

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(120)]
PICTURE = base64.b64encode((Path(__file__).parent / "picture_qingB12345.jpg").read_bytes())


@pytest.fixture
def reader(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PARKING_IMAGE_READER = "agentclpr"


def test_a_picture_without_a_plate_is_read_and_waits_for_a_person(client, lots, reader):
    reply = post(client, plate_push("in-101", "_无_", at(1, 9), 1, imageFile=PICTURE.decode()))
    assert reply.json()["Response_AlarmInfoPlate"]["info"] == "ok"
    passage = Passage.objects.get()
    assert passage.plate == "青B12345" and passage.valid
    # however sure the model is, a person confirms what it read
    assert passage.review == Review.NEEDED
    assert passage.image.read() == base64.b64decode(PICTURE)


def test_the_cameras_own_read_is_kept(client, lots, reader):
    post(client, plate_push("in-101", "青A00001", at(1, 9), 2, imageFile=PICTURE.decode()))
    passage = Passage.objects.get()
    assert passage.plate == "青A00001" and passage.review == Review.NONE


def test_a_picture_that_is_not_one_leaves_an_unplated_car(client, lots, reader):
    junk = base64.b64encode(b"\xff\xd8 not a jpeg").decode()
    reply = post(client, plate_push("in-101", "_无_", at(1, 9), 3, imageFile=junk))
    assert reply.status_code == 200
    assert Passage.objects.get().plate == ""  # 无牌车: the ticket flow, as without a reader


def test_without_the_setting_nothing_is_read(client, lots, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    post(client, plate_push("in-101", "_无_", at(1, 9), 4, imageFile=PICTURE.decode()))
    assert Passage.objects.get().plate == ""


def test_a_reader_that_is_not_one_is_a_configuration_error(settings):
    settings.PARKING_IMAGE_READER = "paddle"
    assert [e.id for e in reading.check()] == ["parking.E001"]
    settings.PARKING_IMAGE_READER = "agentclpr"
    assert reading.check() == []
