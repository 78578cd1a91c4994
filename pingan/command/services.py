"""Writes of the command centre: the weights of the assessment score and the
supervision notices (督办单). Each checks its actor and journals itself."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from pingan.accounts import access
from pingan.accounts.models import Role, User
from pingan.audit.services import journal_write
from pingan.command.assessment import AssessmentError
from pingan.command.indicators import DEFAULT_WEIGHTS
from pingan.command.models import ScoreWeights, SupervisionNotice
from pingan.events import timing
from pingan.events.models import Event
from pingan.events.services import event_transition

WEIGHT_SETTERS = {Role.DISTRICT_CENTRE, Role.ADMIN}


def weights_set(*, actor: User, weights: dict[str, float]) -> ScoreWeights:
    """New weights for the score; the old ones stay on record."""
    if actor.role not in WEIGHT_SETTERS:
        raise PermissionDenied("只有区县综治中心可以设置考核权重")
    unknown = set(weights) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise AssessmentError(f"未知的指标：{'、'.join(sorted(unknown))}")
    if any(value < 0 or value > 100 for value in weights.values()):
        raise AssessmentError("权重应在0到100之间")
    if not any(weights.values()):
        raise AssessmentError("至少有一项指标的权重大于0")
    with transaction.atomic():
        row = ScoreWeights.objects.create(weights=weights, set_by=actor)
        journal_write(
            actor=actor,
            action="command.weights",
            object_type="score_weights",
            object_id=row.pk,
            region_path=actor.region.path if actor.region else "",
            data=weights,
        )
    return row


NOTICE_DAYS = (1, 30)


def notice_issue(*, actor: User, event: Event, requirement: str, days: int) -> SupervisionNotice:
    """督办: mark the event supervised (the lifecycle's own action, which checks the
    actor is the district) and issue the notice to its lead department."""
    if not NOTICE_DAYS[0] <= days <= NOTICE_DAYS[1]:
        raise AssessmentError(f"督办期限应为{NOTICE_DAYS[0]}到{NOTICE_DAYS[1]}个工作日")
    with transaction.atomic():
        event = event_transition(event=event, action="supervise", actor=actor, reason=requirement)
        notice = SupervisionNotice.objects.create(
            number=_next_number(),
            event=event,
            region_path=event.region_path,
            department=event.lead_department,
            requirement=requirement.strip(),
            due=timing.add_days(timezone.now(), days),
            issued_by=actor,
        )
        _journal(actor, notice, "command.notice.issue")
    return notice


def _next_number() -> str:
    year = timezone.localdate().year
    issued = SupervisionNotice.objects.filter(number__startswith=f"督〔{year}〕").count()
    return f"督〔{year}〕{issued + 1:04d}号"


def notice_reply(*, actor: User, notice: SupervisionNotice, reply: str) -> SupervisionNotice:
    """The responsible department (or the centre holding the event) answers."""
    own_department = notice.department_id and actor.department_id == notice.department_id
    if not own_department and not access.in_scope(actor, notice.region_path, write=True):
        raise PermissionDenied("只有责任单位可以回复督办单")
    if len(reply.strip()) < 2:
        raise AssessmentError("请填写办理情况")
    changes = {"reply": reply.strip(), "replied_by": actor, "replied_at": timezone.now()}
    return _while_open(actor, notice, "command.notice.reply", **changes)


def notice_close(*, actor: User, notice: SupervisionNotice, note: str = "") -> SupervisionNotice:
    if actor.role not in WEIGHT_SETTERS:
        raise PermissionDenied("督办单由区县综治中心办结")
    access.require_scope(actor, notice.region_path, write=True)
    if not notice.replied_at:
        raise AssessmentError("责任单位回复后才能办结")
    changes = {"closed_at": timezone.now(), "close_note": note.strip()[:200]}
    return _while_open(actor, notice, "command.notice.close", **changes)


def _while_open(
    actor: User, notice: SupervisionNotice, action: str, **changes: Any
) -> SupervisionNotice:
    """Change a notice that is still open (a conditional update: a notice closed
    meanwhile is refused, never reopened), and journal it."""
    with transaction.atomic():
        still_open = SupervisionNotice.objects.filter(pk=notice.pk, closed_at__isnull=True)
        if not still_open.update(**changes):
            raise AssessmentError("督办单已办结")
        notice.refresh_from_db()
        _journal(actor, notice, action)
    return notice


def _journal(actor: User, notice: SupervisionNotice, action: str) -> None:
    journal_write(
        actor=actor,
        action=action,
        object_type="supervision_notice",
        object_id=notice.pk,
        region_path=notice.region_path,
        data={"number": notice.number, "event": notice.event_id},
    )
