"""Staff pages of the 9+X basic data: people, households and houses, category
records and their visits, X category definitions, imports and exports. Thin views:
the rules are in services, records, definitions, imports and exports."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from pingan.accounts import access
from pingan.accounts.models import GRID_ROLES, GrantKind, Role, User
from pingan.jobs.services import job_enqueue
from pingan.lib.divisions import Level
from pingan.lib.http import StaffRequest, client_ip
from pingan.regions import selectors as region_selectors
from pingan.regions.models import Region
from pingan.registry import columns, definitions, exports, imports, records, selectors, services
from pingan.registry.codes import (
    OrganisationKind,
    PersonStatus,
    PlaceKind,
)
from pingan.registry.models import (
    Definition,
    House,
    Household,
    ImportJob,
    MoveKind,
    Organisation,
    Place,
    RiskLevel,
    Subject,
    common_block,
)

REFUSED = (services.RegistryError, definitions.DefinitionError, PermissionDenied)


def common_block_rows(values) -> dict:
    """The 实有人口 common block as form rows, filled from a person or a posted form."""

    def get(key: str) -> str:
        return str(values.get(key, "") if hasattr(values, "get") else getattr(values, key, ""))

    fields = common_block()
    return {
        "texts": [(f.name, f.verbose_name, get(f.name)) for f in fields if not f.choices],
        "coded": [
            (
                f.name,
                f.verbose_name,
                [(code, label, code == get(f.name)) for code, label in f.choices],
            )
            for f in fields
            if f.choices
        ],
    }


def _is_admin(user) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def _writable_grids(user) -> list[Region]:
    grids = Region.objects.filter(level=Level.GRID, active=True).defer("boundary")
    return list(access.scope(user, grids, field="path", write=True).order_by("path")[:2000])


# ---- people ----------------------------------------------------------------------


@login_required
def people_list(request: StaffRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    people, next_after = selectors.people_page(
        request.user, query=query, after=request.GET.get("after", ""), limit=50
    )
    return render(
        request,
        "registry/people.html",
        {"people": people, "next_after": next_after, "query": query},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_new(request: StaffRequest) -> HttpResponse:
    grids = _writable_grids(request.user)
    if request.method == "POST":
        data = request.POST
        try:
            grid = region_selectors.region_get_for_user(
                request.user, data.get("grid", ""), write=True
            )
            fields = {key: data.get(key, "") for key in services.PERSON_FIELDS}
            person = services.person_create(
                actor=request.user,
                grid=grid,
                household=_household_in(grid, data.get("household", "")),
                house=_house_in(grid, data.get("house", "")),
                name=data.get("name", ""),
                id_number=data.get("id_number", ""),
                phone=data.get("phone", ""),
                **fields,
            )
        except (*REFUSED, Http404) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已登记 {person.name}")
            return redirect("registry:person", person.pk)
    return render(
        request,
        "registry/person_new.html",
        {"grids": grids, "form": request.POST, **common_block_rows(request.POST)},
    )


def _household_in(grid: Region, number: str) -> Household | None:
    if not number.strip():
        return None
    household = Household.objects.filter(number=number.strip(), grid=grid).first()
    if household is None:
        raise services.RegistryError(f"该网格没有户号 {number}")
    return household


def _house_in(grid: Region, number: str) -> House | None:
    if not number.strip():
        return None
    house = House.objects.filter(number=number.strip(), grid=grid).first()
    if house is None:
        raise services.RegistryError(f"该网格没有房屋编号 {number}")
    return house


@login_required
def person_detail(request: StaffRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get_for_user(request.user, person_id)
    services.person_viewed(actor=request.user, person=person, ip=client_ip(request))
    admin = _is_admin(request.user)
    return render(
        request,
        "registry/person.html",
        {
            "person": person,
            "members": person.household.members.order_by("id") if person.household else [],
            "records": selectors.records_of(request.user, Subject.PERSON, person.pk),
            "definitions": [
                d
                for d in selectors.definitions_for_user(request.user)
                if d.subject == Subject.PERSON
            ],
            "history": person.history.select_related("actor", "from_grid", "to_grid"),
            "who_looked": selectors.who_looked(person)[:50] if admin else None,
            "may_reveal": access.has_grant(request.user, GrantKind.IDENTITY),
            "may_write": access.in_scope(request.user, person.region_path, write=True)
            and person.status == PersonStatus.ACTIVE,
            "grids": _writable_grids(request.user),
            **common_block_rows(person),
        },
    )


@login_required
@require_POST
def person_act(request: StaffRequest, person_id: int, action: str) -> HttpResponse:
    person = selectors.person_get_for_user(request.user, person_id)
    data = request.POST
    try:
        if action == "reveal":
            number = services.person_reveal_id(
                actor=request.user,
                person=person,
                reason=data.get("reason", ""),
                ip=client_ip(request),
            )
            messages.info(request, f"完整身份证号：{number}（本次查看已记录）")
        elif action == "update":
            changes = {key: data[key] for key in services.PERSON_FIELDS if key in data}
            services.person_update(
                actor=request.user, person=person, phone=data.get("phone") or None, **changes
            )
            messages.success(request, "已更正，原值记入历史")
        elif action == "move":
            grid = Region.objects.filter(code=data.get("grid", ""), level=Level.GRID).first()
            if grid is None:
                raise services.RegistryError("请选择迁入的网格")
            services.person_move(
                actor=request.user, person=person, to_grid=grid, note=data.get("note", "")
            )
            messages.success(request, f"已迁至 {grid.name}，已通知该网格网格员")
        elif action in (MoveKind.MOVE_OUT, MoveKind.DEATH):
            services.person_leave(
                actor=request.user, person=person, kind=action, note=data.get("note", "")
            )
            messages.success(request, "已注销并归档")
        else:
            raise Http404("未知操作")
    except REFUSED as exc:
        messages.error(request, str(exc))
    return redirect("registry:person", person.pk)


@login_required
def household_detail(request: StaffRequest, household_id: int) -> HttpResponse:
    household = get_object_or_404(selectors.households_for_user(request.user), pk=household_id)
    return render(
        request,
        "registry/household.html",
        {
            "household": household,
            "members": household.members.order_by("id"),
            "records": selectors.records_of(request.user, Subject.HOUSEHOLD, household.pk),
        },
    )


@login_required
def house_detail(request: StaffRequest, house_id: int) -> HttpResponse:
    house = get_object_or_404(access.scope(request.user, House.objects.all()), pk=house_id)
    return render(
        request,
        "registry/house.html",
        {
            "house": house,
            "occupants": house.occupants.filter(status=PersonStatus.ACTIVE).order_by("id"),
            "records": selectors.records_of(request.user, Subject.HOUSE, house.pk),
        },
    )


# ---- organisations and places ---------------------------------------------------------


@dataclass(frozen=True)
class UnitKind:
    """Organisations and places share their pages: a list, a form and a card."""

    subject: str
    title: str
    model: type[Organisation] | type[Place]
    kinds: list[tuple[str, Any]]


UNITS = {
    "organisations": UnitKind(Subject.ORGANISATION, "组织", Organisation, OrganisationKind.choices),
    "places": UnitKind(Subject.PLACE, "场所", Place, PlaceKind.choices),
}


def _unit_kind(unit: str) -> UnitKind:
    if unit not in UNITS:
        raise Http404("未知的类别")
    return UNITS[unit]


@login_required
@require_http_methods(["GET", "POST"])
def unit_list(request: StaffRequest, unit: str) -> HttpResponse:
    spec = _unit_kind(unit)
    if request.method == "POST":
        data = request.POST
        try:
            grid = region_selectors.region_get_for_user(
                request.user, data.get("grid", ""), write=True
            )
            common: dict[str, Any] = {
                "actor": request.user,
                "grid": grid,
                "kind": data.get("kind", ""),
                "name": data.get("name", ""),
                "address": data.get("address", ""),
            }
            created: Organisation | Place
            if spec.subject == Subject.ORGANISATION:
                created = services.organisation_create(
                    credit_code=data.get("credit_code", ""),
                    legal_representative=data.get("legal_representative", ""),
                    **common,
                )
            else:
                created = services.place_create(code=data.get("code", ""), **common)
        except (*REFUSED, Http404) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已登记 {created.name}")
            return redirect("registry:unit", unit, created.pk)
    found = access.scope(request.user, spec.model.objects.all()).select_related("grid")
    return render(
        request,
        "registry/units.html",
        {
            "unit": unit,
            "spec": spec,
            "items": found.defer("grid__boundary").order_by("region_path", "id")[:500],
            "grids": _writable_grids(request.user),
            "form": request.POST,
        },
    )


@login_required
def unit_detail(request: StaffRequest, unit: str, unit_id: int) -> HttpResponse:
    spec = _unit_kind(unit)
    item = get_object_or_404(access.scope(request.user, spec.model.objects.all()), pk=unit_id)
    return render(
        request,
        "registry/unit.html",
        {
            "unit": unit,
            "spec": spec,
            "item": item,
            "records": selectors.records_of(request.user, spec.subject, item.pk),
            "definitions": [
                d for d in selectors.definitions_for_user(request.user) if d.subject == spec.subject
            ],
        },
    )


# ---- categories and their records ---------------------------------------------------


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
            "is_admin": _is_admin(request.user),
            "may_reveal": access.has_grant(request.user, GrantKind.IDENTITY),
        },
    )


def _definition_for(request: StaffRequest, code: str) -> Definition:
    definition = get_object_or_404(Definition, code=code, active=True)
    records.require_may_see(request.user, definition)
    return definition


@login_required
def category_detail(request: StaffRequest, code: str) -> HttpResponse:
    definition = _definition_for(request, code)
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
            [definitions.display(f, r.values.get(f["key"])) for f in shown],
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
    definition = _definition_for(request, request.GET.get("code", ""))
    subject = request.GET.get("subject", "")
    return redirect(f"{reverse('registry:record_new', args=[definition.code])}?subject={subject}")


@login_required
@require_http_methods(["GET", "POST"])
def record_new(request: StaffRequest, code: str) -> HttpResponse:
    definition = _definition_for(request, code)
    subject = _subject_for(request, definition, request.GET.get("subject", ""))
    if request.method == "POST":
        try:
            record = records.record_add(
                actor=request.user,
                definition=definition,
                subject=subject,
                values=request.POST.dict(),
                risk_level=request.POST.get("risk_level", ""),
                started_on=_date_or_none(request.POST.get("started_on", "")),
                helper=_helper(subject, request.POST.get("helper", "")),
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
            "helpers": helpers_for(subject.region_path),
        },
    )


# A record's responsible helper: the staff of its grid, village and township.
HELPER_ROLES = GRID_ROLES | {Role.VILLAGE_CENTRE, Role.TOWNSHIP_CENTRE}


def helpers_for(path: str) -> list[User]:
    """Who can be a record's responsible helper: the staff of its grid, village
    and township (网格员, 网格长, 村/乡镇综治中心)."""
    return list(
        User.objects.filter(
            is_active=True,
            role__in=HELPER_ROLES,
            region__path__in=_ancestors(path),
        ).order_by("role", "username")[:100]
    )


def _ancestors(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _helper(subject, user_id: str) -> User | None:
    if not user_id:
        return None
    helper = next((u for u in helpers_for(subject.region_path) if str(u.pk) == user_id), None)
    if helper is None:
        raise services.RegistryError("帮扶责任人须是该网格、村或乡镇的工作人员")
    return helper


def _date_or_none(text: str) -> dt.date | None:
    return definitions.parse_date(text) if text.strip() else None


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
            "values": [(f, definitions.display(f, record.values.get(f["key"]))) for f in fields],
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
    data = request.POST
    try:
        # (A visit is recorded by fieldwork.views.record_visit: it is fieldwork.)
        if action == "update":
            records.record_update(
                actor=request.user,
                record=record,
                values=data.dict(),
                risk_level=data.get("risk_level") or None,
            )
            messages.success(request, "已保存")
        elif action == "end":
            records.record_end(actor=request.user, record=record, reason=data.get("reason", ""))
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


# ---- X categories -------------------------------------------------------------------

BLANK_FIELD_ROWS = 3


@login_required
@require_http_methods(["GET", "POST"])
def definition_edit(request: StaffRequest, code: str = "") -> HttpResponse:
    """Define a new X category, or a new version of an existing one's fields."""
    if not _is_admin(request.user):
        raise PermissionDenied("只有管理员可以定义数据类别")
    definition = get_object_or_404(Definition, code=code) if code else None
    if request.method == "POST":
        fields = _fields_from_form(request.POST)
        try:
            if definition is None:
                definition = definitions.definition_create(
                    actor=request.user,
                    code=request.POST.get("code", "").strip(),
                    name=request.POST.get("name", "").strip(),
                    subject=request.POST.get("subject", ""),
                    fields=fields,
                    sensitive=bool(request.POST.get("sensitive")),
                    visit_days=_visit_days(request.POST),
                )
            else:
                definition = definitions.definition_update(
                    actor=request.user, definition=definition, fields=fields
                )
        except definitions.DefinitionError as exc:
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
            "types": definitions.TYPES,
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


