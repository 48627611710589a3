"""What notifications does when ratings announces news; connected in ``NotificationsConfig.ready``."""

from .services import notices_for_rating_changes


def notices_when_level_changed(*, history_rows, history_ids, **kwargs) -> int:
    return notices_for_rating_changes(history_rows=history_rows, history_ids=history_ids)
