import datetime as dt

import time_machine
from django.core.management import call_command
from django.utils import timezone

from pingan.audit.models import JournalEntry
from pingan.events.models import Event, Level
from pingan.events.services import event_report
from pingan.events.sweep import sweep
from pingan.events.tests.conftest import report_in
from pingan.events.timing import mark
from pingan.notices.models import Notice, OutboundMessage

MONDAY_NINE = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_warning_then_overdue_then_auto_escalation(personas, departments):
    with time_machine.travel(MONDAY_NINE, tick=False):
        # 治安隐患 (ZZ02): accept within 1 working hour, escalates on its own when late.
        event = event_report(
            actor=personas.grid_worker_a,
            channel="grid_worker",
            report=report_in("ZZ02", description="深夜聚集滋事"),
        ).event
    assert event.deadline == MONDAY_NINE + dt.timedelta(hours=1)
    with time_machine.travel(MONDAY_NINE + dt.timedelta(minutes=50), tick=False):
        assert mark(Event.objects.get(), timezone.now()) == "warning"
        assert sweep(timezone.now()).warned == 1
        assert sweep(timezone.now()).warned == 0  # claimed once
    assert Notice.objects.filter(user=personas.village_officer, text__contains="即将超期").exists()
    with time_machine.travel(MONDAY_NINE + dt.timedelta(hours=2), tick=False):
        result = sweep(timezone.now())
    assert (result.overdue, result.escalated) == (1, 1)
    event = Event.objects.get()
    assert event.level == Level.TOWNSHIP and event.steps.last().actor_label == "系统"
    assert JournalEntry.objects.filter(action="event.overdue").exists()
    assert Notice.objects.filter(user=personas.township_officer, text__contains="自动上报").exists()


def test_categories_without_auto_escalation_are_only_marked(personas, departments):
    with time_machine.travel(MONDAY_NINE, tick=False):
        event_report(actor=personas.grid_worker_a, channel="grid_worker", report=report_in())
    with time_machine.travel(MONDAY_NINE + dt.timedelta(days=3), tick=False):
        result = sweep(timezone.now())
    assert (result.overdue, result.escalated) == (1, 0)
    assert Event.objects.get().level == Level.VILLAGE


def test_worker_command_sends_queued_messages(tree, departments, settings, tmp_path):
    settings.SMS_FILE = str(tmp_path / "sms.log")
    event_report(actor=None, channel="public", report=report_in(reporter_phone="13300000000"))
    OutboundMessage.objects.create(phone="13300000000", text="测试短信")
    call_command("worker", "--once")
    assert "13300000000: 测试短信" in (tmp_path / "sms.log").read_text()
    assert OutboundMessage.objects.get().status == "sent"


def test_the_worker_leaves_the_sigterm_handler_as_it_found_it(db, settings):
    import signal

    before = signal.getsignal(signal.SIGTERM)
    call_command("worker", "--once")
    assert signal.getsignal(signal.SIGTERM) is before


def test_each_worker_round_signs_a_checkpoint_of_the_journal(tree, departments, settings):
    event_report(actor=None, channel="public", report=report_in())
    call_command("worker", "--once")
    assert '"seq"' in settings.AUDIT_CHECKPOINTS.read_text()
