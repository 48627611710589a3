"""The number waiting beside each queue of the navigation.

credit_portal is the lowest app and cannot import the queues; each app registers its counts here
in its AppConfig.ready() (a small hook registry), and the context processor asks only for the
counts the page's navigation shows, each one COUNT query on an indexed status column.
"""

from collections.abc import Callable

_COUNTS: dict[str, tuple[str, Callable[[], int]]] = {}


def register_queue_count(key: str, *, permission: str, count: Callable[[], int]) -> None:
    """Declare the queue `key`: who may see its count, and the function that counts what is waiting."""
    _COUNTS[key] = (permission, count)


class QueueCounts:
    """Lazy, per request: `{{ nav_counts.reports }}` counts the reports once, and only for a user allowed to."""

    def __init__(self, user):
        self._user = user
        self._cache: dict[str, int | None] = {}

    def __getitem__(self, key: str) -> int | None:
        if key not in self._cache:
            permission, count = _COUNTS.get(key, ("", None))
            allowed = count is not None and self._user.is_authenticated and self._user.has_perm(permission)
            self._cache[key] = count() if allowed else None
        return self._cache[key]

    def __contains__(self, key: str) -> bool:
        return key in _COUNTS
