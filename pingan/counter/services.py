"""The rules of 阳光政务: who may apply for what, which files are accepted, how an
application moves (受理 / 补正 / 办结 / 不予办理) and who may move it. Each change is
one step of the application's history and, for staff, one journal row."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pingan.accounts import access
from pingan.accounts.models import CENTRE_STAFF, Role, User
from pingan.accounts.selectors import department_staff
from pingan.audit.services import journal_write
from pingan.counter import held
from pingan.counter.files import (
    MAX_FILES,
    CheckedFile,
    checked_file,
    checked_files,
)
from pingan.counter.models import (
    Application,
    ApplicationState,
    ApplicationStep,
    Attachment,
    ServiceItem,
)
from pingan.lib import idnumber, workdays
from pingan.lib.errors import DomainError
from pingan.lib.receipts import with_new_receipt
from pingan.lib.text import clean_phone, mask_phone
from pingan.notices.services import notify, text_phone
from pingan.registry.crypto import cipher
from pingan.registry.services import identity_reveal

S = ApplicationState


class CounterError(DomainError):
    """A request that cannot be carried out as asked; the message is Chinese."""


@dataclass(frozen=True)
class Move:
    label: str
    start: tuple[str, ...]
    end: str
    needs_note: bool = False


# What staff may do to an application, from which states.
MOVES = {
    "accept": Move("受理", (S.SUBMITTED,), S.ACCEPTED),
    "request_more": Move("要求补正材料", (S.SUBMITTED,), S.MORE_REQUESTED, needs_note=True),
    "approve": Move("办结", (S.ACCEPTED,), S.APPROVED),
    "reject": Move("不予办理", (S.SUBMITTED, S.ACCEPTED), S.REJECTED, needs_note=True),
}


@dataclass
class ApplicationForm:
    name: str
    phone: str
    id_number: str
    details: str = ""
    files: Sequence[UploadedFile] = field(default_factory=list)  # 其他材料, any
    # One file per required material, by its number in item.materials.
    materials: Mapping[int, UploadedFile] = field(default_factory=dict)
    held: str = ""  # the token of the files kept from an earlier try (counter/held.py)


class ApplicationRefused(CounterError):
    """Every mistake of an application form at once, and the files that were fine,
    kept under `token` so the next try need not choose them again."""

    def __init__(self, problems: list[str], token: str, kept: dict[int, str]):
        super().__init__("；".join(problems))
        self.problems, self.token, self.kept = problems, token, kept


def application_submit(*, item: ServiceItem, form: ApplicationForm) -> Application:
    """A resident's online application, with a file for each required material;
    nothing is kept if any part is wrong, except the good files, held for the next
    try (ApplicationRefused says every mistake)."""
    if not item.active or not item.online:
        raise CounterError(f"「{item.name}」不能网上办理，请到{item.place or '办事窗口'}办理")
    problems: list[str] = []
    name = form.name.strip()
    if not 2 <= len(name) <= 50:
        problems.append("请填写申请人姓名")
    phone = _checked(problems, _phone, form.phone)
    number = _checked(problems, _id_number, form.id_number)
    chosen = _materials(item, form, problems)
    extra = _checked(problems, lambda files: checked_files(files, required=False), form.files)
    if problems:
        token = form.held if held.TOKEN.fullmatch(form.held or "") else held.new_token()
        sent = {i: f for i, f in chosen.items() if f is not None and i in form.materials}
        held.hold(token, sent)
        kept = {i: f.name for i, f in held.held(token).items()}
        raise ApplicationRefused(problems, token, kept)
    now = timezone.now()
    named = [_labelled(item.materials[i], f) for i, f in sorted(chosen.items()) if f]
    with transaction.atomic():
        application = _create(item, name, phone, number, form.details.strip()[:2000], now)
        step = _step(application, "submit", None, "", S.SUBMITTED, "", now)
        _attach(application, step, named + (extra or []))
        _tell_handlers(application, "新的网上申请")
    held.release(form.held)
    return application


def _checked(problems: list[str], check: Callable[[Any], Any], value: Any) -> Any:
    """`check(value)`, or None with its refusal added to `problems`."""
    try:
        return check(value)
    except DomainError as exc:
        problems.append(str(exc))
        return None


def _materials(item: ServiceItem, form: ApplicationForm, problems: list[str]) -> dict:
    """The file of each required material: sent now, or kept from the last try."""
    kept = held.held(form.held)
    chosen: dict[int, CheckedFile | None] = {}
    for number, material in enumerate(item.materials):
        upload = form.materials.get(number)
        if upload is not None and upload.size:
            chosen[number] = _checked(problems, checked_file, upload)
        elif number in kept:
            chosen[number] = kept[number]
        else:
            problems.append(f"请上传「{material}」")
    return chosen


def _labelled(material: str, checked: CheckedFile) -> CheckedFile:
    """The file under the material's name, so the clerk sees which is which."""
    name = f"{material}：{checked.name}"[:200]
    return CheckedFile(name, checked.content_type, checked.extension, checked.data)


def _tell_handlers(application: Application, what: str) -> None:
    """A notice in the department's inbox (/inbox/), opening the application."""
    notify(
        department_staff([application.department_id]),
        f"{what}：{application.item.name}（回执码{application.receipt}）",
        reverse("counter:application", args=[application.pk]),
    )


