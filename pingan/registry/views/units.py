"""Organisations and places (单位、场所): lists by kind and their pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from pingan.accounts import access
from pingan.lib.errors import REFUSED
from pingan.lib.http import StaffRequest
from pingan.regions import selectors as region_selectors
from pingan.registry import selectors, services
from pingan.registry.codes import (
    OrganisationKind,
    PlaceKind,
)
from pingan.registry.forms import UnitForm
from pingan.registry.models import (
    Organisation,
    Place,
    Subject,
)
from pingan.registry.views._common import writable_grids


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
        try:
            data = UnitForm(request.POST).cleaned()
            grid = region_selectors.region_get_for_user(request.user, data["grid"], write=True)
            common: dict[str, Any] = {
                "actor": request.user,
                "grid": grid,
                "kind": data["kind"],
                "name": data["name"],
                "address": data["address"],
            }
            created: Organisation | Place
            if spec.subject == Subject.ORGANISATION:
                created = services.organisation_create(
                    credit_code=data["credit_code"],
                    legal_representative=data["legal_representative"],
                    **common,
                )
            else:
                created = services.place_create(code=data["code"], **common)
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
            "grids": writable_grids(request.user),
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
