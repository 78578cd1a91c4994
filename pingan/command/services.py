"""Writes of the command centre: the weights of the assessment score."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from pingan.accounts.models import Role, User
from pingan.audit.services import journal_write
from pingan.command.assessment import AssessmentError
from pingan.command.indicators import DEFAULT_WEIGHTS
from pingan.command.models import ScoreWeights

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
