"""The driver's pages through the real URLs: free spaces nearest first, a plate's
dues with its ticket, paying at once through the console wallet, the receipt."""

import re

import pytest

from pingan.parking.models import Order, OrderState, Place, Session
from pingan.parking.services import passage_record
from pingan.parking.tests.conftest import at, seen

pytestmark = pytest.mark.django_db


@pytest.fixture
def owing(lots):
    passage_record(seen(lots.overhead, "青B12345", "in", at(1, 9)))
    passage_record(seen(lots.overhead, "青B12345", "out", at(1, 10, 30)))
    return Session.objects.get()


def test_places_with_free_spaces_come_nearest_first(client, lots):
    Place.objects.filter(pk=lots.lot.pk).update(occupied=2)  # the lot is full
    page = client.get("/parking/", {"lng": lots.lot.lng, "lat": lots.lot.lat}).content.decode()
    assert page.index(lots.street.name) < page.index(lots.lot.name)  # the full lot after the street
    assert "已满" in page and "空位 20" in page
    assert "Content-Security-Policy" in client.get("/parking/").headers


def test_a_driver_finds_the_dues_and_pays_once(client, owing):
    wrong = client.post("/parking/owed/", {"plate": "青B12345", "ticket": "AAAAAAAA"})
    assert wrong.status_code == 422 and "不符" in wrong.content.decode()
    found = client.post("/parking/owed/", {"plate": "青B12345", "ticket": owing.ticket})
    assert "¥5.00" in found.content.decode()
    paying = client.post(
        "/parking/owed/", {"plate": "青B12345", "ticket": owing.ticket, "pay": "1"}
    )
    order = Order.objects.get()
    assert paying.status_code == 302 and paying.url == f"/parking/order/{order.number}/"
    page = client.get(paying.url).content.decode()
    assert "<svg" in page and "青B***45" in page and "演示钱包" in page
    assert client.get(f"/parking/order/{order.number}/state/").json() == {
        "state": "unpaid",
        "paid": False,
    }
    wallet = client.get(f"/parking/pay/console/{order.number}/")
    assert "确认支付" in wallet.content.decode()
    for _ in range(2):  # a double tap pays once
        client.post(f"/parking/pay/console/{order.number}/")
    order.refresh_from_db()
    assert order.state == OrderState.PAID and order.payments.count() == 1
    receipt = client.get(f"/parking/order/{order.number}/").content.decode()
    assert "缴费成功" in receipt and order.number in receipt
    again = client.post("/parking/owed/", {"plate": "青B12345", "ticket": owing.ticket})
    assert "没有需要缴纳的停车费" in again.content.decode()


def test_an_unplated_car_leaves_by_its_ticket(client, lots):
    entered = passage_record(seen(lots.gate_in, "_无_", "in", at(1, 9)))
    reply = client.post("/parking/ticket/", {"ticket": entered.session.ticket})
    assert reply.status_code == 302
    order = Order.objects.get()
    assert order.plate == "" and order.amount_fen > 0
    assert "无牌车" in client.get(reply.url).content.decode()


def test_lookups_are_limited_per_address(client, owing, settings):
    from pingan.parking import views_public

    for _ in range(views_public.LOOKUPS_PER_HOUR):
        client.post("/parking/owed/", {"plate": "青B12345", "ticket": "X"})
    refused = client.post("/parking/owed/", {"plate": "青B12345", "ticket": owing.ticket})
    assert refused.status_code == 429


def test_an_unknown_order_is_not_found(client, lots):
    assert client.get("/parking/order/P000/").status_code == 404
    assert re.search("找不到|404|没有", client.get("/parking/order/P000/").content.decode())
