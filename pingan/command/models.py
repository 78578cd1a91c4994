"""What the command centre keeps of its own: the weights of the assessment score
and the supervision notices (督办单) it issues."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
