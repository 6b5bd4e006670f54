"""The client's address behind a reverse proxy: X-Forwarded-For is believed only from a trusted proxy."""

import pytest
from django.test import RequestFactory

from lianxin.core.net import client_ip
from lianxin.publicweb import abuse


def request(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    "remote, forwarded, expected",
    [
        # No proxy configured as trusted: the header is whatever the client wrote.
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),
        # From the trusted proxy: the right-most address it did not add itself.
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),
        # A client that forges the header: its forgery is left of the address nginx appended.
        ("10.0.0.2", "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        # Two proxies of ours in a row (CDN edge → nginx): skip both.
        ("10.0.0.2", "198.51.100.7, 10.0.0.3", "198.51.100.7"),
        # IPv6 clients, and the proxy's IPv6 address in the CIDR list.
        ("fd00::1", "2001:db8::5", "2001:db8::5"),
        # Trusted proxy but no header (a health check from the proxy itself): the proxy.
        ("10.0.0.2", None, "10.0.0.2"),
        # Garbage where an address should be: the proxy, never a made-up name.
        ("10.0.0.2", "not-an-ip", "10.0.0.2"),
    ],
)
def test_the_forwarded_address_is_taken_only_from_a_trusted_proxy(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "fd00::/64"] if remote != "203.0.113.9" else []
    assert client_ip(request(remote, forwarded)) == expected


def test_a_direct_client_cannot_choose_its_address_by_sending_the_header(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(request("203.0.113.9", "10.0.0.5, 1.2.3.4")) == "203.0.113.9"


def test_every_citizen_behind_the_proxy_gets_an_address_of_their_own(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    seen = {client_ip(request("127.0.0.1", f"198.51.100.{n}")) for n in range(1, 6)}
    assert seen == {f"198.51.100.{n}" for n in range(1, 6)}


def test_the_portal_still_exports_client_ip_for_the_code_that_imports_it_from_there():
    assert abuse.client_ip is client_ip
