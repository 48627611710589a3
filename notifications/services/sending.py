"""Sending notices: claim, send through the channel's backend, record the outcome; retries; the sweeper.

A notice moves pending → sending → sent | failed. A worker claims notices with one conditional
UPDATE (pending, or sending with an expired lease) and a fresh claim token, so two workers never
both send one notice; it records the outcome only under its own token. A transient failure puts
the notice back to pending with a back-off; after the last attempt it is failed and waits in the
staff queue. Anything left pending or with an expired lease (broker down at commit, worker killed)
is re-queued by the sweeper; the idempotency key lets the gateway drop a repeat.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import F, Q
from django.utils import timezone

from credit_portal.claims import claim, lease_renew
from credit_portal.retries import backoff_for, publish_policy, retry_settings
from ratings.selectors import changes_in_force

from .. import texts
from ..backends import OutgoingMessage, PermanentSendError, SendError, TransientSendError, get_backend
from ..dispatch import notices_send_queue
from ..models import Channel, Notice, NoticeKind, NoticeStatus
from .superseding import stale_reason

logger = logging.getLogger(__name__)

SENT, RETRY, FAILED, SKIPPED, LOST, SUPERSEDED = "sent", "retry", "failed", "skipped", "lost", "superseded"


def _retry_settings() -> dict:
    return retry_settings("notice")


def backoff_seconds(*, attempt: int) -> float:
    """Seconds before a notice's next try (the shared back-off, with the notices' retry settings)."""
    return backoff_for("notice", attempt=attempt)


def notices_enqueue(*, notice_ids: Iterable[int], countdown: float | None = None) -> int:
    """Queue send tasks in batches; returns how many ids were queued.

    Never raises: with the broker down the notices stay pending and the sweeper queues them later.
    """
    ids = list(notice_ids)
    size = settings.NOTIFICATION_BATCH_SIZE
    options: dict = {"retry": True, "retry_policy": publish_policy()}
    if settings.NOTIFICATION_QUEUE:
        options["queue"] = settings.NOTIFICATION_QUEUE
    if countdown:
        options["countdown"] = countdown
    queued = 0
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        try:
            notices_send_queue(chunk, **options)
        except Exception:  # noqa: BLE001 - a broker outage must not undo or break the caller
            logger.warning("Could not queue %d notices; the sweeper will queue them", len(ids) - start, exc_info=True)
            break
        queued += len(chunk)
    return queued


def notices_send(*, notice_ids: Iterable[int]) -> dict[int, str]:
    """Send the notices this worker can claim; see `_notices_send`."""
    with _fast_commits():
        return _notices_send(list(notice_ids))


def _notices_send(notice_ids: list[int]) -> dict[int, str]:
    """Returns each id's outcome (sent/retry/failed/skipped/lost).

    The batch is claimed with one conditional UPDATE under a fresh token; each outcome is then
    recorded on its own, so a worker dying mid-batch leaves only unsent notices to be sent again.
    The lease is renewed half-way, so a slow gateway never lets it run out under a live worker.
    """
    ids = list(dict.fromkeys(notice_ids))
    outcomes = dict.fromkeys(ids, SKIPPED)
    if not ids:
        return outcomes
    token = uuid.uuid4()
    lease = timedelta(seconds=_retry_settings()["LEASE_SECONDS"])
    now = timezone.now()
    claimed = claim(
        Notice.objects.filter(pk__in=ids),
        free=Q(status=NoticeStatus.PENDING),
        held=Q(status=NoticeStatus.SENDING),
        lease=lease,
        now=now,
        status=NoticeStatus.SENDING,
        claim_token=token,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return outcomes
    notices = list(
        Notice.objects.filter(claim_token=token, status=NoticeStatus.SENDING)
        .select_related("customer", "rating_change")
        .order_by("pk")
    )
    # About to send: a notice whose level is no longer in force is superseded, not sent.
    latest = changes_in_force(n.customer_id for n in notices)
    current = []
    for notice in notices:
        stale = stale_reason(notice, latest)
        if stale is None:
            current.append(notice)
            continue
        reason, level_now = stale
        Notice.objects.filter(pk=notice.pk, claim_token=token).update(
            status=NoticeStatus.SUPERSEDED, superseded_at=timezone.now(), superseded_reason=reason,
            superseded_level=level_now, lease_until=None, next_attempt_at=None,
        )  # fmt: skip
        outcomes[notice.pk] = SUPERSEDED
    notices = current
    letters = _letter_references([n.rating_change_id for n in notices if n.channel != Channel.LETTER])
    local_sends: list[Notice] = []
    renew_at = now + lease / 2
    for notice in notices:
        if timezone.now() >= renew_at:
            lease_renew(Notice.objects.filter(claim_token=token, status=NoticeStatus.SENDING), lease=lease)
            renew_at = timezone.now() + lease / 2
        outcomes[notice.pk] = _send_claimed(notice, token, letters, local_sends)
    _record_local_sends(local_sends, token)
    return outcomes


def notice_send(*, notice_id: int) -> str:
    """Send one notice if it can be claimed; see `notices_send`."""
    return notices_send(notice_ids=[notice_id])[notice_id]


@contextmanager
def _fast_commits():
    """Status writes committed without waiting for the disk (PostgreSQL's synchronous_commit off).

    Safe for these writes: if the database server itself crashed in the next moment, a claim or a
    "sent" could be lost and the notice sent again — with the same idempotency key, which the
    gateways drop. The notice rows themselves are written by the rating change, synchronously.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:  # an aborted transaction: its SET is rolled back with it
            pass


def _letter_references(change_ids: list[int]) -> dict[int, str]:
    """The number of the letter of each rating change (for the SMS announcing it)."""
    from .letters import letter_reference

    rows = Notice.objects.filter(
        rating_change_id__in=set(change_ids), channel=Channel.LETTER, kind=NoticeKind.LEVEL_CHANGE
    )
    return {
        change_id: letter_reference(letter_id=pk, created_at=created_at)
        for change_id, pk, created_at in rows.values_list("rating_change_id", "pk", "created_at")
    }


_SENT_FIELDS = (
    "status",
    "sent_at",
    "lease_until",
    "next_attempt_at",
    "last_error",
    "recipient",
    "body",
    "payload",
    "reference",
    "provider_ref",
)


def _send_claimed(notice: Notice, token: uuid.UUID, letters: dict[int, str] | None, local_sends: list[Notice]) -> str:
    try:
        message = notice_message(notice=notice, letters=letters)
        backend = get_backend(notice.channel)
        provider_ref = backend.send(message)
    except SendError as error:
        return _record_failure(notice, token, error)
    except Exception as error:  # noqa: BLE001 - an unexpected error is retried, then shown to staff
        logger.exception("Sending notice %s failed unexpectedly", notice.pk)
        return _record_failure(notice, token, TransientSendError(f"内部错误：{type(error).__name__}: {error}"))
    notice.status = NoticeStatus.SENT
    notice.sent_at = timezone.now()
    notice.lease_until = notice.next_attempt_at = None
    notice.last_error = ""
    notice.recipient = message.recipient[:255]
    notice.body = message.text
    notice.payload = message.payload
    notice.reference = message.params.get("reference", "") if notice.channel == Channel.LETTER else ""
    notice.provider_ref = (provider_ref or "")[:100]
    if backend.local:
        # Nothing left the machine (console, file, staff queue): record with the batch, one UPDATE.
        local_sends.append(notice)
        return SENT
    if not _mark_sent(notice, token):
        # Our lease ran out and another worker claimed it; it resends with the same idempotency key.
        logger.warning("Notice %s was reclaimed by another worker before it was marked sent", notice.pk)
        return LOST
    return SENT


def _record_local_sends(notices: list[Notice], token: uuid.UUID) -> None:
    """Mark these notices sent, if still ours: one UPDATE … FROM (VALUES …) on PostgreSQL."""
    if not notices:
        return
    if connection.vendor != "postgresql":
        updated = sum(_mark_sent(notice, token) for notice in notices)
    else:
        table = Notice._meta.db_table
        rows = ", ".join(["(%s, %s, %s, %s::jsonb, %s, %s, %s::timestamptz)"] * len(notices))
        values: list = []
        for n in notices:
            values += [n.pk, n.recipient, n.body, json.dumps(n.payload), n.reference, n.provider_ref, n.sent_at]
        with connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {table} AS n
                       SET status = %s, lease_until = NULL, next_attempt_at = NULL, last_error = '',
                           recipient = v.recipient, body = v.body, payload = v.payload, reference = v.reference,
                           provider_ref = v.provider_ref, sent_at = v.sent_at
                      FROM (VALUES {rows}) AS v(id, recipient, body, payload, reference, provider_ref, sent_at)
                     WHERE n.id = v.id AND n.claim_token = %s""",
                [NoticeStatus.SENT, *values, token],
            )
            updated = cursor.rowcount
    if updated != len(notices):
        logger.warning("%d of %d notices were reclaimed before marked sent", len(notices) - updated, len(notices))


def _mark_sent(notice: Notice, token: uuid.UUID) -> int:
    return Notice.objects.filter(pk=notice.pk, claim_token=token).update(
        **{field: getattr(notice, field) for field in _SENT_FIELDS}
    )


def _record_failure(notice: Notice, token: uuid.UUID, error: SendError) -> str:
    now = timezone.now()
    text = str(error)[:2000] or type(error).__name__
    mine = Notice.objects.filter(pk=notice.pk, claim_token=token)
    if isinstance(error, TransientSendError) and notice.attempts < _retry_settings()["MAX_ATTEMPTS"]:
        delay = backoff_seconds(attempt=notice.attempts)
        retry_at = now + timedelta(seconds=delay)
        if mine.update(status=NoticeStatus.PENDING, lease_until=None, next_attempt_at=retry_at, last_error=text):
            notices_enqueue(notice_ids=[notice.pk], countdown=delay)
        logger.info("Notice %s attempt %s failed (%s); retry in %.1f s", notice.pk, notice.attempts, text, delay)
        return RETRY
    mine.update(status=NoticeStatus.FAILED, failed_at=now, lease_until=None, next_attempt_at=None, last_error=text)
    logger.warning("Notice %s failed after %s attempts: %s", notice.pk, notice.attempts, text)
    return FAILED


def notice_message(*, notice: Notice, letters: dict[int, str] | None = None) -> OutgoingMessage:
    """What a notice says and to whom, from the message templates and the archive as it is now."""
    from .letters import letter_compose

    customer = notice.customer
    if notice.kind == NoticeKind.EVENT_RECORDED:
        return _event_message(notice)
    if notice.rating_change_id is None:
        return _reminder_message(notice)
    change = notice.rating_change
    params = message_values(notice=notice)
    payload: dict = {}
    if notice.channel == Channel.LETTER:
        if not customer.address:
            raise PermanentSendError("该用户档案没有通讯地址，请补充地址后重试")
        payload = letter_compose(notice=notice)
        recipient = f"{customer.address} {customer.contact_person}".strip()
    else:
        if not customer.contact_phone:
            raise PermanentSendError("该用户档案没有联系电话，请补充后重试")
        recipient = customer.contact_phone
        if (notice.payload or {}).get("events"):  # the records this change came with, kept as told
            payload = {"events": notice.payload["events"]}
    if texts.KIND_BY_LEVEL.get(change.level) == texts.LETTER and notice.channel != Channel.LETTER:
        if letters is None:
            letters = _letter_references([change.pk])
        if change.pk in letters:
            params["reference"] = letters[change.pk]
    template = texts.template_for(channel=notice.channel, level=notice.level)
    return _outgoing(notice, template, recipient=recipient, params=params, payload=payload)


def _event_message(notice: Notice) -> OutgoingMessage:
    """A new record told on its own: what the archive said of it when it was told is in the payload."""
    from .events import event_values
    from .letters import event_letter_compose, letter_reference

    customer = notice.customer
    events = notice.payload.get("events", [])
    params = {
        "customer_name": customer.name,
        "level_label": notice.level_label,
        "hotline": settings.NOTIFICATION_HOTLINE,
        "letter_note": texts.EVENT_LETTER_NOTE if texts.KIND_BY_LEVEL.get(notice.level) == texts.LETTER else "",
        **event_values(events),
    }
    if notice.channel == Channel.LETTER:
        if not customer.address:
            raise PermanentSendError("该用户档案没有通讯地址，请补充地址后重试")
        params["reference"] = letter_reference(letter_id=notice.pk, created_at=notice.created_at)
        payload = event_letter_compose(notice=notice)
        recipient = f"{customer.address} {customer.contact_person}".strip()
    else:
        if not customer.contact_phone:
            raise PermanentSendError("该用户档案没有联系电话，请补充后重试")
        payload = {"events": events}
        recipient = customer.contact_phone
    template = texts.TEMPLATES_BY_KEY[(notice.channel, notice.kind)]
    return _outgoing(notice, template, recipient=recipient, params=params, payload=payload)


def _reminder_message(notice: Notice) -> OutgoingMessage:
    """A reminder that is about no level change (a public credit report running out): its facts are in its payload."""
    from ratings import consequences

    if not notice.customer.contact_phone:
        raise PermanentSendError("该用户档案没有联系电话，请补充后重试")
    params = {
        "customer_name": notice.customer.name,
        "issued_on": notice.payload.get("issued_on", ""),
        "expires_on": notice.payload.get("expires_on", ""),
        "validity": notice.payload.get("validity", "一年"),  # reminders written before rule sets said so
        "renewal": consequences.REPORT_RENEWAL,
        "hotline": settings.NOTIFICATION_HOTLINE,
    }
    template = texts.TEMPLATES_BY_KEY[(notice.channel, notice.kind)]
    return _outgoing(
        notice, template, recipient=notice.customer.contact_phone, params=params, payload=dict(notice.payload)
    )


def _outgoing(notice: Notice, template, *, recipient: str, params: dict, payload: dict) -> OutgoingMessage:
    """The message for the gateway: the notice's template rendered with its values, to its recipient."""
    return OutgoingMessage(
        notice_id=notice.pk,
        idempotency_key=str(notice.idempotency_key),
        channel=notice.channel,
        kind=template.kind,
        level=notice.level,
        recipient=recipient,
        text=texts.render_text(template, params),
        params=params,
        payload=payload,
    )


def message_values(*, notice: Notice) -> dict[str, str]:
    """The placeholder values of the message templates for one notice."""
    from ratings import consequences, rules
    from ratings.rulesets import book_of_version

    from .letters import letter_basis

    change = letter_basis(notice)
    # Worded as the rule set the rating was made under words them (a changed criterion's new text).
    book = book_of_version(change.rule_set_version)
    criteria = [book.by_id[r] for r in change.rules if r in book.by_id]
    if change.level != change.computed_level:
        rule_text = "人工调整"
    else:
        # Plain Chinese for the customer: "黄色等级评定要素第2条", not the rule id "yellow.2".
        rule_text = "、".join(c.words for c in criteria if c.level == change.level) or "—"
    honest_before = consequences.grants(change.previous_level, consequences.GREEN_CHANNEL)
    honest_now = consequences.grants(change.level, consequences.GREEN_CHANNEL)
    unmet = [c for c in criteria if c.level == rules.BLUE]
    values = {
        "customer_name": notice.customer.name,
        "level_label": rules.LEVEL_LABELS.get(notice.level, notice.level),
        "rules": rule_text,
        "as_of": change.as_of.isoformat(),
        "hotline": settings.NOTIFICATION_HOTLINE,
        "offers": "；".join(offer.label for offer in consequences.offers_for(rules.GREEN)),
        "lost_note": "贵单位已不再是诚信客户，暂不享受绿色通道等诚信客户待遇。"
        if honest_before and not honest_now
        else "",
        "reasons": "；".join(f"未满足{c.id}（{c.plan_text}）" for c in unmet) or "人工调整",
        "remedy": "".join(
            dict.fromkeys(consequences.REMEDIES[c.number] for c in unmet if c.number in consequences.REMEDIES)
        ),
    }
    events = (notice.payload or {}).get("events")
    if events:  # the change came with new records: this notice tells of them (never a second notice)
        from .events import event_values

        values["event_note"] = texts.EVENT_NOTE.format(**event_values(events))
    if notice.channel == Channel.LETTER:
        from .letters import letter_reference

        values["reference"] = letter_reference(letter_id=notice.pk, created_at=notice.created_at)
    return values


def notices_sweep(*, now: datetime | None = None, limit: int = 20000) -> int:
    """Re-queue what nobody is working on: pending past its time, or sending with an expired lease."""
    now = now or timezone.now()
    settled = now - timedelta(seconds=_retry_settings()["SWEEP_AFTER_SECONDS"])
    stuck = Q(status=NoticeStatus.PENDING, created_at__lte=settled) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=settled)
    ) | Q(status=NoticeStatus.SENDING, lease_until__lt=now)
    ids = list(Notice.objects.filter(stuck).order_by("pk").values_list("pk", flat=True)[:limit])
    if ids:
        logger.info("Sweeper re-queues %d notices", len(ids))
    return notices_enqueue(notice_ids=ids)
