"""The client's address, as far as the portal can trust it (login lockout, registration throttle).

Behind `TRUSTED_PROXY_COUNT` reverse proxies that each append the address they received the request
from to X-Forwarded-For, the client is the entry the outermost trusted proxy added: the N-th from the
right. Everything left of it was written by the client and is never believed. With no trusted proxy
(development) only REMOTE_ADDR counts, whatever headers the request carries.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address: REMOTE_ADDR, or the entry the trusted proxies added to X-Forwarded-For."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [entry for entry in entries if entry]
    if not entries:
        return remote  # reached the application without passing the proxy
    # Fewer entries than proxies: the request skipped an outer proxy; the left-most one is still a
    # proxy's (no client can write to the right of what the inner proxies append).
    candidate = entries[-min(count, len(entries))]
    return candidate if _valid(candidate) else remote
