"""X categories: an administrator defines one, or a new version of its fields."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from pingan.lib import fieldspec
from pingan.lib.forms import FormError
from pingan.lib.http import StaffRequest
from pingan.registry import definitions
from pingan.registry.forms import DefinitionForm
from pingan.registry.models import (
    Definition,
    RiskLevel,
    Subject,
)
from pingan.registry.views._common import is_admin

BLANK_FIELD_ROWS = 3


@login_required
@require_http_methods(["GET", "POST"])
def definition_edit(request: StaffRequest, code: str = "") -> HttpResponse:
    """Define a new X category, or a new version of an existing one's fields."""
    if not is_admin(request.user):
        raise PermissionDenied("只有管理员可以定义数据类别")
    definition = get_object_or_404(Definition, code=code) if code else None
    if request.method == "POST":
        fields = _fields_from_form(request.POST)
        try:
            if definition is None:
                definition = definitions.definition_create(
                    actor=request.user,
                    **DefinitionForm(request.POST).cleaned(),  # code, name, subject, sensitive
                    fields=fields,
                    visit_days=_visit_days(request.POST),
                )
            else:
                definition = definitions.definition_update(
                    actor=request.user, definition=definition, fields=fields
                )
        except (definitions.DefinitionError, FormError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"「{definition.name}」已保存为第 {definition.version} 版")
            return redirect("registry:category", definition.code)
    rows = list(definition.fields if definition else []) + [{}] * BLANK_FIELD_ROWS
    return render(
        request,
        "registry/definition_form.html",
        {
            "definition": definition,
            "rows": [(i, _choices_text(f), f) for i, f in enumerate(rows)],
            "types": fieldspec.TYPES,
            "subjects": Subject.choices,
            "risk_levels": RiskLevel.choices,
        },
    )


def _fields_from_form(data) -> list[dict]:
    fields = []
    for i in range(int(data.get("rows", "0") or 0)):
        key, label = data.get(f"key_{i}", "").strip(), data.get(f"label_{i}", "").strip()
        if not key and not label:
            continue
        choices = [
            part.split("=", 1) if "=" in part else [part, part]
            for part in data.get(f"choices_{i}", "").replace("；", ";").split(";")
            if part.strip()
        ]
        fields.append(
            {
                "key": key,
                "label": label,
                "type": data.get(f"type_{i}", "text"),
                "required": bool(data.get(f"required_{i}")),
                "choices": choices,
            }
        )
    return fields


def _choices_text(field: dict) -> str:
    return ";".join(f"{code}={label}" for code, label in field.get("choices", []))


def _visit_days(data) -> dict[str, int]:
    days = {}
    for level in RiskLevel.values:
        value = data.get(f"visit_{level}", "").strip()
        if value:
            if not value.isdigit() or int(value) < 1:
                raise definitions.DefinitionError("走访周期应为正整数天数")
            days[level] = int(value)
    return days
