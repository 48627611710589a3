"""The dashboard (评级概览): counts per level and the recent changes, cached."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from archives.models import Customer

from .. import rules
from ..models import CustomerRating, LevelOverride, OverrideStatus, RatingHistory
from .words import with_rule_words

#: The dashboard's order of the rating states, best first; customers with no rating row come last.
DASHBOARD_LEVELS: tuple[str, ...] = (*rules.LEVELS, rules.UNRATED)
NOT_RATED = ""
CHANGE_WINDOW_DAYS = 30


@dataclass(frozen=True)
class LevelCount:
    level: str  # NOT_RATED for customers that have no rating yet
    label: str
    count: int


@dataclass(frozen=True)
class Transition:
    previous_level: str
    level: str
    count: int


@dataclass(frozen=True)
class Dashboard:
    today: date
    since: date
    total: int
    level_counts: tuple[LevelCount, ...]
    overridden: int
    pending_overrides: int
    changes_by_day: tuple[tuple[date, int], ...]
    transitions: tuple[Transition, ...]
    recent_changes: tuple[RatingHistory, ...]
    computed_at: datetime | None = None
    #: Served while another view counts again (a level changed or the figures aged): the page says so.
    recounting: bool = False

    @property
    def changes_total(self) -> int:
        return sum(n for _, n in self.changes_by_day)

    @property
    def counts(self) -> dict[str, int]:
        return {row.level: row.count for row in self.level_counts}


def rating_dashboard(*, today: date | None = None) -> Dashboard:
    """Customers per level now, and level changes (not first ratings) over the last 30 days."""
    # Taken before counting: a change committed while the queries run is later than the figures.
    computed_at = timezone.now()
    today = today or timezone.localdate()
    since = today - timedelta(days=CHANGE_WINDOW_DAYS - 1)
    per_level = dict(CustomerRating.objects.values_list("level").annotate(n=Count("pk")).order_by())
    total = Customer.objects.count()
    rated = sum(per_level.values())
    level_counts = tuple(
        LevelCount(level, rules.LEVEL_LABELS[level], per_level.get(level, 0)) for level in DASHBOARD_LEVELS
    ) + (LevelCount(NOT_RATED, "待评定", max(total - rated, 0)),)

    start = timezone.make_aware(datetime.combine(since, time.min))
    end = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    changes = RatingHistory.objects.exclude(previous_level="").filter(created_at__gte=start, created_at__lt=end)
    per_day = dict(changes.annotate(day=TruncDate("created_at")).values_list("day").annotate(n=Count("pk")).order_by())
    transitions = tuple(
        Transition(previous, level, n)
        for previous, level, n in changes.values_list("previous_level", "level")
        .annotate(n=Count("pk"))
        .order_by("-n", "previous_level", "level")
    )
    return Dashboard(
        today=today,
        since=since,
        total=total,
        level_counts=level_counts,
        overridden=CustomerRating.objects.filter(override__isnull=False).count(),
        pending_overrides=LevelOverride.objects.filter(status=OverrideStatus.PENDING).count(),
        changes_by_day=tuple(
            (day, per_day.get(day, 0)) for day in (since + timedelta(days=i) for i in range(CHANGE_WINDOW_DAYS))
        ),
        transitions=transitions,
        recent_changes=tuple(with_rule_words(changes.select_related("customer")[:20])),
        computed_at=computed_at,
    )


#: The dashboard's aggregates cover the whole archive (seconds at a million customers), so pages read
#: them from the shared cache. Its promise, stated on the page: figures are never older than this when
#: read (the beat refreshes them this often; without a beat, the next view computes them again) and
#: a level change committed after they were counted makes the next view count again.
DASHBOARD_REFRESH_SECONDS = 300


def _dashboard_key(today: date) -> str:
    return f"ratings:dashboard:v2:{today.isoformat()}"


_LAST_CHANGE_KEY = "ratings:dashboard:last-level-change"


def dashboard_outdated() -> None:
    """Note that a level change was committed now: figures counted before it are not served again."""
    cache.set(_LAST_CHANGE_KEY, timezone.now(), DASHBOARD_REFRESH_SECONDS)


def _is_current(board: Dashboard | None) -> bool:
    if board is None or board.computed_at is None:
        return False
    if timezone.now() - board.computed_at >= timedelta(seconds=DASHBOARD_REFRESH_SECONDS):
        return False
    last_change = cache.get(_LAST_CHANGE_KEY)
    return last_change is None or last_change < board.computed_at


#: Held by the one view that counts again; the others meanwhile serve the figures they have, saying so.
_RECOUNT_KEY = "ratings:dashboard:recounting"
#: Longer than a count takes at a million customers (under a second): a view that died lets go by then.
_RECOUNT_SECONDS = 30


def rating_dashboard_cached(*, today: date | None = None) -> Dashboard:
    """The dashboard from the shared cache, computed again when older than its promise or a level changed since.

    One view counts again at a time: the whole archive is counted (0.6–0.8 s at a million customers), and
    every level change would otherwise have each viewer open at that moment count it too. The others are
    served the figures already counted, with their time and a note that they are being counted again;
    with no figures at all (or no shared cache), a view counts them itself.
    """
    today = today or timezone.localdate()
    board = cache.get(_dashboard_key(today))
    if _is_current(board):
        return board
    if board is None:
        return dashboard_refresh(today=today)
    if not cache.add(_RECOUNT_KEY, 1, _RECOUNT_SECONDS):
        return dataclasses.replace(board, recounting=True)
    try:
        return dashboard_refresh(today=today)
    finally:
        cache.delete(_RECOUNT_KEY)


def dashboard_refresh(*, today: date | None = None) -> Dashboard:
    """Compute the dashboard now and store it for the pages (the beat calls this every few minutes)."""
    today = today or timezone.localdate()
    board = rating_dashboard(today=today)
    cache.set(_dashboard_key(today), board, DASHBOARD_REFRESH_SECONDS)
    return board
