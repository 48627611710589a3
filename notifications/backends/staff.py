"""Channels worked by staff: the phone-call task and the written letter go to a staff queue."""

from __future__ import annotations

from . import BaseBackend, OutgoingMessage


class StaffQueueBackend(BaseBackend):
    """Nothing leaves the portal: the composed call task or letter now shows in its staff queue."""

    local = True

    def send(self, message: OutgoingMessage) -> str:
        return f"queue:{message.channel}"
