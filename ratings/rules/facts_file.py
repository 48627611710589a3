"""The facts file of the rating test bench (JSON): parsing it, and a result as JSON."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from archives.vocabulary import EVENT_TYPES, PAYMENT_METHODS

from .facts import Event, Facts, Report, Result

# --------------------------------------------------------------------------------------------
# The facts file (rating test bench)
# --------------------------------------------------------------------------------------------


class FactsError(ValueError):
    """Invalid facts input; ``message`` is one line naming the bad field."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field  # "" for the facts object itself
        self.problem = problem
        self.message = f"{field or 'facts'}: {problem}"
        super().__init__(self.message)

    def at_index(self, index: int) -> FactsError:
        """The same error for the facts object at ``index`` of an array."""
        separator = "." if self.field and not self.field.startswith("[") else ""
        return FactsError(f"[{index}]{separator}{self.field}", self.problem)


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(value: object, field: str) -> date:
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise FactsError(field, "must be a date YYYY-MM-DD")


def _optional_date(value: object, field: str) -> date | None:
    return None if value is None else _date(value, field)


def _number(value: object, field: str, strictly_positive: bool) -> Decimal:
    problem = "must be a number > 0" if strictly_positive else "must be a number ≥ 0"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise FactsError(field, f"{problem}")
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    if not number.is_finite() or number < 0 or (strictly_positive and number == 0):
        raise FactsError(field, f"{problem}")
    return number


def _object(value: object, field: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise FactsError(field, "must be an object")
    return value


def _array(value: object, field: str) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FactsError(field, "must be an array")
    return value


def _parse_event(obj: object, index: int) -> Event:
    field = f"events[{index}]"
    data = _object(obj, field)
    code = data.get("type")
    if code is None:
        raise FactsError(f"{field}.type", "required")
    if not isinstance(code, str) or code not in EVENT_TYPES:
        shown = f'"{code}"' if isinstance(code, str) else "(not a string)"
        raise FactsError(f"{field}.type", f"unknown event type {shown}")
    attribute = EVENT_TYPES[code].attribute
    values: dict[str, object] = {}
    if attribute is not None:
        name = f"{field}.{attribute.name}"
        raw = data.get(attribute.name)
        if attribute.choices:
            if not isinstance(raw, str) or raw not in attribute.choice_labels:
                allowed = ", ".join(f'"{value}"' for value, _ in attribute.choices)
                raise FactsError(name, f"must be one of {allowed}")
            values[attribute.name] = raw
        else:
            values[attribute.name] = _number(raw, name, attribute.strictly_positive)
    occurred_on = _date(data.get("occurred_on"), f"{field}.occurred_on")
    repaired_on = _optional_date(data.get("repaired_on"), f"{field}.repaired_on")
    if repaired_on is not None and repaired_on < occurred_on:
        raise FactsError(f"{field}.repaired_on", "must not be before occurred_on")
    return Event(type=code, occurred_on=occurred_on, repaired_on=repaired_on, ref=index, **values)


def _parse_report(obj: object, index: int) -> Report:
    field = f"public_credit_reports[{index}]"
    data = _object(obj, field)
    issued_on = _date(data.get("issued_on"), f"{field}.issued_on")
    shows = data.get("shows_dishonesty")
    if not isinstance(shows, bool):
        raise FactsError(f"{field}.shows_dishonesty", "must be true or false")
    return Report(issued_on=issued_on, shows_dishonesty=shows, ref=index)


def parse_facts(obj: object) -> Facts:
    """Facts from one decoded facts-file object; raises FactsError naming the bad field."""
    data = _object(obj, "")
    as_of = _date(data.get("as_of"), "as_of")
    customer = _object(data.get("customer"), "customer")
    method = customer.get("payment_method")
    if not isinstance(method, str) or method not in PAYMENT_METHODS:
        raise FactsError("customer.payment_method", 'must be "prepaid" or "postpaid"')
    return Facts(
        as_of=as_of,
        payment_method=method,
        arrears_since=_optional_date(customer.get("arrears_since"), "customer.arrears_since"),
        account_opened_on=_optional_date(customer.get("account_opened_on"), "customer.account_opened_on"),
        reports=tuple(
            _parse_report(r, i)
            for i, r in enumerate(_array(data.get("public_credit_reports"), "public_credit_reports"))
        ),
        events=tuple(_parse_event(e, i) for i, e in enumerate(_array(data.get("events"), "events"))),
    )


def result_to_json(result: Result) -> dict[str, object]:
    """The facts-file result object: level, honest, rules and explanation."""
    return {
        "level": result.level,
        "honest": result.honest,
        "rules": list(result.rules),
        "explanation": result.explanation,
    }
