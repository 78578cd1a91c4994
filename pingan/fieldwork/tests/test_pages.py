"""The app's shell, service worker and manifest, and the fieldwork web pages."""

from pingan.conftest import signed_in
from pingan.fieldwork.models import ChangeStatus, FieldPolicy, WorkRecord
from pingan.fieldwork.tests.conftest import item, jpeg_base64, sync, visit_of


def test_the_app_shell_service_worker_and_manifest_are_served(client):
    shell = client.get("/app/")
    assert shell.status_code == 200 and "移动工作台" in shell.content.decode()
    worker = client.get("/app/sw.js")
    assert worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/app/"
    assert "/static/app/app.js" in worker.content.decode()
    manifest = client.get("/app/manifest.webmanifest").json()
    assert manifest["start_url"] == "/app/" and manifest["display"] == "standalone"


def test_the_statistics_page_shows_rows_and_totals(personas, residents, tree):
    household = residents[tree.grid_a1_1.code].household
    sync(signed_in(personas.grid_worker_a), item("work", visit_of(household)))
    page = signed_in(personas.village_officer).get("/fieldwork/?by=grid&period=month")
    text = page.content.decode()
    assert page.status_code == 200 and tree.grid_a1_1.name in text and "合计" in text


def test_work_records_and_their_photos_stay_inside_the_scope(personas, residents, tree):
    household = residents[tree.grid_a1_1.code].household
    sync(
        signed_in(personas.grid_worker_a), item("work", visit_of(household, photos=[jpeg_base64()]))
    )
    record = WorkRecord.objects.get()
    photo = record.photos.get()
    officer = signed_in(personas.village_officer)
    assert household.address in officer.get("/fieldwork/records/").content.decode()
    assert officer.get(f"/fieldwork/records/{record.pk}/").status_code == 200
    assert officer.get(f"/fieldwork/photos/{photo.pk}/").status_code == 200
    other = signed_in(personas.grid_worker_b)
    assert household.address not in other.get("/fieldwork/records/").content.decode()
    assert other.get(f"/fieldwork/records/{record.pk}/").status_code == 404
    assert other.get(f"/fieldwork/photos/{photo.pk}/").status_code == 404


def test_the_village_officer_sets_approval_and_reviews_on_the_web(personas, residents, tree):
    officer = signed_in(personas.village_officer)
    response = officer.post(
        f"/fieldwork/policy/{tree.village_a1.code}/",
        {"approve_changes": "on", "visit_every_days": "60"},
    )
    assert response.status_code == 302
    assert FieldPolicy.objects.get(village=tree.village_a1).approve_changes
    person = residents[tree.grid_a1_1.code]
    body = {
        "kind": "person_update",
        "target_id": person.pk,
        "payload": {"occupation": "农民"},
        "base": {"occupation": ""},
    }
    (held,) = sync(signed_in(personas.grid_worker_a), item("change", body))
    change_id = held["result"]["change_id"]
    assert "农民" in officer.get("/fieldwork/changes/").content.decode()
    officer.post(f"/fieldwork/changes/{change_id}/review/", {"approve": "1"})
    person.refresh_from_db()
    assert person.occupation == "农民"
    assert held["result"]["status"] == ChangeStatus.PENDING
    worker = signed_in(personas.grid_worker_a)
    refused = worker.post(f"/fieldwork/policy/{tree.village_a1.code}/", {"visit_every_days": "30"})
    assert refused.status_code == 404, "the village lies outside a grid worker's scope"
    assert FieldPolicy.objects.get(village=tree.village_a1).visit_every_days == 60
