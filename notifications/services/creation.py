"""Writing the notices a rating change calls for, in the transaction of the change."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from ratings import consequences
from ratings.models import RatingHistory

from ..models import Notice, NoticeStatus
from ..texts import KIND_BY_LEVEL, LETTER, REMINDER
from .sending import notices_enqueue
from .superseding import notices_supersede_older

_CHUNK = 1000


def notices_for_rating_changes(*, history_rows: Iterable[RatingHistory] = (), history_ids: Iterable[int] = ()) -> int:
    """Write the notices for level changes (RatingHistory rows, or their ids) and queue them on commit.

    Call inside the transaction that wrote the rows. Idempotent: the unique key (customer, rating
    change, channel) makes a change processed twice still one notice per channel. Returns how many
    notice rows were asked for (existing ones included).
    """
    rows = [(row.pk, row.customer_id, row.level, row.previous_level, row.as_of) for row in history_rows]
    ids = list(history_ids)
    for start in range(0, len(ids), _CHUNK):
        rows.extend(
            RatingHistory.objects.filter(pk__in=ids[start : start + _CHUNK]).values_list(
                "pk", "customer_id", "level", "previous_level", "as_of"
            )
        )
    # A newer level: what the customer was told about an older one and has not received yet is void.
    notices_supersede_older(changes=[(pk, customer_id, level, as_of) for pk, customer_id, level, _prev, as_of in rows])
    notices = [
        Notice(customer_id=customer_id, rating_change_id=change_id, channel=channel, level=level)
        for change_id, customer_id, level, previous_level, _as_of in rows
        if level != previous_level and (previous_level or _notify_first_rating(level))
        for channel in consequences.notice_channels(level=level, previous_level=previous_level)
    ]
    if not notices:
        return 0
    Notice.objects.bulk_create(notices, ignore_conflicts=True, batch_size=_CHUNK)
    change_ids = sorted({n.rating_change_id for n in notices})
    # robust: a broker outage after commit must never turn the committed write into an error page.
    transaction.on_commit(lambda: _enqueue_changes(change_ids), robust=True)
    return len(notices)


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
