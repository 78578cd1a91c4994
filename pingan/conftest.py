"""Shared personas, defined once (STYLE.md): a small district with two townships,
two villages each and two grids per village, all with real boundaries, and one
account per role. Sibling = same level, other branch."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from shapely.geometry import box, mapping, shape

from pingan.accounts.models import Department, GrantKind, Role, User
from pingan.accounts.services import grant_give, user_create
from pingan.lib.divisions import Level
from pingan.regions.models import Region
from pingan.regions.services import region_create
from pingan.registry.models import Household, Person
from pingan.registry.services import person_build

PASSWORD = "correct-horse-battery"


@dataclass
class Tree:
    district: Region
    township_a: Region
    township_b: Region
    village_a1: Region
    village_a2: Region
    village_b1: Region
    grid_a1_1: Region
    grid_a1_2: Region
    grid_b1_1: Region


def geo(x0, y0, x1, y1):
    return mapping(box(x0, y0, x1, y1))


def _build_tree() -> Tree:
    nodes: dict[str, Region] = {}
    district = region_create(
        actor=None,
        level=Level.DISTRICT,
        code="630203000000",
        name="平安区",
        parent=None,
        boundary=geo(100, 30, 104, 34),
    )
    for t_index, (t_code, t_name) in enumerate(
        [("630203001000", "平安街道"), ("630203102000", "三合镇")]
    ):
        x0 = 100 + 2 * t_index
        township = region_create(
            actor=None,
            level=Level.TOWNSHIP,
            code=t_code,
            name=t_name,
            parent=district,
            boundary=geo(x0, 30, x0 + 2, 34),
        )
        nodes[f"t{t_index}"] = township
        for v_index in range(2):
            v_code = f"{t_code[:9]}{(1 if t_index == 0 else 200) + v_index:03d}"
            village = region_create(
                actor=None,
                level=Level.VILLAGE,
                code=v_code,
                name=f"{t_name}村{v_index + 1}",
                parent=township,
                boundary=geo(x0, 30 + 2 * v_index, x0 + 2, 32 + 2 * v_index),
            )
            nodes[f"v{t_index}{v_index}"] = village
            for g_index in range(2):
                gx = x0 + g_index
                nodes[f"g{t_index}{v_index}{g_index}"] = region_create(
                    actor=None,
                    level=Level.GRID,
                    code=f"{v_code}{g_index + 1:03d}",
                    name=f"{village.name}第{g_index + 1}网格",
                    parent=village,
                    boundary=geo(gx, 30 + 2 * v_index, gx + 1, 32 + 2 * v_index),
                    household_count=10,
                )
    return Tree(
        district,
        nodes["t0"],
        nodes["t1"],
        nodes["v00"],
        nodes["v01"],
        nodes["v10"],
        nodes["g000"],
        nodes["g001"],
        nodes["g100"],
    )


@pytest.fixture
def tree(db) -> Tree:
    return _build_tree()


@dataclass
class Personas:
    admin: User
    dispatcher: User
    leader: User
    township_officer: User
    village_officer: User
    grid_leader: User
    grid_worker_a: User
    grid_worker_b: User
    department_handler: User
    resident: User


def make_user(username: str, role: str, region=None, department=None) -> User:
    return user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        role=role,
        region=region,
        department=department,
        check_password=False,
    )


@pytest.fixture
def personas(tree: Tree) -> Personas:
    city_management = Department.objects.create(
        code="cg", name="城管局", kind="城管", region=tree.township_a
    )
    grid_leader = make_user("leader_a1", Role.GRID_LEADER, tree.grid_a1_1)
    Region.objects.filter(pk__in=[tree.grid_a1_1.pk, tree.grid_a1_2.pk]).update(leader=grid_leader)
    people = Personas(
        admin=make_user("admin", Role.ADMIN, tree.district),
        dispatcher=make_user("dispatcher", Role.DISTRICT_CENTRE, tree.district),
        leader=make_user("boss", Role.LEADER, tree.district),
        township_officer=make_user("township_a", Role.TOWNSHIP_CENTRE, tree.township_a),
        village_officer=make_user("village_a1", Role.VILLAGE_CENTRE, tree.village_a1),
        grid_leader=grid_leader,
        grid_worker_a=make_user("worker_a", Role.GRID_WORKER, tree.grid_a1_1),
        grid_worker_b=make_user("worker_b", Role.GRID_WORKER, tree.grid_a1_2),
        department_handler=make_user("cg_handler", Role.DEPARTMENT, department=city_management),
        resident=make_user("resident", Role.RESIDENT),
    )
    grant_give(
        actor=people.admin, user=people.dispatcher, kind=GrantKind.IDENTITY, reason="测试授权"
    )
    return people


def fix_check(first17: str) -> str:
    from pingan.lib.idnumber import check_char

    return first17 + check_char(first17)


@pytest.fixture
def residents(tree: Tree) -> dict[str, Person]:
    """One household with one person in each of grid A1-1, A1-2 and B1-1."""
    people = {}
    for index, grid in enumerate([tree.grid_a1_1, tree.grid_a1_2, tree.grid_b1_1]):
        centre = shape(grid.boundary).centroid
        household = Household.objects.create(
            grid=grid,
            region_path=grid.path,
            number=f"H{index}",
            address=f"地址{index}",
            lng=centre.x,
            lat=centre.y,
        )
        person = person_build(
            grid=grid,
            household=household,
            name=f"居民{index}",
            id_number=fix_check(f"63020319800{index + 1}01123"),
        )
        person.save()
        people[grid.code] = person
    return people


@pytest.fixture(autouse=True)
def fast_password_hashing(settings, request):
    """Argon2 is deliberately slow; tests that are not about hashing use MD5."""
    if "argon2" not in request.node.name:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def imports_in_request(settings):
    """Imports run inside the upload request: a test's database transaction is not
    visible to another thread."""
    settings.IMPORT_IN_BACKGROUND = False


@pytest.fixture(autouse=True)
def counts_in_the_test_database(settings):
    """Rate limits and login locks count in the database, which each test rolls back,
    even where REDIS_URL is set (Redis would carry counts from test to test)."""
    settings.REDIS_URL = ""


@pytest.fixture(autouse=True)
def own_checkpoints(settings, tmp_path):
    """Each test keeps its audit checkpoints in its own file, never the data folder's."""
    settings.AUDIT_CHECKPOINTS = tmp_path / "audit-checkpoints.jsonl"


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache (login counters, cached categories and
    departments), as a fresh server would."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def signed_in(user: User):
    """A test client logged in as `user`."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
