"""Who must act next: verification falling back up the tree, the holding centre
falling back where a centre has no one, the queue's 待我办理, the call back before
评价归档, the reporter's contact behind a grant, urgency and a named handler."""

import datetime as dt

import pytest
from django.utils import timezone

from pingan.accounts.access import OutOfScope
from pingan.accounts.models import GrantKind, Role
from pingan.accounts.services import grant_give
from pingan.audit.models import JournalEntry
from pingan.conftest import make_user, signed_in
from pingan.events import duty, queue
from pingan.events.models import Event, State, Urgency
from pingan.events.notify import event_link
from pingan.events.services import EventError, event_report, event_transition
from pingan.events.sweep import sweep
from pingan.events.tests.conftest import report_in
from pingan.notices.models import Notice
from pingan.regions.models import Region

IN_A2_1 = (100.5, 33.0)  # village A2 has no centre account; its grids no worker
IN_B1_1 = (102.5, 31.0)  # township B has no centre account at all


def act(event, action, actor, **params):
    return event_transition(
        event=Event.objects.get(pk=event.pk), action=action, actor=actor, **params
    )


def handled(event, personas, departments, centre):
    event = act(event, "accept", centre)
    event = act(event, "dispatch", centre, department_id=departments["cg"].pk)
    event = act(event, "sign", personas.department_handler)
    return act(event, "handle", personas.department_handler, reason="已清运")


def report(personas, where, **fields):
    return event_report(
        actor=None,
        channel="public",
        report=report_in(where=where, reporter_phone="13900001111", **fields),
    ).event


def test_verification_starts_where_someone_can_act(tree, personas, departments):
    # Grid A2-1 has no worker and no leader, village A2 no centre: the township verifies.
    event = handled(report(personas, IN_A2_1), personas, departments, personas.township_officer)
    assert event.verify_tier == duty.Tier.TOWNSHIP
    assert Notice.objects.filter(user=personas.township_officer, link=event_link(event)).exists()
    assert str(duty.duty(event)) == "平安街道综治中心：现场核查"
    with pytest.raises(OutOfScope):
        act(event, "verify_pass", personas.village_officer)  # not its village
    assert act(event, "verify_pass", personas.township_officer).state == State.CLOSED


def test_a_grid_without_a_worker_is_verified_by_the_village_centre(tree, personas, departments):
    personas.grid_worker_a.set_unusable_password()  # never given a login
    personas.grid_worker_a.save()
    Region.objects.filter(pk=tree.grid_a1_1.pk).update(leader=None)
    personas.grid_leader.is_active = False
    personas.grid_leader.save()
    event = handled(report(personas, (100.5, 31.0)), personas, departments, personas.dispatcher)
    assert event.verify_tier == duty.Tier.VILLAGE
    assert duty.duty(event).who == "平安街道村1综治中心"
    page = signed_in(personas.village_officer).get("/events/").content.decode()
    assert event.receipt in page  # 待我办理
    assert act(event, "verify_pass", personas.village_officer).state == State.CLOSED


def test_the_sweep_hands_verification_up_when_its_time_runs_out(tree, personas, departments):
    event = handled(report(personas, (100.5, 31.0)), personas, departments, personas.dispatcher)
    assert event.verify_tier == duty.Tier.GRID_WORKER
    with pytest.raises(OutOfScope):
        act(event, "verify_pass", personas.village_officer)
    result = sweep(event.deadline + dt.timedelta(minutes=1))
    assert result.referred == 1
    event.refresh_from_db()
    assert event.verify_tier == duty.Tier.GRID_LEADER and not event.overdue
    assert Notice.objects.filter(user=personas.grid_leader, link=event_link(event)).exists()
    step = event.steps.last()
    assert step.action == "refer_verify" and step.actor_label == "系统"
    sweep(event.deadline + dt.timedelta(minutes=1))
    event.refresh_from_db()
    assert event.verify_tier == duty.Tier.VILLAGE
    assert act(event, "verify_pass", personas.village_officer).state == State.CLOSED
    assert JournalEntry.objects.filter(action="event.refer_verify", object_id=event.pk).count() == 2


def test_the_sweep_warns_whoever_must_act(tree, personas, departments):
    event = report(personas, (100.5, 31.0))
    event = act(event, "accept", personas.village_officer)
    event = act(event, "dispatch", personas.village_officer, department_id=departments["cg"].pk)
    Notice.objects.all().delete()
    sweep(event.warn_at + dt.timedelta(seconds=1))
    told = set(
        Notice.objects.filter(link=event_link(event)).values_list("user__username", flat=True)
    )
    assert "cg_handler" in told and "village_a1" in told


def test_the_holding_centre_falls_back_where_a_centre_has_no_one(tree, personas):
    in_a2 = report(personas, IN_A2_1)
    in_b1 = report(personas, IN_B1_1)
    assert str(duty.duty(in_a2)) == "平安街道综治中心：受理"
    assert str(duty.duty(in_b1)) == "平安区综治中心：受理"
    mine = {
        name: {e.pk for e in queue.page(user, queue.QueueFilters(state="mine")).items}
        for name, user in [
            ("township", personas.township_officer),
            ("district", personas.dispatcher),
            ("village", personas.village_officer),
        ]
    }
    assert mine == {"township": {in_a2.pk}, "district": {in_b1.pk}, "village": set()}
    assert Notice.objects.filter(user=personas.dispatcher, link=event_link(in_b1)).exists()


