"""One event through every path of the lifecycle table, and the refusals."""

import pytest

from pingan.accounts.access import OutOfScope
from pingan.audit.models import JournalEntry
from pingan.audit.services import journal_verify
from pingan.conftest import make_user
from pingan.events.lifecycle import TABLE, Actor
from pingan.events.models import Event, Level, State
from pingan.events.notify import event_link
from pingan.events.services import (
    Conflict,
    EventError,
    event_rate,
    event_report,
    event_transition,
)
from pingan.events.tests.conftest import IN_A1_1, report_in
from pingan.notices.models import Notice, OutboundMessage


def act(event, action, actor, **params):
    return event_transition(
        event=Event.objects.get(pk=event.pk), action=action, actor=actor, **params
    )


def test_report_is_routed_to_grid_village_and_department(reported, tree, departments):
    assert reported.grid == tree.grid_a1_1
    assert reported.region_path == tree.grid_a1_1.path
    assert reported.lead_department == departments["cg"]
    assert reported.state == State.REPORTED and reported.deadline is not None
    assert len(reported.receipt) == 10
    assert Notice.objects.filter(user__username="village_a1", link=event_link(reported)).exists()


def test_the_full_happy_path_with_rework_extension_and_evaluation(reported, personas, departments):
    village, cg = personas.village_officer, personas.department_handler
    event = act(reported, "accept", village)
    event = act(
        event,
        "dispatch",
        village,
        department_id=departments["cg"].pk,
        assist_ids=[departments["sfs"].pk],
    )
    assert event.state == State.DISPATCHED
    assert {a.role for a in event.assignments.filter(active=True)} == {"lead", "assist"}
    event = act(event, "sign", cg)
    event = act(event, "request_extension", cg, reason="需要协调车辆", days=2)
    deadline = event.deadline
    event = act(event, "approve_request", village)
    assert event.deadline > deadline and event.pending_request == ""
    event = act(event, "handle", cg, reason="已清运")
    event = act(event, "verify_fail", personas.grid_worker_a, reason="仍有残留")
    assert event.state == State.HANDLING and event.rework_count == 1
    event = act(event, "handle", cg, reason="已彻底清运")
    event = act(event, "verify_pass", personas.grid_worker_a)
    assert event.state == State.CLOSED and event.closed_at
    event = event_rate(event=event, satisfaction=5, comment="很快")
    event = act(event, "evaluate", village, score=4)
    assert event.state == State.ARCHIVED and event.satisfaction == 5 and event.centre_score == 4
    actions = list(event.steps.values_list("action", flat=True))
    assert actions == [
        "report",
        "accept",
        "dispatch",
        "sign",
        "request_extension",
        "approve_request",
        "handle",
        "verify_fail",
        "handle",
        "verify_pass",
        "rate",
        "evaluate",
    ]
    journaled = JournalEntry.objects.filter(object_type="event", object_id=str(event.pk))
    assert journaled.count() == len(actions)
    assert list(journal_verify()) == []


def test_reject_needs_a_reason_and_tells_the_reporter(tree, personas, departments):
    event = event_report(
        actor=None, channel="public", report=report_in(reporter_phone="13800000000")
    ).event
    with pytest.raises(EventError, match="理由"):
        act(event, "reject", personas.village_officer)
    event = act(event, "reject", personas.village_officer, reason="不属于本平台受理范围")
    assert event.state == State.REJECTED
    assert OutboundMessage.objects.filter(phone="13800000000", text__contains="不予受理").exists()


def test_send_back_then_redispatch(reported, personas, departments, handlers):
    village = personas.village_officer
    act(reported, "accept", village)
    act(reported, "dispatch", village, department_id=departments["pcs"].pk)
    event = act(reported, "send_back", handlers["pcs"], reason="非本部门职责")
    assert event.state == State.RETURNED and not event.assignments.filter(active=True).exists()
    event = act(event, "dispatch", village, department_id=departments["cg"].pk)
    assert event.state == State.DISPATCHED


