"""Where drivers pay. A gateway makes the QR code's content for an order
(prepay), verifies and reads its callback (notice), and refunds. Three: the
console (the demo: a page button stands for the wallet, the notice signed with
the site's key), WeChat Pay v3 (native QR; the callback's RSA signature and its
AES-256-GCM resource, by the `wechatpayv3` package) and Alipay (precreate QR;
the callback's RSA2 signature, by `python-alipay-sdk`). Keys come from files
named in settings; tests make their own."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from pingan.lib.errors import DomainError

# A callback older or newer than this is refused (a replay, or a clock far off).
NOTICE_SECONDS = 300


class GatewayError(DomainError):
    pass


@dataclass(frozen=True)
class Notice:
    """What a verified callback says: this order was paid this much."""

    order: str
    gateway_id: str
    fen: int
    paid_at: dt.datetime


class Gateway(Protocol):
    name: str
    label: str

    def prepay(self, number: str, fen: int, subject: str) -> str: ...

    def notice(self, headers: Mapping[str, str], body: bytes) -> Notice | None: ...

    def refund(
        self, order: str, gateway_id: str, refund: str, fen: int, total_fen: int, reason: str
    ) -> str: ...

    def answer(self, ok: bool) -> tuple[int, str, str]: ...


# What the driver's page calls each (without making the gateway, which reads keys).
LABELS = {"console": "演示支付", "wechat": "微信支付", "alipay": "支付宝"}


def gateway(name: str | None = None) -> Gateway:
    name = name or settings.PARKING_GATEWAY
    makers: dict[str, Callable[[], Gateway]] = {
        "console": ConsoleGateway,
        "wechat": wechat_gateway,
        "alipay": alipay_gateway,
    }
    if name not in makers:
        raise GatewayError(f"未知的支付渠道：{name}")
    return makers[name]()


def _fen(amount: Any) -> int:
    try:
        return int((Decimal(str(amount)) * 100).to_integral_value())
    except (InvalidOperation, ValueError) as exc:
        raise GatewayError("回调中的金额无法识别") from exc


def _fresh(at: dt.datetime, now: dt.datetime | None = None) -> None:
    if abs(((now or timezone.now()) - at).total_seconds()) > NOTICE_SECONDS:
        raise GatewayError("回调时间超出五分钟，拒绝（可能是重放）")


# -- the console gateway (the demo) ----------------------------------------------


class ConsoleGateway:
    """Pays on a page of this site: the 'wallet' button posts a notice signed
    with a key derived from SECRET_KEY, through the same callback path as a real
    gateway's, so the demo exercises verification and idempotency."""

    name = "console"
    label = LABELS["console"]

    @staticmethod
    def _key() -> bytes:
        return hashlib.sha256(b"pingan.parking.console:" + settings.SECRET_KEY.encode()).digest()

    def prepay(self, number: str, fen: int, subject: str) -> str:
        return reverse("parking:console_pay", args=[number])

    def signed(
        self, order: str, gateway_id: str, fen: int, now: dt.datetime | None = None
    ) -> tuple[dict[str, str], bytes]:
        """A notice as the console wallet sends it: its body and headers."""
        body = json.dumps(
            {
                "order": order,
                "id": gateway_id,
                "fen": fen,
                "paid_at": (now or timezone.now()).isoformat(),
            }
        ).encode()
        signature = hmac.new(self._key(), body, hashlib.sha256).hexdigest()
        return {"X-Console-Signature": signature}, body

    def notice(self, headers: Mapping[str, str], body: bytes) -> Notice:
        given = headers.get("X-Console-Signature", "")
        expected = hmac.new(self._key(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(given, expected):
            raise GatewayError("回调签名无效")
        data = json.loads(body)
        paid_at = parse_datetime(data["paid_at"])
        if paid_at is None:
            raise GatewayError("回调时间无法识别")
        _fresh(paid_at)
        return Notice(str(data["order"]), str(data["id"]), int(data["fen"]), paid_at)

    def refund(
        self, order: str, gateway_id: str, refund: str, fen: int, total_fen: int, reason: str
    ) -> str:
        return f"console-{refund}"

    def answer(self, ok: bool) -> tuple[int, str, str]:
        return (200, "ok", "text/plain") if ok else (400, "fail", "text/plain")


# -- WeChat Pay v3 ----------------------------------------------------------------


def _read(path: str, what: str) -> str:
    if not path or not Path(path).is_file():
        raise GatewayError(f"未配置{what}（文件 {path or '未设置'}）")
    return Path(path).read_text(encoding="utf-8")


@cache
def _wechat_client(
    mchid: str,
    appid: str,
    serial: str,
    apiv3: str,
    key_file: str,
    public_file: str,
    public_id: str,
    notify: str,
):
    from wechatpayv3 import WeChatPay, WeChatPayType

    # The platform's public key (微信支付公钥) and its id: no certificate download.
    return WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=mchid,
        private_key=_read(key_file, "微信支付商户私钥"),
        cert_serial_no=serial,
        appid=appid,
        apiv3_key=apiv3,
        notify_url=notify,
        public_key=_read(public_file, "微信支付平台公钥"),
        public_key_id=public_id,
        timeout=(5, 10),
    )


class WeChatGateway:
    name = "wechat"
    label = LABELS["wechat"]

    def __init__(self, client: Any, public_key_id: str) -> None:
        self.client = client
        self.public_key_id = public_key_id

    def prepay(self, number: str, fen: int, subject: str) -> str:
        code, text = self.client.pay(
            description=subject[:127], out_trade_no=number, amount={"total": fen, "currency": "CNY"}
        )
        data = _json(text)
        if code != 200 or "code_url" not in data:
            raise GatewayError(f"微信支付下单失败：{data.get('message', code)}")
        return str(data["code_url"])

    def notice(self, headers: Mapping[str, str], body: bytes) -> Notice | None:
        """Verified by the platform key (a serial we do not hold is refused here,
        never looked up over the network), decrypted with the APIv3 key."""
        lower = {k.lower(): v for k, v in headers.items()}
        if lower.get("wechatpay-serial") != self.public_key_id:
            raise GatewayError("回调签名的密钥编号不符")
        stamp = lower.get("wechatpay-timestamp", "")
        if not stamp.isdigit():
            raise GatewayError("回调缺少时间戳")
        _fresh(dt.datetime.fromtimestamp(int(stamp), tz=dt.UTC))
        headers = {
            "Wechatpay-Signature": lower.get("wechatpay-signature", ""),
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": lower.get("wechatpay-nonce", ""),
            "Wechatpay-Serial": lower.get("wechatpay-serial", ""),
            "Wechatpay-Signature-Type": lower.get(
                "wechatpay-signature-type", "WECHATPAY2-SHA256-RSA2048"
            ),
        }
        try:
            data = self.client.callback(headers, body)
        except Exception as exc:  # the package raises bare Exception for what it cannot read
            raise GatewayError("微信支付回调无法解密") from exc
        if not data:
            raise GatewayError("回调签名无效")
        resource = data.get("resource") or {}
        if (
            data.get("event_type") != "TRANSACTION.SUCCESS"
            or resource.get("trade_state") != "SUCCESS"
        ):
            return None  # another kind of notice: acknowledged, nothing paid
        paid_at = parse_datetime(resource.get("success_time", "")) or timezone.now()
        return Notice(
            resource["out_trade_no"],
            resource["transaction_id"],
            int(resource["amount"]["total"]),
            paid_at,
        )

    def refund(
        self, order: str, gateway_id: str, refund: str, fen: int, total_fen: int, reason: str
    ) -> str:
        code, text = self.client.refund(
            out_refund_no=refund,
            amount={"refund": fen, "total": total_fen, "currency": "CNY"},
            transaction_id=gateway_id,
            reason=reason[:80],
        )
        data = _json(text)
        if code not in (200, 201):
            raise GatewayError(f"微信支付退款失败：{data.get('message', code)}")
        return str(data.get("refund_id", ""))

    def answer(self, ok: bool) -> tuple[int, str, str]:
        if ok:
            return 200, "", "application/json"
        return (
            400,
            json.dumps({"code": "FAIL", "message": "失败"}, ensure_ascii=False),
            "application/json",
        )


def wechat_gateway() -> WeChatGateway:
    s = settings
    client = _wechat_client(
        s.WECHATPAY_MCHID,
        s.WECHATPAY_APPID,
        s.WECHATPAY_CERT_SERIAL,
        s.WECHATPAY_APIV3_KEY,
        s.WECHATPAY_PRIVATE_KEY_FILE,
        s.WECHATPAY_PUBLIC_KEY_FILE,
        s.WECHATPAY_PUBLIC_KEY_ID,
        s.PARKING_NOTIFY_BASE + reverse("parking:notify", args=["wechat"]),
    )
    return WeChatGateway(client, s.WECHATPAY_PUBLIC_KEY_ID)


# -- Alipay -------------------------------------------------------------------------


@cache
def _alipay_client(appid: str, key_file: str, public_file: str, notify: str, sandbox: bool):
    from alipay import AliPay

    return AliPay(
        appid=appid,
        app_notify_url=notify,
        app_private_key_string=_read(key_file, "支付宝应用私钥"),
        alipay_public_key_string=_read(public_file, "支付宝公钥"),
        sign_type="RSA2",
        debug=sandbox,
        config=None,
    )


class AlipayGateway:
    name = "alipay"
    label = LABELS["alipay"]

    def __init__(self, client: Any, appid: str) -> None:
        self.client = client
        self.appid = appid

    def prepay(self, number: str, fen: int, subject: str) -> str:
        result = self.client.api_alipay_trade_precreate(
            subject=subject[:128], out_trade_no=number, total_amount=f"{fen / 100:.2f}"
        )
        if not isinstance(result, dict) or result.get("code") != "10000" or "qr_code" not in result:
            raise GatewayError(f"支付宝下单失败：{(result or {}).get('sub_msg', '无应答')}")
        return str(result["qr_code"])

    def notice(self, headers: Mapping[str, str], body: bytes) -> Notice | None:
        """A form-encoded POST; `sign` by Alipay's key over the other fields."""
        data = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        signature = data.pop("sign", "")
        data.pop("sign_type", None)
        try:
            verified = bool(signature) and self.client.verify(data, signature)
        except Exception as exc:  # a signature that is not even base64, an unknown sign type
            raise GatewayError("回调签名无效") from exc
        if not verified:
            raise GatewayError("回调签名无效")
        if data.get("app_id") != self.appid:
            raise GatewayError("回调的应用编号不符")
        if data.get("trade_status") not in ("TRADE_SUCCESS", "TRADE_FINISHED"):
            return None
        paid = parse_datetime(data.get("gmt_payment", "").replace(" ", "T"))
        paid_at = (
            timezone.make_aware(paid)
            if paid and timezone.is_naive(paid)
            else (paid or timezone.now())
        )
        notified = parse_datetime(data.get("notify_time", "").replace(" ", "T"))
        if notified is not None:
            _fresh(timezone.make_aware(notified) if timezone.is_naive(notified) else notified)
        return Notice(
            data["out_trade_no"], data["trade_no"], _fen(data.get("total_amount")), paid_at
        )

    def refund(
        self, order: str, gateway_id: str, refund: str, fen: int, total_fen: int, reason: str
    ) -> str:
        result = self.client.api_alipay_trade_refund(
            refund_amount=f"{fen / 100:.2f}",
            out_trade_no=order,
            out_request_no=refund,
            refund_reason=reason[:80],
        )
        if not isinstance(result, dict) or result.get("code") != "10000":
            raise GatewayError(f"支付宝退款失败：{(result or {}).get('sub_msg', '无应答')}")
        return str(result.get("trade_no", ""))

    def answer(self, ok: bool) -> tuple[int, str, str]:
        return (200, "success", "text/plain") if ok else (400, "failure", "text/plain")


def alipay_gateway() -> AlipayGateway:
    s = settings
    client = _alipay_client(
        s.ALIPAY_APPID,
        s.ALIPAY_PRIVATE_KEY_FILE,
        s.ALIPAY_PUBLIC_KEY_FILE,
        s.PARKING_NOTIFY_BASE + reverse("parking:notify", args=["alipay"]),
        s.ALIPAY_SANDBOX,
    )
    return AlipayGateway(client, s.ALIPAY_APPID)


def _json(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except (TypeError, json.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}