def _create(
    item: ServiceItem, name: str, phone: str, number: str, details: str, now: dt.datetime
) -> Application:
    def create(receipt: str) -> Application:
        return Application.objects.create(
            item=item,
            receipt=receipt,
            department=item.department,
            region_path=item.region_path,
            applicant_name=name,
            phone_encrypted=cipher().encrypt(phone),
            phone_masked=mask_phone(phone),
            id_number_encrypted=cipher().encrypt(number),
            id_number_masked=idnumber.mask(number),
            details=details,
            submitted_at=now,
        )

    return with_new_receipt(create)


def application_supplement(
    *, application: Application, note: str, files: Sequence[UploadedFile]
) -> Application:
    """The resident sends what staff asked for; the application goes back to 待受理."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.state != S.MORE_REQUESTED:
            raise CounterError("这份申请现在不需要补正材料")
        checked = checked_files(files, required=False)
        if not checked and not note.strip():
            raise CounterError("请上传补正的材料或写明情况")
        if application.attachments.count() + len(checked) > MAX_FILES * 2:
            raise CounterError("附件太多，请合并后再上传")
        now = timezone.now()
        step = _step(application, "supplement", None, S.MORE_REQUESTED, S.SUBMITTED, note, now)
        _attach(application, step, checked)
        application.state = S.SUBMITTED
        application.save(update_fields=["state"])
        _tell_handlers(application, "申请人已补正材料")
    return application


def application_move(
    *, actor: User, application: Application, action: str, note: str = "", ip: str = ""
) -> Application:
    """受理, 要求补正, 办结 or 不予办理, by someone who handles the application."""
    move = MOVES.get(action)
    if move is None:
        raise CounterError(f"没有「{action}」这个操作")
    note = note.strip()
    if move.needs_note and len(note) < 2:
        raise CounterError(f"{move.label}需要写明理由")
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        require_handler(actor, application)
        if application.state not in move.start:
            current = ApplicationState(application.state).label
            raise CounterError(f"这份申请目前是「{current}」，不能{move.label}")
        now = timezone.now()
        _step(application, action, actor, application.state, move.end, note, now)
        _apply(application, move.end, now)
        _tell_applicant(application, action, note)
        journal_write(
            actor=actor,
            action=f"application.{action}",
            object_type="application",
            object_id=application.pk,
            region_path=application.region_path,
            reason=note,
            ip=ip,
        )
    return application


# What the applicant is texted after each move (sent by `pingan worker`).
TEXTS = {
    "accept": "已受理，承诺{due}前办结",
    "request_more": "需要补正材料：{note}。请凭回执码在网上补交",
    "approve": "已办结",
    "reject": "不予办理：{note}",
}


def _tell_applicant(application: Application, action: str, note: str) -> None:
    due = timezone.localtime(application.due_at).strftime("%m月%d日") if application.due_at else ""
    what = TEXTS[action].format(due=due, note=note[:100])
    text_phone(
        cipher().decrypt(application.phone_encrypted),
        f"【平安区政务服务】您申请的「{application.item.name}」{what}。回执码{application.receipt}。",
        application.receipt,
    )


def _apply(application: Application, state: str, now: dt.datetime) -> None:
    application.state = state
    if state == S.ACCEPTED:
        application.accepted_at = now
        application.due_at = workdays.add_working_days(now, application.item.time_limit_days)
    if state in (S.APPROVED, S.REJECTED):
        application.decided_at = now
    application.save()


def can_handle(user: User, application: Application) -> bool:
    if user.role == Role.DEPARTMENT:
        return user.department_id == application.department_id
    if user.role in CENTRE_STAFF or user.is_superuser:
        return access.in_scope(user, application.region_path, write=True)
    return False


def require_handler(user: User, application: Application) -> None:
    if not can_handle(user, application):
        raise PermissionDenied("这份申请不归您办理")


def application_reveal_id(
    *, actor: User, application: Application, reason: str, ip: str = ""
) -> str:
    """The applicant's full identity number, for a handler with the grant, journaled."""
    require_handler(actor, application)
    return identity_reveal(
        actor=actor, of=application, region_path=application.region_path, reason=reason, ip=ip
    )


# ---- checks -----------------------------------------------------------------------


def _phone(raw: str) -> str:
    phone = clean_phone(raw)
    if phone is None:
        raise CounterError("请填写正确的联系电话（手机11位，或区号-号码）")
    return phone


def _id_number(raw: str) -> str:
    try:
        return idnumber.parse(raw).number
    except idnumber.InvalidIdNumber as exc:
        raise CounterError(f"身份证号不正确：{exc}") from None


def _attach(application: Application, step: ApplicationStep, files: list[CheckedFile]) -> None:
    for checked in files:
        digest = hashlib.sha256(checked.data).hexdigest()
        attachment = Attachment(
            application=application,
            step=step,
            name=checked.name,
            content_type=checked.content_type,
            size=len(checked.data),
            sha256=digest,
        )
        stored = f"{digest[:16]}.{checked.extension}"
        attachment.file.save(stored, ContentFile(checked.data), save=False)
        attachment.save()


def _step(
    application: Application,
    action: str,
    actor: User | None,
    start: str,
    end: str,
    note: str,
    now: dt.datetime,
) -> ApplicationStep:
    return ApplicationStep.objects.create(
        application=application,
        action=action,
        actor=actor,
        from_state=start,
        to_state=end,
        note=note[:2000],
        at=now,
    )


STEP_LABELS = {"submit": "网上提交申请", "supplement": "补正材料"} | {
    action: move.label for action, move in MOVES.items()
}
