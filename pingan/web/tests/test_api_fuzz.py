"""A bounded schemathesis run over /api/openapi.json, anonymous and as a grid worker:
whatever a client sends, the API answers with its documented 2xx or 4xx, never a
server error. The number of examples per operation is kept small so the run fits in
the suite; PINGAN_FUZZ_EXAMPLES raises it for a longer run by hand."""

import os

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, Phase, settings

from pingan.wsgi import application

EXAMPLES = int(os.environ.get("PINGAN_FUZZ_EXAMPLES", "8"))
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(autouse=True)
def one_connection_per_test():
    """Schemathesis calls the WSGI app as a server would, and Django closes the
    database connection after each request; the test's transaction lives on that
    connection. Django's own test client unhooks the same two signals."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def assert_no_server_error(response, case):
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} {case.query} {case.body!r}: "
        f"{response.status_code} {response.text[:500]}"
    )


@schema.parametrize()
@fuzz
def test_anonymous_requests_never_cause_a_server_error(case, db):
    assert_no_server_error(case.call(), case)


@pytest.fixture
def worker_cookie(personas, residents):
    client = Client()
    client.force_login(personas.grid_worker_a)
    return {"sessionid": client.cookies["sessionid"].value}


@schema.parametrize()
@fuzz
def test_a_grid_workers_requests_never_cause_a_server_error(case, worker_cookie):
    # Django's CSRF check would refuse every write before it reached the view.
    response = case.call(cookies=worker_cookie, headers={"X-CSRFToken": "x"})
    assert_no_server_error(response, case)
