"""What notifications does when ratings announces news; connected in ``NotificationsConfig.ready``."""

from archives.models import CreditEvent

from .services import notices_for_rating_changes
from .services.creation import letter_reissue
from .services.superseding import letters_supersede_for_revoked_event


def notices_when_level_changed(*, history_rows=(), changes=(), **kwargs) -> int:
    return notices_for_rating_changes(history_rows=history_rows, changes=changes)


#: What became of an event that letters may quote, by the cause of the re-rating.
_EVENT_ENDED = {"revocation": "已撤销", "repair": "已修复"}


def letters_when_event_revoked(*, customer_id: int, cause: str, cause_ref: str, **kwargs) -> None:
    """The customer was re-rated after an event's revocation or repair (信用修复): the letters quoting it
    are superseded and, where the level they announced holds (no new level change, so no new letter),
    one is reissued without it."""
    if cause not in _EVENT_ENDED or not cause_ref.isdigit():
        return
    event = CreditEvent.objects.filter(pk=int(cause_ref), customer_id=customer_id).first()
    if event is None:
        return
    label = str(event)
    ended = _EVENT_ENDED[cause]
    if letters_supersede_for_revoked_event(customer_id=customer_id, event_id=event.pk, event_label=label, ended=ended):
        letter_reissue(customer_id=customer_id, event_id=event.pk, event_label=label, ended=ended)
