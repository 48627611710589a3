"""What ratings announces to the apps above it (notifications connects to these in its AppConfig)."""

from collections.abc import Iterable

from django.dispatch import Signal

from .models import RatingHistory

#: Sent inside the transaction that recorded level changes, so that what follows (reminders,
#: letters) is written with them; kwargs ``history_rows`` (RatingHistory objects) and ``changes``
#: (tuples, see below), and for a bulk run ``cause`` and ``cause_ref`` (an import's "import:<job id>").
#: A receiver returns how many rows of its own it wrote (notices), or None.
level_changed = Signal()

#: Sent inside the transaction of one customer's re-rating after its facts changed (``services.rating_refresh``),
#: whether the level moved or not; kwargs ``customer_id``, ``cause``, ``cause_ref`` (the archive's ``ref``:
#: for an event or a revocation, the event's id), ``change`` (the new history row, or None) and ``level``
#: (the level in force after it). What
#: must follow a change of facts *after* the re-rating (a letter quoting a revoked event) listens here.
customer_rerated = Signal()


def level_changes_announce(
    *,
    history_rows: Iterable[RatingHistory] = (),
    changes: Iterable[tuple] = (),
    cause: str = "",
    cause_ref: str = "",
) -> int:
    """Send ``level_changed`` for recorded changes; returns what the receivers wrote (notices).

    The changes come as model rows or as ``(id, customer id, level, previous level, as_of)`` tuples
    (what the nightly run's INSERT … RETURNING gives, without reading the rows back).
    """
    replies = level_changed.send(
        sender=RatingHistory, history_rows=history_rows, changes=changes, cause=cause, cause_ref=cause_ref
    )
    return sum(reply or 0 for _receiver, reply in replies)
