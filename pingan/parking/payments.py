"""The money of 慧停车: what a plate owes, an order that pays it all at once,
the gateway's callback (verified, idempotent on the gateway's id), refunds,
arrears (欠费), and each day's reconciliation of orders, payments and stays.
A driver pays once: a payment for an order that was already paid or replaced
is kept as surplus and refunded."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from pingan.audit.services import journal_write
from pingan.lib.errors import DomainError
from pingan.lib.periods import day_start
from pingan.parking import gateways, plates
from pingan.parking.gateways import Notice
from pingan.parking.models import (
    Exemption,
    Order,
    OrderLine,
    OrderState,
    Payment,
    Reconciliation,
    Refund,
    Session,
    SessionState,
)
from pingan.parking.services import running_fee

log = logging.getLogger(__name__)
ENDED = (SessionState.CLOSED, SessionState.EXIT_ONLY)


class PaymentError(DomainError):
    pass


@dataclass(frozen=True)
class Owed:
    """What the driver's page shows: the ended stays with something due, and a
    stay still open with what it would cost to leave now."""

    plate: str
    ended: list[Session]
    open: list[tuple[Session, int]]

    @property
    def total_fen(self) -> int:
        return sum(s.due_fen for s in self.ended) + sum(
            fen - s.paid_fen for s, fen in self.open if fen > s.paid_fen
        )


def owed_by(plate_text: str, ticket: str, now: dt.datetime | None = None) -> Owed:
    """A plate's dues, shown only with the ticket of one of its stays (what the
    driver has: the gate's display, the notice on the windscreen, a receipt)."""
    now = now or timezone.now()
    plate = plates.read(plate_text, lenient=settings.PARKING_LENIENT_PLATES)
    if not plate.text:
        raise PaymentError("请输入车牌号")
    if not Session.objects.filter(plate=plate.text, ticket=ticket.strip().upper()).exists():
        raise PaymentError("车牌号与停车票号不符，请核对后再试")
    return _owed(plate.text, now)


def _owed(plate: str, now: dt.datetime) -> Owed:
    stays = Session.objects.filter(plate=plate).select_related("place__tariff")
    ended = list(stays.filter(state__in=ENDED, fee_fen__gt=F("paid_fen")).order_by("left_at"))
    running = [(s, running_fee(s, now)) for s in stays.filter(state=SessionState.OPEN)]
    return Owed(plate, ended, running)


def order_create(owed: Owed, gateway_name: str | None = None) -> Order:
    """One order for everything due; unpaid orders for the same stays are
    replaced (a payment on one of them would be surplus, and refunded)."""
    lines = [(s, s.due_fen) for s in owed.ended] + [
        (s, fen - s.paid_fen) for s, fen in owed.open if fen > s.paid_fen
    ]
    if not lines:
        raise PaymentError("没有需要缴纳的停车费")
    gateway = gateways.gateway(gateway_name)
    total = sum(fen for _, fen in lines)
    with transaction.atomic():
        Order.objects.filter(
            state=OrderState.UNPAID, lines__session__in=[s for s, _ in lines]
        ).update(state=OrderState.CLOSED)
        order = Order.objects.create(
            number=_number("P"), plate=owed.plate, amount_fen=total, gateway=gateway.name
        )
        OrderLine.objects.bulk_create(
            [OrderLine(order=order, session=s, amount_fen=fen) for s, fen in lines]
        )
    # The gateway is asked after the order is stored: a failure leaves an order
    # without a code, never a code without an order.
    order.code_url = gateway.prepay(order.number, total, f"停车费 {owed.plate}")
    Order.objects.filter(pk=order.pk).update(code_url=order.code_url)
    return order


def _number(prefix: str) -> str:
    return f"{prefix}{timezone.localtime():%Y%m%d%H%M%S}{secrets.token_hex(4).upper()}"


def notice_receive(gateway_name: str, headers: Mapping[str, str], body: bytes) -> Payment | None:
    """A gateway's callback: verified by the gateway, then recorded once."""
    notice = gateways.gateway(gateway_name).notice(headers, body)
    if notice is None:
        return None
    return payment_record(gateway_name, notice)


def payment_record(gateway_name: str, notice: Notice) -> Payment:
    with transaction.atomic():
        known = Payment.objects.filter(gateway=gateway_name, gateway_id=notice.gateway_id).first()
        if known is not None:
            return known  # the gateway repeats its callbacks until answered
        order = Order.objects.select_for_update().filter(number=notice.order).first()
        if order is None:
            raise PaymentError(f"没有这个订单：{notice.order}")
        if notice.fen != order.amount_fen:
            raise PaymentError(f"支付金额 {notice.fen} 分与订单金额 {order.amount_fen} 分不符")
        surplus = order.state != OrderState.UNPAID
        payment = Payment.objects.create(
            order=order,
            gateway=gateway_name,
            gateway_id=notice.gateway_id[:64],
            amount_fen=notice.fen,
            paid_at=notice.paid_at,
            surplus=surplus,
        )
        if not surplus:
            _settle(order, notice.paid_at)
        journal_write(
            actor=None,
            action="parking.payment",
            object_type="parking.Order",
            object_id=order.number,
            data={
                "gateway": gateway_name,
                "id": notice.gateway_id,
                "fen": notice.fen,
                "surplus": surplus,
            },
        )
    return payment


