"""What parking staff do, each journaled: look a plate up (with a reason), settle
a read the camera was unsure of, place a camera nobody had placed (and register
it as a 部件 of class 监控设备)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from pingan.accounts.models import PLATE_READERS, User
from pingan.audit.services import journal_write
from pingan.lib.http import client_ip
from pingan.parking import plates, selectors, services
from pingan.parking.models import Passage, Place, PlateCamera, Review, Session
from pingan.parking.services import ParkingError


def _require(user: User) -> None:
    if user.role not in PLATE_READERS:
        raise ParkingError("只有停车管理员和区综治中心可以办理")


def plate_search(
    user: User, text: str, reason: str, request: HttpRequest | None = None
) -> QuerySet[Session]:
    _require(user)
    plate = plates.read(text)
    if not plate.text:
        raise ParkingError("请输入车牌号")
    if not reason.strip():
        raise ParkingError("请填写查询事由")
    journal_write(
        actor=user,
        action="parking.plate_search",
        object_type="parking.Plate",
        object_id=plate.text,
        reason=reason.strip()[:200],
        ip=client_ip(request) if request is not None else "",
    )
    return selectors.plate_stays(user, plate.text)


def passage_review(user: User, passage: Passage, corrected: str) -> Passage:
    _require(user)
    before = passage.plate
    with transaction.atomic():
        if corrected.strip() and plates.read(corrected).text != before:
            passage = services.passage_replate(passage, corrected)
        else:
            Passage.objects.filter(pk=passage.pk).update(review=Review.CONFIRMED)
        journal_write(
            actor=user,
            action="parking.passage_review",
            object_type="parking.Passage",
            object_id=passage.pk,
            region_path=passage.place.region_path,
            data={
                "before": before,
                "after": plates.read(corrected).text if corrected.strip() else before,
            },
        )
    return passage


def camera_place(user: User, serial: str, place: Place, role: str, name: str = "") -> PlateCamera:
    _require(user)
    with transaction.atomic():
        camera = services.camera_install(serial, place, role, name)
        journal_write(
            actor=user,
            action="parking.camera_place",
            object_type="parking.PlateCamera",
            object_id=camera.serial,
            region_path=place.region_path,
            data={"place": place.code, "role": role},
        )
    return camera
