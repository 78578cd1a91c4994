"""The administrator's links page and the city's page of its districts' figures:
who may open them, and what they show."""

import pytest

from pingan.accounts.models import Role
from pingan.conftest import make_user
from pingan.links import signing
from pingan.links.models import Figures, Link, Message, Side, Unmapped

pytestmark = pytest.mark.django_db


@pytest.fixture
def lower(db):
    return Link.objects.create(
        name="平安区",
        side=Side.LOWER,
        region_code="630203",
        base_url="http://127.0.0.1:9/",
        keys=[signing.new_secret()],
    )


def test_health_shows_the_queue_dead_letters_and_unmapped_codes(client, personas, lower):
    from django.utils import timezone

    now = timezone.now()
    Message.objects.create(
        link=lower,
        webhook_id="msg_dead",
        type="event.step",
        subject="event/630200/7",
        seq=3,
        body="{}",
        state=Message.State.DEAD,
        attempts=13,
        next_at=now,
        created_at=now,
        last_error="对方无应答",
    )
    Unmapped.objects.create(
        link=lower, kind="category", code="ZZ99", direction="in", first_seen=now, last_seen=now
    )
    client.force_login(personas.admin)
    page = client.get("/links/").content.decode()
    assert "平安区（630203）" in page and "event/630200/7" in page and "ZZ99" in page
    answer = client.post("/links/630203/replay/")
    assert answer.status_code == 302
    assert Message.objects.get().state == Message.State.WAITING


def test_only_the_administrator_sees_the_links(client, personas, lower):
    for user in (personas.dispatcher, personas.leader, personas.grid_worker_a):
        client.force_login(user)
        assert client.get("/links/").status_code == 403
        assert client.post("/links/630203/replay/").status_code == 403


def test_the_city_reads_each_districts_figures_and_drills_down(client, tree, lower):
    from django.utils import timezone

    data = {
        "day": "2026-12-02",
        "overview": {
            "reported": 41,
            "open": 7,
            "overdue": 2,
            "supervised": 1,
            "closed": 30,
            "by_area": [{"name": "三合镇", "value": 12}],
            "by_state": [],
            "by_category": [],
            "by_channel": [],
        },
        "assessment": {
            "month": "2026-12",
            "rows": [],
            "whole": {"label": "合计", "score": 88.5, "rank": None, "indicators": []},
        },
    }
    Figures.objects.create(link=lower, day="2026-12-02", data=data, received_at=timezone.now())
    city = make_user("shizhihui", Role.CITY_CENTRE)
    client.force_login(city)
    listed = client.get("/links/figures/").content.decode()
    assert "平安区" in listed and "<td>41</td>" in listed and "88.5" in listed
    drilled = client.get("/links/figures/630203/").content.decode()
    assert "三合镇" in drilled and "本月上报 41 件" in drilled
    assert client.get("/links/figures/630299/").status_code == 404
    # The city's own command centre lists every district beside its own figures.
    for page in ("/command/", "/command/assessment/"):
        shown = client.get(page).content.decode()
        assert 'data-district="630203"' in shown and "/links/figures/630203/" in shown
    client.force_login(make_user("gw", Role.GRID_WORKER, tree.grid_a1_1))
    assert client.get("/links/figures/").status_code == 403
    assert "data-district" not in client.get("/command/").content.decode()


def test_the_menu_offers_the_links_to_whoever_may_open_them(client, personas, lower):
    """The city's administrator is a superuser of the city's centre role."""
    city_admin = make_user("shiadmin", Role.CITY_CENTRE)
    city_admin.is_superuser = True
    city_admin.save()
    for user, offered in ((personas.admin, True), (city_admin, True), (personas.dispatcher, False)):
        client.force_login(user)
        page = client.get("/command/").content.decode()
        assert ('href="/links/"' in page) is offered, user.username
        if offered:
            assert client.get("/links/").status_code == 200
