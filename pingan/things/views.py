"""The 部件 pages: the map and list with filters, a part with its events and its
history (and the one-tap damage report), a new part, the figures."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from pingan.accounts import access
from pingan.accounts.models import Department, User
from pingan.events import photos
from pingan.lib import fieldspec, sheets
from pingan.lib.errors import REFUSED
from pingan.lib.http import StaffRequest, attachment, client_ip
from pingan.regions import selectors as region_selectors
from pingan.regions.models import Region
from pingan.things import selectors, services
from pingan.things import sheets as part_sheets
from pingan.things.forms import DamageForm, ImportForm, PartEditForm, PartForm
from pingan.things.models import PartClass, PartGroup, PartState

LISTED = 200


@login_required
def parts_home(request: StaffRequest) -> HttpResponse:
    filters = selectors.Filters.of(request.GET)
    found = selectors.parts_filtered(request.user, filters)
    query = {k: v for k, v in request.GET.items() if k in ("group", "class", "state", "under", "q")}
    layer = {"part_class" if k == "class" else k: v for k, v in query.items()}
    context = {
        "filters": filters,
        "groups": PartGroup.objects.all(),
        "classes": selectors.classes(),
        "states": PartState.choices,
        "parts": found.select_related("part_class", "grid").order_by("region_path", "code")[
            :LISTED
        ],
        "total": found.count(),
        "layer_query": urlencode(layer),
        "export_query": urlencode(query),
    }
    return render(request, "things/parts.html", context)


@login_required
def parts_in(request: StaffRequest, code: str) -> HttpResponse:
    """A region's parts: the map and list narrowed to the node (a region page's link)."""
    region = region_selectors.region_get_for_user(request.user, code)
    return redirect(f"{reverse('things:parts')}?{urlencode({'under': region.path})}")


def parts_under(user: User, region: Region) -> int:
    return selectors.parts_for_user(user).filter(region_path__startswith=region.path).count()


def always(user: User, region: Region) -> bool:
    return True


@login_required
def part_detail(request: StaffRequest, code: str) -> HttpResponse:
    part = selectors.part_get_for_user(request.user, code)
    links = selectors.part_events(part)
    context = {
        "part": part,
        "open_events": [link for link in links if link.event.closed_at is None],
        "past_events": [link for link in links if link.event.closed_at is not None],
        "changes": part.changes.select_related("actor", "event")[:100],
        "attributes": [
            (f["label"], fieldspec.display(f, part.attributes.get(f["key"])))
            for f in part.part_class.fields
        ],
        "reported_states": [(s.value, s.label) for s in services.REPORTED_STATES],
        "states": PartState.choices,
        "departments": Department.objects.order_by("name"),
        "may_write": access.in_scope(request.user, part.region_path, write=True),
        "geo": selectors.geojson(request.user, selectors.Filters(query=part.code), bbox=None),
    }
    return render(request, "things/part.html", context)


@login_required
@require_POST
def part_damage(request: StaffRequest, code: str) -> HttpResponse:
    part = selectors.part_get_for_user(request.user, code)
    try:
        sent = DamageForm(request.POST).cleaned()
        intake = services.part_report_damage(
            actor=request.user,
            part=part,
            state=sent["state"] or PartState.DAMAGED,
            description=sent["description"],
            photos=photos.uploaded(request.FILES.get("photo")),
            ip=client_ip(request),
        )
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        lead = intake.event.lead_department
        to = f"，已转{lead.name}" if lead else ""
        messages.success(request, f"已上报，回执码 {intake.event.receipt}{to}")
    return redirect("things:part", code=part.code)


@login_required
@require_POST
def part_edit(request: StaffRequest, code: str) -> HttpResponse:
    part = selectors.part_get_for_user(request.user, code)
    try:
        sent = PartEditForm(request.POST).cleaned()
        maintainer = (
            get_object_or_404(Department, pk=sent["maintainer"]) if sent["maintainer"] else None
        )
        # The class's own fields, attr_<key>: the class reads them (fieldspec).
        attributes = {
            key.removeprefix("attr_"): value
            for key, value in request.POST.dict().items()
            if key.startswith("attr_")
        }
        services.part_update(
            actor=request.user,
            part=part,
            state=sent["state"] or part.state,
            address=sent["address"],
            holder=sent["holder"],
            note=sent["note"],
            maintainer=maintainer,
            attributes=attributes,
        )
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已保存，原值记入历史")
    return redirect("things:part", code=part.code)


@login_required
@require_http_methods(["GET", "POST"])
def part_new(request: StaffRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            sent = PartForm(request.POST).cleaned()
            part = services.part_create(
                actor=request.user,
                part_class=get_object_or_404(PartClass, code=sent["part_class"], active=True),
                lng=sent["lng"],
                lat=sent["lat"],
                name=sent["name"],
                address=sent["address"],
                holder=sent["holder"],
                note=sent["note"],
            )
        except REFUSED as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已登记部件 {part.code}")
            return redirect("things:part", code=part.code)
    return render(
        request, "things/new.html", {"classes": selectors.classes(), "form": request.POST}
    )


@login_required
def parts_figures(request: StaffRequest) -> HttpResponse:
    code = request.GET.get("under", "")
    under = region_selectors.region_get_for_user(request.user, code) if code else None
    return render(
        request,
        "things/figures.html",
        {"figures": selectors.figures(request.user, under), "states": PartState.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def parts_import(request: StaffRequest) -> HttpResponse:
    """Upload surveyed parts: every bad row listed; nothing kept unless every row
    is good, or the user asked for the valid rows only."""
    outcome = None
    if request.method == "POST":
        try:
            sent = ImportForm(request.POST, request.FILES).cleaned()
            with tempfile.NamedTemporaryFile(suffix=sent["suffix"]) as stored:
                for chunk in sent["file"].chunks():
                    stored.write(chunk)
                stored.flush()
                outcome = part_sheets.import_parts(
                    actor=request.user, path=Path(stored.name), valid_only=sent["valid_only"]
                )
        except REFUSED as exc:
            messages.error(request, str(exc))
    return render(request, "things/import.html", {"outcome": outcome})


@login_required
def parts_template(request: StaffRequest, fmt: str) -> HttpResponse:
    if fmt not in sheets.CONTENT_TYPES:
        raise Http404("只有 .xlsx 和 .csv 模板")
    body = part_sheets.template_xlsx() if fmt == "xlsx" else part_sheets.template_csv()
    response = HttpResponse(body, content_type=sheets.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = attachment(f"部件导入模板.{fmt}", f"parts-template.{fmt}")
    return response


@login_required
def parts_export(request: StaffRequest, fmt: str) -> HttpResponseBase:
    if fmt not in sheets.CONTENT_TYPES:
        raise Http404("只能导出 .xlsx 或 .csv")
    rows = part_sheets.export_rows(request.user, selectors.Filters.of(request.GET))
    name = attachment(f"部件.{fmt}", f"parts.{fmt}")
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            sheets.csv_stream(rows), content_type=sheets.CONTENT_TYPES[fmt]
        )
    else:
        buffer = io.BytesIO()
        sheets.xlsx_file(rows, buffer)
        response = HttpResponse(buffer.getvalue(), content_type=sheets.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = name
    return response
