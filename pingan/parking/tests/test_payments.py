"""Orders, callbacks and refunds through each gateway, with keys the test makes:
the console's HMAC, WeChat Pay v3's RSA signature over its AES-256-GCM resource,
Alipay's RSA2 signature; replayed, forged and stale callbacks; arrears."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import time
from urllib.parse import urlencode

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.utils import timezone

from pingan.parking import gateways, payments
from pingan.parking.gateways import GatewayError
from pingan.parking.models import OrderState, Payment, Session, SessionState
from pingan.parking.services import passage_record
from pingan.parking.tests.conftest import at, seen

pytestmark = pytest.mark.django_db
APIV3 = "0123456789abcdef0123456789abcdef"


def pem_private(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def pem_public(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def sign(key, message: bytes) -> str:
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


@pytest.fixture
def owed_stay(lots):
    """青B12345 parked 9:00–10:30 on the street: ¥5.00 due."""
    passage_record(seen(lots.overhead, "青B12345", "in", at(1, 9)))
    passage_record(seen(lots.overhead, "青B12345", "out", at(1, 10, 30)))
    return Session.objects.get()


def console_pay(order, gateway_id="c-1", fen=None):
    console = gateways.ConsoleGateway()
    headers, body = console.signed(
        order.number, gateway_id, order.amount_fen if fen is None else fen
    )
    return payments.notice_receive("console", headers, body)


def test_the_driver_needs_the_ticket_to_see_a_plates_dues(owed_stay):
    with pytest.raises(payments.PaymentError, match="不符"):
        payments.owed_by("青B12345", "WRONG123")
    owed = payments.owed_by("青b 12345", owed_stay.ticket.lower())
    assert [s.pk for s in owed.ended] == [owed_stay.pk] and owed.total_fen == 500


def test_one_order_pays_everything_once_and_a_replay_is_the_same_payment(owed_stay):
    order = payments.order_create(payments.owed_by("青B12345", owed_stay.ticket), "console")
    assert order.amount_fen == 500 and order.code_url.endswith(f"/{order.number}/")
    first = console_pay(order)
    again = console_pay(order)
    assert first == again and Payment.objects.count() == 1
    stay = Session.objects.get()
    assert stay.paid_fen == 500 and stay.due_fen == 0
    order.refresh_from_db()
    assert order.state == OrderState.PAID


def test_a_second_payment_for_the_same_stay_is_surplus_and_goes_back(owed_stay):
    owed = payments.owed_by("青B12345", owed_stay.ticket)
    old = payments.order_create(owed, "console")
    new = payments.order_create(owed, "console")  # the driver opened the page twice
    old.refresh_from_db()
    assert old.state == OrderState.CLOSED
    console_pay(new, "c-1")
    late = console_pay(old, "c-2")
    assert late.surplus and Session.objects.get().paid_fen == 500
    refund = payments.surplus_refund(late)
    assert refund.amount_fen == 500 and refund.gateway_refund_id.startswith("console-")
    assert payments.reconcile(timezone.localdate()).problems == []


def test_a_forged_or_wrong_amount_callback_is_refused(owed_stay):
    order = payments.order_create(payments.owed_by("青B12345", owed_stay.ticket), "console")
    headers, body = gateways.ConsoleGateway().signed(order.number, "c-1", 500)
    with pytest.raises(GatewayError, match="签名"):
        payments.notice_receive("console", {"X-Console-Signature": "0" * 64}, body)
    with pytest.raises(GatewayError, match="签名"):
        payments.notice_receive("console", headers, body.replace(b"500", b"1"))
    headers, body = gateways.ConsoleGateway().signed(order.number, "c-1", 1)
    with pytest.raises(payments.PaymentError, match="不符"):
        payments.notice_receive("console", headers, body)
    stale = timezone.now() - dt.timedelta(minutes=6)
    headers, body = gateways.ConsoleGateway().signed(order.number, "c-1", 500, now=stale)
    with pytest.raises(GatewayError, match="五分钟"):
        payments.notice_receive("console", headers, body)
    assert Payment.objects.count() == 0


def test_paying_ahead_lets_the_car_leave_within_the_grace(lots):
    passage_record(seen(lots.gate_in, "青B12345", "in", at(1, 9)))
    stay = Session.objects.get()
    owed = payments._owed("青B12345", at(1, 10))
    assert owed.total_fen == 200
    order = payments.order_create(owed, "console")
    payments.payment_record("console", gateways.Notice(order.number, "c-9", 200, at(1, 10)))
    left = passage_record(seen(lots.gate_out, "青B12345", "out", at(1, 10, 10)))
    assert left.open_gate and left.session.pk == stay.pk and left.session.due_fen == 0


def test_a_car_held_at_the_barrier_leaves_once_paid(lots):
    passage_record(seen(lots.gate_in, "青B12345", "in", at(1, 9)))
    held = passage_record(seen(lots.gate_out, "青B12345", "out", at(1, 10)))
    assert not held.open_gate
    order = payments.order_create(payments._owed("青B12345", at(1, 10, 1)), "console")
    payments.payment_record(
        "console", gateways.Notice(order.number, "c-1", order.amount_fen, at(1, 10, 2))
    )
    again = passage_record(seen(lots.gate_out, "青B12345", "out", at(1, 10, 4)))
    assert again.duplicate and again.open_gate and Session.objects.count() == 1


def test_unpaid_stays_become_arrears_and_are_paid_off(owed_stay):
    assert payments.arrears_sweep(at(2, 10)) == 0
    assert payments.arrears_sweep(at(2, 10, 31)) == 1
    assert Session.objects.get().arrears
    order = payments.order_create(payments.owed_by("青B12345", owed_stay.ticket), "console")
    console_pay(order)
    assert payments._owed("青B12345", timezone.now()).total_fen == 0


def test_a_refund_makes_the_stay_due_again_unless_waived(owed_stay, personas):
    order = payments.order_create(payments.owed_by("青B12345", owed_stay.ticket), "console")
    payment = console_pay(order)
    payments.refund_make(payment, "车牌识别错误", by=personas.admin, waive=True)
    stay = Session.objects.get()
    assert (stay.paid_fen, stay.fee_fen, stay.exemption) == (0, 0, "waived")
    with pytest.raises(payments.PaymentError, match="已全部退款"):
        payments.refund_make(payment, "再退", by=personas.admin)


# -- WeChat Pay v3 ------------------------------------------------------------------


@pytest.fixture
def wechat(tmp_path, settings):
    merchant, platform = rsa_key(), rsa_key()
    (tmp_path / "merchant.pem").write_text(pem_private(merchant))
    (tmp_path / "platform.pem").write_text(pem_public(platform))
    settings.WECHATPAY_MCHID, settings.WECHATPAY_APPID = "1230000109", "wxd678efh567hg6787"
    settings.WECHATPAY_CERT_SERIAL, settings.WECHATPAY_APIV3_KEY = "444F4864EA9B34415", APIV3
    settings.WECHATPAY_PRIVATE_KEY_FILE = str(tmp_path / "merchant.pem")
    settings.WECHATPAY_PUBLIC_KEY_FILE = str(tmp_path / "platform.pem")
    settings.WECHATPAY_PUBLIC_KEY_ID = "PUB_KEY_ID_0114232134912410000"
    gateways._wechat_client.cache_clear()
    yield platform
    gateways._wechat_client.cache_clear()


def wechat_notice(
    platform,
    order,
    transaction_id="4200001234",
    fen=None,
    stamp=None,
    key_id="PUB_KEY_ID_0114232134912410000",
):
    resource = {
        "out_trade_no": order.number,
        "transaction_id": transaction_id,
        "trade_state": "SUCCESS",
        "success_time": timezone.now().isoformat(),
        "amount": {"total": order.amount_fen if fen is None else fen, "currency": "CNY"},
    }
    nonce = "fdasflkja484"
    ciphertext = AESGCM(APIV3.encode()).encrypt(
        nonce.encode(), json.dumps(resource).encode(), b"transaction"
    )
    body = json.dumps(
        {
            "id": "EV-2018022511223320873",
            "event_type": "TRANSACTION.SUCCESS",
            "resource_type": "encrypt-resource",
            "resource": {
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": "transaction",
                "nonce": nonce,
                "original_type": "transaction",
            },
        }
    )
    stamp = str(int(time.time()) if stamp is None else stamp)
    call_nonce = base64.b16encode(os.urandom(8)).decode()
    headers = {
        "Wechatpay-Timestamp": stamp,
        "Wechatpay-Nonce": call_nonce,
        "Wechatpay-Serial": key_id,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        "Wechatpay-Signature": sign(platform, f"{stamp}\n{call_nonce}\n{body}\n".encode()),
    }
    return headers, body.encode()


def test_a_wechat_pay_callback_is_verified_decrypted_and_recorded(
    owed_stay, wechat, client, monkeypatch
):
    monkeypatch.setattr(
        gateways.WeChatGateway,
        "prepay",
        lambda self, number, fen, subject: "weixin://wxpay/bizpayurl?pr=abc",
    )
    order = payments.order_create(payments.owed_by("青B12345", owed_stay.ticket), "wechat")
    headers, body = wechat_notice(wechat, order)
    django_headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    reply = client.post(
        "/parking/notify/wechat/", body, content_type="application/json", **django_headers
    )
    assert reply.status_code == 200
    again = client.post(
        "/parking/notify/wechat/", body, content_type="application/json", **django_headers
    )
    assert again.status_code == 200 and Payment.objects.count() == 1
    payment = Payment.objects.get()
    assert (payment.gateway, payment.gateway_id, payment.amount_fen) == (
        "wechat",
        "4200001234",
        500,
    )
    assert Session.objects.get().due_fen == 0


def test_forged_stale_and_foreign_wechat_callbacks_are_refused(owed_stay, wechat, monkeypatch):
    monkeypatch.setattr(
        gateways.WeChatGateway, "prepay", lambda self, number, fen, subject: "weixin://x"
    )
    order = payments.order_create(payments.owed_by("青B12345", owed_stay.ticket), "wechat")
    headers, body = wechat_notice(rsa_key(), order)  # signed by someone else's key
    with pytest.raises(GatewayError, match="签名"):
        payments.notice_receive("wechat", headers, body)
    headers, body = wechat_notice(wechat, order, stamp=int(time.time()) - 600)
    with pytest.raises(GatewayError, match="五分钟"):
        payments.notice_receive("wechat", headers, body)
    headers, body = wechat_notice(wechat, order, key_id="PUB_KEY_ID_OTHER")
    with pytest.raises(GatewayError, match="密钥编号"):
        payments.notice_receive("wechat", headers, body)
    headers, body = wechat_notice(wechat, order)
    with pytest.raises(GatewayError):
        payments.notice_receive("wechat", headers, body.replace(b'transaction"', b'tampered"'))
    assert Payment.objects.count() == 0


# -- Alipay -------------------------------------------------------------------------


@pytest.fixture
def alipay(tmp_path, settings):
    app, platform = rsa_key(), rsa_key()
    (tmp_path / "app.pem").write_text(pem_private(app))
    (tmp_path / "alipay.pem").write_text(pem_public(platform))
    settings.ALIPAY_APPID = "2021000117650000"
    settings.ALIPAY_PRIVATE_KEY_FILE = str(tmp_path / "app.pem")
    settings.ALIPAY_PUBLIC_KEY_FILE = str(tmp_path / "alipay.pem")
    gateways._alipay_client.cache_clear()
    yield platform
    gateways._alipay_client.cache_clear()


def alipay_notice(
    platform, order, trade_no="2026120122001400000000001", amount=None, app_id="2021000117650000"
):
    now = timezone.localtime()
    fields = {
        "app_id": app_id,
        "charset": "utf-8",
        "gmt_payment": f"{now:%Y-%m-%d %H:%M:%S}",
        "notify_id": "ac05099524730693a8b330c5ecf72da9786",
        "notify_time": f"{now:%Y-%m-%d %H:%M:%S}",
        "notify_type": "trade_status_sync",
        "out_trade_no": order.number,
        "subject": "停车费 青B12345",
        "total_amount": amount or f"{order.amount_fen / 100:.2f}",
        "trade_no": trade_no,
        "trade_status": "TRADE_SUCCESS",
        "version": "1.0",
    }
    message = "&".join(f"{k}={v}" for k, v in sorted(fields.items()))
    return urlencode(
        {**fields, "sign_type": "RSA2", "sign": sign(platform, message.encode())}
    ).encode()


def test_an_alipay_callback_is_verified_and_recorded_once(owed_stay, alipay, client, monkeypatch):
    monkeypatch.setattr(
        gateways.AlipayGateway,
        "prepay",
        lambda self, number, fen, subject: "https://qr.alipay.com/x",
    )
    order = payments.order_create(payments.owed_by("青B12345", owed_stay.ticket), "alipay")
    body = alipay_notice(alipay, order)
    for _ in range(2):
        reply = client.post(
            "/parking/notify/alipay/", body, content_type="application/x-www-form-urlencoded"
        )
        assert reply.status_code == 200 and reply.content == b"success"
    payment = Payment.objects.get()
    assert payment.gateway_id == "2026120122001400000000001" and payment.amount_fen == 500


def test_a_forged_alipay_callback_is_refused(owed_stay, alipay, client, monkeypatch):
    monkeypatch.setattr(
        gateways.AlipayGateway,
        "prepay",
        lambda self, number, fen, subject: "https://qr.alipay.com/x",
    )
    order = payments.order_create(payments.owed_by("青B12345", owed_stay.ticket), "alipay")
    forged = alipay_notice(rsa_key(), order)
    reply = client.post(
        "/parking/notify/alipay/", forged, content_type="application/x-www-form-urlencoded"
    )
    assert reply.status_code == 400 and reply.content == b"failure"
    altered = alipay_notice(alipay, order).replace(b"total_amount=5.00", b"total_amount=0.01")
    with pytest.raises(GatewayError):
        payments.notice_receive("alipay", {}, altered)
    with pytest.raises(GatewayError, match="应用编号"):
        payments.notice_receive(
            "alipay", {}, alipay_notice(alipay, order, app_id="2021000000000000")
        )
    assert Payment.objects.count() == 0 and Session.objects.get().state == SessionState.CLOSED
