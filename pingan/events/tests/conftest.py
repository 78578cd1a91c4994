import pytest

from pingan.accounts.models import Department, Role
from pingan.conftest import make_user
from pingan.events.models import Category
from pingan.events.services import Report, event_report

# A point inside grid A1-1 of the shared test tree, and one in grid B1-1.
IN_A1_1 = (100.5, 31.0)
IN_B1_1 = (102.5, 31.0)


@pytest.fixture
def departments(tree, personas):
    sfs = Department.objects.create(
        code="sfs-a", name="平安司法所", kind="司法所", region=tree.township_a
    )
    pcs = Department.objects.create(
        code="pcs-d", name="平安派出所", kind="派出所", region=tree.district
    )
    return {"cg": personas.department_handler.department, "sfs": sfs, "pcs": pcs}


@pytest.fixture
def handlers(departments):
    return {
        "sfs": make_user("sfs_handler", Role.DEPARTMENT, department=departments["sfs"]),
        "pcs": make_user("pcs_handler", Role.DEPARTMENT, department=departments["pcs"]),
    }


def report_in(category_code="CG01", where=IN_A1_1, **fields):
    return Report(
        category=Category.objects.get(code=category_code),
        lng=where[0],
        lat=where[1],
        description=fields.pop("description", "路边堆放垃圾"),
        **fields,
    )


@pytest.fixture
def reported(tree, personas, departments):
    """A grid worker's report of rubbish (城管/市容环境) in grid A1-1."""
    return event_report(
        actor=personas.grid_worker_a, channel="grid_worker", report=report_in()
    ).event
