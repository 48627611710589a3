"""Writing the notices a rating change calls for, in the transaction of the change."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction

from ratings import consequences
from ratings.models import RatingHistory
from ratings.selectors import change_in_force

from ..models import Channel, Notice, NoticeKind, NoticeStatus
from ..texts import KIND_BY_LEVEL, LETTER, REMINDER
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
        if level != previous_level and (previous_level or _notify_first_rating(level))
        for channel in consequences.notice_channels(level=level, previous_level=previous_level)
    ]
    if not notices:
        return 0
    if connection.vendor == "postgresql" and len(notices) >= _COPY_FROM:
        new_ids = _notices_copy(notices)
    else:
        new_ids = _notices_insert(notices)
    # robust: a broker outage after commit must never turn the committed write into an error page.
    if len(new_ids) == len(notices):  # the usual case: queued by the ids the insert gave, nothing read back
        transaction.on_commit(lambda: notices_enqueue(notice_ids=sorted(new_ids)), robust=True)
    else:  # some existed already (a change processed again): queue whatever of these changes is still pending
        change_ids = sorted({change_id for _customer_id, change_id, _channel, _level in notices})
        transaction.on_commit(lambda: _enqueue_changes(change_ids), robust=True)
    return len(notices)


#: From this many notices on (a range of the nightly run), PostgreSQL gets them by COPY.
_COPY_FROM = 200
_STAGE = "notice_stage_v1"
_STAGED = ("customer_id", "rating_change_id", "channel", "level")


def _notices_insert(notices: list[tuple[int, int, str, str]]) -> list[int]:
    """``INSERT … VALUES … ON CONFLICT DO NOTHING RETURNING id`` (PostgreSQL; SQLite from 3.35): the ids
    of the rows inserted, which ``bulk_create(ignore_conflicts=True)`` cannot give. Each row's columns
    are prepared as a model save prepares them (defaults, ``created_at``, a fresh idempotency key)."""
    fields = [field for field in Notice._meta.concrete_fields if not field.primary_key]
    rows = [
        Notice(customer_id=customer_id, rating_change_id=change_id, channel=channel, level=level)
        for customer_id, change_id, channel, level in notices
    ]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    one_row = f"({', '.join(['%s'] * len(fields))})"
    batch = max(1, connection.ops.bulk_batch_size(fields, rows))  # SQLite: under its bound-parameter limit
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params = [
                field.get_db_prep_save(field.pre_save(notice, True), connection) for notice in chunk for field in fields
            ]
            cursor.execute(
                f"INSERT INTO {Notice._meta.db_table} ({columns}) VALUES {', '.join([one_row] * len(chunk))} "
                f"ON CONFLICT DO NOTHING RETURNING {connection.ops.quote_name('id')}",
                params,
            )
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _notices_copy(notices: list[tuple[int, int, str, str]]) -> list[int]:
    """PostgreSQL: COPY the notices into a staging table, then one INSERT … ON CONFLICT DO NOTHING.

    About 10 µs a notice instead of bulk_create's ~150 µs; the other columns get their model
    defaults (a fresh idempotency key each). Returns the ids of the rows inserted.
    """
    columns, values, params = [], [], []
    for field in Notice._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in _STAGED:
            values.append(f"s.{field.column}")
        elif field.name == "idempotency_key":
            values.append("gen_random_uuid()")
        elif field.name == "created_at":
            values.append("now()")
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} (customer_id bigint NOT NULL, rating_change_id bigint "
            "NOT NULL, channel varchar(10) NOT NULL, level varchar(10) NOT NULL) ON COMMIT DELETE ROWS"
        )
        cursor.execute(f"TRUNCATE {_STAGE}")
        with cursor.copy(f"COPY {_STAGE} ({', '.join(_STAGED)}) FROM STDIN") as copy:
            for row in notices:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {Notice._meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM {_STAGE} AS s ORDER BY s.rating_change_id, s.channel "
            "ON CONFLICT DO NOTHING RETURNING id",
            params,
        )
        return [row[0] for row in cursor.fetchall()]


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
