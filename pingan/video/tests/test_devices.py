"""After a device registers: the platform's Catalog and DeviceInfo queries, the
Catalog gathered to SumNum and stored as channels and cameras, DeviceInfo kept,
charsets, alarms as events (once, joined within the window, repairs to the 养护
unit), and the listener over real UDP and TCP sockets."""

import socket
import threading

import pytest

from pingan.events.models import Channel as EventChannel
from pingan.events.models import Event
from pingan.events.tests.conftest import IN_A1_1
from pingan.video import manscdp, sip
from pingan.video.devices import device_accept
from pingan.video.listener import Listener
from pingan.video.models import Alarm, Camera, Channel, Device
from pingan.video.services import camera_create
from pingan.video.tests.test_registrar import (
    CAMERA,
    PASSWORD,
    PLATFORM,
    answer,
    keepalive,
    message,
    register,
    registered,
    reply,
)

NVR = "63020300001180000001"
CHANNEL_1 = "63020300001310000001"
CHANNEL_2 = "63020300001310000002"


def catalog(sn, items, total, sender=CAMERA, encoding="gb18030", prolog="GB2312"):
    rows = "".join(
        f"<Item>\n<DeviceID>{i}</DeviceID>\n<Name>{name}</Name>\n<Manufacturer>Hikvision</Manufacturer>\n"
        f"<Owner>平安区公安分局</Owner>\n<CivilCode>630203</CivilCode>\n<Address>平安大道</Address>\n"
        f"<Parental>0</Parental>\n<ParentID>{sender}</ParentID>\n<Status>{status}</Status>\n"
        + (f"<Longitude>{at[0]}</Longitude>\n<Latitude>{at[1]}</Latitude>\n" if at else "")
        + "<Info>\n<PTZType>3</PTZType>\n</Info>\n</Item>\n"
        for i, name, status, at in items
    )
    return message(
        f'<?xml version="1.0" encoding="{prolog}"?>\n<Response>\n<CmdType>Catalog</CmdType>\n'
        f"<SN>{sn}</SN>\n<DeviceID>{sender}</DeviceID>\n<SumNum>{total}</SumNum>\n"
        f'<DeviceList Num="{len(items)}">\n{rows}</DeviceList>\n</Response>\n',
        sender,
        encoding,
    )


def alarm(source, method=5, kind=6, at="2026-12-02T09:15:00", sn=202, sender=CAMERA):
    return message(
        '<?xml version="1.0" encoding="GB2312"?>\n<Notify>\n<CmdType>Alarm</CmdType>\n'
        f"<SN>{sn}</SN>\n<DeviceID>{source}</DeviceID>\n<AlarmPriority>2</AlarmPriority>\n"
        f"<AlarmMethod>{method}</AlarmMethod>\n<AlarmTime>{at}</AlarmTime>\n"
        "<AlarmDescription>区域入侵</AlarmDescription>\n"
        f"<Info>\n<AlarmType>{kind}</AlarmType>\n</Info>\n</Notify>\n",
        sender,
    )


@pytest.fixture
def registrar(db):
    from pingan.video.registrar import Registrar

    return Registrar(platform_id=PLATFORM, password=PASSWORD, local="10.0.0.1:5060")


@pytest.fixture
def nvr(registrar, tree):
    """An accepted NVR (its id in From), registered."""
    Device.objects.create(device_id=CAMERA, accepted=True)
    registered(registrar)
    return Device.objects.get(device_id=CAMERA)


def test_registering_is_followed_by_catalog_and_deviceinfo_queries_to_the_source(registrar, tree):
    sent: list[sip.Message] = []
    assert registered(registrar, sent=sent).status == 200
    assert [manscdp.read(m.body).cmd for m in sent] == ["Catalog", "DeviceInfo"]
    query = sent[0]
    assert query.method == "MESSAGE" and query.uri == f"sip:{CAMERA}@10.0.0.5:5060"
    assert query.get("Via").startswith("SIP/2.0/UDP 10.0.0.1:5060;")
    assert query.get("Content-Type") == manscdp.CONTENT_TYPE
    assert b'encoding="GB2312"' in query.body


