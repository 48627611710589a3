"""Properties of the rules over generated facts (hypothesis)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ratings import rules
from tests.ratings.builders import RANK

SETTINGS = settings(max_examples=200, deadline=None)

AS_OF_DATES = [date(2026, 11, 28), date(2028, 2, 29), date(2025, 3, 1), date(2027, 2, 28), date(2026, 1, 31)]
AMOUNTS = [Decimal(0), Decimal(1000), Decimal("499999.99"), Decimal(500000), Decimal(750000)]
VOLTAGES = [Decimal("0.4"), Decimal(10), Decimal(20), Decimal(35), Decimal(110)]


@st.composite
def events(draw: st.DrawFn, as_of: date, min_age_days: int = -30, max_age_days: int = 1900) -> rules.Event:
    """An event of any type, from a month after as_of back to about five years before it."""
    code = draw(st.sampled_from(sorted(rules.EVENT_TYPES)))
    occurred_on = as_of - timedelta(days=draw(st.integers(min_age_days, max_age_days)))
    attribute = rules.EVENT_TYPES[code].attribute
    values: dict[str, object] = {}
    if attribute is not None:
        if attribute.choices:
            values["severity"] = draw(st.sampled_from([value for value, _ in attribute.choices]))
        elif attribute.name == "amount_yuan":
            values["amount_yuan"] = draw(st.sampled_from(AMOUNTS))
        else:
            values["voltage_kv"] = draw(st.sampled_from(VOLTAGES))
    return rules.Event(type=code, occurred_on=occurred_on, ref=draw(st.integers()), **values)


@st.composite
def facts(draw: st.DrawFn, max_events: int = 10) -> rules.Facts:
    """Facts around interesting dates, with 0–10 events and 0–3 reports."""
    as_of = draw(st.sampled_from(AS_OF_DATES))
    arrears_since = draw(st.none() | st.integers(-30, 400).map(lambda days: as_of - timedelta(days=days)))
    reports = draw(
        st.lists(
            st.builds(
                rules.Report,
                issued_on=st.integers(-30, 500).map(lambda days: as_of - timedelta(days=days)),
                shows_dishonesty=st.booleans(),
            ),
            max_size=3,
        )
    )
    return rules.Facts(
        as_of=as_of,
        payment_method=draw(st.sampled_from(["prepaid", "postpaid"])),
        arrears_since=arrears_since,
        reports=tuple(reports),
        events=tuple(draw(st.lists(events(as_of), max_size=max_events))),
    )


def _with_events(f: rules.Facts, events: tuple[rules.Event, ...]) -> rules.Facts:
    return rules.Facts(f.as_of, f.payment_method, f.arrears_since, f.account_opened_on, f.reports, events)


@SETTINGS
@given(facts())
def test_evaluate_level_agrees_with_evaluate(f: rules.Facts) -> None:
    result = rules.evaluate(f)
    assert rules.evaluate_level(f) == (result.level, result.rules)
    assert result.honest == (result.level in rules.HONEST_LEVELS)
    assert list(result.rules) == sorted(result.rules, key=rules.rule_sort_key)


@SETTINGS
@given(facts())
def test_explain_gives_exactly_the_level_rules_and_explanation_of_evaluate(f: rules.Facts) -> None:
    result = rules.evaluate(f)
    assert rules.explain(f) == (result.level, result.rules, result.explanation)


@SETTINGS
@given(facts())
def test_a_decided_explanation_reads_only_the_events_its_rules_can_quote(f: rules.Facts) -> None:
    """What the nightly run's memo of explanations rests on (``ratings.bulk._facts_key``): given the decided
    level and rules, events of other types, or older than the windows the rules count them in, change
    nothing in the explanation."""
    result = rules.evaluate(f)
    read = rules.events_read(rules.V1, result.rules)
    only_read = dataclasses.replace(f, events=rules.explained_events(f.events, f.as_of, read))
    assert rules.explain(only_read, decided=(result.level, result.rules)) == (
        result.level,
        result.rules,
        result.explanation,
    )


@SETTINGS
@given(facts())
def test_explain_decided_gives_what_evaluate_gives_of_the_decided_rules(f: rules.Facts) -> None:
    result = rules.evaluate(f)
    decided = rules.explain_decided(f)
    by_rule = {finding.rule: finding for finding in result.findings}
    assert (decided.level, decided.honest, decided.rules, decided.explanation) == (
        result.level,
        result.honest,
        result.rules,
        result.explanation,
    )
    assert (decided.unmet, decided.improvements) == (result.unmet, result.improvements)
    assert decided.findings == tuple(by_rule[rule] for rule in result.rules)


@SETTINGS
@given(st.data())
def test_adding_an_in_force_event_never_raises_the_level(data: st.DataObject) -> None:
    f = data.draw(facts())
    added = data.draw(events(f.as_of, min_age_days=0))
    before, _ = rules.evaluate_level(f)
    after, _ = rules.evaluate_level(_with_events(f, (*f.events, added)))
    assert RANK[after] <= RANK[before]


@SETTINGS
@given(facts(), st.data())
def test_revoking_an_event_never_lowers_the_level(f: rules.Facts, data: st.DataObject) -> None:
    if not f.events:
        return
    index = data.draw(st.integers(0, len(f.events) - 1))
    before, _ = rules.evaluate_level(f)
    after, _ = rules.evaluate_level(_with_events(f, f.events[:index] + f.events[index + 1 :]))
    assert RANK[after] >= RANK[before]


@SETTINGS
@given(st.data())
def test_an_event_older_than_three_years_changes_nothing_but_green_3(data: st.DataObject) -> None:
    f = data.draw(facts())
    three_years_ago = rules.add_years(f.as_of, -3)
    old = data.draw(events(f.as_of, min_age_days=(f.as_of - three_years_ago).days, max_age_days=4000))
    assert not rules.within(old.occurred_on, f.as_of, 3)
    before = rules.evaluate_level(f)
    after = rules.evaluate_level(_with_events(f, (*f.events, old)))
    if after != before:
        assert old.type in ("unauthorized_use", "theft")
        assert before[0] == "green"
        assert after == ("blue", ("blue.1", "blue.2", "blue.3"))


@SETTINGS
@given(st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.integers(1, 3))
def test_an_event_counts_until_the_day_before_its_window_exit(occurred_on: date, years: int) -> None:
    exit_on = rules.window_exit(occurred_on, years)
    assert rules.within(occurred_on, exit_on - timedelta(days=1), years)
    assert not rules.within(occurred_on, exit_on, years)


@SETTINGS
@given(st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.integers(0, 2000))
def test_months_in_arrears_is_the_largest_whole_month_count(since: date, days: int) -> None:
    as_of = since + timedelta(days=days)
    months = rules.months_in_arrears(since, as_of)
    assert rules.add_months(since, months) <= as_of < rules.add_months(since, months + 1)


@SETTINGS
@given(facts(), st.lists(st.integers(0, 2000), max_size=6))
def test_an_evaluation_holds_on_every_date_up_to_stable_until(f: rules.Facts, offsets: list[int]) -> None:
    until = rules.stable_until(f)
    assert until >= f.as_of
    expected = rules.evaluate_level(f)
    span = (min(until, f.as_of + timedelta(days=2000)) - f.as_of).days
    days = {0, span, *(offset % (span + 1) for offset in offsets)}
    for day in days:
        later = rules.Facts(
            f.as_of + timedelta(days=day), f.payment_method, f.arrears_since, f.account_opened_on, f.reports, f.events
        )
        assert rules.evaluate_level(later) == expected, (day, until)


def test_stable_until_is_the_day_before_the_first_window_boundary() -> None:
    as_of = date(2026, 11, 28)
    late = rules.Event(type="late_payment", occurred_on=date(2026, 3, 1))
    report = rules.Report(issued_on=date(2026, 1, 10), shows_dishonesty=False)
    assert rules.stable_until(rules.Facts(as_of, "postpaid", None, None, (), ())) == date.max
    assert rules.stable_until(rules.Facts(as_of, "postpaid", None, None, (), (late,))) == date(2027, 2, 28)
    assert rules.stable_until(rules.Facts(as_of, "postpaid", None, None, (report,), (late,))) == date(2027, 1, 9)
    in_arrears = rules.Facts(as_of, "postpaid", date(2026, 10, 31), None, (report,), (late,))
    assert rules.stable_until(in_arrears) == date(2026, 11, 29)  # a whole month on 30 November
