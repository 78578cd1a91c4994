import random

import pytest
from django.test import Client

from pingan.accounts.models import User
from pingan.audit.models import JournalEntry
from pingan.lib.divisions import Level
from pingan.lib.geoindex import PolygonIndex
from pingan.regions.geo import parse_boundary
from pingan.regions.models import Region
from pingan.registry import planning
from pingan.registry.models import Household


def add_households(grid, count, group="", seed=1, x_range=None):
    rng = random.Random(seed)
    poly = parse_boundary(grid.boundary)
    minx, miny, maxx, maxy = poly.bounds
    if x_range:
        minx, maxx = x_range
    rows = [
        Household(
            grid=grid,
            region_path=grid.path,
            number=f"{grid.code}-{group}-{i}",
            address="x",
            village_group=group,
            lng=rng.uniform(minx, maxx),
            lat=rng.uniform(miny, maxy),
        )
        for i in range(count)
    ]
    Household.objects.bulk_create(rows)


def test_town_households_are_grouped_300_to_500(tree):
    add_households(tree.grid_a1_1, 700, seed=1)
    add_households(tree.grid_a1_2, 500, seed=2)
    proposal = planning.propose(tree.village_a1)
    assert proposal.urban
    sizes = sorted(len(g.household_ids) for g in proposal.grids)
    assert sizes == [400, 400, 400]
    assert proposal.warnings == []


def test_proposed_grids_tile_the_village_without_overlap(tree):
    add_households(tree.grid_a1_1, 900, seed=3)
    proposal = planning.propose(tree.village_a1)
    polygons = [g.polygon for g in proposal.grids]
    index = PolygonIndex([g.name for g in proposal.grids], polygons)
    assert index.overlaps() == []
    village = parse_boundary(tree.village_a1.boundary)
    assert abs(sum(p.area for p in polygons) - village.area) < 1e-6 * village.area


def test_countryside_gets_one_grid_per_village_group_and_splits_large_ones(tree):
    add_households(tree.grid_b1_1, 600, group="一社", seed=4)
    add_households(tree.grid_b1_1, 120, group="二社", seed=5)
    proposal = planning.propose(tree.village_b1)
    assert not proposal.urban
    by_group = {}
    for grid in proposal.grids:
        by_group.setdefault(grid.village_group, []).append(len(grid.household_ids))
    assert sorted(by_group["一社"]) == [300, 300]
    assert by_group["二社"] == [120]


def test_accepting_replaces_grids_and_moves_households_and_staff(tree, personas):
    add_households(tree.grid_a1_1, 700, seed=6)
    add_households(tree.grid_a1_2, 500, seed=7)
    client = Client()
    client.force_login(personas.village_officer)
    page = client.get(f"/regions/{tree.village_a1.code}/plan/")
    assert page.status_code == 200 and "接受此方案" in page.content.decode()
    fingerprint = page.context["proposal"].fingerprint
    response = client.post(f"/regions/{tree.village_a1.code}/plan/", {"fingerprint": fingerprint})
    assert response.status_code == 302
    new_grids = list(Region.objects.filter(parent=tree.village_a1, active=True))
    assert [g.code[-3:] for g in new_grids] == ["003", "004", "005"]
    assert not Region.objects.filter(pk=tree.grid_a1_1.pk, active=True).exists()
    assert Household.objects.filter(grid__active=False).count() == 0
    worker = User.objects.get(username="worker_a")
    assert worker.region.active and worker.region.level == Level.GRID
    assert JournalEntry.objects.filter(action="grid.plan.accept").exists()


def test_accepting_a_stale_proposal_is_refused(tree, personas):
    add_households(tree.grid_a1_1, 400, seed=8)
    proposal = planning.propose(tree.village_a1)
    with pytest.raises(planning.PlanningError, match="重新查看方案"):
        planning.accept(
            actor=personas.village_officer,
            village=tree.village_a1,
            proposal=proposal,
            fingerprint="stale",
        )
    assert Region.objects.filter(parent=tree.village_a1, active=True).count() == 2


def test_a_grid_worker_cannot_plan_the_village(tree, personas):
    client = Client()
    client.force_login(personas.grid_worker_a)
    assert client.get(f"/regions/{tree.village_a1.code}/plan/").status_code == 404
