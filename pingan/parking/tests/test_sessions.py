"""Stays built from passages by the cameras' time: in order, late, repeated,
missing an end; and what the gate is told."""

import datetime as dt

import pytest

from pingan.parking.models import (
    Passage,
    Permit,
    Place,
    Review,
    Session,
    SessionState,
    TariffVersion,
)
from pingan.parking.services import passage_record, passages_record, stale_sweep, ticket_leave
from pingan.parking.tests.conftest import SINCE, at, seen

pytestmark = pytest.mark.django_db

IN, OUT = "in", "out"


def occupied(place) -> int:
    return Place.objects.get(pk=place.pk).occupied


def test_an_entry_and_its_exit_are_one_stay_charged_by_its_length(lots):
    entered = passage_record(seen(lots.overhead, "青B12345", IN, at(1, 9)))
    assert entered.session.state == SessionState.OPEN and occupied(lots.street) == 1
    left = passage_record(seen(lots.overhead, "青B12345", OUT, at(1, 10, 30)))
    session = Session.objects.get()
    assert left.session == session and session.state == SessionState.CLOSED
    assert session.minutes == 90 and session.fee_fen == 500 and occupied(lots.street) == 0


def test_an_exit_that_arrives_before_its_entry_is_completed_by_it(lots):
    passage_record(seen(lots.overhead, "青B12345", OUT, at(1, 10, 30)))
    alone = Session.objects.get()
    assert alone.state == SessionState.EXIT_ONLY and alone.fee_fen == 300  # the first period
    passage_record(seen(lots.overhead, "青B12345", IN, at(1, 9), offline=True))
    session = Session.objects.get()
    assert session.pk == alone.pk and session.ticket == alone.ticket
    assert session.state == SessionState.CLOSED and session.fee_fen == 500
    assert occupied(lots.street) == 0


def test_a_late_exit_lands_between_two_visits(lots):
    passage_record(seen(lots.overhead, "青B12345", IN, at(1, 9)))
    passage_record(seen(lots.overhead, "青B12345", IN, at(1, 12)))
    first, second = Session.objects.order_by("entered_at")
    assert first.state == SessionState.STALE and second.state == SessionState.OPEN
    assert occupied(lots.street) == 1
    passage_record(seen(lots.overhead, "青B12345", OUT, at(1, 10), offline=True))
    first, second = Session.objects.order_by("entered_at")
    assert (first.state, first.minutes, first.fee_fen) == (SessionState.CLOSED, 60, 300)
    assert second.state == SessionState.OPEN and occupied(lots.street) == 1
    passage_record(seen(lots.overhead, "青B12345", OUT, at(1, 13)))
    assert [s.state for s in Session.objects.order_by("entered_at")] == [SessionState.CLOSED] * 2
    assert occupied(lots.street) == 0


def test_passages_in_any_order_make_the_same_stays(lots):
    reads = [
        (IN, at(1, 8)),
        (OUT, at(1, 9)),
        (IN, at(1, 11)),
        (OUT, at(1, 14)),
        (IN, at(1, 16)),
        (OUT, at(1, 16, 20)),
    ]
    for direction, when in reversed(reads):
        passage_record(seen(lots.overhead, "青B12345", direction, when, offline=True))
    stays = [
        (s.entered_at, s.left_at, s.state, s.fee_fen)
        for s in Session.objects.order_by("entered_at")
    ]
    assert stays == [
        (at(1, 8), at(1, 9), SessionState.CLOSED, 300),
        (at(1, 11), at(1, 14), SessionState.CLOSED, 700),
        (at(1, 16), at(1, 16, 20), SessionState.CLOSED, 0),
    ]
    assert occupied(lots.street) == 0


def test_the_same_passage_reported_twice_is_one_passage(lots):
    first = passage_record(seen(lots.overhead, "青B12345", IN, at(1, 9), source_id="90813"))
    again = passage_record(seen(lots.overhead, "青B12345", IN, at(1, 9), source_id="90813"))
    assert again.duplicate and again.passage == first.passage and Passage.objects.count() == 1
    other_camera = passage_record(seen(lots.overhead, "青B12345", IN, at(1, 9, 1), source_id="77"))
    assert other_camera.duplicate and other_camera.passage.duplicate_of == first.passage
    assert Session.objects.count() == 1 and occupied(lots.street) == 1


