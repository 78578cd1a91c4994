from __future__ import annotations

import datetime as dt

from ninja import Router, Schema
from ninja.responses import Status

from pingan.lib.http import client_ip
from pingan.regions import selectors as region_selectors
from pingan.registry import selectors, services

router = Router(tags=["registry"])


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: dt.date
    id_number: str
    grid_code: str
    household_number: str | None

    @staticmethod
    def resolve_id_number(obj) -> str:
        return obj.id_number_masked

    @staticmethod
    def resolve_grid_code(obj) -> str:
        return obj.grid.code

    @staticmethod
    def resolve_household_number(obj) -> str | None:
        return obj.household.number if obj.household_id else None


class PeoplePage(Schema):
    items: list[PersonOut]
    next_after: str | None


class RevealIn(Schema):
    reason: str


class RevealOut(Schema):
    id_number: str


class HouseholdIn(Schema):
    grid_code: str
    number: str
    address: str
    village_group: str = ""
    lng: float | None = None
    lat: float | None = None


class HouseholdOut(Schema):
    id: int
    number: str
    address: str
    grid_code: str

    @staticmethod
    def resolve_grid_code(obj) -> str:
        return obj.grid.code


@router.get("/people", response=PeoplePage)
def people_list(
    request,
    region: str | None = None,
    name: str = "",
    q: str = "",
    after: str = "",
    limit: int = 50,
):
    """People in the user's scope (optionally under one region), grouped by grid and
    paged with the opaque `next_after` cursor. `q` is a name, or a full identity or
    phone number (matched by its keyed hash). Identity numbers are always masked."""
    node = region_selectors.region_get_for_user(request.user, region) if region else None
    items, next_after = selectors.people_page(
        request.user, under=node, name=name, query=q, after=after, limit=limit
    )
    return {"items": items, "next_after": next_after}


@router.post("/people/{person_id}/reveal", response=RevealOut)
def person_reveal(request, person_id: int, payload: RevealIn):
    person = selectors.person_get_for_user(request.user, person_id)
    number = services.person_reveal_id(
        actor=request.user, person=person, reason=payload.reason, ip=client_ip(request)
    )
    return RevealOut(id_number=number)


@router.post("/households", response={201: HouseholdOut})
def household_create(request, payload: HouseholdIn):
    grid = region_selectors.region_get_for_user(request.user, payload.grid_code, write=True)
    household = services.household_create(
        actor=request.user,
        grid=grid,
        number=payload.number,
        address=payload.address,
        village_group=payload.village_group,
        lng=payload.lng,
        lat=payload.lat,
    )
    return Status(201, household)
