"""Tallying: one pass over a customer's events, shared by the fast path and the explainer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .book import V1, RuleBook
from .clauses import SINCE_OPENED, WINDOW_1Y, WINDOW_3Y, EventCount
from .dates import add_years, months_in_arrears, window_starts
from .facts import Event, Evidence, Facts, Report

# --------------------------------------------------------------------------------------------
# Tallying: one pass over the events, shared by both evaluators
# --------------------------------------------------------------------------------------------

# Bands: 0 = within the short window, 1 = within the long window but not the short, 2 = older (but ≤ as_of).
BANDS: dict[str, tuple[int, ...]] = {WINDOW_1Y: (0,), WINDOW_3Y: (0, 1), SINCE_OPENED: (0, 1, 2)}


class Tally:
    """Counts per counter and band for one evaluation; ``matched`` only when explaining."""

    __slots__ = (
        "facts", "book", "counts", "mask", "months", "in_arrears", "report", "matched", "evidence", "checked", "found"
    )  # fmt: skip

    def __init__(self, facts: Facts, explain: bool, book: RuleBook = V1) -> None:
        as_of = facts.as_of
        one_year, three_years = window_starts(as_of, book.short_years, book.long_years)
        n = book.n
        counts = [0] * (3 * n)
        matched: list[list[Event]] | None = [[] for _ in counts] if explain else None
        mask = book.always_bit
        by_type = book.counters_by_type
        for event in facts.events:
            occurred_on = event.occurred_on
            if occurred_on > as_of:
                continue
            repaired_on = event.repaired_on
            if repaired_on is not None and repaired_on <= as_of:
                continue  # repaired (信用修复): counts in no evaluation from its repair date
            if occurred_on > one_year:
                base = 0
            elif occurred_on > three_years:
                base = n
            else:
                base = 2 * n
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
            mask |= book.arrears_bit
        self.facts = facts
        self.book = book
        self.counts = counts
        self.mask = mask
        self.months = months
        self.in_arrears = in_arrears
        self.report = _valid_reports(facts.reports, as_of, book.report_valid_years) if facts.reports else None
        self.matched = matched
        self.evidence: dict[int, Evidence] = {}
        #: The explainer's memo of what it found of each clause (by the clause's identity: the book keeps
        #: its clauses for the process's life), so that the findings, the advice and the remedies share it.
        self.checked: dict[int, tuple] = {}
        self.found: dict[int, list[Event]] = {}

    def events_for(self, clause: EventCount) -> list[Event]:
        """The counted events behind an event-count clause, oldest first (do not change the list)."""
        found = self.found.get(id(clause))
        if found is None:
            assert self.matched is not None
            n = self.book.n
            index = self.book.counter_index[(clause.event_types, clause.where)]
            found = sorted(
                (e for band in BANDS[clause.window] for e in self.matched[band * n + index]),
                key=lambda e: e.occurred_on,
            )
            self.found[id(clause)] = found
        return found


def _valid_reports(reports: Sequence[Report], as_of: date, valid_years: int = 1) -> tuple[Report, ...] | None:
    """The reports of the latest issue date ≤ as_of, if that date is within the validity (one year in v1)."""
    latest: date | None = None
    for report in reports:
        issued_on = report.issued_on
        if issued_on <= as_of and (latest is None or issued_on > latest):
            latest = issued_on
    if latest is None or not add_years(as_of, -valid_years) < latest:
        return None
    return tuple(r for r in reports if r.issued_on == latest)


def latest_report(reports: Sequence[Report], as_of: date) -> Report | None:
    """The latest report issued on or before ``as_of``, valid or not."""
    issued = [r for r in reports if r.issued_on <= as_of]
    return max(issued, key=lambda r: r.issued_on) if issued else None