def test_a_catalog_in_two_packets_replaces_the_channels_only_when_whole(registrar, nvr):
    Channel.objects.create(
        device=nvr, channel_id=CHANNEL_2, name="旧通道", updated_at=nvr.created_at
    )
    first = [(CHANNEL_1, "平安路口东", "ON", IN_A1_1)]
    assert reply(registrar, catalog(7, first, total=2)).status == 200
    assert reply(registrar, catalog(7, first, total=2)).status == 200  # retransmitted
    assert list(Channel.objects.values_list("name", flat=True)) == ["旧通道"], "partial: kept"
    second = [("63020300001310000003", "萳村村口", "OFF", None)]
    reply(registrar, catalog(7, second, total=2))
    channels = dict(Channel.objects.values_list("channel_id", "name"))
    assert channels == {CHANNEL_1: "平安路口东", "63020300001310000003": "萳村村口"}
    camera = Camera.objects.get(device_id=CHANNEL_1)
    assert camera.via == nvr and camera.online and camera.part.name == "平安路口东"
    assert camera.part.holder == "平安区公安分局"
    assert not Camera.objects.filter(device_id="63020300001310000003").exists(), "no position"
    assert registrar.counters.catalogs == 1


def test_utf8_under_a_gb2312_prolog_and_gb18030_rare_characters_read_right(registrar, nvr):
    item = [(CHANNEL_1, "萳村村口", "ON", IN_A1_1)]
    reply(registrar, catalog(8, item, total=1, encoding="utf-8"))
    assert Channel.objects.get().name == "萳村村口"
    reply(registrar, catalog(9, item, total=1, encoding="gb18030"))
    assert Channel.objects.get().name == "萳村村口"


def test_an_empty_catalog_clears_the_channels(registrar, nvr):
    reply(registrar, catalog(3, [(CHANNEL_1, "东", "ON", None)], total=1))
    reply(registrar, catalog(4, [], total=0))
    assert not Channel.objects.exists()


def test_deviceinfo_is_kept_with_the_older_maxcamera_form(registrar, nvr):
    body = (
        '<?xml version="1.0" encoding="GB2312"?>\n<Response>\n<CmdType>DeviceInfo</CmdType>\n'
        f"<SN>5</SN>\n<DeviceID>{CAMERA}</DeviceID>\n<DeviceName>平安路口NVR</DeviceName>\n"
        "<Result>OK</Result>\n<Manufacturer>Hikvision</Manufacturer>\n<Model>DS-7808N</Model>\n"
        "<Firmware>V4.30.085</Firmware>\n<MaxCamera>8</MaxCamera>\n</Response>\n"
    )
    assert reply(registrar, message(body)).status == 200
    nvr.refresh_from_db()
    assert (nvr.name, nvr.model, nvr.firmware, nvr.channel_count) == (
        "平安路口NVR", "DS-7808N", "V4.30.085", 8,
    )  # fmt: skip


def test_a_channel_off_in_the_catalog_is_not_kept_online_by_the_nvr(registrar, nvr):
    reply(registrar, catalog(1, [(CHANNEL_1, "东", "ON", IN_A1_1)], total=1))
    reply(registrar, catalog(2, [(CHANNEL_1, "东", "OFF", IN_A1_1)], total=1))
    camera = Camera.objects.get(device_id=CHANNEL_1)
    assert not camera.online
    reply(registrar, keepalive())
    camera.refresh_from_db()
    assert not camera.online, "the NVR's keepalive does not revive a channel it reports off"


def test_channels_of_a_device_not_accepted_wait_and_become_cameras_on_accepting(
    registrar, personas
):
    registered(registrar)
    reply(registrar, catalog(1, [(CHANNEL_1, "东", "ON", IN_A1_1)], total=1))
    assert Channel.objects.count() == 1 and not Camera.objects.exists()
    device = Device.objects.get(device_id=CAMERA)
    assert device_accept(actor=personas.admin, device=device) == 1
    assert Camera.objects.get(device_id=CHANNEL_1).online


def test_a_camera_entered_by_hand_with_a_channel_id_is_linked(registrar, nvr):
    reply(registrar, catalog(1, [(CHANNEL_2, "西", "ON", None)], total=1))
    camera = camera_create(actor=None, device_id=CHANNEL_2, lng=IN_A1_1[0], lat=IN_A1_1[1])
    assert camera.via == nvr
    reply(registrar, keepalive())
    camera.refresh_from_db()
    assert camera.online


def test_a_video_alarm_opens_one_event_at_the_camera_and_later_ones_join_it(registrar, nvr):
    reply(registrar, catalog(1, [(CHANNEL_1, "平安路口东", "ON", IN_A1_1)], total=1))
    assert reply(registrar, alarm(CHANNEL_1)).status == 200
    assert reply(registrar, alarm(CHANNEL_1)).status == 200  # the same notification again
    event = Event.objects.get()
    camera = Camera.objects.get(device_id=CHANNEL_1)
    assert event.channel == EventChannel.VIDEO and event.category.code == "ZZ02"
    assert (event.lng, event.lat, event.grid_id) == (
        camera.part.lng,
        camera.part.lat,
        camera.part.grid_id,
    )
    assert "入侵检测" in event.description and CHANNEL_1 in event.description
    assert Alarm.objects.count() == 1
    reply(registrar, alarm(CHANNEL_1, at="2026-12-02T09:20:00", sn=203))
    assert Alarm.objects.count() == 2 and Event.objects.count() == 1, "joined, not doubled"
    assert set(Alarm.objects.values_list("event", flat=True)) == {event.pk}


