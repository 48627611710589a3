"""What notifications does when ratings announces news; connected in ``NotificationsConfig.ready``."""

from .services import notices_for_rating_changes
from .services.creation import letter_reissue
from .services.superseding import letters_supersede_for_revoked_event


def notices_when_level_changed(*, history_rows=(), changes=(), **kwargs) -> int:
    return notices_for_rating_changes(history_rows=history_rows, changes=changes)


def letters_when_event_revoked(*, event, revoked: bool, **kwargs) -> None:
    if revoked:
        label = str(event)
        if letters_supersede_for_revoked_event(customer_id=event.customer_id, event_id=event.pk, event_label=label):
            # The re-rating (before this signal) kept the level: no new level change, so no new letter
            # unless one is issued here.
            letter_reissue(customer_id=event.customer_id, event_id=event.pk, event_label=label)
