"""The floors of the house: an app imports only apps on floors below its own, never
one above or beside it, so no two apps import each other and shared pieces live on
the ground floor. Imports inside functions count (a hidden arrow is still an
arrow); type-only imports (under `if TYPE_CHECKING:`) do not, as they are gone at
run time. Migrations and tests are not read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "pingan"
FLOORS = {
    # the ground: no app of its own, used by all
    "lib": 0,
    "bulk": 0,
    "jobs": 0,
    "audit": 1,  # the journal
    "accounts": 2,  # users, roles, grants, the access layer
    "regions": 3,  # the tree, users bound to it
    "notices": 3,  # the inbox and the outbox: any app may tell someone
    "events": 4,  # the closed loop
    "things": 5,  # 部件 and cameras, beside the registry
    "registry": 5,  # people, places, things, their records
    # the services built on them, independent of each other
    "fieldwork": 6,
    "counter": 6,
    "convenience": 6,
    "legal": 6,
    "parking": 6,  # 慧停车: plate cameras, sessions, fees; its cameras are 部件
    # 雪亮工程: cameras (部件 of class 0601), GB/T 28181; its 视频巡查 is fieldwork
    "video": 7,
    "history": 7,  # the history tables' months and their archive
    # what reads across them all
    "command": 8,
    "demo": 8,
    # 互联互通: carries events, and the figures the command centre counts, to the
    # platforms above and below
    "links": 9,
    # the shells
    "web": 9,
    "api": 9,
    "urls": 10,
    "cli": 10,
    "settings": 10,
    "wsgi": 10,
}


def app_of(path: Path) -> str:
    return path.relative_to(ROOT).parts[0].removesuffix(".py")


def type_only(tree: ast.AST) -> set[int]:
    """Ids of the import nodes inside `if TYPE_CHECKING:` blocks."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for child in ast.walk(inner):
                    found.add(id(child))
    return found


def arrows(path: Path):
    return arrows_in(path.read_text(encoding="utf-8"))


def arrows_in(source: str):
    tree = ast.parse(source)
    skipped = type_only(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "pingan" and len(parts) > 1 and parts[1] in FLOORS:
                yield parts[1], node.lineno
                break


def sources() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if "migrations" not in path.parts
        and "tests" not in path.parts
        and path.name not in ("conftest.py", "__init__.py")
        or path == ROOT / "__init__.py"
    ]


def test_the_check_sees_an_arrow_hidden_in_a_function_and_not_a_type_only_one():
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from pingan.regions.models import Region\n"
        "def later():\n"
        "    from pingan.web.views import home\n"
        "import pingan.events.services\n"
    )
    assert sorted(arrows_in(source)) == [("events", 6), ("web", 5)]


def test_every_app_has_a_floor():
    apps = {app_of(path) for path in sources()} - {"__init__", "conftest"}
    assert apps <= set(FLOORS), apps - set(FLOORS)


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_app_imports_one_above_or_beside_it(path):
    here = app_of(path)
    if here not in FLOORS:
        return
    wrong = [
        f"line {line}: {here} (floor {FLOORS[here]}) imports {there} (floor {FLOORS[there]})"
        for there, line in arrows(path)
        if there != here and FLOORS[there] >= FLOORS[here]
    ]
    assert wrong == []