# ---- import and export -------------------------------------------------------------


def _kinds(request: StaffRequest) -> list[tuple[str, str]]:
    return [(columns.PEOPLE, "实有人口")] + [
        (d.code, d.name) for d in selectors.definitions_for_user(request.user)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: StaffRequest) -> HttpResponse:
    kinds = _kinds(request)
    if request.method == "POST":
        upload = request.FILES.get("file")
        kind = request.POST.get("kind", "")
        if upload is None:
            messages.error(request, "请选择要导入的文件")
        elif kind not in dict(kinds):
            messages.error(request, "请选择导入的类别")
        elif Path(upload.name or "").suffix.lower() not in {".xlsx", ".xls", ".csv"}:
            messages.error(request, "只支持 .xlsx、.xls 和 .csv 文件")
        else:
            job = _job_start(request, kind, upload)
            return redirect("registry:import_status", job.pk)
    return render(request, "registry/import.html", {"kinds": kinds})


def _job_start(request: StaffRequest, kind: str, upload) -> ImportJob:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    with open(stored, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    job = ImportJob.objects.create(
        kind=kind,
        file_name=upload.name[:200],
        stored_file=str(stored),
        valid_only=bool(request.POST.get("valid_only")),
        user=request.user,
    )
    if settings.IMPORT_IN_BACKGROUND:
        job_enqueue(kind=imports.IMPORT_JOB, args={"import_id": job.pk})
    else:
        imports.job_run(job)
    return job


@login_required
def import_status(request: StaffRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=job_id, user=request.user)
    running = job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING)
    partial = request.headers.get("HX-Request")
    template = "registry/_import_progress.html" if partial else "registry/import_status.html"
    return render(
        request,
        template,
        {
            "job": job,
            "running": running,
            "percent": int(100 * job.checked / job.total) if job.total else 0,
            "errors": job.errors[:1000],
        },
    )


