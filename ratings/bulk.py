"""Set-based re-rating: every customer of a customer-id range in one streamed pass.

The nightly job (DESIGN.md, data flow 2) re-rates every customer as of today: windows slide and
arrears age. Per range of customer ids it streams, each ordered by customer id, the stored ratings,
the customers, their accounts, their in-force events and their verified reports, merges them
customer by customer, evaluates with the fast path ``rules.evaluate_level`` and writes only the
ratings whose result changed, in bulk, with a history row for each change of the level in force.

Choices, documented here because pages and reports read what this module writes:

- **A level change is recorded once.** A history row is written when the level in force changes
  (or for a first rating), exactly as ``services.rating_refresh`` does. New rule ids, a new
  computed level under an override, or a new rules version update the rating but add no history.
- **Unchanged ratings are left alone.** A rating is rewritten only when its level in force, its
  computed level, its rule ids, its override or the rules version differ; ``as_of`` and the
  explanation of a rating are those of the evaluation that last wrote it. This makes a second run
  as of the same date write nothing (idempotent) and keeps a nightly run to the few rows that move.
- **The same notices as one customer's re-rating.** Each level change written here is announced
  (``signals.level_changes_announce``); notifications writes the notices its new level calls for, in
  the range's transaction; they are queued for the workers once it commits.
- **A fresher rating wins.** A rating is written only if it still holds what the run read: a
  customer re-rated meanwhile by ``rating_refresh`` (a new event, a revocation) keeps that rating.
  On PostgreSQL the stored ratings are read first, so any refresh committed after that read shows
  as a changed row and is skipped, and any committed before it is seen by the later fact streams.
- **Explanations only for written rows**, with the full ``rules.evaluate``; identical facts (most
  often clean customers) share one explanation through a small memo.
- **Stable customers are skipped.** Every change of a customer's facts re-rates it in its own
  transaction, so between two changes only the date moves. A rating keeps ``stable_until``
  (``rules.stable_until``: the day before the first window boundary of its events, reports or
  arrears); the nightly pass (``rerate_range``) neither reads nor evaluates a customer whose rating
  holds on the date, has no override and the current rules version. A re-evaluated customer whose
  level, rules and override stay but whose ``stable_until`` moves gets only that date written (no
  new explanation, no history), so the same date again still writes nothing.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, groupby
from operator import itemgetter
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from archives.models import Customer, ElectricityAccount

from . import rules
from .changes import EXPLAINED_LEVELS, Rated, basis_of, ratings_write
from .facts import (
    ACCOUNT_COLUMNS,
    EVENT_COLUMNS,
    REPORT_COLUMNS,
    counted_events,
    counted_reports,
    facts_from_rows,
    next_dated_facts,
)
from .models import CustomerRating, LevelOverride, OverrideStatus, RatingCause
from .rulesets import rule_book_for

#: Customer ids per range: one Celery task each (≈ 1 s of work on one core at 5 events a customer).
DEFAULT_RANGE_SIZE = 25_000
#: Rows fetched per round trip from each server-side cursor.
FETCH_SIZE = 10_000
#: Changed ratings written per statement batch.
WRITE_BATCH = 5_000
#: Ids per query when re-rating a set of customers (``rerate_customers``).
ID_CHUNK = 2_000

_END = (1 << 62, ())  # past every customer id: an exhausted stream


@dataclass
class RangeStats:
    """What one re-rating pass saw and wrote."""

    customers: int = 0
    levels: Counter = field(default_factory=Counter)  # level in force → customers
    written: int = 0  # ratings inserted or updated
    created: int = 0  # of which first ratings
    level_changes: int = 0  # history rows
    skipped: int = 0  # re-rated meanwhile by a fresher evaluation, left as they are
    notices: int = 0  # reminders and letters the level changes called for
    stable: int = 0  # skipped: their rating holds on the date (neither read nor evaluated)
    extended: int = 0  # re-evaluated, unchanged: only stable_until written
    seconds: float = 0.0

    def add(self, other: RangeStats) -> None:
        """Fold another pass's figures into this one."""
        self.customers += other.customers
        self.levels.update(other.levels)
        self.written += other.written
        self.created += other.created
        self.level_changes += other.level_changes
        self.skipped += other.skipped
        self.notices += other.notices
        self.stable += other.stable
        self.extended += other.extended
        self.seconds += other.seconds


# --------------------------------------------------------------------------------------------
# Public services
# --------------------------------------------------------------------------------------------