def test_suspension_and_resume(reported, personas, departments):
    village, cg = personas.village_officer, personas.department_handler
    act(reported, "accept", village)
    act(reported, "dispatch", village)
    act(reported, "sign", cg)
    act(reported, "request_suspension", cg, reason="等待天气好转")
    event = act(reported, "approve_request", village)
    assert event.state == State.SUSPENDED and event.deadline is None
    event = act(event, "resume", village)
    assert event.state == State.HANDLING and event.deadline is not None


def test_resolve_on_the_spot(reported, personas):
    act(reported, "accept", personas.village_officer)
    event = act(reported, "resolve_on_spot", personas.village_officer, reason="现场劝离")
    assert event.state == State.HANDLED
    assert act(event, "verify_pass", personas.grid_worker_a).state == State.CLOSED


def test_escalation_up_to_the_district(reported, personas):
    event = act(reported, "escalate", personas.village_officer, reason="村里无法协调")
    assert event.level == Level.TOWNSHIP
    with pytest.raises(OutOfScope):
        act(event, "accept", personas.village_officer)
    event = act(event, "escalate", personas.township_officer, reason="涉及多个乡镇")
    assert event.level == Level.DISTRICT
    with pytest.raises(EventError, match="不能再上报"):
        act(event, "escalate", personas.dispatcher, reason="再上报")
    assert act(event, "accept", personas.dispatcher).state == State.ACCEPTED


def test_supervision_by_the_district_only(reported, personas):
    with pytest.raises(OutOfScope):
        act(reported, "supervise", personas.township_officer, reason="督办")
    event = act(reported, "supervise", personas.dispatcher, reason="群众反映强烈", days=2)
    assert event.supervised and event.supervise_deadline


def test_merge_links_to_the_original_and_tells_both_reporters(reported, personas):
    second = event_report(
        actor=None, channel="public", report=report_in(reporter_phone="13900000000")
    ).event
    event = act(second, "merge", personas.village_officer, original_id=reported.pk)
    assert event.state == State.MERGED and event.merged_into == reported
    assert OutboundMessage.objects.filter(phone="13900000000", text__contains="合并").exists()
    assert Notice.objects.filter(
        user=personas.grid_worker_a, link=event_link(reported), text__contains="合并"
    ).exists()


def test_withdraw_by_the_reporter_and_void_by_the_district(reported, personas, tree):
    with pytest.raises(OutOfScope):
        act(reported, "withdraw", personas.village_officer, reason="误报")
    assert act(reported, "withdraw", personas.grid_worker_a, reason="误报").state == State.WITHDRAWN
    other = event_report(
        actor=personas.grid_worker_a,
        channel="grid_worker",
        report=report_in(description="井盖缺失", category_code="CG05"),
    ).event
    assert act(other, "void", personas.dispatcher, reason="重复录入").state == State.VOIDED


def test_assisting_department_gives_feedback_or_refuses(reported, personas, departments, handlers):
    village = personas.village_officer
    act(reported, "accept", village)
    act(reported, "dispatch", village, assist_ids=[departments["sfs"].pk])
    act(reported, "assist_note", handlers["sfs"], reason="已联系当事人")
    event = act(reported, "refuse_assist", handlers["sfs"], reason="不涉及纠纷")
    assert not event.assignments.filter(role="assist", active=True).exists()


def test_illegal_transition_is_refused_and_changes_nothing(reported, personas):
    with pytest.raises(EventError, match="不能签收"):
        act(reported, "sign", personas.department_handler)
    event = Event.objects.get(pk=reported.pk)
    assert event.state == State.REPORTED and event.version == reported.version


def test_transition_by_someone_outside_the_scope_is_refused(reported, personas, tree):
    from pingan.accounts.models import Role
    from pingan.conftest import make_user

    other_village = make_user("village_b1", Role.VILLAGE_CENTRE, tree.village_b1)
    with pytest.raises(OutOfScope):
        act(reported, "accept", other_village)
    with pytest.raises(OutOfScope):
        act(reported, "accept", personas.grid_worker_b)
    assert Event.objects.get(pk=reported.pk).state == State.REPORTED


