"""Grid planning, the seed's rule: in towns (社区) grids of 300–500 households; in
the countryside (村) one grid per village group (自然村), or several when a group
is larger than 500 households.

`propose` groups the village's located households by recursive bisection along the
longer axis, and draws each grid as the union of its households' Voronoi cells,
clipped to the village boundary, so proposed grids tile the village without gaps or
overlaps. `accept` replaces the village's grids with the proposal.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.db import transaction
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from pingan.accounts import access
from pingan.accounts.models import User
from pingan.audit.services import journal_write
from pingan.lib.divisions import Level
from pingan.lib.errors import DomainError
from pingan.regions import geo
from pingan.regions.geo import parse_boundary
from pingan.regions.models import GridType, Region
from pingan.registry.models import Household, Person

MIN_HOUSEHOLDS, MAX_HOUSEHOLDS = 300, 500


class PlanningError(DomainError):
    pass


@dataclass
class ProposedGrid:
    name: str
    village_group: str
    household_ids: list[int]
    polygon: BaseGeometry | None = None


@dataclass
class Proposal:
    urban: bool
    grids: list[ProposedGrid]
    fingerprint: str
    unlocated: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def is_urban(village: Region) -> bool:
    """社区/居委会 are numbered from 001, 村委会 from 200 (统计用区划代码)."""
    return int(village.code[9:12]) < 200


def propose(village: Region) -> Proposal:
    rows: list[tuple[int, str, Any, Any]] = list(
        Household.objects.filter(region_path__startswith=village.path)
        .order_by("id")
        .values_list("id", "village_group", "lng", "lat")
    )
    located = [row for row in rows if row[2] is not None and row[3] is not None]
    unlocated = [row[0] for row in rows if row[2] is None or row[3] is None]
    urban = is_urban(village)
    groups: dict[str, list[tuple]] = defaultdict(list)
    for row in located:
        groups["" if urban else (row[1] or "未分组")].append(row)
    grids: list[ProposedGrid] = []
    for group_name in sorted(groups):
        members = groups[group_name]
        parts = max(1, math.ceil(len(members) / MAX_HOUSEHOLDS))
        for index, chunk in enumerate(_bisect(members, parts), 1):
            label = group_name or village.name
            name = f"{label}第{index}网格" if parts > 1 or urban else f"{label}网格"
            grids.append(ProposedGrid(name, group_name, [row[0] for row in chunk]))
    proposal = Proposal(urban, grids, _fingerprint(rows), unlocated)
    _draw(village, proposal, {row[0]: (float(row[2]), float(row[3])) for row in located})
    _warn(proposal)
    return proposal


def _bisect(rows: list[tuple], parts: int) -> list[list[tuple]]:
    if parts <= 1 or len(rows) <= 1:
        return [rows]
    lngs = [row[2] for row in rows]
    lats = [row[3] for row in rows]
    # Compare spans in metres, roughly: a degree of longitude shrinks with latitude.
    lng_span = (max(lngs) - min(lngs)) * math.cos(math.radians(sum(lats) / len(lats)))
    axis = 2 if lng_span >= max(lats) - min(lats) else 3
    ordered = sorted(rows, key=lambda row: (row[axis], row[0]))
    left_parts = parts // 2
    cut = round(len(ordered) * left_parts / parts)
    return _bisect(ordered[:cut], left_parts) + _bisect(ordered[cut:], parts - left_parts)


def _draw(village: Region, proposal: Proposal, where: dict[int, tuple[float, float]]) -> None:
    if not where:
        return
    coords = sorted(set(where.values()))
    points = shapely.points(np.array(coords))
    if village.boundary:
        area = parse_boundary(village.boundary)
    else:
        area = shapely.convex_hull(shapely.multipoints(points)).buffer(0.002)
    if len(coords) == 1:
        cells = [area]
    else:
        diagram = shapely.voronoi_polygons(
            shapely.multipoints(points), extend_to=area, ordered=True
        )
        cells = list(shapely.get_parts(diagram))
    cell_of = dict(zip(coords, cells, strict=True))
    for grid in proposal.grids:
        own = shapely.union_all([cell_of[where[hid]] for hid in grid.household_ids])
        grid.polygon = shapely.intersection(own, area)


def _fingerprint(rows: list[tuple]) -> str:
    text = ";".join(f"{r[0]},{r[1]},{r[2]},{r[3]}" for r in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _warn(proposal: Proposal) -> None:
    if proposal.unlocated:
        proposal.warnings.append(
            f"{len(proposal.unlocated)} 户没有位置，接受方案后将归入第一个网格，请补录位置"
        )
    if proposal.urban:
        small = [g.name for g in proposal.grids if len(g.household_ids) < MIN_HOUSEHOLDS]
        if small:
            proposal.warnings.append(f"户数不足{MIN_HOUSEHOLDS}的网格：{'、'.join(small)}")


def proposal_geojson(proposal: Proposal) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": mapping(grid.polygon) if grid.polygon is not None else None,
                "properties": {"name": grid.name, "households": len(grid.household_ids)},
            }
            for grid in proposal.grids
        ],
    }


def accept(*, actor: User, village: Region, proposal: Proposal, fingerprint: str) -> list[Region]:
    """Retire the village's grids and create the proposed ones; households, their
    people and the staff bound to the old grids move to the new grid that took most
    of their households."""
    access.require_scope(actor, village.path, write=True)
    if fingerprint != proposal.fingerprint:
        raise PlanningError("村内住户数据在查看方案后有变化，请重新查看方案再接受")
    if not proposal.grids:
        raise PlanningError("该村没有带位置的住户，无法划分网格")
    old_grids = list(village.children.filter(active=True, level=Level.GRID))
    last = Region.objects.filter(parent=village, level=Level.GRID).order_by("-code").first()
    first_seq = int(last.code[12:]) + 1 if last else 1
    if first_seq + len(proposal.grids) - 1 > 999:
        raise PlanningError("该村网格编号已用尽（最多999个）")
    with transaction.atomic():
        Region.objects.filter(pk__in=[g.pk for g in old_grids]).update(active=False)
        new_grids = _create_grids(village, proposal, first_seq)
        moved_from = _move_households(proposal, new_grids, Household, Person)
        _rebind_staff(old_grids, moved_from, new_grids)
        geo.boundaries_changed()
        journal_write(
            actor=actor,
            action="grid.plan.accept",
            object_type="region",
            object_id=village.code,
            region_path=village.path,
            data={"retired": [g.code for g in old_grids], "created": [g.code for g in new_grids]},
        )
    return new_grids


def _create_grids(village: Region, proposal: Proposal, first_seq: int) -> list[Region]:
    created = []
    for offset, planned in enumerate(proposal.grids):
        code = f"{village.code}{first_seq + offset:03d}"
        created.append(
            Region.objects.create(
                level=Level.GRID,
                code=code,
                name=planned.name,
                parent=village,
                path=f"{village.path}{code}/",
                grid_type=GridType.BASIC,
                household_count=len(planned.household_ids),
                village_group=planned.village_group,
                boundary=mapping(planned.polygon) if planned.polygon is not None else None,
            )
        )
    return created


def _move_households(proposal, new_grids, Household, Person) -> dict[int, dict[int, int]]:
    """Returns, per old grid id, how many of its households went to each new grid."""
    moved: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    targets = list(zip(proposal.grids, new_grids, strict=True))
    targets[0][0].household_ids.extend(proposal.unlocated)
    for planned, grid in targets:
        ids = planned.household_ids
        for old_grid_id in Household.objects.filter(pk__in=ids).values_list("grid_id", flat=True):
            moved[old_grid_id][grid.pk] += 1
        Household.objects.filter(pk__in=ids).update(grid=grid, region_path=grid.path)
        Person.objects.filter(household_id__in=ids).update(grid=grid, region_path=grid.path)
    return moved


def _rebind_staff(old_grids, moved_from, new_grids) -> None:
    by_id = {grid.pk: grid for grid in new_grids}
    for old in old_grids:
        counts = moved_from.get(old.pk)
        target = by_id[max(counts, key=counts.get)] if counts else new_grids[0]
        old.staff.update(region=target)
        if old.leader_id and not target.leader_id:
            target.leader_id = old.leader_id
            target.save(update_fields=["leader"])