@login_required
def import_errors(request: StaffRequest, job_id: int, fmt: str) -> HttpResponseBase:
    """The bad rows of one's own upload with a column of reasons, to correct and
    upload again. Journaled as an export: it holds the file's identity numbers."""
    job = get_object_or_404(ImportJob, pk=job_id, user=request.user)
    if fmt not in _CONTENT_TYPES:
        raise Http404("只提供 .xlsx 和 .csv")
    if not any(row for row, _column, _message in job.errors):
        raise Http404("这次导入没有错误的行")
    services.export_journal(
        actor=request.user, kind=f"import-errors-{job.pk}", under=None, ip=client_ip(request)
    )
    rows = imports.error_rows(job)
    name = f"{Path(job.file_name).stem}-错误行.{fmt}"
    if fmt == "csv":
        response = HttpResponse("".join(exports.csv_stream(rows)), content_type=_CONTENT_TYPES[fmt])
        response["Content-Disposition"] = _attachment_utf8(name)
        return response
    buffer = io.BytesIO()
    exports.xlsx_file(rows, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = _attachment_utf8(name)
    return response


def _attachment_utf8(name: str) -> str:
    """A Chinese file name, as RFC 6266 has browsers read it."""
    plain = f"errors.{name.rsplit('.', 1)[-1]}"  # for browsers that read no filename*
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"


@login_required
def template_download(request: StaffRequest, kind: str, fmt: str) -> HttpResponse:
    if fmt not in _CONTENT_TYPES:
        raise Http404("只提供 .xlsx 和 .csv")
    try:
        if kind != columns.PEOPLE:
            _definition_for(request, kind)
        body = columns.template_xlsx(kind) if fmt == "xlsx" else columns.template_csv(kind)
    except imports.TransferError as exc:
        raise Http404(str(exc)) from None
    response = HttpResponse(body, content_type=_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = _attachment(f"{kind}-template.{fmt}")
    return response


_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _attachment(name: str) -> str:
    return f'attachment; filename="{name}"'


@login_required
def export(request: StaffRequest, kind: str, fmt: str) -> HttpResponseBase:
    """Stream the user's part of the registry: CSV row by row; .xlsx through a
    temporary file, so memory stays flat however many rows."""
    if fmt not in _CONTENT_TYPES:
        raise Http404("只提供 .xlsx 和 .csv")
    code = request.GET.get("region", "")
    under = region_selectors.region_get_for_user(request.user, code) if code else None
    if kind != columns.PEOPLE:
        _definition_for(request, kind)
    reveal = request.GET.get("full") == "1"
    reason = request.GET.get("reason", "").strip()
    if reveal and len(reason) < 2:
        messages.error(request, "导出完整号码必须填写理由")
        return redirect("registry:data")
    rows = exports.export_rows(request.user, kind, under, reveal=reveal)
    next(rows)  # checks the grants before anything is sent or journaled
    rows = itertools.chain([columns.headers(kind)], rows)
    services.export_journal(
        actor=request.user,
        kind=kind,
        under=under,
        reveal=reveal,
        reason=reason,
        ip=client_ip(request),
    )
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_stream(rows), content_type=_CONTENT_TYPES[fmt])
        response["Content-Disposition"] = _attachment(f"{kind}.csv")
        return response
    # FileResponse closes the file when the download ends.
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    exports.xlsx_file(rows, spool)  # type: ignore[arg-type]
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"{kind}.xlsx")