def test_a_fault_alarm_is_a_repair_for_the_cameras_maintenance_unit(registrar, nvr):
    reply(registrar, catalog(1, [(CHANNEL_1, "东", "ON", IN_A1_1)], total=1))
    reply(registrar, alarm(CHANNEL_1, method=2, kind=1))
    event = Event.objects.get()
    camera = Camera.objects.get(device_id=CHANNEL_1)
    assert event.channel == EventChannel.FACILITY and "视频丢失" in event.description
    assert camera.part.events.get().event == event
    camera.part.refresh_from_db()
    assert camera.part.state == "damaged"


def test_an_alarm_from_a_device_not_accepted_is_kept_but_opens_nothing(registrar, tree):
    camera_create(actor=None, device_id=CAMERA, lng=IN_A1_1[0], lat=IN_A1_1[1])
    registered(registrar)
    reply(registrar, alarm(CAMERA))
    assert Alarm.objects.count() == 1 and not Event.objects.exists()


def test_a_bad_body_is_refused_not_crashed(registrar, nvr):
    assert reply(registrar, message("<Notify><CmdType>Keep")).status == 400
    assert reply(registrar, message('<!DOCTYPE x [<!ENTITY a "b">]><Notify/>')).status == 400


def exchange(listener, rounds=3):
    listener.serve(threading.Event(), rounds=rounds)


def test_the_listener_answers_over_udp_and_tcp_and_survives_garbage(registrar, tree):
    listener = Listener(registrar, "127.0.0.1", 0)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.settimeout(2)
    tcp = socket.create_connection(listener.address, timeout=2)
    try:
        udp.sendto(b"\x00garbage", listener.address)
        udp.sendto(register(), listener.address)
        exchange(listener)
        challenge = sip.parse(udp.recvfrom(65535)[0])
        assert challenge.status == 401 and registrar.counters.malformed == 1
        # Over TCP, two messages in one write and one split across writes.
        tcp.sendall(register(call="t1") + register(call="t2")[:40])
        exchange(listener)
        tcp.sendall(register(call="t2")[40:])
        exchange(listener)
        stream = b""
        while stream.count(b"SIP/2.0 401") < 2:
            stream += tcp.recv(65535)
        first, rest = sip.split_stream(stream)
        assert [sip.parse(m).get("Call-ID") for m in first] == ["t1", "t2"] and not rest
        challenge = sip.parse(first[0])
        tcp.sendall(register(call="t1", cseq=2, authorization=answer(challenge)))
        exchange(listener)
        ok = b""
        while b"<CmdType>DeviceInfo" not in ok:
            ok += tcp.recv(65535)
        assert Device.objects.get(device_id=CAMERA).transport == "TCP"
        tcp.sendall(b"NOT SIP AT ALL\r\n\r\n" + keepalive())
        exchange(listener)
        assert b"SIP/2.0 200 OK" in tcp.recv(65535), "garbage dropped, the next one answered"
        assert registrar.counters.malformed == 2
        tcp.sendall(b"x" * 70_000)  # no end of headers in sight: the stream is dropped
        exchange(listener, rounds=4)
        assert tcp.recv(10) == b""
    finally:
        udp.close()
        tcp.close()
        listener.close()


def test_keepalives_are_answered_at_once_and_written_together(tree):
    from pingan.video.registrar import Registrar

    batching = Registrar(platform_id=PLATFORM, password=PASSWORD, batch_seconds=60)
    camera = camera_create(actor=None, device_id=CAMERA, lng=IN_A1_1[0], lat=IN_A1_1[1])
    Device.objects.create(device_id=CAMERA, accepted=True)
    registered(batching)
    Camera.objects.update(online=False)
    assert reply(batching, keepalive(), "10.0.0.9:5060").status == 200
    camera.refresh_from_db()
    assert not camera.online and batching.pending, "gathered, not yet written"
    batching.flush()
    camera.refresh_from_db()
    assert camera.online and camera.statuses.first().reason == "心跳"
    assert Device.objects.get(device_id=CAMERA).address == "10.0.0.9:5060"
