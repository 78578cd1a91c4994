"""What the command centre keeps of its own: the weights of the assessment score
and the supervision notices (督办单) it issues."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pingan.lib.fields import PathField


class ScoreWeights(models.Model):
    """The weights of the assessment score, set by the district; the newest row is
    the one in use, and older rows say what was used before."""

    weights = models.JSONField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


def weights_in_use() -> dict[str, float]:
    from pingan.command.indicators import DEFAULT_WEIGHTS

    newest = ScoreWeights.objects.first()
    return dict(newest.weights) if newest else dict(DEFAULT_WEIGHTS)


class SupervisionNotice(models.Model):
    """督办单: the district's written order to the unit responsible for an event,
    with what must be done and by when; the unit replies, the district closes it."""

    number = models.CharField(max_length=32, unique=True)
    event = models.ForeignKey("events.Event", on_delete=models.PROTECT, related_name="+")
    region_path = PathField()
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requirement = models.TextField()
    due = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    reply = models.TextField(blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    close_note = models.CharField(max_length=200, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["region_path", "closed_at"], name="notice_path")]

    @property
    def status(self) -> str:
        if self.closed_at:
            return "已办结"
        return "已回复，待办结" if self.replied_at else "待回复"
