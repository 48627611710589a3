"""HTTP SMS gateway backend.

`POST <SMS_GATEWAY["URL"]>` with `Authorization: Bearer <API_KEY>` and `Idempotency-Key: <notice key>`,
body `{"request_id", "phone", "sign_name", "template_id", "template_params", "content"}`; the gateway
answers `{"code": "OK", "message_id": "…"}`, or another code with a `message`. The same
`request_id` sent twice is one SMS at the gateway, which makes a resend after a lost answer safe.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import BaseBackend, OutgoingMessage, PermanentSendError, TransientSendError
from .httpjson import request_json

TRANSIENT_CODES = frozenset({"BUSY", "THROTTLED", "RATE_LIMITED", "SYSTEM_ERROR"})


class SmsGatewayBackend(BaseBackend):
    def __init__(self, *, channel: str) -> None:
        super().__init__(channel=channel)
        config = settings.SMS_GATEWAY
        if not config.get("URL"):
            raise ImproperlyConfigured("SMS_GATEWAY_URL is required by the HTTP SMS backend")
        self.url = config["URL"]
        self.api_key = config.get("API_KEY", "")
        self.sign_name = config.get("SIGN_NAME", "")
        self.template_ids = config.get("TEMPLATE_IDS", {})
        self.timeout = float(config.get("TIMEOUT", 10))

    def send(self, message: OutgoingMessage) -> str:
        answer = request_json(
            "POST",
            self.url,
            timeout=self.timeout,
            headers={"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": message.idempotency_key},
            payload={
                "request_id": message.idempotency_key,
                "phone": message.recipient,
                "sign_name": self.sign_name,
                "template_id": self.template_ids.get(message.kind, ""),
                "template_params": message.params,
                "content": message.text,
            },
        )
        code = str(answer.get("code", ""))
        if code == "OK":
            return str(answer.get("message_id", ""))[:100]
        text = f"短信网关拒绝：{code} {answer.get('message', '')}".strip()
        if code in TRANSIENT_CODES:
            raise TransientSendError(text)
        raise PermanentSendError(text)
