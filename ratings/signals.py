"""What ratings announces to the apps above it (notifications connects to these in its AppConfig)."""

from collections.abc import Iterable

from django.dispatch import Signal

from .models import RatingHistory

#: Sent inside the transaction that recorded level changes, so that what follows (reminders,
#: letters) is written with them; kwargs ``history_rows`` (RatingHistory objects) or
#: ``history_ids``. A receiver returns how many rows of its own it wrote (notices), or None.
level_changed = Signal()


def level_changes_announce(*, history_rows: Iterable[RatingHistory] = (), history_ids: Iterable[int] = ()) -> int:
    """Send ``level_changed`` for recorded changes; returns what the receivers wrote (notices)."""
    replies = level_changed.send(sender=RatingHistory, history_rows=history_rows, history_ids=history_ids)
    return sum(reply or 0 for _receiver, reply in replies)
