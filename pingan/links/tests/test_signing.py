"""Standard Webhooks v1 signatures: the spec's test vectors, the reference
library (standardwebhooks) as the other side, and what a receiver refuses."""

import datetime as dt
import json

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from pingan.links import signing

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
STAMP = 1614265330


def test_the_reference_vector():
    body = b'{"test": 2432232314}'
    assert signing.signature(ID, STAMP, body, SECRET) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_the_pingan_shaped_vector_of_the_reference_notes():
    body = (
        b'{"type":"event.dispatched","timestamp":"2025-03-01T08:00:00Z","data":{"event_id":'
        b'"7c0f6f6e-3b7a-4c5e-9a43-0d3f1d2b9e11","region_path":"630203/630203102"}}'
    )
    secret = "whsec_cGluZ2FuLWZlZGVyYXRpb24tZGVtby1rZXktMzJieXQ="
    assert len(body) == 154
    assert signing.signature("msg_01JNF3ZK8Q6W2V4T9R7YB5C3D1", 1740816000, body, secret) == (
        "v1,IoHSU93j0W7AxTYKFxB/LQI9zXYTW0rDxbF1s3Lb1P0="
    )


def test_the_reference_library_accepts_what_we_sign_and_we_accept_what_it_signs():
    secret = signing.new_secret()
    body = json.dumps({"type": "link.ping", "data": {"说": "你好"}}, ensure_ascii=False).encode()
    now = dt.datetime.now(dt.UTC)
    ours = signing.headers(signing.new_id(), body, [secret], now.timestamp())
    assert Webhook(secret).verify(body, ours) == json.loads(body)
    theirs = {
        "webhook-id": "msg_2",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign("msg_2", now, body.decode()),
    }
    assert signing.verify(theirs, body, [secret], now.timestamp()) == "msg_2"


def test_a_forged_signature_is_refused_by_both():
    body = b'{"test": 2432232314}'
    forged = {
        "webhook-id": ID,
        "webhook-timestamp": str(STAMP),
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=",
    }
    with pytest.raises(signing.SignatureError) as refused:
        signing.verify(forged, body, [SECRET], STAMP)
    assert refused.value.code == "bad_signature"
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body, forged)


def test_a_changed_body_is_refused():
    headers = signing.headers(ID, b'{"a":1}', [SECRET], STAMP)
    with pytest.raises(signing.SignatureError):
        signing.verify(headers, b'{"a":2}', [SECRET], STAMP)


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_timestamp_outside_five_minutes_is_refused(skew):
    headers = signing.headers(ID, b"{}", [SECRET], STAMP)
    with pytest.raises(signing.SignatureError) as refused:
        signing.verify(headers, b"{}", [SECRET], STAMP + skew)
    assert refused.value.code == "timestamp_out_of_range" and "5 分钟" in str(refused.value)
    assert signing.verify(headers, b"{}", [SECRET], STAMP + skew - (1 if skew > 0 else -1)) == ID


def test_missing_headers_are_refused():
    with pytest.raises(signing.SignatureError) as refused:
        signing.verify({"webhook-id": ID}, b"{}", [SECRET], STAMP)
    assert refused.value.code == "missing_headers"


def test_keys_rotate_without_a_gap():
    old, new = signing.new_secret(), signing.new_secret()
    # while rotating the sender signs with both; a receiver with either accepts
    headers = signing.headers(ID, b"{}", [new, old], STAMP)
    assert headers["webhook-signature"].count("v1,") == 2
    assert signing.verify(headers, b"{}", [old], STAMP) == ID
    assert signing.verify(headers, b"{}", [new], STAMP) == ID
    # the old key retired on both sides: a message signed with it alone is refused
    with pytest.raises(signing.SignatureError):
        signing.verify(signing.headers(ID, b"{}", [old], STAMP), b"{}", [new], STAMP)


def test_header_names_are_read_in_any_case():
    headers = {k.title(): v for k, v in signing.headers(ID, b"{}", [SECRET], STAMP).items()}
    assert signing.verify(headers, b"{}", [SECRET], STAMP) == ID


def test_secrets_and_ids():
    assert signing.key_bytes(signing.new_secret()).__len__() == 32
    assert signing.key_bytes(SECRET.removeprefix("whsec_")) == signing.key_bytes(SECRET)
    with pytest.raises(ValueError):
        signing.key_bytes("whsec_!!")
    first, second = signing.new_id(), signing.new_id()
    assert first.startswith("msg_") and len(first) == 30 and "." not in first
    assert first != second
