"""The client's address behind our reverse proxy, and not a header's say otherwise."""

from django.test import RequestFactory

from pingan.lib.http import client_ip


def request_from(peer: str, real_ip: str = ""):
    request = RequestFactory().get("/", REMOTE_ADDR=peer)
    if real_ip:
        request.META["HTTP_X_REAL_IP"] = real_ip
    return request


def test_behind_a_trusted_proxy_the_client_is_the_one_it_names(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_ip(request_from("10.0.0.5", "203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from("10.0.0.5")) == "10.0.0.5"


def test_a_client_naming_itself_another_address_is_not_believed(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_ip(request_from("198.51.100.9", "203.0.113.7")) == "198.51.100.9"
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from("10.0.0.5", "203.0.113.7")) == "10.0.0.5"
