"""The client address every throttle counts (credit_portal.client_address): X-Forwarded-For is read only
from a trusted proxy, from the right, skipping the trusted proxies' own entries."""

import pytest
from django.test import RequestFactory

from credit_portal.client_address import client_ip

TRUSTED = ["127.0.0.1", "10.0.0.0/8", "2001:db8::/32"]


def _ip(settings, remote: str, forwarded: str | None = None, *, trusted=TRUSTED) -> str | None:
    settings.TRUSTED_PROXIES = trusted
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("192.0.2.5", "203.0.113.7", "192.0.2.5"),  # direct: the header is ignored
        ("192.0.2.5", "203.0.113.7, 10.0.0.3", "192.0.2.5"),  # direct, even naming a trusted proxy
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),  # through the local proxy
        ("127.0.0.1", "198.18.0.1, 203.0.113.7", "203.0.113.7"),  # a forged left part is skipped
        ("10.0.0.2", "198.18.0.1, 203.0.113.7, 10.0.0.3", "203.0.113.7"),  # two trusted proxies
        ("10.0.0.2", " 203.0.113.7 ,, 10.0.0.3 ", "203.0.113.7"),  # spaces and empty entries
        ("127.0.0.1", "", "127.0.0.1"),  # the proxy's own request
        ("127.0.0.1", "10.0.0.4, 10.0.0.3", "10.0.0.4"),  # every hop trusted: the left-most
        ("127.0.0.1", "not-an-address", "127.0.0.1"),  # garbage: the last hop that is known
        ("127.0.0.1", "203.0.113.7, not-an-address", "127.0.0.1"),
        ("2001:db8::1", "2001:db8::2, 2001:db9::7", "2001:db9::7"),
    ],
)
def test_the_client_address_is_the_right_most_entry_that_is_not_a_trusted_proxy(settings, remote, forwarded, expected):
    assert _ip(settings, remote, forwarded) == expected


def test_with_no_trusted_proxy_only_the_remote_address_counts(settings):
    assert _ip(settings, "127.0.0.1", "203.0.113.7", trusted=[]) == "127.0.0.1"


def test_a_request_without_a_remote_address_has_no_client_address(settings):
    settings.TRUSTED_PROXIES = TRUSTED
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.7")
    request.META.pop("REMOTE_ADDR", None)

    assert client_ip(request) is None