def plan_ranges(*, size: int = DEFAULT_RANGE_SIZE) -> list[tuple[int, int]]:
    """Half-open ranges ``[start, end)`` of ``size`` customer ids covering every customer."""
    if size < 1:
        raise ValueError("range size must be at least 1")
    bounds = Customer.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return []
    return [(start, min(start + size, bounds["high"] + 1)) for start in range(bounds["low"], bounds["high"] + 1, size)]


def rerate_range(
    *,
    start_id: int,
    end_id: int,
    as_of: date,
    cause: str = RatingCause.NIGHTLY,
    cause_ref: str = "",
    skip_stable: bool = True,
) -> RangeStats:
    """Re-rate the customers with ``start_id <= id < end_id`` as of ``as_of``; idempotent.

    Customers whose rating holds on ``as_of`` (``stable_until``) are skipped unless ``skip_stable``
    is False (a full re-evaluation, e.g. after facts were written behind the portal's back).
    """
    scope = {"customer_id__gte": start_id, "customer_id__lt": end_id}
    return _rerate_scope(scope, as_of=as_of, cause=cause, cause_ref=cause_ref, skip_stable=skip_stable)


def rerate_customers(
    *, customer_ids: Iterable[int], as_of: date | None = None, cause: str, cause_ref: str = ""
) -> RangeStats:
    """Re-rate a set of customers (e.g. those an import touched) as of ``as_of`` (default today)."""
    as_of = as_of or timezone.localdate()
    ids = sorted(set(customer_ids))
    stats = RangeStats()
    for i in range(0, len(ids), ID_CHUNK):
        scope = {"customer_id__in": ids[i : i + ID_CHUNK]}
        # Their facts have just changed: never skipped as stable.
        stats.add(_rerate_scope(scope, as_of=as_of, cause=cause, cause_ref=cause_ref, skip_stable=False))
    return stats


# --------------------------------------------------------------------------------------------
# Streaming and evaluation
# --------------------------------------------------------------------------------------------


def _customer_scope(scope: dict[str, Any]) -> dict[str, Any]:
    return {key.replace("customer_id", "pk", 1): value for key, value in scope.items()}


def _groups(rows: Iterable[tuple]) -> Iterator[tuple[int, list[tuple]]]:
    """(customer id, its rows) from rows ordered by customer id (column 0)."""
    for customer_id, group in groupby(rows, key=itemgetter(0)):
        yield customer_id, list(group)


#: Below this share of a range left to evaluate, the fact streams read only those customers (PostgreSQL).
_NARROW_BELOW = 0.6


def _stable_customers(scope: dict[str, Any], as_of: date, book: rules.RuleBook) -> set[int]:
    """The customers of the scope whose rating holds on ``as_of``: no override, the book's rules version.

    A rule set that comes into force changes the rules version: nobody is stable on its first night."""
    return set(
        CustomerRating.objects.filter(
            **scope, stable_until__gte=as_of, rules_version=book.rules_version, override__isnull=True
        ).values_list("customer_id", flat=True)
    )


def _rerate_scope(
    scope: dict[str, Any], *, as_of: date, cause: str, cause_ref: str, skip_stable: bool = False
) -> RangeStats:
    """One streamed pass over the customers ``scope`` selects, in one transaction."""
    started = time.perf_counter()
    stats = RangeStats()
    # The rule set in force on ``as_of``, resolved once for the whole range.
    book = rule_book_for(as_of=as_of)
    with transaction.atomic():
        overrides = {
            customer_id: (pk, level)
            for customer_id, pk, level in LevelOverride.objects.filter(
                **scope, status=OverrideStatus.ACTIVE, ends_on__gte=as_of
            )
            .order_by("customer_id", "decided_at")
            .values_list("customer_id", "pk", "level")
        }
        stable = _stable_customers(scope, as_of, book) - overrides.keys() if skip_stable else set()
        stream = facts_stream(scope, as_of=as_of, books=(book,), with_ratings=True, skip=stable)

        evaluate_level = rules.evaluate_level
        version = book.rules_version
        levels = stats.levels
        pending: list[Rated] = []
        write = functools.partial(_write, as_of=as_of, book=book, cause=cause, cause_ref=cause_ref, stats=stats)
        stable_until = rules.stable_until
        for customer_id, facts, stored, next_dated in stream:
            if facts is None:
                # Its rating holds today: nothing read or evaluated.
                levels[stored[1]] += 1
                stats.customers += 1
                stats.stable += 1
                continue
            computed_level, rule_ids = evaluate_level(facts, book)
            override = overrides.get(customer_id)
            if override is None:
                level, override_id = computed_level, None
            else:
                override_id, level = override
            levels[level] += 1
            stats.customers += 1
            rule_list = list(rule_ids)
            until = stable_until(facts, next_dated=next_dated, book=book)
            old = None
            explanation, basis = None, {}
            if stored is not None:
                old = stored[1:7]
                if old[:5] == (level, computed_level, rule_list, version, override_id):
                    if old[5] == until:
                        continue
                else:
                    explanation, basis = _explained(facts, level, (computed_level, rule_ids), book)
            else:
                explanation, basis = _explained(facts, level, (computed_level, rule_ids), book)
            level_changed = old is None or old[0] != level
            pending.append(
                Rated(
                    customer_id,
                    level,
                    computed_level,
                    rule_list,
                    explanation,
                    basis,
                    as_of if level_changed else stored[7],
                    override_id,
                    old,
                    until,
                )
            )
            if len(pending) >= WRITE_BATCH:
                write(pending)
                pending = []
        if pending:
            write(pending)
    stats.seconds = time.perf_counter() - started
    return stats


