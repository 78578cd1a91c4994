"""The registrar's rules, message in, messages out: challenge, digest, Expires,
unregister, keepalive, a device not accepted, garbage counted and dropped; the
queries after registering, the Catalog gathered and stored, DeviceInfo, alarms
as events; and the listener over real UDP and TCP sockets."""

import datetime as dt

import pytest
from django.utils import timezone

from pingan.events.tests.conftest import IN_A1_1
from pingan.video import sip
from pingan.video.models import Device
from pingan.video.registrar import Registrar
from pingan.video.services import camera_create

PLATFORM = "63020300002000000001"
REALM = PLATFORM[:10]
CAMERA = "63020300001320000001"
PASSWORD = "12345678"


def register(call="c1", cseq=1, expires="3600", authorization=""):
    lines = [
        f"REGISTER sip:{PLATFORM}@{REALM} SIP/2.0",
        "Via: SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bK1",
        f"From: <sip:{CAMERA}@{REALM}>;tag=1",
        f"To: <sip:{CAMERA}@{REALM}>",
        f"Call-ID: {call}",
        f"CSeq: {cseq} REGISTER",
        f"Contact: <sip:{CAMERA}@10.0.0.5:5060>",
    ]
    if expires is not None:
        lines.append(f"Expires: {expires}")
    if authorization:
        lines.append(f"Authorization: {authorization}")
    return ("\r\n".join(lines) + "\r\nContent-Length: 0\r\n\r\n").encode()


def answer(challenge: sip.Message, password=PASSWORD) -> str:
    params = sip.header_params(challenge.get("WWW-Authenticate"))
    uri = f"sip:{PLATFORM}@{REALM}"
    response = sip.digest(
        username=CAMERA, realm=params["realm"], password=password, method="REGISTER",
        uri=uri, nonce=params["nonce"], nc="00000001", cnonce="abc", qop="auth",
    )  # fmt: skip
    return (
        f'Digest username="{CAMERA}",realm="{params["realm"]}",nonce="{params["nonce"]}",'
        f'uri="{uri}",response="{response}",algorithm=MD5,cnonce="abc",qop=auth,nc=00000001'
    )


def message(xml: str, sender=CAMERA, encoding="gb18030", cseq=20):
    body = xml.replace("\n", "\r\n").encode(encoding)
    head = (
        f"MESSAGE sip:{PLATFORM}@{REALM} SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK2\r\n"
        f"From: <sip:{sender}@{REALM}>;tag=2\r\nTo: <sip:{PLATFORM}@{REALM}>\r\nCall-ID: k1\r\n"
        f"CSeq: {cseq} MESSAGE\r\nContent-Type: Application/MANSCDP+xml\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def keepalive(sender=CAMERA):
    return message(
        '<?xml version="1.0" encoding="GB2312"?>\n<Notify>\n<CmdType>Keepalive</CmdType>\n'
        f"<SN>1</SN>\n<DeviceID>{sender}</DeviceID>\n<Status>OK</Status>\n</Notify>\n",
        sender,
    )


def reply(registrar, data, source="x", **given) -> sip.Message:
    """The registrar's answer to one message (the first of what it sends back)."""
    return sip.parse(registrar.handle(data, source, **given)[0])


@pytest.fixture
def registrar(db):
    return Registrar(platform_id=PLATFORM, password=PASSWORD)


@pytest.fixture
def camera(tree):
    found = camera_create(actor=None, device_id=CAMERA, lng=IN_A1_1[0], lat=IN_A1_1[1])
    Device.objects.create(device_id=CAMERA, accepted=True)
    return found


def registered(registrar, password=PASSWORD, expires="3600", sent=None):
    challenge = reply(registrar, register(expires=expires), "10.0.0.5:5060")
    assert challenge.status == 401 and f'realm="{REALM}"' in challenge.get("WWW-Authenticate")
    out = registrar.handle(
        register(cseq=2, expires=expires, authorization=answer(challenge, password)),
        "10.0.0.5:5060",
    )
    if sent is not None:
        sent.extend(sip.parse(data) for data in out[1:])
    return sip.parse(out[0])


def test_register_with_the_right_password_brings_the_camera_online(registrar, camera):
    ok = registered(registrar)
    assert (ok.status, ok.get("Expires"), ok.cseq) == (200, "3600", (2, "REGISTER"))
    camera.refresh_from_db()
    assert camera.online and camera.statuses.first().reason == "注册"
    device = Device.objects.get(device_id=CAMERA)
    assert device.address == "10.0.0.5:5060" and device.expires_at > timezone.now()


def test_the_wrong_password_is_refused_and_changes_nothing(registrar, camera):
    assert registered(registrar, password="wrong").status == 403
    camera.refresh_from_db()
    assert not camera.online


def test_no_expires_is_a_bad_request_and_expires_0_unregisters(registrar, camera):
    assert reply(registrar, register(expires=None)).status == 400
    registered(registrar)
    assert registered(registrar, expires="0").status == 200
    camera.refresh_from_db()
    assert not camera.online and camera.statuses.first().reason == "主动注销"


def test_a_stale_nonce_is_refused(registrar, camera):
    challenge = reply(registrar, register())
    later = timezone.now() + dt.timedelta(minutes=10)
    assert (
        reply(registrar, register(cseq=2, authorization=answer(challenge)), now=later).status == 403
    )


def test_keepalive_keeps_a_registered_camera_online_and_is_refused_before(registrar, camera):
    assert reply(registrar, keepalive()).status == 403
    registered(registrar)
    assert reply(registrar, keepalive(), "10.0.0.6:5060").status == 200
    assert registrar.counters.keepalives == 1
    assert Device.objects.get(device_id=CAMERA).address == "10.0.0.6:5060", "NAT rebinding"


def test_an_unknown_device_is_listed_never_trusted(registrar, tree):
    camera = camera_create(actor=None, device_id=CAMERA, lng=IN_A1_1[0], lat=IN_A1_1[1])
    assert registered(registrar).status == 200
    assert Device.objects.get(device_id=CAMERA).accepted is False
    camera.refresh_from_db()
    assert not camera.online, "a device nobody accepted moves no camera"


def test_garbage_is_counted_and_dropped(registrar):
    for data in (b"", b"\xff\xfe", b"INVITE\r\n\r\n", register().replace(b"CSeq: 1", b"CSeq: x")):
        assert registrar.handle(data, "x") == []
    assert registrar.counters.malformed == 4


def test_an_administrator_accepts_a_listed_device_and_it_is_journaled(client, registrar, tree):
    from pingan.accounts.models import User
    from pingan.audit.models import JournalEntry

    registered(registrar)
    admin = User.objects.create_superuser("root", password="x")
    client.force_login(admin)
    device = Device.objects.get(device_id=CAMERA)
    assert CAMERA in client.get("/admin/video/device/?accepted__exact=0").content.decode()
    client.post("/admin/video/device/", {"action": "accept", "_selected_action": [device.pk]})
    device.refresh_from_db()
    assert device.accepted and JournalEntry.objects.filter(action="device.accept").exists()
