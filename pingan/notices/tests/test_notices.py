import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from pingan.accounts.models import User
from pingan.events.models import Category
from pingan.notices.models import Notice, OutboundMessage
from pingan.notices.services import notify, recent, text_phone
from pingan.regions.models import Region


def test_a_notice_opens_the_page_it_is_about(client, personas):
    notify([personas.village_officer], "请核实", "/people/1/")
    notify([personas.village_officer], "没有页面的消息")
    client.force_login(personas.village_officer)
    page = client.get("/inbox/").content.decode()
    assert '<a href="/people/1/">请核实</a>' in page
    assert "没有页面的消息" in page


def test_an_inbox_is_its_owner_s_alone(client, personas):
    notify([personas.village_officer], "只给村里的消息")
    client.force_login(personas.township_officer)
    assert "只给村里的消息" not in client.get("/inbox/").content.decode()
    assert recent(personas.township_officer) == []


def test_a_text_without_a_phone_is_not_queued(db):
    text_phone("", "没有号码")
    text_phone("13800000000", "有号码", "ABC123")
    assert list(OutboundMessage.objects.values_list("phone", "about")) == [
        ("13800000000", "ABC123")
    ]


# SQLite changes no schema inside a transaction, so there the test commits (and
# the rows the migrations seeded are put back after it); PostgreSQL migrates
# inside the test's own transaction.
@pytest.mark.django_db(
    transaction=connection.vendor == "sqlite", serialized_rollback=connection.vendor == "sqlite"
)
def test_the_inbox_and_outbox_of_the_events_app_are_carried_over():
    """The migration that moved them: an old notice keeps its event's link, an old
    text message its event's receipt, and nothing is lost."""
    executor = MigrationExecutor(connection)
    before = [("events", "0009_duty_urgency_call_back"), ("notices", "0001_initial")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    user = User.objects.create(username="old_clerk")
    event = _old_event(old)
    old.get_model("events", "Notice").objects.create(user_id=user.pk, event=event, text="派遣事件")
    old.get_model("events", "Notice").objects.create(user_id=user.pk, text="别的消息")
    old.get_model("events", "OutboundMessage").objects.create(
        phone="13800000000", text="已受理", event=event, status="sent"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the rows' deferred checks, before the ALTERs
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert sorted(Notice.objects.values_list("text", "link")) == [
        ("别的消息", ""),
        ("派遣事件", f"/events/{event.pk}/"),
    ]
    message = OutboundMessage.objects.get()
    assert (message.about, message.status) == (event.receipt, "sent")
    Notice.objects.create(user_id=user.pk, text="新消息")  # the ids go on after the copied


def _old_event(apps):
    """An event as the events app stored it then. Only the events app went back:
    the region tree and the categories are today's tables, made with today's models."""
    district = Region.objects.create(code="630203", name="平安区", level="district", path="630203/")
    category = Category.objects.filter(parent__isnull=False).first()
    return apps.get_model("events", "Event").objects.create(
        receipt="ABCD2345",
        category_id=category.pk,
        description="路灯不亮",
        lng=102.1,
        lat=36.5,
        grid_id=district.pk,
        region_path=district.path,
        channel="public",
        step_started_at=timezone.now(),
        created_at=timezone.now(),
    )
