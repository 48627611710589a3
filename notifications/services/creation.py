"""Writing the notices a rating change calls for, in the transaction of the change."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction

from ratings import consequences
from ratings.models import RatingCause, RatingHistory
from ratings.selectors import change_in_force

from ..models import Channel, Notice, NoticeKind, NoticeStatus
from ..texts import KIND_BY_LEVEL, LETTER, REMINDER
from . import inserting
from .events import records_told
from .sending import notices_enqueue
from .superseding import notices_supersede_older

_CHUNK = 1000


def notices_for_rating_changes(
    *,
    history_rows: Iterable[RatingHistory] = (),
    changes: Iterable[tuple] = (),
) -> int:
    """Write the notices for level changes (RatingHistory rows, or ``(id, customer id, level, previous
    level, as_of)`` tuples) and queue them on commit.

    Call inside the transaction that wrote the rows. Idempotent: the unique key (customer, rating
    change, channel) makes a change processed twice still one notice per channel. Returns how many
    notice rows were asked for (existing ones included).
    """
    history_rows = list(history_rows)
    rows = [(row.pk, row.customer_id, row.level, row.previous_level, row.as_of) for row in history_rows]
    rows.extend(changes)
    # A newer level: what the customer was told about an older one and has not received yet is void.
    # A first rating (no previous level) has no older change to supersede: nothing to look for.
    notices_supersede_older(
        changes=[(pk, customer_id, level, as_of) for pk, customer_id, level, prev, as_of in rows if prev]
    )
    # (customer id, rating change id, channel, level): model instances only where the ORM writes them.
    notices = [
        (customer_id, change_id, channel, level)
        for change_id, customer_id, level, previous_level, _as_of in rows
        for channel in change_channels(level=level, previous_level=previous_level)
    ]
    if not notices:
        return 0
    payloads = _records_named(history_rows)
    if connection.vendor == "postgresql" and len(notices) >= inserting.COPY_FROM and not payloads:
        new_ids = inserting.notices_copy(notices)
    else:
        new_ids = inserting.notices_insert(
            [
                Notice(
                    customer_id=customer_id,
                    rating_change_id=change_id,
                    channel=channel,
                    level=level,
                    payload=payloads.get(change_id, {}),
                )
                for customer_id, change_id, channel, level in notices
            ]
        )
    # robust: a broker outage after commit must never turn the committed write into an error page.
    if len(new_ids) == len(notices):  # the usual case: queued by the ids the insert gave, nothing read back
        transaction.on_commit(lambda: notices_enqueue(notice_ids=sorted(new_ids)), robust=True)
    else:  # some existed already (a change processed again): queue whatever of these changes is still pending
        change_ids = sorted({change_id for _customer_id, change_id, _channel, _level in notices})
        transaction.on_commit(lambda: _enqueue_changes(change_ids), robust=True)
    return len(notices)


def change_channels(*, level: str, previous_level: str) -> tuple[str, ...]:
    """The channels of the notices a level change calls for (none for a first rating the setting keeps quiet)."""
    if level == previous_level or not (previous_level or _notify_first_rating(level)):
        return ()
    return consequences.notice_channels(level=level, previous_level=previous_level)


def caused_record(change: RatingHistory) -> int | None:
    """The record whose recording caused this change (a re-rating with cause ``event``, its id the
    ``cause_ref``), if any: the record its notices name as they are written. Pure: reads nothing."""
    if change.cause == RatingCause.EVENT and change.cause_ref.isdigit():
        return int(change.cause_ref)
    return None


def change_names_record(change: RatingHistory, event_id: int) -> bool:
    """Whether the notices of this new change name the record when they are written (it caused the change,
    and the change calls for notices). Pure: reads nothing."""
    return caused_record(change) == event_id and bool(
        change_channels(level=change.level, previous_level=change.previous_level)
    )


def _records_named(history_rows: list[RatingHistory]) -> dict[int, dict]:
    """Change id → the payload of its notices, for the changes a new record caused: the record, told in the
    level-change notices as they are inserted (one read of the record, nothing updated after)."""
    caused = {row.pk: (row.customer_id, caused_record(row)) for row in history_rows if caused_record(row)}
    if not caused:
        return {}
    told = records_told({event_id for _customer_id, event_id in caused.values()})
    return {
        change_id: {"events": [told[event_id][1]]}
        for change_id, (customer_id, event_id) in caused.items()
        if told.get(event_id, (None,))[0] == customer_id
    }


def _notify_first_rating(level: str) -> bool:
    """Whether a customer's first rating calls for notices (setting NOTIFICATION_ON_FIRST_RATING)."""
    policy = settings.NOTIFICATION_ON_FIRST_RATING
    return policy == "all" or (policy == "warnings" and KIND_BY_LEVEL.get(level) in (REMINDER, LETTER))


def _enqueue_changes(change_ids: list[int]) -> None:
    """After commit: hand the still pending notices of these changes to the workers."""
    notice_ids: list[int] = []
    for start in range(0, len(change_ids), _CHUNK):
        notice_ids.extend(
            Notice.objects.filter(
                rating_change_id__in=change_ids[start : start + _CHUNK], status=NoticeStatus.PENDING
            ).values_list("pk", flat=True)
        )
    notices_enqueue(notice_ids=sorted(notice_ids))


def letter_reissue(*, customer_id: int, event_id: int, event_label: str, ended: str = "已撤销") -> Notice | None:
    """A new letter after one quoting a revoked event was superseded while the level it announced holds.

    Call in the revocation's transaction, after the customer was re-rated and the old letter
    superseded. The letter is composed, when sent, from the rating in force (its rules and date), so
    the revoked event is no longer in it; it says why it replaces the earlier one. Once per revoked
    event (its subject key); nothing when the level in force calls for no letter.
    """
    change = change_in_force(customer_id)
    if change is None or change.change_id is None or KIND_BY_LEVEL.get(change.level) != LETTER:
        return None
    notice, created = Notice.objects.get_or_create(
        customer_id=customer_id,
        kind=NoticeKind.LETTER_REISSUE,
        subject_key=f"revoked-event-{event_id}",
        channel=Channel.LETTER,
        defaults={
            "rating_change_id": change.change_id,
            "level": change.level,
            "payload": {
                "reissue_reason": f"原告知函所列失信行为记录（{event_label}）{ended}，现依据现有记录重新告知。"
            },
        },
    )
    if created:
        transaction.on_commit(lambda: notices_enqueue(notice_ids=[notice.pk]), robust=True)
    return notice
