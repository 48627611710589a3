"""Texts for one enterprise outside the level-change notices: recorded, then sent by SMS after commit."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from ..backends import OutgoingMessage, SendError, TransientSendError, get_backend
from ..models import DirectMessage, DirectMessageStatus

logger = logging.getLogger(__name__)


def direct_message_record(
    *, kind: str, recipient: str, text: str, customer_id: int | None = None, stored_text: str | None = None, **_
) -> DirectMessage:
    """Keep the message (a code only masked, via stored_text) and send it when the transaction commits."""
    from ..tasks import direct_message_send_task

    message = DirectMessage.objects.create(
        customer_id=customer_id, kind=kind, recipient=recipient, text=stored_text or text
    )
    transaction.on_commit(lambda: direct_message_send_task.delay(message.pk, text), robust=True)
    return message


def direct_message_send(*, message_id: int, text: str) -> str:
    """Send through the SMS backend; a transient failure is raised for the task to retry."""
    message = DirectMessage.objects.filter(pk=message_id, status=DirectMessageStatus.PENDING).first()
    if message is None:
        return "skipped"
    outgoing = OutgoingMessage(
        notice_id=message.pk,
        idempotency_key=str(message.idempotency_key),
        channel="sms",
        kind=message.kind,
        level="",
        recipient=message.recipient,
        text=text,
    )
    try:
        get_backend("sms").send(outgoing)
    except TransientSendError:
        raise
    except SendError as error:
        DirectMessage.objects.filter(pk=message.pk).update(status=DirectMessageStatus.FAILED, error=str(error))
        logger.warning("SMS %s to %s failed: %s", message.kind, message.recipient, error)
        return "failed"
    DirectMessage.objects.filter(pk=message.pk).update(status=DirectMessageStatus.SENT, sent_at=timezone.now())
    return "sent"