def test_a_stay_without_exit_is_closed_as_stale_after_the_set_time(lots, settings):
    passage_record(seen(lots.overhead, "青B12345", IN, at(1, 9)))
    assert stale_sweep(at(2, 9)) == 0
    assert stale_sweep(at(3, 9, 1)) == 1
    assert Session.objects.get().state == SessionState.STALE and occupied(lots.street) == 0


def test_a_stay_is_charged_by_the_tariff_valid_when_it_began(lots):
    TariffVersion.objects.create(
        tariff=lots.hourly, valid_from=at(1, 10), step_minutes=60, step_fen=1000
    )
    passage_record(seen(lots.overhead, "青B12345", IN, at(1, 9)))
    passage_record(seen(lots.overhead, "青B12345", OUT, at(1, 12)))
    passage_record(seen(lots.overhead, "青B54321", IN, at(1, 11)))
    passage_record(seen(lots.overhead, "青B54321", OUT, at(1, 12)))
    old, new = Session.objects.order_by("entered_at")
    assert old.fee_fen == 300 + 2 * 200 and old.version.valid_from == SINCE
    assert new.fee_fen == 1000 and new.version.valid_from == at(1, 10)


def test_the_daily_cap_holds_across_repeated_entries(lots):
    for start in (7, 12, 17):
        passage_record(seen(lots.overhead, "青B12345", IN, at(1, start)))
        passage_record(seen(lots.overhead, "青B12345", OUT, at(1, start + 4)))
    fees = [s.fee_fen for s in Session.objects.order_by("entered_at")]
    assert fees == [900, 900, 200] and sum(fees) == 2000


def test_the_daily_cap_holds_across_entries_sent_in_one_batch(lots):
    # a camera's offline cache: the day's three stays arrive together, out of order
    reads = [
        seen(lots.overhead, "青B12345", direction, at(1, start + offset), offline=True)
        for start in (17, 7, 12)
        for direction, offset in ((IN, 0), (OUT, 4))
    ]
    passages_record(reads)
    fees = [s.fee_fen for s in Session.objects.order_by("entered_at")]
    assert fees == [900, 900, 200] and sum(fees) == 2000


def test_passes_and_the_whitelist_pay_nothing(lots):
    Permit.objects.create(
        plate="青B88888", kind=Permit.Kind.PASS, place=lots.street, valid_from=dt.date(2026, 12, 1)
    )
    for plate in ("青B88888", "青B0001警"):
        passage_record(seen(lots.overhead, plate, IN, at(1, 9)))
        passage_record(seen(lots.overhead, plate, OUT, at(1, 15)))
    assert [(s.exemption, s.fee_fen) for s in Session.objects.order_by("plate")] == [
        ("whitelist", 0),
        ("pass", 0),
    ]


def test_the_gate_opens_to_enter_and_to_leave_only_when_nothing_is_due(lots):
    entered = passage_record(seen(lots.gate_in, "青B12345", IN, at(1, 9)))
    assert entered.open_gate and "欢迎" in entered.say
    left = passage_record(seen(lots.gate_out, "青B12345", OUT, at(1, 10)))
    assert not left.open_gate and "请缴费2.00元" in left.say


def test_a_full_lot_keeps_its_barrier_closed(lots):
    passage_record(seen(lots.gate_in, "青B11111", IN, at(1, 9)))
    passage_record(seen(lots.gate_in, "青B22222", IN, at(1, 9)))
    refused = passage_record(seen(lots.gate_in, "青B33333", IN, at(1, 9, 5)))
    assert not refused.open_gate and "车位已满" in refused.say
    # kept out, it did not come in: stored, never a stay
    assert refused.passage.refused and refused.session is None
    assert Session.objects.count() == 2 and occupied(lots.lot) == 2
    passage_record(seen(lots.gate_out, "青B11111", OUT, at(1, 9, 30)))
    assert passage_record(seen(lots.gate_in, "青B33333", IN, at(1, 9, 31))).open_gate


