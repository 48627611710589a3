"""JSON over HTTP for the gateway backends: the shared client (``credit_portal.gateway``), with timeouts."""

from __future__ import annotations

import json

from django.conf import settings

from credit_portal.gateway import GatewayError, client

from . import PermanentSendError, TransientSendError

_MAX_BODY = 64 * 1024


def request_json(method: str, url: str, *, timeout: float, payload: dict | None = None, headers=None) -> dict:
    """Send a request and return the JSON answer; classify every failure as transient or permanent."""
    data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Accept": "application/json", "Content-Type": "application/json; charset=utf-8", **(headers or {})}
    try:
        # No proxy from the environment unless one is configured: gateways are reached directly.
        answer = client.request(
            method,
            url,
            timeout=timeout,
            body=data,
            headers=headers,
            proxy=getattr(settings, "NOTIFICATION_HTTP_PROXY", ""),
            max_body=_MAX_BODY,
        )
    except GatewayError as error:
        if error.status is not None:
            detail = error.body[:500].decode("utf-8", "replace")
            message = f"网关返回 HTTP {error.status}：{detail}".strip("：")
            raise (TransientSendError if error.transient else PermanentSendError)(message) from error
        if error.timed_out:
            raise TransientSendError(f"网关超时（{timeout:g} 秒）") from error
        raise TransientSendError(f"无法连接网关：{error.reason}") from error
    try:
        body = json.loads(answer.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        # The gateway may have taken the message: retry with the same idempotency key, never a new one.
        raise TransientSendError("网关应答不是JSON") from error
    if not isinstance(body, dict):
        raise TransientSendError("网关应答格式不正确")
    return body
