"""Messages to people: the in-app inbox of staff, and text messages queued for
phones. Any app may send one; a notice points at the page it is about by its
link, so this app knows nothing of events, applications or people."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    """The in-app inbox of staff users."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=200, blank=True)  # the page it is about, if any
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "read_at"], name="notices_inbox"),
            models.Index(fields=["link"], name="notice_link"),
        ]


class OutboundMessage(models.Model):
    """SMS and other messages to send, drained by `pingan worker` through the
    configured sender. The database is the queue."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    phone = models.CharField(max_length=20)
    text = models.CharField(max_length=500)
    about = models.CharField(max_length=64, blank=True)  # e.g. the event's receipt
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)  # when a worker took it