def test_a_record_resent_from_the_cameras_cache_never_opens_a_gate(lots):
    late = passage_record(seen(lots.gate_in, "青B12345", IN, at(1, 9), offline=True))
    assert not late.open_gate and late.session.state == SessionState.OPEN


def test_an_unplated_vehicle_gets_a_ticket_and_leaves_with_it(lots):
    entered = passage_record(seen(lots.gate_in, "_无_", IN, at(1, 9)))
    ticket = entered.session.ticket
    assert entered.open_gate and ticket in entered.say and entered.session.plate == ""
    refused = passage_record(seen(lots.gate_out, "_无_", OUT, at(1, 9, 20)))
    assert not refused.open_gate and "票号" in refused.say
    session = ticket_leave(ticket.lower(), now=at(1, 9, 20))
    assert session.state == SessionState.CLOSED and session.fee_fen == 100
    assert occupied(lots.lot) == 0


def test_unsure_and_invalid_reads_wait_for_a_person(lots):
    unsure = passage_record(seen(lots.overhead, "青B12345", IN, at(1, 9), confidence=60))
    wrong = passage_record(seen(lots.overhead, "青B1O345", IN, at(1, 9)))
    sure = passage_record(seen(lots.overhead, "青B54321", IN, at(1, 9)))
    assert [p.passage.review for p in (unsure, wrong, sure)] == [
        Review.NEEDED,
        Review.NEEDED,
        Review.NONE,
    ]


def test_the_recount_finds_and_mends_a_wrong_occupancy(lots):
    from django.core.management import CommandError, call_command

    from pingan.parking import rounds

    passage_record(seen(lots.overhead, "青B12345", IN, at(1, 9)))
    call_command("parking", "recount", "--check")
    Place.objects.filter(pk=lots.street.pk).update(occupied=5)
    with pytest.raises(CommandError, match="1 个停车点"):
        call_command("parking", "recount", "--check")
    assert rounds.recount(fix=True) == [("P001", 5, 1)]
    assert occupied(lots.street) == 1 and rounds.recount(fix=False) == []


def test_the_round_closes_stale_stays_makes_arrears_and_reconciles(lots):
    from pingan.parking import rounds
    from pingan.parking.models import Reconciliation

    passage_record(seen(lots.overhead, "青B12345", IN, at(1, 9)))
    passage_record(seen(lots.overhead, "青B54321", IN, at(1, 9)))
    passage_record(seen(lots.overhead, "青B54321", OUT, at(1, 12)))
    said = rounds.sweep(at(4, 9))
    assert "1 条停车记录无离场" in said and "1 条停车记录转为欠费" in said and "对账" in said
    assert Reconciliation.objects.filter(day="2026-12-03").exists()
    assert "对账" not in rounds.sweep(at(4, 10))


def test_a_lot_takes_cars_in_its_opening_hours_and_lets_them_leave_any_time(lots):
    import datetime as dt

    Place.objects.filter(pk=lots.lot.pk).update(opens=dt.time(7), closes=dt.time(22))
    early = passage_record(seen(lots.gate_in, "青B11111", IN, at(1, 6, 30)))
    assert not early.open_gate and "不在开放时间" in early.say
    passage_record(seen(lots.gate_in, "青B22222", IN, at(1, 21, 50)))
    late = passage_record(seen(lots.gate_out, "青B22222", OUT, at(1, 22, 5)))
    assert late.session.state == SessionState.CLOSED and "不在开放时间" not in late.say
    Permit.objects.create(
        plate="青B33333", kind=Permit.Kind.PASS, place=lots.lot, valid_from=dt.date(2026, 12, 1)
    )
    assert passage_record(seen(lots.gate_in, "青B33333", IN, at(1, 23))).open_gate
