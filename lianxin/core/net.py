"""Who is on the other end of a request: the client's address, also behind a reverse proxy.

gunicorn's `--forwarded-allow-ips` does not change REMOTE_ADDR, so behind nginx every citizen would share the
proxy's address (and one rate-limit bucket). X-Forwarded-For is read only when the direct peer is one of
TRUSTED_PROXIES (addresses or CIDRs, from the environment): anyone else can write anything in that header.
"""

import functools
import ipaddress
from collections.abc import Sequence

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or, when REMOTE_ADDR is a trusted proxy, the right-most address of
    X-Forwarded-For that is not itself a trusted proxy (the left-most entries are whatever the client sent)."""
    peer = request.META.get("REMOTE_ADDR") or "unknown"
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed([part for part in forwarded if part]):
        if not _trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return peer  # garbage where an address should be: count it against the proxy, not a made-up name
    return peer
