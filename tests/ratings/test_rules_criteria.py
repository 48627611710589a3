"""Each criterion of RATING_RULES.md at its boundaries: counts, windows, leap days, month ends."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

import pytest

from ratings import rules
from tests.ratings.builders import AS_OF, CLEAN_REPORT, event, facts, rate

DAY = timedelta(days=1)
RECENT = [date(2026, month, 1) for month in range(1, 11)]  # all within one year of AS_OF
GREEN_RULES = ("green.1", "green.2", "green.3", "green.4")
BLUE_RULES = ("blue.1", "blue.2", "blue.3")


def _many(type: str, n: int, **attributes: object) -> list[rules.Event]:
    return [event(type, RECENT[i], ref=i, **attributes) for i in range(n)]


# --- the table itself ------------------------------------------------------------------------


def test_criteria_table_holds_every_rule_id_of_the_plan_in_order() -> None:
    expected = (
        [f"black.{i}" for i in range(1, 12)]
        + [f"red.{i}" for i in range(1, 10)]
        + [f"yellow.{i}" for i in range(1, 5)]
        + [f"green.{i}" for i in range(1, 5)]
        + [f"blue.{i}" for i in range(1, 4)]
    )
    assert [c.id for c in rules.CRITERIA] == expected
    assert all(c.level == c.id.split(".")[0] for c in rules.CRITERIA)
    assert all(c.plan_text and c.condition for c in rules.CRITERIA)


def test_every_warning_criterion_counts_within_one_year_only() -> None:
    for criterion in rules.CRITERIA:
        if criterion.level in rules.NEGATIVE_LEVELS:
            assert criterion.windows in ((), ("1y",)), criterion.id


def test_criteria_name_only_known_event_types_and_decisions() -> None:
    for criterion in rules.CRITERIA:
        assert set(criterion.event_types) <= set(rules.EVENT_TYPES)
        assert all(isinstance(d, rules.Decision) for d in criterion.decision_notes)
    assert {"unrated", "windows", "red4", "green3_blue2", "report_validity", "arrears_months"} <= {
        d.id for d in rules.DECISIONS
    }


def test_decision_notes_are_attached_where_the_rules_mark_a_decision() -> None:
    noted = {c.id: set(c.decisions) for c in rules.CRITERIA}
    assert "red4" in noted["red.4"]
    assert "green3_blue2" in noted["green.3"] and "green3_blue2" in noted["blue.2"]
    assert "report_validity" in noted["green.4"] and "report_validity" in noted["blue.3"]
    for rule in ("red.8", "red.9", "black.8", "black.9", "black.10", "black.11"):
        assert "windows" in noted[rule]


def test_conditions_are_worded_from_the_table() -> None:
    by_id = rules.CRITERIA_BY_ID
    assert by_id["red.2"].condition == "一年内未按期交付电费3次及以上5次以下"
    assert by_id["red.1"].condition == "拖欠电费3个月及以上6个月以内"
    assert by_id["yellow.1"].condition == "拖欠电费2个月及以上3个月以内"
    assert "金额50万元及以上" in by_id["black.3"].condition
    assert by_id["green.3"].condition == "自立户起无违约用电或窃电行为"


def test_rules_version_is_twelve_hex_digits_and_changes_with_any_threshold() -> None:
    assert re.fullmatch(r"[0-9a-f]{12}", rules.RULES_VERSION)
    same = rules.compute_rules_version(rules.CRITERIA, rules.DECISIONS, rules.EVENT_TYPES)
    assert same == rules.RULES_VERSION
    black2 = rules.CRITERIA_BY_ID["black.2"]
    changed_clause = dataclasses.replace(black2.any_of[0][0], at_least=6)
    changed = tuple(dataclasses.replace(c, any_of=((changed_clause,),)) if c is black2 else c for c in rules.CRITERIA)
    assert rules.compute_rules_version(changed, rules.DECISIONS, rules.EVENT_TYPES) != rules.RULES_VERSION


def test_rule_sort_key_puts_black_2_before_black_10() -> None:
    assert sorted(["black.10", "black.2", "black.1"], key=rules.rule_sort_key) == [
        "black.1",
        "black.2",
        "black.10",
    ]


# --- calendar helpers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (date(2024, 2, 29), -1, date(2023, 2, 28)),
        (date(2024, 2, 29), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2028, 2, 29), -1, date(2027, 2, 28)),
        (date(2026, 11, 28), -3, date(2023, 11, 28)),
    ],
)
def test_add_years_takes_28_february_when_29_does_not_exist(start: date, years: int, expected: date) -> None:
    assert rules.add_years(start, years) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 28), 6, date(2026, 11, 28)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last_day(start: date, months: int, expected: date) -> None:
    assert rules.add_months(start, months) == expected


@pytest.mark.parametrize(
    ("since", "as_of", "months"),
    [
        (None, AS_OF, 0),
        (date(2026, 11, 29), AS_OF, 0),
        (AS_OF, AS_OF, 0),
        (date(2026, 1, 31), date(2026, 2, 28), 1),
        (date(2026, 1, 31), date(2026, 2, 27), 0),
        (date(2026, 8, 31), date(2026, 9, 30), 1),
        (date(2026, 8, 31), date(2026, 9, 29), 0),
        (date(2026, 5, 28), AS_OF, 6),
        (date(2026, 5, 29), AS_OF, 5),
        (date(2023, 2, 28), date(2024, 2, 29), 12),
    ],
)
def test_months_in_arrears_counts_whole_calendar_months(since: date | None, as_of: date, months: int) -> None:
    assert rules.months_in_arrears(since, as_of) == months


@pytest.mark.parametrize(
    ("occurred_on", "as_of", "years", "inside"),
    [
        (date(2025, 11, 28), AS_OF, 1, False),  # the anniversary is out
        (date(2025, 11, 29), AS_OF, 1, True),  # the day after is in
        (AS_OF, AS_OF, 1, True),
        (AS_OF + DAY, AS_OF, 1, False),
        (date(2027, 2, 28), date(2028, 2, 29), 1, False),
        (date(2027, 3, 1), date(2028, 2, 29), 1, True),
        (date(2024, 2, 29), date(2025, 2, 28), 1, True),
        (date(2024, 2, 29), date(2025, 3, 1), 1, False),
        (date(2023, 11, 28), AS_OF, 3, False),
        (date(2023, 11, 29), AS_OF, 3, True),
    ],
)
def test_within_is_open_at_the_anniversary_and_closed_at_as_of(
    occurred_on: date, as_of: date, years: int, inside: bool
) -> None:
    assert rules.within(occurred_on, as_of, years) is inside


def test_window_exit_of_a_leap_day_event_is_1_march() -> None:
    assert rules.window_exit(date(2024, 2, 29), 1) == date(2025, 3, 1)
    assert rules.window_exit(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert rules.window_exit(date(2026, 2, 10), 1) == date(2027, 2, 10)


# --- count thresholds: one below, at, above ---------------------------------------------------


@pytest.mark.parametrize(
    ("type", "attributes", "count", "level", "rule_ids"),
    [
        ("late_payment", {}, 1, "unrated", ("blue.1",)),
        ("late_payment", {}, 2, "yellow", ("yellow.2",)),
        ("late_payment", {}, 3, "red", ("red.2",)),
        ("late_payment", {}, 4, "red", ("red.2",)),
        ("late_payment", {}, 5, "black", ("black.2",)),
        ("late_payment", {}, 6, "black", ("black.2",)),
        ("unauthorized_use", {}, 1, "unrated", ("blue.2",)),
        ("unauthorized_use", {}, 2, "red", ("red.3",)),
        ("unauthorized_use", {}, 3, "black", ("black.3",)),
        ("unauthorized_use", {}, 4, "black", ("black.3",)),
        ("theft", {"amount_yuan": 1000}, 1, "red", ("red.3",)),
        ("theft", {"amount_yuan": 1000}, 2, "black", ("black.3",)),
        ("theft", {"amount_yuan": 0}, 1, "red", ("red.3",)),
        ("theft", {"amount_yuan": "499999.99"}, 1, "red", ("red.3",)),
        ("theft", {"amount_yuan": 500000}, 1, "black", ("black.3",)),
        ("theft", {"amount_yuan": "500000.01"}, 1, "black", ("black.3",)),
        ("dishonesty", {"severity": "general"}, 1, "green", GREEN_RULES),
        ("dishonesty", {"severity": "general"}, 2, "red", ("red.4",)),
        ("dishonesty", {"severity": "general"}, 3, "red", ("red.4",)),
        ("dishonesty", {"severity": "serious"}, 1, "green", GREEN_RULES),
        ("dishonesty", {"severity": "serious"}, 2, "black", ("black.4",)),
        ("dishonesty", {"severity": "serious"}, 3, "black", ("black.4",)),
        ("safety_hazard_unrectified", {}, 1, "green", GREEN_RULES),
        ("safety_hazard_unrectified", {}, 2, "yellow", ("yellow.3",)),
        ("safety_hazard_unrectified", {}, 3, "red", ("red.5",)),
        ("safety_hazard_unrectified", {}, 4, "black", ("black.5",)),
        ("safety_hazard_unrectified", {}, 5, "black", ("black.5",)),
        ("meter_fault_refusal", {}, 1, "yellow", ("yellow.4",)),
        ("meter_fault_refusal", {}, 2, "red", ("red.6",)),
        ("meter_fault_refusal", {}, 3, "black", ("black.6",)),
        ("meter_fault_refusal", {}, 4, "black", ("black.6",)),
        ("grid_outage", {"voltage_kv": 10}, 1, "red", ("red.7",)),
        ("grid_outage", {"voltage_kv": 10}, 2, "black", ("black.7",)),
        ("grid_outage", {"voltage_kv": 20}, 1, "red", ("red.7",)),
        ("grid_outage", {"voltage_kv": 20}, 2, "black", ("black.7",)),
        ("grid_outage", {"voltage_kv": 35}, 1, "black", ("black.7",)),
        ("grid_outage", {"voltage_kv": 110}, 1, "black", ("black.7",)),
        ("grid_outage", {"voltage_kv": "0.4"}, 1, "green", GREEN_RULES),
        ("grid_outage", {"voltage_kv": "0.4"}, 3, "green", GREEN_RULES),
        ("grid_outage", {"voltage_kv": "34.9"}, 1, "green", GREEN_RULES),
        ("grid_outage", {"voltage_kv": 6}, 2, "green", GREEN_RULES),
        ("facility_damage", {"severity": "minor"}, 1, "red", ("red.8",)),
        ("facility_damage", {"severity": "minor"}, 2, "red", ("red.8",)),
        ("facility_damage", {"severity": "serious"}, 1, "black", ("black.8",)),
        ("malicious_complaint", {}, 1, "red", ("red.9",)),
        ("malicious_complaint", {}, 2, "red", ("red.9",)),
        ("protection_zone_violation", {}, 1, "black", ("black.9",)),
        ("orderly_use_refusal", {}, 1, "black", ("black.10",)),
        ("order_disruption", {}, 1, "black", ("black.11",)),
    ],
)
def test_count_of_events_within_one_year_decides_the_level(
    type: str, attributes: dict, count: int, level: str, rule_ids: tuple[str, ...]
) -> None:
    assert rate(facts(*_many(type, count, **attributes))) == (level, rule_ids)


def test_one_general_and_one_serious_dishonesty_is_red_4_not_black_4() -> None:
    f = facts(
        event("dishonesty", RECENT[0], severity="general"),
        event("dishonesty", RECENT[1], severity="serious"),
    )
    assert rate(f) == ("red", ("red.4",))


def test_one_high_voltage_and_one_medium_voltage_outage_are_black_7() -> None:
    f = facts(event("grid_outage", RECENT[0], voltage_kv=10), event("grid_outage", RECENT[1], voltage_kv=35))
    assert rate(f) == ("black", ("black.7",))


def test_one_10kv_and_one_20kv_outage_together_are_black_7() -> None:
    f = facts(event("grid_outage", RECENT[0], voltage_kv=10), event("grid_outage", RECENT[1], voltage_kv=20))
    assert rate(f) == ("black", ("black.7",))


def test_a_big_and_a_small_theft_are_black_3_only() -> None:
    f = facts(event("theft", RECENT[0], amount_yuan=1000), event("theft", RECENT[1], amount_yuan=600000))
    assert rate(f) == ("black", ("black.3",))


def test_two_unauthorized_uses_and_a_small_theft_are_red_3_not_black() -> None:
    f = facts(*_many("unauthorized_use", 2), event("theft", RECENT[5], amount_yuan=10))
    assert rate(f) == ("red", ("red.3",))


def test_all_criteria_holding_at_the_decided_level_are_listed_in_numeric_order() -> None:
    f = facts(
        event("order_disruption", RECENT[0]),
        event("orderly_use_refusal", RECENT[1]),
        *_many("late_payment", 5),
    )
    assert rate(f) == ("black", ("black.2", "black.10", "black.11"))


def test_criteria_of_lower_levels_are_not_listed_when_a_higher_level_holds() -> None:
    f = facts(
        *_many("late_payment", 2), event("malicious_complaint", RECENT[5]), event("meter_fault_refusal", RECENT[6])
    )
    assert rate(f) == ("red", ("red.9",))


def test_several_red_criteria_are_all_listed() -> None:
    f = facts(
        event("theft", RECENT[0], amount_yuan=120000),
        event("grid_outage", RECENT[1], voltage_kv=10),
        arrears_since=date(2026, 7, 1),
        payment_method="postpaid",
    )
    assert rate(f) == ("red", ("red.1", "red.3", "red.7"))


# --- arrears -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "as_of", "level", "rule_ids"),
    [
        (AS_OF, AS_OF, "blue", BLUE_RULES),  # in arrears for 0 months: not green, nothing else
        (date(2026, 9, 29), AS_OF, "blue", BLUE_RULES),
        (date(2026, 9, 28), AS_OF, "yellow", ("yellow.1",)),
        (date(2026, 8, 29), AS_OF, "yellow", ("yellow.1",)),
        (date(2026, 8, 28), AS_OF, "red", ("red.1",)),
        (date(2026, 5, 29), AS_OF, "red", ("red.1",)),
        (date(2026, 5, 28), AS_OF, "black", ("black.1",)),
        (date(2024, 1, 1), AS_OF, "black", ("black.1",)),
        (date(2026, 8, 31), date(2026, 10, 31), "yellow", ("yellow.1",)),
        (date(2026, 8, 31), date(2026, 10, 30), "blue", BLUE_RULES),
        (date(2025, 12, 31), date(2026, 2, 28), "yellow", ("yellow.1",)),
        (date(2026, 11, 29), AS_OF, "green", GREEN_RULES),  # arrears after as_of: not in arrears
    ],
)
def test_months_in_arrears_decide_black_1_red_1_yellow_1(
    since: date, as_of: date, level: str, rule_ids: tuple[str, ...]
) -> None:
    report = rules.Report(issued_on=as_of - DAY, shows_dishonesty=False)
    assert rate(facts(arrears_since=since, as_of=as_of, reports=(report,))) == (level, rule_ids)


# --- windows -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type", "attributes", "rule_id"),
    [
        ("meter_fault_refusal", {}, "yellow.4"),
        ("theft", {"amount_yuan": 600000}, "black.3"),
        ("grid_outage", {"voltage_kv": 35}, "black.7"),
        ("facility_damage", {"severity": "serious"}, "black.8"),
        ("facility_damage", {"severity": "minor"}, "red.8"),
        ("malicious_complaint", {}, "red.9"),
        ("protection_zone_violation", {}, "black.9"),
        ("orderly_use_refusal", {}, "black.10"),
        ("order_disruption", {}, "black.11"),
    ],
)
def test_event_on_the_anniversary_is_out_and_the_day_after_is_in(type: str, attributes: dict, rule_id: str) -> None:
    anniversary = rules.add_years(AS_OF, -1)
    assert rule_id not in rate(facts(event(type, anniversary, **attributes)))[1]
    assert rule_id in rate(facts(event(type, anniversary + DAY, **attributes)))[1]
    assert rule_id in rate(facts(event(type, AS_OF, **attributes)))[1]


@pytest.mark.parametrize("type", sorted(rules.EVENT_TYPES))
def test_events_after_as_of_are_ignored(type: str) -> None:
    attribute = rules.EVENT_TYPES[type].attribute
    attributes = {}
    if attribute is not None:
        attributes[attribute.name] = attribute.choices[-1][0] if attribute.choices else 600000
    assert rate(facts(event(type, AS_OF + DAY, **attributes))) == ("green", GREEN_RULES)


def test_leap_year_as_of_counts_from_1_march_of_the_year_before() -> None:
    as_of = date(2028, 2, 29)
    report = (rules.Report(date(2028, 1, 1), False),)
    assert rate(facts(event("meter_fault_refusal", date(2027, 2, 28)), as_of=as_of, reports=report))[0] == "green"
    assert rate(facts(event("meter_fault_refusal", date(2027, 3, 1)), as_of=as_of, reports=report)) == (
        "yellow",
        ("yellow.4",),
    )


def test_leap_day_event_counts_until_28_february_and_leaves_on_1_march() -> None:
    leap_event = event("meter_fault_refusal", date(2024, 2, 29))
    report = (rules.Report(date(2025, 1, 1), False),)
    assert rate(facts(leap_event, as_of=date(2025, 2, 28), reports=report)) == ("yellow", ("yellow.4",))
    assert rate(facts(leap_event, as_of=date(2025, 3, 1), reports=report))[0] == "green"


def test_late_payment_three_years_ago_to_the_day_no_longer_breaks_green_2() -> None:
    assert rate(facts(event("late_payment", date(2023, 11, 28)))) == ("green", GREEN_RULES)
    assert rate(facts(event("late_payment", date(2023, 11, 29)))) == ("blue", BLUE_RULES)


def test_unauthorized_use_three_years_ago_to_the_day_no_longer_breaks_blue_2() -> None:
    assert rate(facts(event("unauthorized_use", date(2023, 11, 28)))) == ("blue", BLUE_RULES)
    assert rate(facts(event("unauthorized_use", date(2023, 11, 29)))) == ("unrated", ("blue.2",))


@pytest.mark.parametrize("type", ["theft", "unauthorized_use"])
def test_green_3_is_broken_by_a_breach_long_ago(type: str) -> None:
    attributes = {"amount_yuan": 3000} if type == "theft" else {}
    result = rules.evaluate(facts(event(type, date(2010, 6, 1), ref="old", **attributes)))
    assert (result.level, result.rules) == ("blue", BLUE_RULES)
    assert result.unmet == ("green.3",)
    green3 = next(f for f in result.findings if f.rule == "green.3")
    assert not green3.holds
    assert [e.ref for e in green3.evidence] == ["old"]


def test_theft_within_three_years_breaks_blue_2() -> None:
    assert rate(facts(event("theft", date(2024, 6, 1), amount_yuan=100))) == ("unrated", ("blue.2",))


# --- honest conditions, reports --------------------------------------------------------------


def test_postpaid_customer_without_any_record_is_blue() -> None:
    result = rules.evaluate(facts(payment_method="postpaid"))
    assert (result.level, result.rules, result.unmet) == ("blue", BLUE_RULES, ("green.1",))
    assert result.honest


def test_prepaid_customer_in_arrears_is_not_green() -> None:
    result = rules.evaluate(facts(arrears_since=date(2026, 11, 1)))
    assert (result.level, result.unmet) == ("blue", ("green.1",))


@pytest.mark.parametrize(
    ("issued_on", "valid"),
    [
        (date(2025, 11, 28), False),  # issued exactly one year before as_of
        (date(2025, 11, 29), True),
        (AS_OF, True),
        (AS_OF + DAY, False),  # issued after as_of: ignored
    ],
)
def test_report_is_valid_for_one_year(issued_on: date, valid: bool) -> None:
    f = facts(reports=(rules.Report(issued_on, False),))
    assert rate(f) == (("green", GREEN_RULES) if valid else ("unrated", ("blue.3",)))


def test_leap_day_report_is_valid_until_28_february() -> None:
    report = (rules.Report(date(2024, 2, 29), False),)
    assert rate(facts(as_of=date(2025, 2, 28), reports=report))[0] == "green"
    assert rate(facts(as_of=date(2025, 3, 1), reports=report))[0] == "unrated"


def test_latest_report_counts_even_when_an_older_one_differs() -> None:
    clean_then_dirty = (rules.Report(date(2026, 1, 1), False), rules.Report(date(2026, 9, 1), True))
    dirty_then_clean = (rules.Report(date(2026, 9, 1), False), rules.Report(date(2026, 1, 1), True))
    assert rate(facts(reports=clean_then_dirty)) == ("unrated", ("blue.3",))
    assert rate(facts(reports=dirty_then_clean)) == ("green", GREEN_RULES)


def test_report_issued_after_as_of_does_not_replace_the_valid_one() -> None:
    reports = (rules.Report(date(2026, 6, 1), False), rules.Report(AS_OF + DAY, True))
    assert rate(facts(reports=reports)) == ("green", GREEN_RULES)


@pytest.mark.parametrize("order", [(False, True), (True, False)])
def test_several_reports_on_the_same_latest_date_show_dishonesty_if_any_does(order: tuple[bool, bool]) -> None:
    reports = tuple(rules.Report(date(2026, 6, 1), shows) for shows in order)
    assert rate(facts(reports=reports)) == ("unrated", ("blue.3",))


def test_expired_latest_report_is_not_replaced_by_an_older_one() -> None:
    reports = (rules.Report(date(2024, 6, 1), False), rules.Report(date(2025, 6, 1), False))
    result = rules.evaluate(facts(reports=reports))
    assert (result.level, result.rules) == ("unrated", ("blue.3",))
    assert "2025-06-01" in result.explanation and "2026-06-01" in result.explanation


def test_dishonesty_events_do_not_break_honest_conditions_by_themselves() -> None:
    assert rate(facts(event("dishonesty", RECENT[0], severity="serious")))[0] == "green"


# --- explanations, findings and improvements --------------------------------------------------


def test_unrated_explanation_lists_every_unmet_blue_condition() -> None:
    f = facts(
        event("late_payment", RECENT[0], ref=1),
        event("unauthorized_use", date(2025, 1, 1), ref=2),
        reports=(),
    )
    result = rules.evaluate(f)
    assert (result.level, result.rules, result.unmet) == ("unrated", BLUE_RULES, BLUE_RULES)
    assert not result.honest
    assert result.explanation.startswith("截至2026-11-28，信用等级：未定级。")
    for rule in BLUE_RULES:
        assert f"{rule}「" in result.explanation
    assert result.explanation.count("」未满足：") == 3
    assert any("获取江苏省法人公共信用信息查询报告" in line for line in result.improvements)
    assert any("2027-01-01" in line and "蓝色等级评定要素第1条" in line for line in result.improvements)
    assert any("2028-01-01" in line and "蓝色等级评定要素第2条" in line for line in result.improvements)


def test_unrated_for_a_dishonest_report_advises_credit_repair() -> None:
    result = rules.evaluate(facts(reports=(rules.Report(date(2026, 9, 1), True),)))
    assert "显示有失信行为" in result.explanation
    assert any("信用修复" in line for line in result.improvements)


def test_findings_cover_every_criterion_with_the_events_behind_them() -> None:
    big = event("theft", RECENT[0], ref="big", amount_yuan=600000)
    small = event("theft", RECENT[1], ref="small", amount_yuan=10)
    result = rules.evaluate(facts(big, small, event("late_payment", RECENT[2], ref="late")))
    assert [f.rule for f in result.findings] == [c.id for c in rules.CRITERIA]
    black3 = next(f for f in result.findings if f.rule == "black.3")
    assert black3.holds
    assert {e.ref for e in black3.evidence} == {"big", "small"}
    assert all(e.kind == "event" for e in black3.evidence)
    assert "2026-01-01" in black3.text and "金额600000元" in black3.text


def test_red_explanation_names_the_rules_the_plan_wording_and_the_events() -> None:
    f = facts(
        event("theft", date(2026, 2, 10), amount_yuan=120000), event("grid_outage", date(2026, 5, 3), voltage_kv=10)
    )
    result = rules.evaluate(f)
    assert result.rules == ("red.3", "red.7")
    assert "信用等级：红色" in result.explanation
    assert rules.CRITERIA_BY_ID["red.3"].plan_text in result.explanation
    assert "2026-02-10" in result.explanation and "10千伏" in result.explanation


def test_improvements_give_the_date_each_counted_event_leaves_its_window() -> None:
    f = facts(
        event("late_payment", date(2026, 1, 5)),
        event("late_payment", date(2026, 7, 5)),
        event("late_payment", date(2026, 9, 5)),
    )
    result = rules.evaluate(f)
    assert result.rules == ("red.2",)
    assert "红色等级评定要素第2条：若无新的记录，将于2027-01-05起不再成立。" in result.improvements
    for left_on in ("2027-01-05", "2027-07-05", "2027-09-05"):
        assert any(left_on in line and "不再计入一年内" in line for line in result.improvements)


def test_black_2_with_six_events_stops_when_the_second_oldest_leaves() -> None:
    result = rules.evaluate(facts(*_many("late_payment", 6)))
    assert "黑色等级评定要素第2条：若无新的记录，将于2027-02-01起不再成立。" in result.improvements


def test_improvements_for_a_leap_day_event_name_1_march() -> None:
    result = rules.evaluate(
        facts(
            event("meter_fault_refusal", date(2024, 2, 29)),
            as_of=date(2024, 12, 1),
            reports=(rules.Report(date(2024, 6, 1), False),),
        )
    )
    assert "黄色等级评定要素第4条：若无新的记录，将于2025-03-01起不再成立。" in result.improvements


def test_improvements_for_arrears_name_the_date_the_next_threshold_is_reached() -> None:
    result = rules.evaluate(facts(arrears_since=date(2026, 7, 31), payment_method="postpaid"))
    assert result.rules == ("red.1",)
    assert (
        "红色等级评定要素第1条：结清所欠电费（欠费起始日2026-07-31）后不再成立；若仍未结清，将于2027-01-31起欠费满6个月。"
        in result.improvements
    )


def test_improvements_for_arrears_ask_to_pay() -> None:
    result = rules.evaluate(facts(arrears_since=date(2026, 5, 1)))
    assert result.rules == ("black.1",)
    assert any("黑色等级评定要素第1条" in line and "结清所欠电费" in line for line in result.improvements)
    assert "green.1" not in result.unmet  # blue is the next honest level from black


def test_improvements_name_the_date_the_current_report_expires() -> None:
    result = rules.evaluate(facts())
    assert result.level == "green"
    assert result.improvements == ("当前公共信用报告（2026-06-01出具）将于2027-06-01起失效，请在此之前重新获取。",)


def test_result_to_json_has_exactly_the_facts_file_keys() -> None:
    result = rules.evaluate(facts(reports=(CLEAN_REPORT,)))
    assert rules.result_to_json(result) == {
        "level": "green",
        "honest": True,
        "rules": list(GREEN_RULES),
        "explanation": result.explanation,
    }
