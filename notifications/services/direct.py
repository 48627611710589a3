"""Texts for one enterprise outside the level-change notices: recorded, then sent by SMS after commit."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from credit_portal.claims import claim
from credit_portal.retries import retry_settings

from ..backends import OutgoingMessage, SendError, TransientSendError, get_backend
from ..dispatch import direct_message_send_queue
from ..models import DirectMessage, DirectMessageKind, DirectMessageStatus

logger = logging.getLogger(__name__)


def direct_message_record(
    *, kind: str, recipient: str, text: str, customer_id: int | None = None, stored_text: str | None = None, **_
) -> DirectMessage:
    """Keep the message (a code only masked, via stored_text) and send it when the transaction commits.

    With no number to send to (an enterprise that registered no contact phone) it is kept as not sent,
    saying why, and nothing is queued: not a gateway failure to retry."""
    if not (recipient or "").strip():
        return DirectMessage.objects.create(
            customer_id=customer_id, kind=kind, recipient="", text=stored_text or text,
            status=DirectMessageStatus.FAILED, error=NO_NUMBER,
        )  # fmt: skip
    message = DirectMessage.objects.create(
        customer_id=customer_id, kind=kind, recipient=recipient, text=stored_text or text
    )
    transaction.on_commit(lambda: direct_message_send_queue(message.pk, text), robust=True)
    return message


NO_NUMBER = "未登记联系手机号码，短信未发送"


def direct_message_send(*, message_id: int, text: str | None = None) -> str:
    """Send through the SMS backend, once: the message is claimed with a conditional update and a lease
    (as notices are), so a redelivered task, or the sweeper's, finds it taken or sent and sends nothing.

    ``text``: what to send when it is not what is kept (a reset code, kept masked); otherwise the kept
    text. A transient failure gives the message back (pending) and is raised for the task to retry.
    """
    now = timezone.now()
    length = timedelta(seconds=retry_settings("notice")["LEASE_SECONDS"])
    lease = now + length  # the lease's end, exact to the microsecond, tells this claim from a later one
    if not claim(
        DirectMessage.objects.filter(pk=message_id),
        free=Q(status=DirectMessageStatus.PENDING),
        held=Q(status=DirectMessageStatus.SENDING),
        lease=length,
        now=now,
        status=DirectMessageStatus.SENDING,
    ):
        return "skipped"
    message = DirectMessage.objects.get(pk=message_id)
    mine = DirectMessage.objects.filter(pk=message.pk, status=DirectMessageStatus.SENDING, lease_until=lease)
    outgoing = OutgoingMessage(
        notice_id=message.pk,
        idempotency_key=str(message.idempotency_key),
        channel="sms",
        kind=message.kind,
        level="",
        recipient=message.recipient,
        text=text if text is not None else message.text,
    )
    try:
        get_backend("sms").send(outgoing)
    except TransientSendError:
        mine.update(status=DirectMessageStatus.PENDING, lease_until=None)
        raise
    except SendError as error:
        mine.update(status=DirectMessageStatus.FAILED, error=str(error), lease_until=None)
        logger.warning("SMS %s to %s failed: %s", message.kind, message.recipient, error)
        return "failed"
    mine.update(status=DirectMessageStatus.SENT, sent_at=timezone.now(), lease_until=None)
    return "sent"


def direct_messages_sweep(*, now=None) -> int:
    """Re-queue the enterprise texts nobody is sending: pending since long before, or claimed by a worker
    whose lease ran out. A reset code is kept only masked and is not re-sent (the enterprise asks for a
    new one): a stuck one is marked failed. Returns how many were queued again."""
    now = now or timezone.now()
    settled = now - timedelta(seconds=retry_settings("notice")["BACKOFF_MAX"])
    stuck = DirectMessage.objects.filter(
        Q(status=DirectMessageStatus.PENDING, created_at__lte=settled)
        | Q(status=DirectMessageStatus.SENDING, lease_until__lt=now)
    )
    stuck.filter(kind=DirectMessageKind.PASSWORD_CODE).update(
        status=DirectMessageStatus.FAILED, error="验证码未能及时发出，已失效", lease_until=None
    )
    ids = list(stuck.exclude(kind=DirectMessageKind.PASSWORD_CODE).values_list("pk", flat=True))
    for pk in ids:
        direct_message_send_queue(pk)
    return len(ids)
