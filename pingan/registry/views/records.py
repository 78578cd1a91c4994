"""The 9+X categories' records: the data home, a category's list, registering a
record, its page and visits due."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from pingan.accounts import access
from pingan.accounts.models import GrantKind
from pingan.lib import fieldspec
from pingan.lib.errors import REFUSED
from pingan.lib.http import StaffRequest
from pingan.registry import exports, records, selectors
from pingan.registry.codes import (
    PersonStatus,
)
from pingan.registry.forms import RecordChangeForm, RecordForm
from pingan.registry.models import (
    Definition,
    RiskLevel,
)
from pingan.registry.views._common import definition_for, is_admin


@login_required
def data_home(request: StaffRequest) -> HttpResponse:
    shown = selectors.definitions_for_user(request.user)
    counts = dict(
        selectors.records_for_user(request.user)
        .filter(ended_on__isnull=True)
        .values_list("definition")
        .annotate(n=Count("id"))
    )
    rows = [(d, counts.get(d.pk, 0)) for d in shown]
    return render(
        request,
        "registry/data_home.html",
        {
            "rows": rows,
            "people": selectors.people_for_user(request.user)
            .filter(status=PersonStatus.ACTIVE)
            .count(),
            "is_admin": is_admin(request.user),
            "may_reveal": access.has_grant(request.user, GrantKind.IDENTITY),
        },
    )


@login_required
def category_detail(request: StaffRequest, code: str) -> HttpResponse:
    definition = definition_for(request, code)
    found = list(
        selectors.records_for_user(request.user)
        .filter(definition=definition, ended_on__isnull=True)
        .select_related("grid", "helper")
        .defer("grid__boundary")
        .order_by("region_path", "id")[:200]
    )
    subjects = selectors.subjects_by_id(found)
    shown = definition.fields[:4]  # the rest on each record's page and in exports
    rows = [
        (
            r,
            subjects.get((r.subject, r.subject_id)),
            [fieldspec.display(f, r.values.get(f["key"])) for f in shown],
        )
        for r in found
    ]
    return render(
        request,
        "registry/category.html",
        {"definition": definition, "rows": rows, "fields": shown},
    )


@login_required
def record_start(request: StaffRequest) -> HttpResponse:
    """The category picked on a person's, household's or house's page."""
    definition = definition_for(request, request.GET.get("code", ""))
    subject = request.GET.get("subject", "")
    return redirect(f"{reverse('registry:record_new', args=[definition.code])}?subject={subject}")


@login_required
@require_http_methods(["GET", "POST"])
def record_new(request: StaffRequest, code: str) -> HttpResponse:
    definition = definition_for(request, code)
    subject = _subject_for(request, definition, request.GET.get("subject", ""))
    if request.method == "POST":
        try:
            own = RecordForm(request.POST).cleaned()
            record = records.record_add(
                actor=request.user,
                definition=definition,
                subject=subject,
                values=request.POST.dict(),  # the category's fields: its definition reads them
                risk_level=own["risk_level"],
                started_on=own["started_on"],
                helper=records.helper_for(subject.region_path, own["helper"]),
            )
        except REFUSED as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已登记为「{definition.name}」")
            return redirect("registry:record", record.pk)
    return render(
        request,
        "registry/record_form.html",
        {
            "definition": definition,
            "subject": subject,
            "subject_key": exports.subject_key(subject),
            "form": request.POST,
            "inputs": [(f, request.POST.get(f["key"], "")) for f in definition.fields],
            "risk_levels": RiskLevel.choices,
            "helpers": records.helpers_for(subject.region_path),
        },
    )


def _subject_for(request: StaffRequest, definition: Definition, subject_id: str):
    model = records.SUBJECT_MODELS[definition.subject]
    if not subject_id.isdigit():
        raise Http404("请从人员、户或房屋页面登记")
    found = access.scope(request.user, model.objects.all()).filter(pk=int(subject_id)).first()  # type: ignore[attr-defined]
    if found is None:
        raise Http404("没有找到该对象，或无权查看")
    return found


@login_required
def record_detail(request: StaffRequest, record_id: int) -> HttpResponse:
    record = get_object_or_404(
        selectors.records_for_user(request.user).select_related("definition"), pk=record_id
    )
    subject = selectors.subjects_by_id([record]).get((record.subject, record.subject_id))
    fields = record.definition.fields
    return render(
        request,
        "registry/record.html",
        {
            "record": record,
            "subject": subject,
            "subject_key": exports.subject_key(subject),
            "values": [(f, fieldspec.display(f, record.values.get(f["key"]))) for f in fields],
            "inputs": [(f, record.values.get(f["key"], "")) for f in fields],
            "visits": record.visits.select_related("by"),
            "risk_levels": RiskLevel.choices,
            "may_write": access.in_scope(request.user, record.region_path, write=True)
            and not record.ended_on,
        },
    )


@login_required
@require_POST
def record_act(request: StaffRequest, record_id: int, action: str) -> HttpResponse:
    record = get_object_or_404(selectors.records_for_user(request.user), pk=record_id)
    try:
        own = RecordChangeForm(request.POST).cleaned()
        # (A visit is recorded by fieldwork.views.record_visit: it is fieldwork.)
        if action == "update":
            records.record_update(
                actor=request.user,
                record=record,
                values=request.POST.dict(),  # the category's fields: its definition reads them
                risk_level=own["risk_level"] or None,
            )
            messages.success(request, "已保存")
        elif action == "end":
            records.record_end(actor=request.user, record=record, reason=own["reason"])
            messages.success(request, "记录已结束")
        else:
            raise Http404("未知操作")
    except REFUSED as exc:
        messages.error(request, str(exc))
    return redirect("registry:record", record.pk)


@login_required
def visits_due(request: StaffRequest) -> HttpResponse:
    due = selectors.visits_due(request.user)
    subjects = selectors.subjects_by_id(due)
    return render(
        request,
        "registry/visits.html",
        {"rows": [(r, subjects.get((r.subject, r.subject_id))) for r in due]},
    )