_Streamed = tuple[int, "rules.Facts | None", "tuple | None", "date | None"]


def facts_stream(
    scope: dict[str, Any],
    *,
    as_of: date,
    books: Sequence[rules.RuleBook],
    with_ratings: bool = False,
    skip: set[int] | frozenset[int] = frozenset(),
) -> Iterator[_Streamed]:
    """(customer id, facts, stored rating row, next dated fact) per customer of ``scope``.

    One read of the facts, enough for every book in ``books`` (the nightly run passes the book in
    force; an impact run passes two and evaluates both on the same facts). A customer in ``skip``
    (stable) comes with its stored rating and no facts: it is neither read nor evaluated. Call
    inside a transaction.
    """
    longest = max(book.long_years for book in books)
    window_start = rules.add_years(as_of, -longest)
    ever_counted = sorted({t for book in books for t in book.ever_counted_types})
    ratings: Iterator[tuple[int, list[tuple]]] = iter(())
    if with_ratings:
        # The stored ratings are read first: see "A fresher rating wins" in the module docstring.
        ratings = _groups(
            CustomerRating.objects.filter(**scope)
            .order_by("customer_id")
            .values_list(
                "customer_id",
                "level",
                "computed_level",
                "rules",
                "rules_version",
                "override_id",
                "stable_until",
                "changed_on",
            )
            .iterator(chunk_size=FETCH_SIZE)
        )
    rating_key, rating_rows = next(ratings, _END)
    # Then the customers, before their facts: a customer created meanwhile is either not seen
    # (rated by its own refresh, or tomorrow) or seen with every fact committed with it.
    customer_ids = (
        Customer.objects.filter(**_customer_scope(scope))
        .order_by("pk")
        .values_list("pk", flat=True)
        .iterator(chunk_size=FETCH_SIZE)
    )
    first_customer = next(customer_ids, None)
    customers: Iterable[int] = chain((first_customer,), customer_ids) if first_customer is not None else ()
    facts_scope = scope
    if skip and connection.vendor == "postgresql":
        customers = list(customers)
        wanted = [customer_id for customer_id in customers if customer_id not in skip]
        if len(wanted) < _NARROW_BELOW * len(customers):
            # Read the facts of the customers left to evaluate only, through the customer index.
            facts_scope = {"customer_id__in": wanted or [0]}
    accounts = _groups(
        ElectricityAccount.objects.filter(**facts_scope)
        .order_by("customer_id")
        .values_list("customer_id", *ACCOUNT_COLUMNS)
        .iterator(chunk_size=FETCH_SIZE)
    )
    events = _groups(
        counted_events(as_of=as_of)
        .filter(**facts_scope)
        .filter(Q(occurred_on__gt=window_start) | Q(type__in=ever_counted))
        .order_by("customer_id")
        .values_list("customer_id", *EVENT_COLUMNS)
        .iterator(chunk_size=FETCH_SIZE)
    )
    reports = _groups(
        counted_reports(as_of=as_of)
        .filter(**facts_scope)
        .order_by("customer_id")
        .values_list("customer_id", *REPORT_COLUMNS)
        .iterator(chunk_size=FETCH_SIZE)
    )
    next_dated = next_dated_facts(as_of=as_of, **facts_scope) if with_ratings else {}
    account_key, account_rows = next(accounts, _END)
    event_key, event_rows = next(events, _END)
    report_key, report_rows = next(reports, _END)
    for customer_id in customers:
        if customer_id in skip:
            # Its rating holds: nothing to read or evaluate (its fact rows, if read, are passed over).
            while rating_key < customer_id:
                rating_key, rating_rows = next(ratings, _END)
            if rating_key == customer_id:
                yield customer_id, None, rating_rows[0], None
                continue
        # A stream can be ahead of the customers only by rows of customers created meanwhile.
        while rating_key < customer_id:
            rating_key, rating_rows = next(ratings, _END)
        while account_key < customer_id:
            account_key, account_rows = next(accounts, _END)
        while event_key < customer_id:
            event_key, event_rows = next(events, _END)
        while report_key < customer_id:
            report_key, report_rows = next(reports, _END)

        own_accounts: list[tuple] = []
        if account_key == customer_id:
            own_accounts = account_rows
            account_key, account_rows = next(accounts, _END)
        own_events: list[tuple] = []
        if event_key == customer_id:
            own_events = event_rows
            event_key, event_rows = next(events, _END)
        own_reports: list[tuple] = []
        if report_key == customer_id:
            own_reports = report_rows
            report_key, report_rows = next(reports, _END)
        stored = None
        if rating_key == customer_id:
            stored = rating_rows[0]
            rating_key, rating_rows = next(ratings, _END)
        facts = facts_from_rows(as_of=as_of, accounts=own_accounts, events=own_events, reports=own_reports)
        yield customer_id, facts, stored, next_dated.get(customer_id)


