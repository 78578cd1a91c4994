"""Inputs that once gave a server error: each gets a structured 4xx (or is answered
without the bad part) and nothing already stored is lost."""

import pytest
from django.test import Client

from pingan.conftest import signed_in


@pytest.mark.parametrize(
    "who, path",
    [
        ("dispatcher", "/api/events?limit=0&state=zzz"),
        ("dispatcher", "/api/field/stats?start=0001-01-01&end=9999-12-31"),
        ("dispatcher", "/events/?after=abc"),
        ("dispatcher", "/people/?after=abc"),
        (None, "/open311/v2/requests.json?end_date=0001-01-01T00:00:00"),
        (None, "/open311/v2/requests.json?start_date=9999-12-31T23:59:59%2B14:00"),
    ],
)
def test_a_bad_parameter_is_a_client_error(who, path, personas):
    client = signed_in(getattr(personas, who)) if who else Client()
    response = client.get(path)
    assert 400 <= response.status_code < 500 or response.status_code == 200, response.content
