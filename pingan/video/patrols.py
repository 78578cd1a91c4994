"""视频巡查: plans (which cameras, how often, by whom) and patrols. A patrol is a
piece of fieldwork of kind 视频巡查 (fieldwork.work_record) at the camera's place,
naming the camera, with what was seen and a snapshot; so the fieldwork statistics
count it per person and place, and these pages per camera. A finding becomes an
event of channel 视频巡查 at the camera's position, linked to the patrol."""

from __future__ import annotations

from django.db import transaction

from pingan.accounts import access
from pingan.accounts.models import CENTRE_STAFF, GRID_ROLES, User
from pingan.audit.services import journal_write
from pingan.events.intake import Report, category_for, event_report
from pingan.events.models import Channel
from pingan.fieldwork.models import Kind, WorkRecord
from pingan.fieldwork.services import Work, work_record
from pingan.lib.errors import DomainError
from pingan.video.models import Camera, PatrolPlan
from pingan.video.selectors import cameras_for_user

PATROLLERS = CENTRE_STAFF | GRID_ROLES  # the centres' video rooms and the grid workers


class PatrolError(DomainError):
    pass


def plan_create(
    *, actor: User, name: str, device_ids: list[str], patrollers: list[str], every_days: int
) -> PatrolPlan:
    """A plan of the actor's own area: its cameras and patrollers must be in it."""
    if actor.role not in CENTRE_STAFF or actor.region is None:
        raise access.OutOfScope("只有综治中心可以制定视频巡查计划")
    if not name.strip():
        raise PatrolError("请填写计划名称")
    if not 1 <= every_days <= 90:
        raise PatrolError("巡查周期应为1到90天")
    wanted = list(dict.fromkeys(d.strip() for d in device_ids if d.strip()))
    cameras = list(cameras_for_user(actor).filter(device_id__in=wanted))
    missing = sorted(set(wanted) - {c.device_id for c in cameras})
    if not cameras or missing:
        raise PatrolError(f"以下摄像机不存在或不在本辖区：{'、'.join(missing) or '（未选择）'}")
    people = list(access.scope(actor, User.objects.filter(is_active=True), field="region__path")
                  .filter(username__in=patrollers, role__in=PATROLLERS))  # fmt: skip
    if len(people) != len(set(patrollers)) or not people:
        raise PatrolError("巡查人员应为本辖区综治中心工作人员或网格员")
    with transaction.atomic():
        plan = PatrolPlan.objects.create(
            name=name.strip()[:100],
            region=actor.region,
            region_path=actor.region.path,
            every_days=every_days,
            created_by=actor,
        )
        plan.cameras.set(cameras)
        plan.patrollers.set(people)
        journal_write(
            actor=actor,
            action="patrol_plan.create",
            object_type="patrol_plan",
            object_id=plan.pk,
            region_path=plan.region_path,
            data={"cameras": len(cameras), "patrollers": [p.username for p in people]},
        )
    return plan


def patrol_record(
    *,
    actor: User,
    camera: Camera,
    seen: str,
    photos: list[bytes] | None = None,
    finding: str = "",
    category: str = "ZZ02",
) -> WorkRecord:
    """One look at a camera: the fieldwork record, and an event when something
    was found, in one transaction."""
    if actor.role not in PATROLLERS:
        raise access.OutOfScope("视频巡查由综治中心工作人员或网格员进行")
    access.require_scope(actor, camera.part.region_path, write=True)
    work = Work(
        kind=Kind.VIDEO,
        note=seen,
        lng=camera.part.lng,
        lat=camera.part.lat,
        findings={"camera": camera.device_id},
        photos=photos or [],
    )
    with transaction.atomic():
        record = work_record(actor=actor, work=work)
        if finding.strip():
            report = Report(
                category=category_for(category),
                lng=camera.part.lng,
                lat=camera.part.lat,
                description=f"【视频巡查】摄像机「{camera.part.name}」：{finding.strip()}",
                address=camera.part.address,
                source_ref=camera.device_id,
                grid_code=camera.part.grid.code,
            )
            record.events.add(event_report(actor=actor, channel=Channel.VIDEO, report=report).event)
    return record
