import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client

from pingan.accounts.models import Role, User
from pingan.accounts.services import user_create
from pingan.audit.models import JournalEntry
from pingan.conftest import PASSWORD


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_staff_logs_in_and_lands_on_their_node(tree, personas):
    client = Client()
    response = login(client, "township_a", PASSWORD)
    assert response.status_code == 302
    page = client.get("/", follow=True)
    assert tree.township_a.name in page.content.decode()
    assert JournalEntry.objects.filter(action="login", actor_name="township_a").exists()


def test_wrong_password_is_refused_in_chinese(personas):
    response = login(Client(), "township_a", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.content.decode()


def test_repeated_failures_lock_the_account_even_for_the_right_password(personas):
    client = Client()
    for _ in range(settings.LOGIN_MAX_FAILURES):
        login(client, "township_a", "wrong-password")
    response = login(client, "township_a", PASSWORD)
    assert response.status_code == 401
    assert "登录失败次数过多" in response.content.decode()
    # The lock is on the account: from another address it holds too.
    response = Client(REMOTE_ADDR="10.9.9.9").post(
        "/login/", {"username": "township_a", "password": PASSWORD}
    )
    assert "已锁定" in response.content.decode()


def test_the_admin_login_is_the_same_path_with_the_same_lock(personas):
    client = Client()
    for _ in range(10):
        response = client.post("/admin/login/", {"username": "admin", "password": "wrong"})
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD}
    )
    assert client.get("/admin/").status_code == 302  # the admin page took no password
    for _ in range(settings.LOGIN_MAX_FAILURES):
        login(client, "admin", "wrong")
    response = client.post("/login/?next=/admin/", {"username": "admin", "password": PASSWORD})
    assert "已锁定" in response.content.decode()
    assert JournalEntry.objects.filter(action="login.failed", object_id="admin").count() == 5
    assert JournalEntry.objects.filter(action="login.refused", object_id="admin").exists()


def test_the_admin_signs_in_on_the_staff_page_and_lands_in_the_admin(personas):
    client = Client()
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    to_login = client.get("/admin/login/?next=/admin/")
    assert to_login["Location"] == "/login/?next=%2Fadmin%2F"
    response = client.post(to_login["Location"], {"username": "admin", "password": PASSWORD})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_shared_address_does_not_lock_the_accounts_behind_it(personas):
    office = Client(REMOTE_ADDR="10.1.1.1")
    names = ["township_a", "village_a1", "worker_a", "worker_b", "dispatcher"]
    for name in names:
        for _ in range(settings.LOGIN_MAX_FAILURES - 1):
            login(office, name, "typo")
    for name in names:
        assert login(Client(REMOTE_ADDR="10.1.1.1"), name, PASSWORD).status_code == 302


def test_a_guessing_address_is_throttled_without_locking_the_account(personas, settings):
    settings.LOGIN_ADDRESS_FAILURES = 8
    guesser = Client(REMOTE_ADDR="10.6.6.6")
    for index in range(8):
        login(guesser, f"nobody{index}", "guess")
    response = login(guesser, "township_a", PASSWORD)
    assert "此地址登录失败次数过多" in response.content.decode()
    assert login(Client(REMOTE_ADDR="10.7.7.7"), "township_a", PASSWORD).status_code == 302


def test_locks_live_in_the_database_and_outlast_the_process_cache(personas):
    from pingan.accounts import ratelimit

    for _ in range(settings.LOGIN_MAX_FAILURES):
        login(Client(), "township_a", "wrong-password")
    cache.clear()  # a restart, or another process with its own memory
    assert ratelimit.DatabaseStore().count("login-fail:user:township_a") == 5
    assert "已锁定" in login(Client(), "township_a", PASSWORD).content.decode()


def test_the_redis_store_counts_one_window_for_all_processes():
    import redis

    from pingan.accounts import ratelimit

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    key = "test:pingan:window"
    first, second = (ratelimit.RedisStore("redis://127.0.0.1:6379/15") for _ in range(2))
    first.reset(key)
    counts = [store.hit(key, 60) for store in (first, second, first)]
    assert counts == [1, 2, 3] and second.count(key) == 3
    assert 0 < first.redis.ttl(key) <= 60
    first.reset(key)


def test_a_public_limit_holds_across_stores_as_across_processes(db):
    from pingan.accounts import ratelimit

    used = [ratelimit.DatabaseStore().hit("throttle:x:1.2.3.4", 3600) for _ in range(25)]
    assert used == list(range(1, 26))
    assert not ratelimit.spend("x", "1.2.3.4", 20)


def test_passwords_are_hashed_with_argon2(personas):
    assert User.objects.get(username="township_a").password.startswith("argon2")


def test_staff_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_staff_bound_to_nothing_is_refused(db):
    with pytest.raises(ValidationError, match="必须绑定"):
        user_create(
            actor=None, username="floating", password="a-long-password-1", role=Role.TOWNSHIP_CENTRE
        )
    assert not User.objects.filter(username="floating").exists()


def test_staff_bound_to_the_wrong_level_is_refused(tree):
    with pytest.raises(ValidationError, match="应绑定到网格"):
        user_create(
            actor=None,
            username="wrong",
            password="a-long-password-1",
            role=Role.GRID_WORKER,
            region=tree.village_a1,
        )


def test_a_user_without_scope_sees_a_clear_page(personas):
    client = Client()
    client.force_login(personas.resident)
    response = client.get("/", follow=True)
    assert response.status_code == 403
    assert "没有绑定辖区" in response.content.decode()
