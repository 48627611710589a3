"""Channel backends, chosen per channel in settings like Django's e-mail backends.

`NOTIFICATION_BACKENDS = {"sms": "notifications.backends.console.ConsoleBackend", ...}`. A backend
sends one `OutgoingMessage` and returns the gateway's reference, or raises `TransientSendError`
(retried with back-off) or `PermanentSendError` (the notice fails at once and waits for staff).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string


class SendError(Exception):
    """A send that did not go through; the message is shown to staff in the failed queue."""


class TransientSendError(SendError):
    """Worth another try later: timeout, connection refused, HTTP 5xx or 429, gateway busy."""


class PermanentSendError(SendError):
    """Retrying will not help: rejected number, bad credentials, missing contact details."""


@dataclass(frozen=True)
class OutgoingMessage:
    notice_id: int
    idempotency_key: str
    channel: str
    kind: str  # texts.REMINDER | texts.LETTER | texts.HONEST
    level: str
    recipient: str
    text: str
    params: dict[str, str] = field(default_factory=dict)
    payload: dict = field(default_factory=dict)


class BaseBackend:
    """Subclasses implement `send`; options come from settings, one instance per channel and process.

    `local` backends deliver nothing off the machine (console, file, staff queue): their sends in
    a batch are recorded together, since repeating one after a crash harms nobody.
    """

    local = False

    def __init__(self, *, channel: str) -> None:
        self.channel = channel

    def send(self, message: OutgoingMessage) -> str:
        raise NotImplementedError


_backends: dict[str, BaseBackend] = {}
_lock = threading.Lock()


def get_backend(channel: str) -> BaseBackend:
    """The configured backend of a channel (cached: the WeChat backend keeps its access token)."""
    backend = _backends.get(channel)
    if backend is None:
        with _lock:
            backend = _backends.get(channel)
            if backend is None:
                path = settings.NOTIFICATION_BACKENDS[channel]
                backend = _backends[channel] = import_string(path)(channel=channel)
    return backend


@receiver(setting_changed)
def _forget_backends(*, setting: str, **kwargs) -> None:
    if setting.startswith(("NOTIFICATION", "SMS_GATEWAY", "WECHAT_GATEWAY")):
        _backends.clear()
