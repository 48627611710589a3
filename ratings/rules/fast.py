"""The fast path: the criteria table compiled into small closures; the level and rule ids only."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable

from archives.vocabulary import BLUE, GREEN, NEGATIVE_LEVELS, UNRATED

from .book import V1, RuleBook
from .clauses import ArrearsMonths, Clause, EventCount, NotInArrears, PaymentMethodIs, ReportShowsNoDishonesty
from .criteria import Criterion
from .facts import Facts
from .tally import BANDS, Tally

# --------------------------------------------------------------------------------------------
# Fast path: the table compiled into small closures
# --------------------------------------------------------------------------------------------

_Test = Callable[[Tally], bool]
_Row = tuple[str, tuple[tuple[_Test, ...], ...], int]


def _compile_clause(clause: Clause, book: RuleBook) -> tuple[_Test, int]:
    """A test for one clause, and the tally bits without which it cannot hold (0 = none)."""
    if isinstance(clause, EventCount):
        counter = book.counters.index((clause.event_types, clause.where))
        keys = tuple(band * book.n + counter for band in BANDS[clause.window])
        low = clause.at_least
        high = clause.at_most if clause.at_most is not None else 1 << 62
        trigger = sum(1 << k for k in keys) if low >= 1 else 0
        if len(keys) == 1:
            (k,) = keys
            return (lambda t: low <= t.counts[k] <= high), trigger
        return (lambda t: low <= sum([t.counts[k] for k in keys]) <= high), trigger
    if isinstance(clause, ArrearsMonths):
        low = clause.at_least
        high = clause.at_most if clause.at_most is not None else 1 << 62
        return (lambda t: low <= t.months <= high), (book.arrears_bit if low >= 1 else 0)
    if isinstance(clause, PaymentMethodIs):
        method = clause.method
        return (lambda t: t.facts.payment_method == method), 0
    if isinstance(clause, NotInArrears):
        return (lambda t: not t.in_arrears), 0
    if isinstance(clause, ReportShowsNoDishonesty):
        return (lambda t: t.report is not None and not any(r.shows_dishonesty for r in t.report)), 0
    raise TypeError(f"unknown clause {clause!r}")


def _compile_criterion(criterion: Criterion, book: RuleBook) -> _Row:
    """(id, alternatives of tests, trigger mask): the criterion cannot hold without a mask bit."""
    alternatives = []
    mask = 0
    for alternative in criterion.any_of:
        compiled = [_compile_clause(c, book) for c in alternative]
        alternatives.append(tuple(test for test, _ in compiled))
        # An alternative needs at least one of its clauses' triggers; pick any non-zero one.
        triggers = [bits for _, bits in compiled if bits]
        mask |= triggers[0] if triggers else book.always_bit
    return criterion.id, tuple(alternatives), mask


def _holds(alternatives: tuple[tuple[_Test, ...], ...], tally: Tally) -> bool:
    for alternative in alternatives:
        for test in alternative:
            if not test(tally):
                break
        else:
            return True
    return False


class Compiled:
    """A book's criteria compiled into closures, per level, with each level's trigger mask."""

    __slots__ = ("rows", "level_masks", "green_rules", "blue_rules")

    def __init__(self, book: RuleBook) -> None:
        self.rows: dict[str, tuple[_Row, ...]] = {
            level: tuple(_compile_criterion(c, book) for c in book.criteria_for(level))
            for level in (*NEGATIVE_LEVELS, GREEN, BLUE)
        }
        self.level_masks: dict[str, int] = {
            level: functools.reduce(operator.or_, (m for _, _, m in rows), 0) for level, rows in self.rows.items()
        }
        self.green_rules = tuple(c.id for c in book.criteria_for(GREEN))
        self.blue_rules = tuple(c.id for c in book.criteria_for(BLUE))


def compiled(book: RuleBook) -> Compiled:
    """The book's closures, built on first use and kept with the book."""
    if book.compiled is None:
        book.compiled = Compiled(book)
    return book.compiled


compiled(V1)


def evaluate_level(facts: Facts, book: RuleBook = V1) -> tuple[str, tuple[str, ...]]:
    """The level and its rule ids only: the fast path for bulk re-rating."""
    c = book.compiled or compiled(book)
    tally = Tally(facts, explain=False, book=book)
    mask = tally.mask
    rows = c.rows
    for level in NEGATIVE_LEVELS:
        if not mask & c.level_masks[level]:
            continue  # nothing this level counts was seen
        hits = tuple(
            rule for rule, alternatives, trigger in rows[level] if mask & trigger and _holds(alternatives, tally)
        )
        if hits:
            return level, hits
    if all(_holds(alternatives, tally) for _, alternatives, _ in rows[GREEN]):
        return GREEN, c.green_rules
    unmet = tuple(rule for rule, alts, _ in rows[BLUE] if not _holds(alts, tally))
    return (UNRATED, unmet) if unmet else (BLUE, c.blue_rules)
