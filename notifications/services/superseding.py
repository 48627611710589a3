"""Superseding: a notice or letter whose level is no longer in force is kept, and never sent or mailed.

Checked three times: when a newer level change of the customer is written (its older open notices
are superseded in that transaction), when a worker is about to send (the change it announces must
still be the customer's latest), and when staff print letters. A revoked event supersedes the
letters that quoted it, even where the level stays.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from ratings.rules import LEVEL_LABELS
from ratings.selectors import ChangeInForce, change_in_force

from ..models import Channel, DeliveryStatus, Notice, NoticeStatus

_CHUNK = 1000

#: Not sent yet, or a letter composed but not yet mailed: what a newer level still stops.
OPEN = Q(status__in=[NoticeStatus.PENDING, NoticeStatus.FAILED]) | Q(
    channel=Channel.LETTER, status=NoticeStatus.SENT, delivery_status__in=["", DeliveryStatus.PRINTED]
)


def level_changed_reason(*, level: str, as_of) -> str:
    return f"信用等级已于{as_of:%Y-%m-%d}变更为{LEVEL_LABELS.get(level, level)}，本提醒/告知所依据的等级已不再有效"


def notices_supersede_older(*, changes: Iterable[tuple[int, int, str, object]]) -> int:
    """New level changes (id, customer id, level, as_of) supersede their customers' open notices of older changes.

    Call in the transaction that wrote the changes: they are each customer's newest.
    """
    by_reason: dict[tuple[str, object], dict[int, int]] = defaultdict(dict)
    for change_id, customer_id, level, as_of in changes:
        by_reason[(level, as_of)][customer_id] = change_id
    now = timezone.now()
    superseded = 0
    for (level, as_of), newest in by_reason.items():
        customers = sorted(newest)
        for start in range(0, len(customers), _CHUNK):
            chunk = customers[start : start + _CHUNK]
            superseded += (
                Notice.objects.filter(OPEN, customer_id__in=chunk, rating_change__isnull=False)
                .exclude(rating_change_id__in=[newest[c] for c in chunk])
                .update(
                    status=NoticeStatus.SUPERSEDED,
                    superseded_at=now,
                    superseded_reason=level_changed_reason(level=level, as_of=as_of),
                    superseded_level=level,
                    lease_until=None,
                    next_attempt_at=None,
                )
            )
    return superseded


def stale_reason(notice: Notice, latest: dict[int, ChangeInForce]) -> tuple[str, str] | None:
    """(reason, level now) if the notice's level change is no longer the customer's change in force, else None.

    ``latest``: ``ratings.selectors.changes_in_force`` of the notices' customers."""
    change = latest.get(notice.customer_id)
    if notice.rating_change_id is None or change is None or change.change_id == notice.rating_change_id:
        return None
    return level_changed_reason(level=change.level, as_of=change.changed_on), change.level


def letters_supersede_for_revoked_event(
    *, customer_id: int, event_id: int, event_label: str, ended: str = "已撤销"
) -> int:
    """Supersede the customer's letters not yet mailed that quote this event, now revoked or repaired (``ended``)."""
    now = timezone.now()
    count = 0
    letters = Notice.objects.filter(OPEN, customer_id=customer_id, channel=Channel.LETTER).select_for_update()
    for letter in letters:
        if event_id in (letter.payload or {}).get("event_ids", []):
            current = change_in_force(customer_id)
            letter.status = NoticeStatus.SUPERSEDED
            letter.superseded_at = now
            letter.superseded_reason = f"告知函所列失信行为记录（{event_label}）{ended}"
            letter.superseded_level = current.level if current else ""
            letter.save(update_fields=["status", "superseded_at", "superseded_reason", "superseded_level"])
            count += 1
    return count
