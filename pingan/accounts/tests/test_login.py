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
    response = client.get("/")
    assert response.status_code == 403
    assert "没有绑定辖区" in response.content.decode()