def test_a_stale_version_is_a_conflict(reported, personas):
    stale = Event.objects.get(pk=reported.pk)
    act(reported, "accept", personas.village_officer)
    with pytest.raises(Conflict):
        event_transition(
            event=stale, action="reject", actor=personas.township_officer, reason="重复"
        )
    assert Event.objects.get(pk=reported.pk).state == State.ACCEPTED


# How to bring a fresh report to each state the table starts actions from.
ROUTE = {
    State.REPORTED: [],
    State.ACCEPTED: ["accept"],
    State.DISPATCHED: ["accept", "dispatch"],
    State.RETURNED: ["accept", "dispatch", "send_back"],
    State.HANDLING: ["accept", "dispatch", "sign"],
    State.SUSPENDED: ["accept", "dispatch", "sign", "request_suspension", "approve_request"],
    State.HANDLED: ["accept", "dispatch", "sign", "handle"],
    State.CLOSED: ["accept", "dispatch", "sign", "handle", "verify_pass"],
}
# What an action needs first, besides its state.
BEFORE = {"approve_request": ["request_extension"], "deny_request": ["request_extension"]}


@pytest.mark.parametrize("action", sorted(TABLE))
def test_every_action_of_the_table_can_be_taken(action, reported, personas, departments, handlers):
    """Each row of the table, walked to one of its source states and taken by the
    actor it names: parametrised over TABLE, so a new action cannot go untested."""
    transition = TABLE[action]
    start = next(state for state in ROUTE if state in transition.sources)
    actors = {
        Actor.CENTRE: personas.village_officer,
        Actor.DEPARTMENT: personas.department_handler,
        Actor.ASSISTANT: handlers["sfs"],
        Actor.VERIFIER: personas.grid_worker_a,
        Actor.DISTRICT: personas.dispatcher,
        Actor.REPORTER: personas.grid_worker_a,
        Actor.SYSTEM: None,  # the platform itself
    }
    colleague = make_user("cg_two", "department", department=departments["cg"])
    original = event_report(
        actor=personas.grid_worker_a, channel="grid_worker", report=report_in()
    ).event
    inputs = {
        "dispatch": {"department_id": departments["cg"].pk, "assist_ids": [departments["sfs"].pk]},
        "request_extension": {"days": 2},
        "supervise": {"days": 3},
        "evaluate": {"score": 5},
        "merge": {"original_id": original.pk},
        "assign_handler": {"handler_id": colleague.pk},
        "call_back": {"reached": True},
    }
    if action == "assign_down":
        # 交办 needs the platform below linked; here this one plays the city's part.
        from pingan.links.models import Link

        Link.objects.create(
            name="平安区",
            side="lower",
            region_code=reported.region_path[:6],
            base_url="http://127.0.0.1:9/",
            keys=["whsec_" + "A" * 44],
        )
    event = reported
    for step in [*ROUTE[start], *BEFORE.get(action, [])]:
        actor = actors[TABLE[step].actor]
        event = act(event, step, actor, reason="依规办理", **inputs.get(step, {}))
    done = act(event, action, actors[transition.actor], reason="依规办理", **inputs.get(action, {}))
    assert done.steps.last().action == action
    if transition.target is not None and action != "approve_request":
        assert done.state == transition.target


def test_deny_a_request(reported, personas):
    village, cg = personas.village_officer, personas.department_handler
    act(reported, "accept", village)
    act(reported, "dispatch", village)
    act(reported, "sign", cg)
    act(reported, "request_extension", cg, reason="理由", days=3)
    event = act(reported, "deny_request", village, reason="期限内可完成")
    assert event.pending_request == "" and event.state == State.HANDLING


def test_a_resident_rates_once_and_only_after_closure(reported, personas):
    with pytest.raises(EventError, match="办结后"):
        event_rate(event=reported, satisfaction=4)


def test_unknown_category_and_location_outside_the_district(tree, departments):
    from pingan.events.routing import RoutingError
    from pingan.events.services import category_for

    with pytest.raises(EventError, match="未知的事件类别"):
        category_for("XX99")
    with pytest.raises(EventError, match="未知的事件类别"):
        category_for("CG")  # a 大类 is not a category one can report under
    with pytest.raises(RoutingError, match="不在本区任何网格内"):
        event_report(actor=None, channel="public", report=report_in(where=(0.0, 0.0)))
    assert not Event.objects.exists()


