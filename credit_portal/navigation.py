"""The number waiting beside each queue of the navigation.

credit_portal is the lowest app and cannot import the queues; each app registers its counts here
in its AppConfig.ready() (a small hook registry): who may see the count, the queryset of what is
waiting, and the models whose writes change it.

Every staff page shows up to eleven of these numbers, and they are the same for everybody: they are
counted together in one statement (one scalar subquery per queue, each on its own partial index) and
kept in the shared cache for ``NAV_COUNT_SECONDS``. A committed save or delete of a registered model
moves a generation token, and counts of another generation are not believed, so a staff member's own
action shows in the next page's badges; what workers change with conditional UPDATEs (a notice sent
or failed) shows within ``NAV_COUNT_SECONDS``. Redis is an accelerator here too: when the cache does not
answer, the one statement is run for each page.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save

COUNTS_KEY = "nav-counts"
GENERATION_KEY = "nav-counts:generation"

Queues = Callable[[], "models.QuerySet | Sequence[models.QuerySet]"]
_COUNTS: dict[str, tuple[str, Queues]] = {}


def register_queue_count(
    key: str, *, permission: str, queryset: Queues, changed_by: Sequence[type[models.Model]]
) -> None:
    """Declare the queue `key`: who may see its count, what is waiting (a queryset, or several whose
    counts add up), and the models whose saves and deletes change that number."""
    _COUNTS[key] = (permission, queryset)
    for model in changed_by:
        for signal in (post_save, post_delete):
            signal.connect(_counts_changed, sender=model, dispatch_uid=f"nav-counts-{signal}-{model._meta.label}")


def counts_in_one_query(queues: dict[str, models.QuerySet | Sequence[models.QuerySet]]) -> dict[str, int]:
    """``{name: queryset.count()}`` in one statement: ``SELECT (SELECT COUNT(*) …), (SELECT COUNT(*) …)``.

    Each subquery keeps its own WHERE, so each can use its own (partial) index, where one scan with
    ``COUNT(*) FILTER (…)`` per column would read the whole table. Several querysets under one name add up.
    """
    names, parts, params = [], [], []
    for name, querysets in queues.items():
        for queryset in [querysets] if isinstance(querysets, models.QuerySet) else querysets:
            counted = queryset.order_by().annotate(_waiting=RawSQL("COUNT(*)", ())).values("_waiting")
            try:
                sql, sql_params = counted.query.sql_with_params()
            except EmptyResultSet:  # a queryset that can match nothing (.none(), an empty __in)
                continue
            names.append(name)
            parts.append(f"({sql})")
            params.extend(sql_params)
    counts = dict.fromkeys(queues, 0)
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(parts)}", params)
            for name, number in zip(names, cursor.fetchone(), strict=True):
                counts[name] += number or 0
    return counts


def queue_counts() -> dict[str, int]:
    """Every registered queue's count: from the shared cache when it holds the current generation's."""
    found = cache.get_many([COUNTS_KEY, GENERATION_KEY])
    generation = found.get(GENERATION_KEY)
    entry = found.get(COUNTS_KEY)
    if generation is not None and entry is not None and entry[0] == generation:
        return entry[1]
    if generation is None:
        # Drawn before counting: a write committed while this page counts moves it again.
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    counts = counts_in_one_query({key: queryset() for key, (_permission, queryset) in _COUNTS.items()})
    if generation is not None:  # None: the cache does not answer, nothing to keep
        cache.set(COUNTS_KEY, (generation, counts), timeout=settings.NAV_COUNT_SECONDS)
    return counts


def queue_counts_invalidate() -> None:
    """No cached count is current any more (after a committed change of a queue)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def _counts_changed(**_kwargs) -> None:
    """Receiver: a queue's row was saved or deleted; the counts go stale when that commits.

    Once per transaction, however many rows it writes (a print batch saves a thousand letters):
    Django keeps the callbacks of the transaction in ``connection.run_on_commit`` and starts a new list
    when it commits or rolls back, so the list the callback went into tells whether it is still due.
    """
    if not connection.in_atomic_block:
        queue_counts_invalidate()
        return
    if getattr(connection, "_nav_counts_callbacks", None) is connection.run_on_commit:
        return
    transaction.on_commit(_invalidate_after_commit, robust=True)
    connection._nav_counts_callbacks = connection.run_on_commit


def _invalidate_after_commit() -> None:
    connection._nav_counts_callbacks = None  # the next transaction's writes schedule their own
    queue_counts_invalidate()


class QueueCounts:
    """Lazy, per request: `{{ nav_counts.reports }}` reads the counts once, and shows one only to a user allowed to."""

    def __init__(self, user):
        self._user = user
        self._counts: dict[str, int] | None = None

    def __getitem__(self, key: str) -> int | None:
        permission, _queryset = _COUNTS.get(key, ("", None))
        if not permission or not self._user.is_authenticated or not self._user.has_perm(permission):
            return None
        if self._counts is None:
            self._counts = queue_counts()
        return self._counts.get(key)

    def __contains__(self, key: str) -> bool:
        return key in _COUNTS
