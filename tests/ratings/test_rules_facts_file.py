"""Parsing the facts file format (parse_facts): strict fields, one-line errors naming the field."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest

from ratings import rules
from tests.ratings.builders import FACTS_FILE_EXAMPLE as VALID


def _changed(path: tuple, value: object) -> dict:
    """VALID with the field at ``path`` set to ``value`` (or removed for the ``...`` value)."""
    obj = copy.deepcopy(VALID)
    target = obj
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return obj


def test_valid_facts_are_parsed_with_refs_pointing_to_list_positions() -> None:
    facts = rules.parse_facts(VALID)
    assert facts.as_of == date(2026, 11, 28)
    assert facts.payment_method == "prepaid"
    assert facts.arrears_since is None
    assert facts.account_opened_on == date(2015, 3, 1)
    assert facts.reports == (rules.Report(date(2026, 6, 1), False, ref=0),)
    assert facts.events[0] == rules.Event("theft", date(2026, 2, 10), amount_yuan=Decimal(120000), ref=0)
    assert facts.events[1].voltage_kv == Decimal(10)
    assert facts.events[2].severity == "minor"


def test_optional_fields_default_to_empty_and_unknown_keys_are_ignored() -> None:
    facts = rules.parse_facts({"as_of": "2026-11-28", "customer": {"payment_method": "postpaid"}, "note": "x"})
    assert (facts.arrears_since, facts.account_opened_on, facts.reports, facts.events) == (None, None, (), ())


def test_float_amounts_become_exact_decimals() -> None:
    facts = rules.parse_facts(_changed(("events", 0, "amount_yuan"), 499999.99))
    assert facts.events[0].amount_yuan == Decimal("499999.99")


def test_attributes_of_other_types_are_ignored() -> None:
    facts = rules.parse_facts(_changed(("events", 0, "voltage_kv"), "not a number"))
    assert facts.events[0].voltage_kv is None


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("as_of",), ..., "as_of: must be a date YYYY-MM-DD"),
        (("as_of",), "2026-1-5", "as_of: must be a date YYYY-MM-DD"),
        (("as_of",), "2026-11-28T00:00:00", "as_of: must be a date YYYY-MM-DD"),
        (("as_of",), "2026-02-30", "as_of: must be a date YYYY-MM-DD"),
        (("as_of",), 20261128, "as_of: must be a date YYYY-MM-DD"),
        (("as_of",), "20261128", "as_of: must be a date YYYY-MM-DD"),
        (("customer",), ..., "customer: must be an object"),
        (("customer", "payment_method"), ..., 'customer.payment_method: must be "prepaid" or "postpaid"'),
        (("customer", "payment_method"), "cash", 'customer.payment_method: must be "prepaid" or "postpaid"'),
        (("customer", "payment_method"), ["prepaid"], 'customer.payment_method: must be "prepaid" or "postpaid"'),
        (("customer", "arrears_since"), "2026/01/05", "customer.arrears_since: must be a date YYYY-MM-DD"),
        (("customer", "account_opened_on"), 2015, "customer.account_opened_on: must be a date YYYY-MM-DD"),
        (("public_credit_reports",), {}, "public_credit_reports: must be an array"),
        (("public_credit_reports", 0), "x", "public_credit_reports[0]: must be an object"),
        (
            ("public_credit_reports", 0, "shows_dishonesty"),
            "false",
            "public_credit_reports[0].shows_dishonesty: must be true or false",
        ),
        (
            ("public_credit_reports", 0, "shows_dishonesty"),
            0,
            "public_credit_reports[0].shows_dishonesty: must be true or false",
        ),
        (
            ("public_credit_reports", 0, "issued_on"),
            None,
            "public_credit_reports[0].issued_on: must be a date YYYY-MM-DD",
        ),
        (("events",), "none", "events: must be an array"),
        (("events", 1, "type"), "foo", 'events[1].type: unknown event type "foo"'),
        (("events", 1, "type"), ..., "events[1].type: required"),
        (("events", 1, "occurred_on"), "2026-5-3", "events[1].occurred_on: must be a date YYYY-MM-DD"),
        (("events", 0, "amount_yuan"), ..., "events[0].amount_yuan: must be a number ≥ 0"),
        (("events", 0, "amount_yuan"), -1, "events[0].amount_yuan: must be a number ≥ 0"),
        (("events", 0, "amount_yuan"), "100", "events[0].amount_yuan: must be a number ≥ 0"),
        (("events", 0, "amount_yuan"), True, "events[0].amount_yuan: must be a number ≥ 0"),
        (("events", 0, "amount_yuan"), Decimal("NaN"), "events[0].amount_yuan: must be a number ≥ 0"),
        (("events", 1, "voltage_kv"), 0, "events[1].voltage_kv: must be a number > 0"),
        (("events", 1, "voltage_kv"), None, "events[1].voltage_kv: must be a number > 0"),
        (("events", 2, "severity"), "general", 'events[2].severity: must be one of "minor", "serious"'),
        (("events", 2, "severity"), ..., 'events[2].severity: must be one of "minor", "serious"'),
    ],
)
def test_bad_field_is_named_in_a_one_line_error(path: tuple, value: object, message: str) -> None:
    with pytest.raises(rules.FactsError) as raised:
        rules.parse_facts(_changed(path, value))
    assert raised.value.message == message
    assert str(raised.value) == message
    assert "\n" not in message


def test_facts_that_are_not_an_object_are_rejected() -> None:
    with pytest.raises(rules.FactsError) as raised:
        rules.parse_facts([])
    assert raised.value.message == "facts: must be an object"
    assert raised.value.at_index(3).message == "[3]: must be an object"


def test_error_at_an_array_index_keeps_the_field() -> None:
    with pytest.raises(rules.FactsError) as raised:
        rules.parse_facts(_changed(("events", 0, "type"), "foo"))
    assert raised.value.at_index(3).message == '[3].events[0].type: unknown event type "foo"'
