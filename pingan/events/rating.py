"""Who may rate a closed event: the holder of its receipt and, when the report gave
a phone number, whoever can read the code texted to it. Codes live ten minutes, a
new one can be asked for each minute, and five wrong tries spend it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from pingan.events.models import Event, RatingCode
from pingan.lib.errors import DomainError
from pingan.notices.services import text_phone

CODE_SECONDS = 600
RESEND_SECONDS = 60
MAX_TRIES = 5


class RatingRefused(DomainError):
    pass


def _hash(event: Event, code: str) -> str:
    message = f"{event.pk}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def needs_code(event: Event) -> bool:
    return bool(event.reporter_phone)


def code_send(event: Event) -> None:
    """Text a new code to the report's phone (the one shown is masked)."""
    if not needs_code(event):
        raise RatingRefused("这件事没有留手机号，凭回执码即可评价")
    now = timezone.now()
    previous = RatingCode.objects.filter(event=event).first()
    if previous and (now - previous.sent_at).total_seconds() < RESEND_SECONDS:
        raise RatingRefused("验证码已发送，请1分钟后再获取")
    code = f"{secrets.randbelow(10**6):06d}"
    RatingCode.objects.update_or_create(
        event=event,
        defaults={
            "code_hash": _hash(event, code),
            "sent_at": now,
            "expires_at": now + dt.timedelta(seconds=CODE_SECONDS),
            "attempts": 0,
        },
    )
    text_phone(
        event.reporter_phone, f"【平安】您的评价验证码 {code}，10分钟内有效。", event.receipt
    )


def code_check(event: Event, code: str) -> None:
    """Returns when the code is right (or none is needed); RatingRefused otherwise."""
    if not needs_code(event):
        return
    stored = RatingCode.objects.filter(event=event, expires_at__gt=timezone.now()).first()
    if stored is None or stored.attempts >= MAX_TRIES:
        raise RatingRefused("请先获取验证码（发送到您反映问题时留的手机）")
    if not hmac.compare_digest(stored.code_hash, _hash(event, code.strip())):
        RatingCode.objects.filter(pk=stored.pk).update(attempts=F("attempts") + 1)
        raise RatingRefused("验证码不正确")
    stored.delete()
