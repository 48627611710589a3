"""Tallying: one pass over a customer's events, shared by the fast path and the explainer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from archives.vocabulary import EVENT_TYPES

from .criteria import CRITERIA, SINCE_OPENED, WINDOW_1Y, WINDOW_3Y, EventCount, Where
from .dates import add_years, months_in_arrears, window_starts
from .facts import Event, Evidence, Facts, Report

# --------------------------------------------------------------------------------------------
# Tallying: one pass over the events, shared by both evaluators
# --------------------------------------------------------------------------------------------

# Distinct (event types, filter) pairs counted by some clause; each gets a counter per band.
COUNTERS: tuple[tuple[tuple[str, ...], Where | None], ...] = tuple(
    dict.fromkeys(
        (c.event_types, c.where) for c in (cl for cr in CRITERIA for cl in cr.clauses) if isinstance(c, EventCount)
    )
)
N = len(COUNTERS)
# Bands: 0 = within one year, 1 = within three years but not one, 2 = older (but ≤ as_of).
BANDS: dict[str, tuple[int, ...]] = {WINDOW_1Y: (0,), WINDOW_3Y: (0, 1), SINCE_OPENED: (0, 1, 2)}
ARREARS_BIT = 1 << (3 * N)
# Always set in a tally's mask: the trigger of criteria that could hold with nothing counted.
ALWAYS_BIT = 1 << (3 * N + 1)
_COUNTERS_BY_TYPE: dict[str, tuple[tuple[int, Callable[[Event], bool] | None], ...]] = {
    code: tuple((i, where.matches if where else None) for i, (types, where) in enumerate(COUNTERS) if code in types)
    for code in EVENT_TYPES
}


class Tally:
    """Counts per counter and band for one evaluation; ``matched`` only when explaining."""

    __slots__ = ("facts", "counts", "mask", "months", "in_arrears", "report", "matched", "evidence")

    def __init__(self, facts: Facts, explain: bool) -> None:
        as_of = facts.as_of
        one_year, three_years = window_starts(as_of)
        counts = [0] * (3 * N)
        matched: list[list[Event]] | None = [[] for _ in counts] if explain else None
        mask = ALWAYS_BIT
        by_type = _COUNTERS_BY_TYPE
        for event in facts.events:
            occurred_on = event.occurred_on
            if occurred_on > as_of:
                continue
            if occurred_on > one_year:
                base = 0
            elif occurred_on > three_years:
                base = N
            else:
                base = 2 * N
            for index, test in by_type[event.type]:
                if test is None or test(event):
                    k = base + index
                    counts[k] += 1
                    mask |= 1 << k
                    if matched is not None:
                        matched[k].append(event)
        arrears_since = facts.arrears_since
        in_arrears = arrears_since is not None and arrears_since <= as_of
        months = months_in_arrears(arrears_since, as_of) if in_arrears else 0
        if months:
            mask |= ARREARS_BIT
        self.facts = facts
        self.counts = counts
        self.mask = mask
        self.months = months
        self.in_arrears = in_arrears
        self.report = _valid_reports(facts.reports, as_of) if facts.reports else None
        self.matched = matched
        self.evidence: dict[int, Evidence] = {}

    def events_for(self, clause: EventCount) -> list[Event]:
        """The counted events behind an event-count clause, oldest first."""
        assert self.matched is not None
        index = COUNTERS.index((clause.event_types, clause.where))
        found = [e for band in BANDS[clause.window] for e in self.matched[band * N + index]]
        return sorted(found, key=lambda e: e.occurred_on)


def _valid_reports(reports: Sequence[Report], as_of: date) -> tuple[Report, ...] | None:
    """The reports of the latest issue date ≤ as_of, if that date is within one year."""
    latest: date | None = None
    for report in reports:
        issued_on = report.issued_on
        if issued_on <= as_of and (latest is None or issued_on > latest):
            latest = issued_on
    if latest is None or not add_years(as_of, -1) < latest:
        return None
    return tuple(r for r in reports if r.issued_on == latest)


def latest_report(reports: Sequence[Report], as_of: date) -> Report | None:
    """The latest report issued on or before ``as_of``, valid or not."""
    issued = [r for r in reports if r.issued_on <= as_of]
    return max(issued, key=lambda r: r.issued_on) if issued else None
