"""What notifications does when ratings announces news; connected in ``NotificationsConfig.ready``."""

from archives.models import CreditEvent

from .services import notices_for_rating_changes
from .services.creation import change_names_record, letter_reissue
from .services.events import event_notices_supersede, events_tell, events_tell_imported, events_tell_in_changes
from .services.superseding import letters_supersede_for_revoked_event


def notices_when_level_changed(*, history_rows=(), changes=(), cause: str = "", cause_ref: str = "", **kwargs) -> int:
    history_rows, changes = list(history_rows), list(changes)
    written = notices_for_rating_changes(history_rows=history_rows, changes=changes)
    if cause == "import":  # an import's changes: their notices name the records it wrote (told once, not twice)
        pairs = [(row.pk, row.customer_id) for row in history_rows] + [(c[0], c[1]) for c in changes]
        events_tell_in_changes(changes=pairs, cause_ref=cause_ref)
    return written


#: The causes of a re-rating whose ``cause_ref`` is a record that now counts: recorded by staff or the API
#: (an event revoked never counts again; an objection refused leaves its record in force, already told).
_EVENT_COUNTS = {"event"}


def notices_when_event_counts(
    *, customer_id: int, cause: str, cause_ref: str, change=None, level: str | None = None, **kwargs
) -> None:
    """A new record in force is told to the enterprise once: by the notices of the level change it caused, if
    any (they named it as they were written: nothing to do), else by notices of its own (``services.events``)."""
    if cause in _EVENT_COUNTS and cause_ref.isdigit():
        if change is not None and change_names_record(change, int(cause_ref)):
            return
        events_tell(customer_id=customer_id, event_ids=[int(cause_ref)], level=level)


def notices_when_events_imported(*, customer_ids, cause: str, ref: str, **kwargs) -> None:
    """The records an import wrote, once its customers were re-rated: those no level-change notice names."""
    events_tell_imported(customer_ids=customer_ids, ref=ref)


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
    if cause == "revocation":
        event_notices_supersede(customer_id=customer_id, event_id=event.pk, event_label=label)
    if letters_supersede_for_revoked_event(customer_id=customer_id, event_id=event.pk, event_label=label, ended=ended):
        letter_reissue(customer_id=customer_id, event_id=event.pk, event_label=label, ended=ended)
