"""Repaired events (信用修复) in the pure rules and the facts file: they count up to the day before their repair."""

from __future__ import annotations

from datetime import date

import pytest

from ratings import rules
from tests.ratings.builders import CLEAN_REPORT, FACTS_FILE_EXAMPLE

THEFT = rules.Event(type="theft", occurred_on=date(2026, 2, 10), amount_yuan=120000, ref="theft")


def _facts(*events: rules.Event, as_of: date = date(2026, 11, 28)) -> rules.Facts:
    return rules.Facts(as_of=as_of, payment_method="prepaid", reports=(CLEAN_REPORT,), events=events)


def _repaired(on: date) -> rules.Event:
    return rules.Event(
        type=THEFT.type, occurred_on=THEFT.occurred_on, amount_yuan=THEFT.amount_yuan, repaired_on=on, ref="theft"
    )


def test_an_event_counts_until_the_day_before_its_repair_and_in_no_evaluation_from_it():
    repaired = _repaired(date(2026, 9, 1))

    assert rules.evaluate_level(_facts(repaired, as_of=date(2026, 8, 31))) == ("red", ("red.3",))
    assert rules.evaluate_level(_facts(repaired, as_of=date(2026, 9, 1)))[0] == "green"
    assert rules.evaluate(_facts(repaired, as_of=date(2026, 9, 1))).level == "green"


def test_the_explanation_names_no_repaired_event():
    other = rules.Event(type="theft", occurred_on=date(2026, 5, 20), amount_yuan=3000, ref="other")

    result = rules.evaluate(_facts(_repaired(date(2026, 9, 1)), other))

    assert result.rules == ("red.3",)
    events = [e.ref for f in result.findings for e in f.evidence if e.kind == "event"]
    assert "theft" not in events and "other" in events


def test_a_repaired_event_holds_no_customer_and_a_coming_repair_is_a_boundary():
    # The clean report of 2026-06-01 stops being valid on 2027-06-01: the only other boundary.
    assert rules.stable_until(_facts(_repaired(date(2026, 9, 1)))) == date(2027, 5, 31)
    assert rules.stable_until(_facts(THEFT)) == date(2027, 2, 9)  # the theft leaves the year on 10 Feb
    assert rules.stable_until(_facts(_repaired(date(2026, 12, 10)))) == date(2026, 12, 9)


def test_the_facts_file_reads_repaired_on_and_without_it_nothing_changes():
    document = {**FACTS_FILE_EXAMPLE, "events": [{**FACTS_FILE_EXAMPLE["events"][0], "repaired_on": "2026-09-01"}]}

    facts = rules.parse_facts(document)

    assert facts.events[0].repaired_on == date(2026, 9, 1)
    assert rules.parse_facts(FACTS_FILE_EXAMPLE).events[0].repaired_on is None
    unrepaired = {**FACTS_FILE_EXAMPLE["events"][0], "repaired_on": None}
    assert rules.parse_facts({**FACTS_FILE_EXAMPLE, "events": [unrepaired]}).events[0].repaired_on is None


@pytest.mark.parametrize(
    ("repaired_on", "message"),
    [
        ("2026-9-1", "events[0].repaired_on: must be a date YYYY-MM-DD"),
        ("2026-02-30", "events[0].repaired_on: must be a date YYYY-MM-DD"),
        (20260901, "events[0].repaired_on: must be a date YYYY-MM-DD"),
        ("2026-02-09", "events[0].repaired_on: must not be before occurred_on"),
    ],
)
def test_a_bad_repair_date_in_the_facts_file_is_named(repaired_on, message):
    document = {**FACTS_FILE_EXAMPLE, "events": [{**FACTS_FILE_EXAMPLE["events"][0], "repaired_on": repaired_on}]}

    with pytest.raises(rules.FactsError) as error:
        rules.parse_facts(document)

    assert error.value.message == message
