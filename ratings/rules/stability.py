"""How long an evaluation holds: the last date on which the same facts are judged the same.

A customer's facts only change in a transaction that re-rates it (the archive announces every
change), so between two such changes only the date moves: events leave the one- and three-year
windows, a report stops being valid a year after its issue, arrears age by whole months, a dated
fact after the evaluation date enters on its date, and a repaired event leaves on its repair date.
``stable_until`` is the day before the first of those boundaries after ``facts.as_of``: any
evaluation date up to it gives the same level and rule ids, so the nightly run need not read or
evaluate the customer until then.
"""

from __future__ import annotations

from datetime import date, timedelta

from .book import V1, RuleBook
from .dates import add_months, months_in_arrears, window_exit
from .facts import Facts

_ONE_DAY = timedelta(days=1)


def stable_until(facts: Facts, *, next_dated: date | None = None, book: RuleBook = V1) -> date:
    """The last evaluation date on which ``facts`` give the level and rule ids they give on ``facts.as_of``.

    The windows and the report validity are the rule book's (one and three years, one year in v1).

    ``next_dated``: the earliest date of an event or report dated after ``as_of`` that the facts as read
    leave out (it counts from that date on). ``date.max`` when no date can ever cross a boundary.
    """
    as_of = facts.as_of
    event_window_years = book.event_window_years
    report_valid_years = book.report_valid_years
    first = date.max if next_dated is None or next_dated <= as_of else next_dated

    def boundary(on: date) -> None:
        nonlocal first
        if as_of < on < first:
            first = on

    for event in facts.events:
        occurred_on = event.occurred_on
        repaired_on = event.repaired_on
        if repaired_on is not None:
            if repaired_on <= as_of:
                continue  # repaired: it counts on no later date, so it holds nothing
            boundary(repaired_on)  # it stops counting on its repair date
            if repaired_on <= occurred_on:
                continue  # repaired before it would count: it never enters
        if occurred_on > as_of:
            boundary(occurred_on)
            continue
        for years in event_window_years:
            boundary(window_exit(occurred_on, years))
    for report in facts.reports:
        issued_on = report.issued_on
        boundary(issued_on if issued_on > as_of else window_exit(issued_on, report_valid_years))
    arrears_since = facts.arrears_since
    if arrears_since is not None:
        if arrears_since > as_of:
            boundary(arrears_since)
        else:
            boundary(add_months(arrears_since, months_in_arrears(arrears_since, as_of) + 1))
    return first if first == date.max else first - _ONE_DAY
