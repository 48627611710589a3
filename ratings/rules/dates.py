"""The calendar of the rules: whole years and months, the windows, when an event leaves one."""

from __future__ import annotations

import functools
from datetime import date, timedelta

from archives.vocabulary import add_months

# --------------------------------------------------------------------------------------------
# Calendar helpers
# --------------------------------------------------------------------------------------------


def add_years(d: date, years: int) -> date:
    """``d`` moved by whole calendar years; 29 Feb becomes 28 Feb in a common year."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def months_in_arrears(arrears_since: date | None, as_of: date) -> int:
    """Largest m with ``arrears_since + m months <= as_of``; 0 when not in arrears."""
    if arrears_since is None or arrears_since > as_of:
        return 0
    months = (as_of.year - arrears_since.year) * 12 + as_of.month - arrears_since.month
    if add_months(arrears_since, months) > as_of:
        months -= 1
    return months


def within(occurred_on: date, as_of: date, years: int) -> bool:
    """True when ``as_of - years < occurred_on <= as_of``."""
    return add_years(as_of, -years) < occurred_on <= as_of


def window_exit(occurred_on: date, years: int) -> date:
    """The first evaluation date on which ``occurred_on`` is no longer within ``years``."""
    exit_on = add_years(occurred_on, years)
    # An event on 29 Feb still counts on 28 Feb n years later (28 Feb − n years < 29 Feb).
    if add_years(exit_on, -years) < occurred_on:
        exit_on += timedelta(days=1)
    return exit_on


@functools.lru_cache(maxsize=256)
def window_starts(as_of: date, short_years: int = 1, long_years: int = 3) -> tuple[date, date]:
    # Bulk re-rating evaluates a million customers at one as_of: compute the bounds once.
    return add_years(as_of, -short_years), add_years(as_of, -long_years)