def test_queue_search_by_receipt_phone_and_words(tree, personas):
    event = report(personas, (100.5, 31.0), description="西门菜市场门口污水横流")
    other = report(personas, (100.5, 31.0))
    client = signed_in(personas.village_officer)
    for q in [event.receipt.lower(), "13900001111", "0001111", "污水横流"]:
        page = client.get("/events/", {"state": "", "q": q}).content.decode()
        assert event.receipt in page, q
    page = client.get("/events/", {"state": "", "q": "污水横流"}).content.decode()
    assert other.receipt not in page
    assert "待谁办理" in page and "群众扫码上报" in page


def test_call_back_before_evaluation(tree, personas, departments):
    event = report(personas, (100.5, 31.0))
    event = handled(event, personas, departments, personas.village_officer)
    event = act(event, "verify_pass", personas.grid_worker_a)
    assert "evaluate" not in {t.action for t in queue.actions_for(event, personas.village_officer)}
    with pytest.raises(EventError, match="请先回访"):
        act(event, "evaluate", personas.village_officer, score=5)
    with pytest.raises(EventError, match="是否联系上"):
        act(event, "call_back", personas.village_officer, reason="打了电话")
    event = act(event, "call_back", personas.village_officer, reason="电话无人接听", reached=False)
    event = act(event, "call_back", personas.village_officer, reason="群众表示满意", reached=True)
    steps = list(event.steps.filter(action="call_back"))
    assert [s.data["reached"] for s in steps] == [False, True]
    assert not any(s.public for s in steps)  # what the reporter said stays inside
    assert act(event, "evaluate", personas.village_officer, score=5).state == State.ARCHIVED


def test_the_reporter_contact_is_masked_and_revealed_with_a_grant(tree, personas):
    event = report(personas, (100.5, 31.0), reporter_name="李晓明")
    client = signed_in(personas.village_officer)
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "李**" in page and "139****1111" in page and "13900001111" not in page
    assert "查看完整联系方式" not in page
    refused = client.post(f"/events/{event.pk}/contact/", {"reason": "回访"}, follow=True)
    assert "没有查看反映人联系方式的授权" in refused.content.decode()
    grant_give(actor=None, user=personas.village_officer, kind=GrantKind.CONTACT, reason="回访")
    assert "查看完整联系方式" in client.get(f"/events/{event.pk}/").content.decode()
    no_reason = client.post(f"/events/{event.pk}/contact/", {"reason": ""}, follow=True)
    assert "必须填写理由" in no_reason.content.decode()
    shown = client.post(f"/events/{event.pk}/contact/", {"reason": "回访"}).content.decode()
    assert "李晓明" in shown and 'href="tel:13900001111"' in shown
    entry = JournalEntry.objects.get(action="event.reveal_contact")
    assert entry.object_id == str(event.pk) and entry.reason == "回访"
    outsider = signed_in(personas.grid_worker_b)  # grid A1-2: not this event's
    assert outsider.post(f"/events/{event.pk}/contact/", {"reason": "回访"}).status_code == 404


def test_urgency_and_a_shorter_deadline_at_dispatch(tree, personas, departments):
    plain = report(personas, (100.5, 31.0))
    event = report(personas, (100.5, 31.0))
    event = act(event, "accept", personas.village_officer, urgency=Urgency.URGENT)
    soon = timezone.now() + dt.timedelta(hours=3)
    with pytest.raises(EventError, match="不能晚于"):
        act(
            event,
            "dispatch",
            personas.village_officer,
            department_id=departments["cg"].pk,
            deadline=timezone.now() + dt.timedelta(days=60),
        )
    with pytest.raises(EventError, match="应晚于现在"):
        act(event, "dispatch", personas.village_officer, deadline=timezone.now())
    event = act(
        event,
        "dispatch",
        personas.village_officer,
        department_id=departments["cg"].pk,
        urgency=Urgency.CRITICAL,
        deadline=soon.isoformat(),
    )
    assert event.urgency == Urgency.CRITICAL and abs(event.deadline - soon).total_seconds() < 1
    first = queue.page(personas.village_officer, queue.QueueFilters(state="open")).items
    assert first[0].pk == event.pk and {e.pk for e in first} == {event.pk, plain.pk}
    with pytest.raises(EventError, match="紧急程度"):
        act(plain, "accept", personas.village_officer, urgency="very")
    page = signed_in(personas.village_officer).get("/events/?state=open").content.decode()
    assert "urgency-critical" in page and "特急" in page


def test_a_department_names_its_handler(tree, personas, departments):
    colleague = make_user("cg_li", Role.DEPARTMENT, department=departments["cg"])
    colleague.display_name = "李明"
    colleague.save()
    stranger = make_user("sfs_wang", Role.DEPARTMENT, department=departments["sfs"])
    event = report(personas, (100.5, 31.0))
    event = act(event, "accept", personas.village_officer)
    event = act(event, "dispatch", personas.village_officer, department_id=departments["cg"].pk)
    with pytest.raises(EventError, match="本部门的承办人"):
        act(event, "assign_handler", personas.department_handler, handler_id=stranger.pk)
    client = signed_in(personas.department_handler)
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "指定承办人" in page and "李明" in page
    client.post(
        f"/events/{event.pk}/act/assign_handler/",
        {"version": Event.objects.get(pk=event.pk).version, "handler_id": colleague.pk},
    )
    event.refresh_from_db()
    assert event.assignments.get(role="lead", active=True).handler == colleague
    assert str(duty.duty(event)) == "城管局（承办人 李明）：签收"
    assert Notice.objects.filter(user=colleague, link=event_link(event)).exists()
