"""The administrator's system page, and the cookie that sends a user who just
wrote to the primary (tests/test_replica.py runs both against a real replica)."""

import pytest
from django.db import connection

from pingan.lib import replica

pytestmark = pytest.mark.django_db


def test_only_the_administrator_sees_the_system_page(client, personas):
    client.force_login(personas.dispatcher)
    assert client.get("/system/").status_code == 403
    client.force_login(personas.admin)
    page = client.get("/system/").content.decode()
    assert "未配置（DATABASE_REPLICA_URL）" in page
    if connection.vendor == "postgresql":  # the history tables' months
        assert "事件" in page and "审计日志" in page and "个月（" in page
    else:
        assert "历史表不分区" in page


def test_a_write_sends_the_user_to_the_primary_for_a_while(client, personas, monkeypatch, settings):
    client.force_login(personas.dispatcher)
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    assert replica.WROTE_COOKIE not in client.cookies  # no replica: nothing to say
    monkeypatch.setattr(replica, "configured", lambda: True)
    settings.READ_OWN_WRITES = 7
    client.post("/logout/")
    cookie = client.cookies[replica.WROTE_COOKIE]
    assert cookie["max-age"] == 7 and cookie["httponly"]
    client.cookies.pop(replica.WROTE_COOKIE)
    client.get("/login/")
    assert replica.WROTE_COOKIE not in client.cookies  # a read says nothing
