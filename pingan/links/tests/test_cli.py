"""`pingan link` and the outbox against a second installation: the demo district
平安区 (630203) served by its own `pingan serve` process with its own SQLite,
linked to this test's platform as 海东市 (630200), so what is sent here is
checked, stored and answered by the real receiving code over there."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from pingan.audit.models import JournalEntry
from pingan.links import outbox, signing
from pingan.links.models import Link, Message
from tests.server import pingan_command, pingan_shell, running_demo

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(180)]
KEY = signing.new_secret()
RECEIVED = "from pingan.links.models import Received as R; print(R.objects.count())"


def link(*args: str) -> str:
    out = StringIO()
    call_command("link", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    data_dir = str(tmp_path_factory.mktemp("district"))
    with running_demo(data_dir=data_dir, settings={"PINGAN_SIP_BIND": "off"}) as url:
        pingan_command(
            data_dir,
            "link",
            "add",
            "630200",
            "http://127.0.0.1:9/",
            "--name",
            "海东市",
            "--side",
            "upper",
            "--key",
            KEY,
        )
        yield url, data_dir


@pytest.fixture
def linked(district, settings):
    settings.LINKS_REGION_CODE = "630200"
    url, _ = district
    said = link("add", "630203", url, "--name", "平安区", "--side", "lower", "--key", KEY)
    assert "已建立互联" in said
    return Link.objects.get()


def test_add_test_and_list(linked):
    said = link("test", "630203")
    assert "对方已答复" in said and '"pong": "630203"' in said
    listed = link("list")
    assert "630203 平安区 下级平台" in listed and "待发 0" in listed
    assert JournalEntry.objects.filter(action="link.add", object_id="630203").exists()


def test_a_key_is_made_when_none_is_given(settings):
    said = link("add", "630202", "http://127.0.0.1:9/", "--name", "乐都区", "--side", "lower")
    made = said.split("：")[-1].strip()
    assert made.startswith("whsec_") and Link.objects.get().keys == [made]


def test_bad_links_are_refused_in_chinese(linked):
    with pytest.raises(CommandError, match="已与 630203 建立互联"):
        link("add", "630203", "http://x", "--name", "x", "--side", "upper")
    with pytest.raises(CommandError, match="区划代码"):
        link("add", "63", "http://x", "--name", "x", "--side", "upper")
    with pytest.raises(CommandError, match="未与 630100 建立互联"):
        link("test", "630100")


def test_a_key_the_peer_does_not_hold_fails_the_test_and_says_why(linked):
    Link.objects.update(keys=[signing.new_secret()])
    with pytest.raises(CommandError, match="HTTP 401: 签名无效"):
        link("test", "630203")


def test_keys_rotate_without_a_gap_and_need_both_sides(linked):
    assert "新密钥" in link("key", "630203", "--add")
    assert "密钥 2 个" in link("list")
    assert "对方已答复" in link("test", "630203")  # both keys sign: the peer's old one holds
    link("key", "630203", "--retire")  # retired here before the peer took the new key
    with pytest.raises(CommandError, match="签名无效"):
        link("test", "630203")
    with pytest.raises(CommandError, match="只有一个密钥"):
        link("key", "630203", "--retire")


def test_the_outbox_delivers_in_order_and_a_replayed_letter_is_not_applied_twice(linked, district):
    _, data_dir = district
    before = int(pingan_shell(data_dir, RECEIVED))
    first = outbox.message_send(linked, "link.ping", {}, subject="test:cli")
    outbox.message_send(linked, "link.ping", {}, subject="test:cli")
    assert outbox.deliver_round(timezone.now()) == "互联互通：送达 2 条"
    assert int(pingan_shell(data_dir, RECEIVED)) == before + 2
    first.refresh_from_db()
    answered = first.answer
    Message.objects.filter(pk=first.pk).update(state="dead")
    assert "1 条死信已重新排队投递" in link("replay", "630203")
    outbox.deliver_round(timezone.now())
    first.refresh_from_db()
    assert first.state == "delivered" and first.answer == answered  # its first answer
    assert int(pingan_shell(data_dir, RECEIVED)) == before + 2
