"""Talking to the outside (a helper every app may use): the SMS gateway, the WeChat API, the DRC's push target.

One HTTP client for all three, with connections kept open and reused per thread and host, one
reading of which failures are worth another try (``is_transient_status``: 408, 429, 5xx; a timeout
or a connection failure); whatever retries them waits the shared back-off (``credit_portal.retries``).
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urlsplit

#: HTTP answers worth another try: request timeout, too many requests, and the server's own errors.
TRANSIENT_STATUSES = frozenset({408, 429})


def is_transient_status(status: int) -> bool:
    return status in TRANSIENT_STATUSES or status >= 500


class GatewayError(Exception):
    """The request did not succeed: an HTTP error answer (`status`, `body`) or no answer (`reason`)."""

    def __init__(self, *, status: int | None = None, body: bytes = b"", reason: BaseException | None = None):
        self.status, self.body, self.reason = status, body, reason
        super().__init__(f"HTTP {status}" if status is not None else str(reason))

    @property
    def timed_out(self) -> bool:
        return isinstance(self.reason, TimeoutError)

    @property
    def transient(self) -> bool:
        return self.status is None or is_transient_status(self.status)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes  # at most `max_body` bytes


# A connection that the other end dropped while it sat idle fails on first use: try once more, afresh.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class HttpClient:
    """HTTP/1.1 with keep-alive: one open connection per thread and (scheme, host, port, proxy)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _pool(self) -> dict:
        if not hasattr(self._local, "connections"):
            self._local.connections = {}
        return self._local.connections

    def _connect(self, scheme: str, host: str, port: int | None, proxy: str, timeout: float):
        cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        if not proxy:
            return cls(host, port, timeout=timeout)
        via = urlsplit(proxy)
        if scheme == "https":
            connection = http.client.HTTPSConnection(via.hostname, via.port, timeout=timeout)
            connection.set_tunnel(host, port)
            return connection
        return http.client.HTTPConnection(via.hostname, via.port, timeout=timeout)

    def close(self) -> None:
        for connection in self._pool().values():
            connection.close()
        self._pool().clear()

    def request(
        self,
        method: str,
        url: str,
        *,
        timeout: float,
        body: bytes | BinaryIO | None = None,
        headers: dict[str, str] | None = None,
        proxy: str = "",
        max_body: int = 64 * 1024,
    ) -> Answer:
        """Send one request; a 2xx answer is returned, anything else raises ``GatewayError``."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname, parts.port, proxy)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        if proxy and parts.scheme == "http":
            target = url  # absolute form, to the proxy
        start = body.tell() if hasattr(body, "tell") else None
        for fresh in (False, True):
            pool = self._pool()
            reused = key in pool and not fresh
            if not reused:
                if key in pool:
                    pool.pop(key).close()
                pool[key] = self._connect(parts.scheme, parts.hostname, parts.port, proxy, timeout)
            connection = pool[key]
            connection.timeout = timeout
            if connection.sock is not None:
                connection.sock.settimeout(timeout)
            try:
                connection.request(method, target, body=body, headers=headers or {})
                response = connection.getresponse()
                data = response.read(max_body)
                if response.read(1):  # a longer answer than we read: do not reuse the connection
                    response.close()
                    pool.pop(key).close()
                elif response.will_close:
                    pool.pop(key).close()
            except _STALE as error:
                pool.pop(key).close()
                if reused:
                    if start is not None:
                        body.seek(start)
                    continue
                raise GatewayError(reason=error) from error
            except (TimeoutError, OSError, http.client.HTTPException) as error:
                pool.pop(key, None)
                connection.close()
                raise GatewayError(reason=error) from error
            if not 200 <= response.status < 300:
                raise GatewayError(status=response.status, body=data)
            return Answer(response.status, data)
        raise AssertionError("unreachable")  # pragma: no cover


#: The one client of the process (its connections are per thread).
client = HttpClient()