def _write(batch: list[Rated], *, as_of: date, book: rules.RuleBook, cause: str, cause_ref: str, stats: RangeStats):
    """Hand a batch to the one writer (``changes.ratings_write``) and count what it applied."""
    done = ratings_write(batch, as_of=as_of, book=book, cause=cause, cause_ref=cause_ref)
    stats.written += done.written
    stats.created += done.created
    stats.extended += done.extended
    stats.skipped += done.skipped
    stats.level_changes += done.level_changes
    stats.notices += done.notices


def _explained(
    facts: rules.Facts, level: str, decided: tuple[str, tuple[str, ...]], book: rules.RuleBook
) -> tuple[str, dict]:
    """The explanation of a rating to write and, for a level a reminder or letter follows, its basis.

    Most customers are honest: their explanation comes from the memo, and nothing quotes their
    findings. The others get the decided rules' findings (``rules.explain_decided``), on their facts
    in the portal's order (newest first, as ``customer_facts`` reads them), so the explanation reads
    as one customer's re-rating writes it."""
    if level not in EXPLAINED_LEVELS and decided[0] not in EXPLAINED_LEVELS:
        return _explanation(_facts_key(facts, decided, book), book), {}
    ordered = dataclasses.replace(
        facts,
        events=tuple(sorted(facts.events, key=lambda e: (e.occurred_on, e.ref), reverse=True)),
        reports=tuple(sorted(facts.reports, key=lambda r: (r.issued_on, r.ref), reverse=True)),
    )
    result = rules.explain_decided(ordered, book, decided=decided)
    return result.explanation, basis_of(result, level=level)


def _facts_key(facts: rules.Facts, decided: tuple[str, tuple[str, ...]], book: rules.RuleBook) -> tuple:
    """What an honest level's explanation depends on: the decided level and rules, and the facts they
    read without record ids, in the portal's order.

    ``customer_facts`` lists events and reports newest first (the models' ordering); the same
    order here gives the same text where two records share a date. ``account_opened_on`` is
    informative only (RATING_RULES.md) and left out, and so are the events the decided rules cannot
    quote (``rules.explained_events``: other types, or older than their windows), so that customers
    whose explanations read alike share a key.
    """
    quoted = rules.explained_events(facts.events, facts.as_of, rules.events_read(book, decided[1]))
    events = tuple(
        (e.type, e.occurred_on, e.amount_yuan, e.voltage_kv, e.severity, e.repaired_on)
        for e in sorted(quoted, key=lambda e: (e.occurred_on, e.ref), reverse=True)
    )
    reports = tuple(
        (r.issued_on, r.shows_dishonesty)
        for r in sorted(facts.reports, key=lambda r: (r.issued_on, r.ref), reverse=True)
    )
    return (facts.as_of, decided, facts.payment_method, facts.arrears_since, reports, events)


@functools.lru_cache(maxsize=16_384)
def _explanation(key: tuple, book: rules.RuleBook = rules.V1) -> str:
    """The explanation for facts given as a ``_facts_key`` (``rules.explain``, as ``evaluate`` words it)."""
    as_of, decided, payment_method, arrears_since, reports, events = key
    facts = rules.Facts(
        as_of=as_of,
        payment_method=payment_method,
        arrears_since=arrears_since,
        reports=tuple(rules.Report(issued_on, shows) for issued_on, shows in reports),
        events=tuple(rules.Event(*event) for event in events),
    )
    return rules.explain(facts, book, decided=decided)[2]
