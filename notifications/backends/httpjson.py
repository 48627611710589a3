"""Small JSON-over-HTTP helpers for the gateway backends (standard library only, with timeouts)."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

from django.conf import settings

from . import PermanentSendError, TransientSendError

_MAX_BODY = 64 * 1024


def _opener() -> urllib.request.OpenerDirector:
    # No proxy from the environment unless one is configured: gateways are reached directly.
    proxy = getattr(settings, "NOTIFICATION_HTTP_PROXY", "")
    return urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy, "https": proxy} if proxy else {}))


def request_json(method: str, url: str, *, timeout: float, payload: dict | None = None, headers=None) -> dict:
    """Send a request and return the JSON answer; classify every failure as transient or permanent."""
    data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Accept": "application/json", "Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    try:
        with _opener().open(request, timeout=timeout) as response:
            body = response.read(_MAX_BODY)
    except urllib.error.HTTPError as error:
        detail = error.read(500).decode("utf-8", "replace")
        message = f"网关返回 HTTP {error.code}：{detail}".strip("：")
        if error.code == 429 or error.code >= 500:
            raise TransientSendError(message) from error
        raise PermanentSendError(message) from error
    except TimeoutError as error:
        raise TransientSendError(f"网关超时（{timeout:g} 秒）") from error
    except (urllib.error.URLError, ConnectionError, http.client.HTTPException, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            raise TransientSendError(f"网关超时（{timeout:g} 秒）") from error
        raise TransientSendError(f"无法连接网关：{reason}") from error
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        # The gateway may have taken the message: retry with the same idempotency key, never a new one.
        raise TransientSendError("网关应答不是JSON") from error
    if not isinstance(answer, dict):
        raise TransientSendError("网关应答格式不正确")
    return answer
