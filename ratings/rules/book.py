"""A rule book: the criteria table of one rule set, with everything the evaluators derive from it.

A rule set (``ratings.models.RuleSet``) is data: its number and its parameters. A ``RuleBook`` is
that data built into criteria and compiled once (counters, bands, closures), so that evaluating a
million customers resolves the parameters once, not once per customer. ``V1`` is the plan's book.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from archives.vocabulary import BLACK, BLUE, EVENT_TYPES, GREEN, RED, YELLOW, ClassThresholds

from .clauses import SINCE_OPENED, WINDOW_1Y, WINDOW_3Y, EventCount, Where
from .criteria import (
    V1_PARAMETERS,
    Criterion,
    Decision,
    build_criteria,
    build_decisions,
    compute_rules_version,
    years_text,
)
from .facts import Event


def years_label(years: int) -> str:
    """``1`` → ``一年内``, ``2`` → ``两年内``; larger numbers in digits."""
    return f"{years_text(years)}内"


class RuleBook:
    """The criteria of one rule set and their compiled form; immutable once built."""

    def __init__(
        self,
        *,
        number: int = 1,
        parameters: Mapping[str, Mapping[str, Any]] = V1_PARAMETERS,
        wordings: Mapping[str, str] | None = None,
    ) -> None:
        self.number = number
        self.parameters = parameters
        self.wordings = dict(wordings or {})
        self.criteria: tuple[Criterion, ...] = build_criteria(parameters, self.wordings)
        #: The documented readings of the plan, worded with this rule set's numbers.
        self.decisions: tuple[Decision, ...] = build_decisions(parameters)
        windows = parameters["windows"]
        self.short_years: int = windows["short_years"]
        self.long_years: int = windows["long_years"]
        self.report_valid_years: int = windows["report_valid_years"]
        #: Window code → (Chinese label, length in years or None for "since the account was opened").
        self.windows: dict[str, tuple[str, int | None]] = {
            WINDOW_1Y: (years_label(self.short_years), self.short_years),
            WINDOW_3Y: (years_label(self.long_years), self.long_years),
            SINCE_OPENED: ("自立户起", None),
        }
        #: The windows' lengths in years, shortest first (the boundaries ``rules.stable_until`` watches).
        self.event_window_years: tuple[int, ...] = tuple(
            sorted({years for _, years in self.windows.values() if years is not None})
        )
        self.by_id: dict[str, Criterion] = {c.id: c for c in self.criteria}
        self.by_level: dict[str, tuple[Criterion, ...]] = {
            level: tuple(c for c in self.criteria if c.level == level) for level in (BLACK, RED, YELLOW, GREEN, BLUE)
        }
        # Distinct (event types, filter) pairs counted by some clause; each gets a counter per band.
        self.counters: tuple[tuple[tuple[str, ...], Where | None], ...] = tuple(
            dict.fromkeys(
                (c.event_types, c.where)
                for c in (cl for cr in self.criteria for cl in cr.clauses)
                if isinstance(c, EventCount)
            )
        )
        #: Counter → its index (what ``Tally.events_for`` looks up for a clause).
        self.counter_index: dict[tuple[tuple[str, ...], Where | None], int] = {
            counter: i for i, counter in enumerate(self.counters)
        }
        self.n = n = len(self.counters)
        self.arrears_bit = 1 << (3 * n)
        # Always set in a tally's mask: the trigger of criteria that could hold with nothing counted.
        self.always_bit = 1 << (3 * n + 1)
        self.counters_by_type: dict[str, tuple[tuple[int, Callable[[Event], bool] | None], ...]] = {
            code: tuple(
                (i, where.matches if where else None) for i, (types, where) in enumerate(self.counters) if code in types
            )
            for code in EVENT_TYPES
        }
        #: The event types counted "since the account was opened" (read beyond the long window).
        self.ever_counted_types: tuple[str, ...] = tuple(
            sorted(
                {
                    t
                    for c in self.criteria
                    for clause in c.clauses
                    if isinstance(clause, EventCount) and clause.window == SINCE_OPENED
                    for t in clause.event_types
                }
            )
        )
        windows_v1 = dict(windows) == dict(V1_PARAMETERS["windows"])
        table_version = compute_rules_version(self.criteria, self.decisions, EVENT_TYPES)
        self.rules_version: str = (
            table_version
            if windows_v1
            else hashlib.sha256((table_version + json.dumps(windows, sort_keys=True)).encode()).hexdigest()[:12]
        )
        #: The numbers a record's class depends on (``archives.vocabulary.CLASS_TABLE``): black.3's theft
        #: amount, black.7's voltages.
        self.class_thresholds = ClassThresholds(
            theft_amount_yuan=parameters["black.3"]["theft_amount_yuan"],
            high_voltage_kv=parameters["black.7"]["high_voltage_kv"],
            medium_voltages_kv=tuple(parameters["black.7"]["medium_voltages_kv"]),
        )
        self.compiled: Any = None  # the fast path's closures, built by ``fast.compiled`` on first use

    def reworded_from(self, other: RuleBook) -> tuple[tuple[Criterion, Criterion], ...]:
        """(other's criterion, this book's) for every criterion whose wording or condition differs."""
        return tuple(
            (other.by_id[c.id], c)
            for c in self.criteria
            if c.plan_text != other.by_id[c.id].plan_text or c.condition != other.by_id[c.id].condition
        )

    def criteria_for(self, level: str) -> tuple[Criterion, ...]:
        """The criteria (or conditions) of one level, in the plan's order."""
        return self.by_level[level]

    def __repr__(self) -> str:
        return f"RuleBook(number={self.number}, rules_version={self.rules_version!r})"


#: The plan's rule book (rule set version 1).
V1 = RuleBook()
