"""Small builders for rating facts, shared by the rules tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ratings import rules

AS_OF = date(2026, 11, 28)
#: The facts-file example of RATING_RULES.md, with one more event (decoded JSON).
FACTS_FILE_EXAMPLE = {
    "as_of": "2026-11-28",
    "customer": {"account_opened_on": "2015-03-01", "payment_method": "prepaid", "arrears_since": None},
    "public_credit_reports": [{"issued_on": "2026-06-01", "shows_dishonesty": False}],
    "events": [
        {"type": "theft", "occurred_on": "2026-02-10", "amount_yuan": 120000},
        {"type": "grid_outage", "occurred_on": "2026-05-03", "voltage_kv": 10},
        {"type": "facility_damage", "occurred_on": "2026-05-04", "severity": "minor"},
    ],
}
CLEAN_REPORT = rules.Report(issued_on=date(2026, 6, 1), shows_dishonesty=False, ref="report")

#: Rank of a rating state, higher is better: a negative event may only lower it.
RANK = {"green": 5, "blue": 4, "unrated": 3, "yellow": 2, "red": 1, "black": 0}


def event(type: str, occurred_on: date, ref: object = None, **attributes: object) -> rules.Event:
    """An event; numbers given as int/str/float become Decimal."""
    for name in ("amount_yuan", "voltage_kv"):
        if name in attributes and attributes[name] is not None:
            attributes[name] = Decimal(str(attributes[name]))
    return rules.Event(type=type, occurred_on=occurred_on, ref=ref, **attributes)


def facts(
    *events: rules.Event,
    as_of: date = AS_OF,
    payment_method: str = "prepaid",
    arrears_since: date | None = None,
    reports: tuple[rules.Report, ...] = (CLEAN_REPORT,),
    account_opened_on: date | None = date(2015, 3, 1),
) -> rules.Facts:
    """Facts of a clean prepaid customer with a valid clean report, plus the given events."""
    return rules.Facts(
        as_of=as_of,
        payment_method=payment_method,
        arrears_since=arrears_since,
        account_opened_on=account_opened_on,
        reports=reports,
        events=tuple(events),
    )


def rate(f: rules.Facts) -> tuple[str, tuple[str, ...]]:
    """Level and rules by the full evaluator, checked against the fast path."""
    result = rules.evaluate(f)
    assert rules.evaluate_level(f) == (result.level, result.rules)
    return result.level, result.rules