def _settle(order: Order, paid_at: dt.datetime) -> None:
    order.state, order.paid_at = OrderState.PAID, paid_at
    order.save(update_fields=["state", "paid_at"])
    for line in order.lines.all():
        Session.objects.filter(pk=line.session_id).update(
            paid_fen=F("paid_fen") + line.amount_fen, paid_at=paid_at
        )


def surplus_refund(payment: Payment) -> Refund | None:
    """A driver pays once: a second payment goes back, whole."""
    if not payment.surplus or payment.refunds.exists():
        return None
    return refund_make(payment, "重复支付，自动退回", by=None)


def refund_make(payment: Payment, reason: str, *, by, waive: bool = False) -> Refund:
    """Money back through the gateway it came by. A refund of a real payment
    takes the stays' payment back (they are due again) unless it is waived."""
    if not reason.strip():
        raise PaymentError("请填写退款原因")
    refunded = payment.refunds.aggregate(s=Sum("amount_fen"))["s"] or 0
    if refunded >= payment.amount_fen:
        raise PaymentError("这笔支付已全部退款")
    fen = payment.amount_fen - refunded
    number = _number("R")
    gateway_id = gateways.gateway(payment.gateway).refund(
        payment.order.number, payment.gateway_id, number, fen, payment.amount_fen, reason
    )
    with transaction.atomic():
        refund = Refund.objects.create(
            payment=payment,
            number=number,
            amount_fen=fen,
            reason=reason.strip()[:200],
            by=by,
            gateway_refund_id=gateway_id,
        )
        if not payment.surplus:
            Order.objects.filter(pk=payment.order_id).update(state=OrderState.REFUNDED)
            for line in payment.order.lines.all():
                stay = Session.objects.select_for_update().get(pk=line.session_id)
                stay.paid_fen = max(stay.paid_fen - line.amount_fen, 0)
                if waive:
                    stay.fee_fen, stay.exemption = stay.paid_fen, Exemption.WAIVED
                stay.save(update_fields=["paid_fen", "fee_fen", "exemption", "changed_at"])
        journal_write(
            actor=by,
            action="parking.refund",
            object_type="parking.Order",
            object_id=payment.order.number,
            reason=reason.strip()[:200],
            data={"refund": number, "fen": fen, "waive": waive},
        )
    return refund


def arrears_sweep(now: dt.datetime | None = None) -> int:
    """Stays left unpaid past the set hours become 欠费 on their plate."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.PARKING_ARREARS_HOURS)
    return Session.objects.filter(
        state__in=ENDED, arrears=False, left_at__lt=cutoff, fee_fen__gt=F("paid_fen")
    ).update(arrears=True, changed_at=now)


def reconcile(day: dt.date) -> Reconciliation:
    """The day's orders, payments, refunds and stays, and what does not agree."""
    start, end = day_start(day), day_start(day + dt.timedelta(days=1))
    payments = Payment.objects.filter(paid_at__gte=start, paid_at__lt=end)
    refunds = Refund.objects.filter(at__gte=start, at__lt=end)
    stays = Session.objects.filter(left_at__gte=start, left_at__lt=end, state__in=ENDED)
    paid = payments.filter(surplus=False)
    figures = {
        "orders": Order.objects.filter(created_at__gte=start, created_at__lt=end).count(),
        "payments": payments.count(),
        "paid_fen": paid.aggregate(s=Sum("amount_fen"))["s"] or 0,
        "surplus": payments.filter(surplus=True).count(),
        "refunds": refunds.count(),
        "refunded_fen": refunds.aggregate(s=Sum("amount_fen"))["s"] or 0,
        "stays": stays.count(),
        "charged_fen": stays.aggregate(s=Sum("fee_fen"))["s"] or 0,
        "due_fen": sum(s.due_fen for s in stays.only("fee_fen", "paid_fen")),
    }
    problems = list(_disagreements(paid, payments.filter(surplus=True)))
    made, _ = Reconciliation.objects.update_or_create(
        day=day, defaults={"figures": figures, "problems": problems}
    )
    return made


def _disagreements(paid: Iterable[Payment], surplus: Iterable[Payment]) -> Iterable[str]:
    for payment in paid:
        order = payment.order
        if order.state not in (OrderState.PAID, OrderState.REFUNDED):
            yield f"订单 {order.number} 已收款但状态为{order.get_state_display()}"
        lines = order.lines.aggregate(s=Sum("amount_fen"))["s"] or 0
        if lines != payment.amount_fen:
            yield f"订单 {order.number} 收款 {payment.amount_fen} 分，明细合计 {lines} 分"
    for payment in surplus:
        if not payment.refunds.exists():
            yield f"订单 {payment.order.number} 重复收款 {payment.amount_fen} 分，尚未退回"
    unpaid = (
        Order.objects.filter(state=OrderState.PAID)
        .annotate(n=Count("payments", filter=Q(payments__surplus=False)))
        .filter(n=0)
        .values_list("number", flat=True)[:50]
    )
    for number in unpaid:
        yield f"订单 {number} 标记已支付却没有收款记录"