def test_nearby_open_report_of_the_same_category_is_offered_as_duplicate(reported, personas):
    again = event_report(
        actor=None, channel="public", report=report_in(where=(IN_A1_1[0] + 0.0001, IN_A1_1[1]))
    )
    assert [e.pk for e in again.similar] == [reported.pk]
    far = event_report(
        actor=None, channel="public", report=report_in(where=(IN_A1_1[0] + 0.3, IN_A1_1[1]))
    )
    assert far.similar == []


def test_a_replayed_submission_returns_the_first_result(tree, personas, departments):
    import uuid

    key = uuid.uuid4()
    first = event_report(
        actor=personas.grid_worker_a, channel="grid_worker", report=report_in(), client_uuid=key
    )
    again = event_report(
        actor=personas.grid_worker_a, channel="grid_worker", report=report_in(), client_uuid=key
    )
    assert first.created and not again.created and again.event.pk == first.event.pk
    assert Event.objects.count() == 1
    with pytest.raises(Conflict, match="不同"):
        event_report(
            actor=personas.grid_worker_a,
            channel="grid_worker",
            report=report_in(description="另一件事"),
            client_uuid=key,
        )
    assert Event.objects.count() == 1


def test_assignment_down_stays_inside_the_assigners_area(tree, personas, departments):
    from pingan.events.tests.conftest import IN_B1_1

    event = event_report(
        actor=personas.township_officer,
        channel="assignment",
        report=report_in(level="village", source_ref="市交办-001"),
    ).event
    assert event.channel == "assignment" and event.level == Level.VILLAGE
    with pytest.raises(OutOfScope):
        event_report(
            actor=personas.township_officer, channel="assignment", report=report_in(where=IN_B1_1)
        )
    with pytest.raises(EventError, match="本级或下级"):
        event_report(
            actor=personas.township_officer,
            channel="assignment",
            report=report_in(level="district"),
        )


def test_only_an_assignment_names_the_level(tree, personas, departments):
    with pytest.raises(EventError, match="上级交办"):
        event_report(
            actor=personas.grid_worker_a, channel="grid_worker", report=report_in(level="district")
        )


def test_a_batch_is_journaled_in_order_and_a_receipt_clash_costs_only_its_report(
    tree, personas, departments, monkeypatch
):
    import uuid

    from pingan.events import intake, services

    event_report(actor=personas.grid_worker_a, channel="grid_worker", report=report_in())
    taken = Event.objects.get().receipt
    receipts = iter([taken, "ABCDEFGH23", "ABCDEFGH24", "ABCDEFGH25"])
    monkeypatch.setattr(intake, "new_receipt", lambda: next(receipts))  # where it is called
    items = [services.Submitted(report_in(), uuid.uuid4()) for _ in range(2)]
    outcomes = services.event_report_many(
        actor=personas.grid_worker_a, channel="grid_worker", items=items
    )
    # The batch clashed on the first receipt, so each report was retried alone:
    # both are stored, each once, with fresh receipts.
    assert all(o.created for o in outcomes)
    assert sorted(o.event.receipt for o in outcomes) == ["ABCDEFGH24", "ABCDEFGH25"]
    assert Event.objects.count() == 3
    reports = JournalEntry.objects.filter(action="event.report").order_by("seq")
    assert [r.object_id for r in reports][1:] == [str(o.event.pk) for o in outcomes]
    assert list(journal_verify()) == []


def test_a_foreign_event_to_merge_into_is_answered_as_not_found(reported, personas, tree):
    from pingan.events.tests.conftest import IN_B1_1

    foreign = event_report(actor=None, channel="public", report=report_in(where=IN_B1_1)).event
    Event.objects.filter(pk=foreign.pk).update(state=State.CLOSED)
    missing = Event.objects.order_by("-pk").first().pk + 100
    answers = []
    for original_id in (foreign.pk, missing):
        with pytest.raises(EventError) as refused:
            act(reported, "merge", personas.township_officer, original_id=original_id)
        answers.append(str(refused.value))
    assert answers[0] == answers[1] == "没有找到要合并到的原事件"
