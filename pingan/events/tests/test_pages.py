from pingan.conftest import signed_in
from pingan.events.models import Event, State
from pingan.events.services import event_report
from pingan.events.tests.conftest import report_in
from pingan.notices.models import Notice


def test_queue_page_lists_and_filters(personas, departments):
    event = event_report(
        actor=personas.grid_worker_a, channel="grid_worker", report=report_in()
    ).event
    page = signed_in(personas.dispatcher).get("/events/?state=open")
    assert event.receipt in page.content.decode()
    page = signed_in(personas.dispatcher).get("/events/?state=closed")
    assert event.receipt not in page.content.decode()
    assert event.receipt not in signed_in(personas.grid_worker_b).get("/events/").content.decode()


def test_bulk_accept_from_the_queue(personas, departments):
    ids = [
        event_report(
            actor=personas.grid_worker_a,
            channel="grid_worker",
            report=report_in(description=f"第{i}处"),
        ).event.pk
        for i in range(2)
    ]
    client = signed_in(personas.village_officer)
    client.post("/events/bulk/", {"action": "accept", "ids": ids})
    assert set(Event.objects.values_list("state", flat=True)) == {State.ACCEPTED}


def test_hotline_entry_and_the_event_page_with_actions(personas, departments, tree):
    client = signed_in(personas.township_officer)
    response = client.post(
        "/events/new/",
        {
            "channel": "hotline",
            "category": "ZZ01",
            "description": "邻里漏水纠纷",
            "grid": tree.grid_a1_2.code,
            "reporter_phone": "13500000000",
            "source_ref": "12345-0001",
            "level": "village",
        },
    )
    event = Event.objects.get()
    assert response.status_code == 302 and event.channel == "hotline"
    assert event.lead_department == departments["sfs"]
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "立案" in page and "12345-0001" in page
    client.post(f"/events/{event.pk}/act/accept/", {"version": event.version})
    assert Event.objects.get().state == State.ACCEPTED
    stale = client.post(
        f"/events/{event.pk}/act/reject/", {"version": event.version, "reason": "重复"}, follow=True
    )
    assert "刷新后重试" in stale.content.decode()


def test_staff_entry_errors_are_shown_and_nothing_is_stored(personas, departments):
    client = signed_in(personas.township_officer)
    response = client.post(
        "/events/new/",
        {"channel": "hotline", "category": "CG01", "description": "x", "lng": "0", "lat": "0"},
    )
    assert response.status_code == 422 and "不在本区任何网格内" in response.content.decode()
    response = client.post(
        "/events/new/", {"channel": "hotline", "category": "CG01", "description": "x"}
    )
    assert "经纬度或网格编码" in response.content.decode()
    assert not Event.objects.exists()


def test_department_todo_and_inbox(personas, departments):
    event = event_report(
        actor=personas.grid_worker_a, channel="grid_worker", report=report_in()
    ).event
    village = signed_in(personas.village_officer)
    village.post(f"/events/{event.pk}/act/accept/", {})
    village.post(f"/events/{event.pk}/act/dispatch/", {"department_id": departments["cg"].pk})
    handler = signed_in(personas.department_handler)
    assert event.receipt in handler.get("/events/todo/").content.decode()
    inbox = handler.get("/inbox/").content.decode()
    assert "请签收" in inbox and "全部标为已读" in inbox
    unread = Notice.objects.filter(user=personas.department_handler, read_at__isnull=True)
    assert unread.exists(), "reading the page changes nothing"
    assert handler.get("/inbox/read/").status_code == 405
    handler.post("/inbox/read/")
    assert not unread.exists()


def test_grid_qr_code(personas, tree):
    client = signed_in(personas.grid_worker_a)
    page = client.get(f"/regions/{tree.grid_a1_1.code}/qr/")
    assert f"/r/{tree.grid_a1_1.code}/" in page.content.decode()
    svg = client.get(f"/regions/{tree.grid_a1_1.code}/qr/?format=svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert client.get(f"/regions/{tree.grid_a1_2.code}/qr/").status_code == 404


def test_the_event_page_offers_only_what_makes_sense_now(personas, departments):
    event = event_report(
        actor=personas.grid_worker_a, channel="grid_worker", report=report_in()
    ).event
    village = signed_in(personas.village_officer)
    village.post(f"/events/{event.pk}/act/accept/", {})
    village.post(f"/events/{event.pk}/act/dispatch/", {})
    handler = signed_in(personas.department_handler)
    handler.post(f"/events/{event.pk}/act/sign/", {})
    page = village.get(f"/events/{event.pk}/")
    offered = [t.action for t in page.context["actions"]]
    assert "approve_request" not in offered and "escalate" in offered
    assert "派遣" in page.content.decode()  # the timeline speaks Chinese, not action codes
    handler.post(f"/events/{event.pk}/act/request_extension/", {"reason": "等材料", "days": "2"})
    offered = [t.action for t in village.get(f"/events/{event.pk}/").context["actions"]]
    assert "approve_request" in offered


def test_grid_worker_reports_from_the_phone_page_once_even_if_sent_twice(
    personas, departments, tree
):
    import uuid as uuid_module

    client = signed_in(personas.grid_worker_a)
    page = client.get("/m/report/")
    assert page.status_code == 200 and "上报事件" in page.content.decode()
    form = {"category": "CG05", "description": "井盖缺失", "client_uuid": str(uuid_module.uuid4())}
    first = client.post("/m/report/", form)
    again = client.post("/m/report/", form)  # the resend after a dropped connection
    assert first.status_code == 200 and again.status_code == 200
    event = Event.objects.get()
    assert event.receipt in again.content.decode() and event.grid == tree.grid_a1_1
    assert event.channel == "grid_worker" and event.reporter == personas.grid_worker_a


def test_only_grid_staff_use_the_phone_report_page(personas, departments):
    response = signed_in(personas.township_officer).post(
        "/m/report/", {"category": "CG05", "description": "x", "client_uuid": "not-a-uuid"}
    )
    assert response.status_code == 422 and "只有网格员" in response.content.decode()
    assert not Event.objects.exists()


def test_a_staff_entry_with_a_bad_photo_stores_nothing(personas, departments, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(personas.township_officer)
    response = client.post(
        "/events/new/",
        {
            "channel": "hotline",
            "category": "CG01",
            "description": "垃圾",
            "grid": tree.grid_a1_1.code,
            "photo": SimpleUploadedFile("a.jpg", b"not an image"),
        },
    )
    assert response.status_code == 422 and "只能上传" in response.content.decode()
    assert not Event.objects.exists()  # resubmitting after the error files it once
