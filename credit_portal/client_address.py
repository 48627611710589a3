"""The client's address, as far as the portal can trust it (login lockout, registration and reset-code
throttles: django-axes and credit_portal.throttling both call `client_ip`).

`TRUSTED_PROXIES` lists the reverse proxies (addresses or networks) that append the address they
received a request from to X-Forwarded-For. Only a request whose REMOTE_ADDR is one of them has its
header read, from the right: entries that are trusted proxies are skipped, and the first one that is
not is the client. Everything left of it was written by the client (or by proxies nobody vouches
for) and is never believed. A request that reached the portal directly has its header ignored.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def proxy_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """The networks of a `TRUSTED_PROXIES` list ("127.0.0.1", "10.0.0.0/8", "::1"); ValueError on a bad entry."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address: REMOTE_ADDR, or, from a trusted proxy, the right-most X-Forwarded-For entry
    that is not itself a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR") or None
    networks = proxy_networks(tuple(settings.TRUSTED_PROXIES))
    if remote is None or not _trusted(_address(remote), networks):
        return remote  # a direct request: whatever X-Forwarded-For says was written by the client
    hop = remote
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if not entry.strip():
            continue
        address = _address(entry)
        if address is None:
            return hop  # not an address a proxy appends: the last hop we trust is all we know
        hop = str(address)
        if not _trusted(address, networks):
            return hop
    return hop  # every hop a trusted proxy (a request from the proxy's own host): the left-most one
