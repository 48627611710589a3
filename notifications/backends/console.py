"""Console and file backends: the embedded default, like Django's console and file e-mail backends."""

from __future__ import annotations

import fcntl
import json
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import BaseBackend, OutgoingMessage

CONSOLE_TEXT_CHARS = 40


def console_line(message: OutgoingMessage) -> str:
    """One short line per message: channel, masked recipient, the start of the text."""
    recipient = message.recipient
    if recipient.isdigit() and len(recipient) >= 7:
        recipient = f"{recipient[:3]}****{recipient[-4:]}"
    text = message.text if len(message.text) <= CONSOLE_TEXT_CHARS else message.text[:CONSOLE_TEXT_CHARS] + "…"
    return f"[{message.channel} #{message.notice_id}] {recipient} {text}\n"


class ConsoleBackend(BaseBackend):
    """Writes each message as one line to standard output (or `self.stream`)."""

    local = True

    def __init__(self, *, channel: str, stream=None) -> None:
        super().__init__(channel=channel)
        self.stream = stream  # None: the standard output of the moment (tests capture it per test)
        self._lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> str:
        line = console_line(message)
        stream = self.stream or sys.stdout
        with self._lock:
            stream.write(line)
            stream.flush()
        return f"console:{message.idempotency_key}"


class FileBackend(BaseBackend):
    """Appends each message as a JSON line to `<NOTIFICATION_FILE_DIR>/<channel>.jsonl`.

    Several worker processes may append at once: each line is written under an exclusive lock.
    """

    local = True

    def __init__(self, *, channel: str) -> None:
        super().__init__(channel=channel)
        self.path = Path(settings.NOTIFICATION_FILE_DIR) / f"{channel}.jsonl"

    def send(self, message: OutgoingMessage) -> str:
        record = {
            "at": timezone.now().isoformat(),
            "notice": message.notice_id,
            "key": message.idempotency_key,
            "channel": message.channel,
            "kind": message.kind,
            "level": message.level,
            "to": message.recipient,
            "text": message.text,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                handle.flush()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return f"file:{message.idempotency_key}"
