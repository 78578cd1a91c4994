import base64
import io
import json
import uuid

import pytest
from PIL import Image

from pingan.events.tests.conftest import IN_A1_1, departments, handlers, reported  # noqa: F401
from pingan.registry.models import Place


def jpeg_base64(colour=(200, 30, 30)) -> str:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def item(kind: str, body: dict, key: str | None = None) -> dict:
    return {"uuid": key or str(uuid.uuid4()), "kind": kind, "body": body}


def sync(client, *items):
    response = client.post(
        "/api/field/sync", json.dumps({"items": list(items)}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["results"]


def visit_of(household, **extra) -> dict:
    return {
        "kind": "visit",
        "household_id": household.pk,
        "note": "入户了解家庭情况",
        "findings": {"needs": "想办低保", "hazards": "电线老化"},
        "lng": IN_A1_1[0],
        "lat": IN_A1_1[1],
        **extra,
    }


@pytest.fixture
def venue(tree):
    return Place.objects.create(
        grid=tree.grid_a1_1,
        region_path=tree.grid_a1_1.path,
        kind="venue",
        name="平安宾馆",
        address="平安大道1号",
        lng=IN_A1_1[0],
        lat=IN_A1_1[1],
    )


def all_ok(kind: str) -> dict:
    from pingan.fieldwork.services import checklists

    return {entry["key"]: "ok" for entry in checklists()[kind]}
