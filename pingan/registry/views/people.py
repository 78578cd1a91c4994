"""实有人口: the people list, a person's page and what may be done to them, their
household and house."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from pingan.accounts import access
from pingan.accounts.models import GrantKind
from pingan.lib.divisions import Level
from pingan.lib.errors import REFUSED
from pingan.lib.forms import NoteForm
from pingan.lib.http import StaffRequest, client_ip
from pingan.regions import selectors as region_selectors
from pingan.regions.models import Region
from pingan.registry import selectors, services
from pingan.registry.codes import (
    PersonStatus,
)
from pingan.registry.forms import MoveForm, PersonForm
from pingan.registry.models import (
    House,
    Household,
    MoveKind,
    Subject,
    common_block,
)
from pingan.registry.views._common import is_admin, writable_grids


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
    grids = writable_grids(request.user)
    if request.method == "POST":
        form = PersonForm(request.POST)
        try:
            data = form.cleaned()
            grid = region_selectors.region_get_for_user(request.user, data["grid"], write=True)
            person = services.person_create(
                actor=request.user,
                grid=grid,
                household=_household_in(grid, data["household"]),
                house=_house_in(grid, data["house"]),
                name=data["name"],
                id_number=data["id_number"],
                phone=data["phone"],
                **form.common(),
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
    admin = is_admin(request.user)
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
            "grids": writable_grids(request.user),
            **common_block_rows(person),
        },
    )


@login_required
@require_POST
def person_act(request: StaffRequest, person_id: int, action: str) -> HttpResponse:
    person = selectors.person_get_for_user(request.user, person_id)
    try:
        if action == "reveal":
            number = services.person_reveal_id(
                actor=request.user,
                person=person,
                reason=NoteForm(request.POST).cleaned()["reason"],
                ip=client_ip(request),
            )
            messages.info(request, f"完整身份证号：{number}（本次查看已记录）")
        elif action == "update":
            form = PersonForm(request.POST)
            phone = form.cleaned()["phone"] or None  # left blank: unchanged
            services.person_update(actor=request.user, person=person, phone=phone, **form.changes())
            messages.success(request, "已更正，原值记入历史")
        elif action == "move":
            move = MoveForm(request.POST).cleaned()
            grid = Region.objects.filter(code=move["grid"], level=Level.GRID).first()
            if grid is None:
                raise services.RegistryError("请选择迁入的网格")
            services.person_move(actor=request.user, person=person, to_grid=grid, note=move["note"])
            messages.success(request, f"已迁至 {grid.name}，已通知该网格网格员")
        elif action in (MoveKind.MOVE_OUT, MoveKind.DEATH):
            note = NoteForm(request.POST).cleaned()["note"]
            services.person_leave(actor=request.user, person=person, kind=action, note=note)
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
