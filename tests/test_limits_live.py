"""Rate limits hold across processes: two gunicorn workers share one count, so a
resident's 20 reports an hour are 20, not 20 per worker, and a lock outlasts a
restart of the server."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.server import pingan_shell, running_demo

pytestmark = [pytest.mark.live, pytest.mark.timeout(600)]


def opener():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def post_form(browser, url: str, fields: dict) -> int:
    page = browser.open(url, timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(url, body, headers={"Referer": url})
    try:
        return browser.open(request, timeout=10).status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_two_workers_let_through_exactly_the_limit_and_a_lock_survives_a_restart(tmp_path):
    data_dir = str(tmp_path)
    with running_demo(data_dir=data_dir, workers=2) as base:
        grid = pingan_shell(
            data_dir,
            "from pingan.regions.models import Region; "
            "print(Region.objects.filter(level='grid').first().code)",
        )
        fields = {"category": "CG05", "description": "井盖缺失", "phone": "13600000000"}
        answers = [post_form(opener(), f"{base}/r/{grid}/", fields) for _ in range(25)]
        for _ in range(5):
            post_form(opener(), f"{base}/login/", {"username": "cunju", "password": "wrong"})
    assert answers.count(200) == 20 and answers.count(429) == 5, answers  # 200: the receipt
    with running_demo(data_dir=data_dir, workers=2) as base:
        status = post_form(
            opener(), f"{base}/login/", {"username": "cunju", "password": "pingan-demo-2026"}
        )
    assert status == 401  # still locked after the restart
