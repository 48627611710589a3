"""Rule sets as versioned data: version 1 is the plan, drafts are validated, approved by another
supervisor, applied by the nightly run of their date, and their impact is known before."""

from __future__ import annotations

import copy
import re
from datetime import date, timedelta

import pytest
import time_machine

from credit_portal.errors import ApplicationError
from ratings import nightly, rules
from ratings.impact import impact_start
from ratings.models import (
    CustomerRating,
    ImpactMove,
    ImpactReport,
    ImpactStatus,
    RatingHistory,
    RuleSet,
    RuleSetStatus,
)
from ratings.rulesets import rule_book_for, ruleset_approve, ruleset_draft, ruleset_in_force
from tests.factories import CustomerFactory

from .drafts import YELLOW1_WORDING, customer_with_clean_report, yellow1_draft

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 28)
TOMORROW = TODAY + timedelta(days=1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(f"{TODAY.isoformat()} 09:00 +0800", tick=False):
        yield


def _customer(name: str, arrears_since: date | None) -> object:
    return customer_with_clean_report(name, arrears_since=arrears_since)


def _yellow1_draft(supervisor) -> RuleSet:
    return yellow1_draft(supervisor)


def test_version_1_is_the_plan_in_force_and_evaluates_with_the_plans_book() -> None:
    in_force = ruleset_in_force()
    assert in_force.version == 1
    assert in_force.parameters == rules.V1_PARAMETERS
    assert in_force.wordings == {}
    assert rule_book_for(as_of=TODAY) is rules.V1
    assert rules.V1.rules_version == rules.RULES_VERSION
    assert [c.plan_text for c in rules.V1.criteria] == [c.plan_text for c in rules.CRITERIA]


def test_a_book_with_the_plans_numbers_gives_the_plans_answers() -> None:
    book = rules.RuleBook(number=7, parameters=copy.deepcopy(rules.V1_PARAMETERS))
    facts = rules.Facts(
        as_of=TODAY,
        payment_method="postpaid",
        arrears_since=date(2026, 9, 1),
        reports=(),
        events=(rules.Event("late_payment", date(2026, 3, 1)), rules.Event("late_payment", date(2026, 4, 1))),
    )
    assert rules.evaluate_level(facts, book) == rules.evaluate_level(facts) == ("yellow", ("yellow.1", "yellow.2"))
    assert rules.evaluate(facts, book) == rules.evaluate(facts)


def test_a_draft_changes_only_what_the_drafter_changes_and_keeps_the_rest(supervisor) -> None:
    draft = _yellow1_draft(supervisor)
    assert draft.version == 2 and draft.status == RuleSetStatus.DRAFT
    expected = copy.deepcopy(rules.V1_PARAMETERS)
    expected["yellow.1"]["arrears_months"] = 1
    assert draft.parameters == expected
    assert draft.wordings == {"yellow.1": YELLOW1_WORDING}
    assert draft.based_on.version == 1
    assert draft.history.first().history_user == supervisor


@pytest.mark.parametrize(
    ("parameters", "wordings", "named", "where"),
    [
        (
            {"yellow.1": {"arrears_months": 3}},
            {"yellow.1": "x"},
            ["黄色等级评定要素第1条的欠费月数", "红色等级评定要素第1条"],
            ("yellow.1", "arrears_months"),
        ),
        (
            {"windows": {"short_years": 0}},
            {},
            ["统计期与报告有效期的短统计期（年）", "不能为0"],
            ("windows", "short_years"),
        ),  # noqa: E501
        ({"black.2": {"count": -1}}, {}, ["黑色等级评定要素第2条的次数"], ("black.2", "count")),
        ({"red.2": {"count": "三"}}, {}, ["红色等级评定要素第2条的次数", "整数"], ("red.2", "count")),
        ({"black.4": {"severities": ["minor"]}}, {}, ["计入的失信程度", "一般"], ("black.4", "severities")),
        (
            {"black.7": {"medium_voltages_kv": [10, float("nan")]}},
            {},
            ["中压电压等级（千伏）"],
            ("black.7", "medium_voltages_kv"),
        ),
        ({"black.7": {"medium_voltages_kv": [float("inf")]}}, {}, ["中压电压等级"], ("black.7", "medium_voltages_kv")),
        ({"yellow.1": {"arrears_months": 1}}, {}, ["黄色等级评定要素第1条", "条款原文"], ("yellow.1", "wording")),
        (
            {"red.1": {"arrears_months": 4}},
            {"red.1": "拖欠电费4个月及以上6个月以内"},
            ["黄色等级评定要素第1条所依据的红色等级评定要素第1条的欠费月数已改变", "条款原文"],
            ("yellow.1", "wording"),
        ),
    ],
)
def test_bad_parameters_are_refused_with_the_criterion_and_field_named(supervisor, parameters, wordings, named, where):
    with pytest.raises(ApplicationError) as refused:
        ruleset_draft(actor=supervisor, parameters=parameters, wordings=wordings)
    for word in named:
        assert word in refused.value.message
    # In words for a person; the keys for an API caller, in the errors' fields.
    assert not re.search(r"[a-z]+\.\d|[a-z]+_[a-z]+", refused.value.message)
    assert where in {(e["criterion"], e["field"]) for e in refused.value.extra["errors"]}
    assert RuleSet.objects.count() == 1


def test_changing_black3s_theft_amount_asks_the_wording_of_the_two_criteria_that_read_it_and_no_other(supervisor):
    amount = {"black.3": {"theft_amount_yuan": 300000}}
    black3 = "一年内发生3次及以上违约用电行为或2次及以上窃电行为或1次窃电金额30万元及以上的"
    red3 = "一年内发生2次违约用电或1次窃电的行为（窃电金额30万元以下的）"

    with pytest.raises(ApplicationError) as refused:
        ruleset_draft(actor=supervisor, parameters=amount, wordings={"black.3": black3})
    assert [(e["criterion"], e["field"]) for e in refused.value.extra["errors"]] == [("red.3", "wording")]
    assert "红色等级评定要素第3条所依据的黑色等级评定要素第3条的窃电金额（元）已改变" in refused.value.message
    with pytest.raises(ApplicationError) as refused:
        ruleset_draft(
            actor=supervisor, parameters=amount, wordings={"black.3": black3, "red.3": red3, "red.1": "拖欠电费"}
        )
    assert [(e["criterion"], e["field"]) for e in refused.value.extra["errors"]] == [("red.1", "wording")]
    assert "红色等级评定要素第1条所依据的数值均未改变，应沿用方案原文" in refused.value.message
    assert RuleSet.objects.count() == 1

    draft = ruleset_draft(actor=supervisor, parameters=amount, wordings={"black.3": black3, "red.3": red3})

    assert draft.wordings == {"black.3": black3, "red.3": red3}


def test_a_number_only_its_own_criterion_reads_asks_that_criterions_wording_only(supervisor):
    with pytest.raises(ApplicationError) as refused:
        ruleset_draft(actor=supervisor, parameters={"black.4": {"severities": ["general", "serious"]}})
    assert [(e["criterion"], e["field"]) for e in refused.value.extra["errors"]] == [("black.4", "wording")]

    draft = ruleset_draft(
        actor=supervisor,
        parameters={"black.4": {"severities": ["general", "serious"]}},
        wordings={"black.4": "一年内发生2次及以上失信行为"},
    )
    assert draft.wordings == {"black.4": "一年内发生2次及以上失信行为"}


def test_staff_and_drc_cannot_draft(staff, drc) -> None:
    for user in (staff, drc):
        with pytest.raises(ApplicationError):
            ruleset_draft(actor=user, parameters={})
    assert RuleSet.objects.count() == 1


def test_the_drafter_cannot_approve_and_the_date_is_tomorrow_or_later(supervisor, other_supervisor) -> None:
    draft = _yellow1_draft(supervisor)
    with pytest.raises(ApplicationError, match="起草人不能批准"):
        ruleset_approve(rule_set=draft, actor=supervisor, effective_on=TOMORROW)
    with pytest.raises(ApplicationError, match="不能早于明天"):
        ruleset_approve(rule_set=draft, actor=other_supervisor, effective_on=TODAY)
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.DRAFT and draft.effective_on is None
    ruleset_approve(rule_set=draft, actor=other_supervisor, effective_on=TOMORROW)
    draft.refresh_from_db()
    assert (draft.status, draft.effective_on, draft.approved_by) == (RuleSetStatus.APPROVED, TOMORROW, other_supervisor)


def test_an_approved_draft_applies_on_its_date_and_the_history_shows_the_version(supervisor, other_supervisor) -> None:
    customer = _customer("欠费一个多月", arrears_since=TODAY - timedelta(days=40))
    nightly.rerate_all(as_of=TODAY)
    rating = CustomerRating.objects.get(customer=customer)
    assert (rating.level, rating.rule_set_version) == ("blue", 1)

    draft = _yellow1_draft(supervisor)
    ruleset_approve(rule_set=draft, actor=other_supervisor, effective_on=TOMORROW)
    nightly.rerate_all(as_of=TODAY)  # the day before: still version 1
    assert CustomerRating.objects.get(customer=customer).rule_set_version == 1
    assert ruleset_in_force().version == 1

    with time_machine.travel(f"{TOMORROW.isoformat()} 01:00 +0800", tick=False):
        nightly.rerate_all(as_of=TOMORROW)
    rating = CustomerRating.objects.get(customer=customer)
    assert (rating.level, rating.rules, rating.rule_set_version) == ("yellow", ["yellow.1"], 2)
    assert YELLOW1_WORDING in rating.explanation
    change = RatingHistory.objects.filter(customer=customer).first()
    assert (change.level, change.previous_level, change.rule_set_version) == ("yellow", "blue", 2)
    assert ruleset_in_force().version == 2
    assert RuleSet.objects.get(version=1).status == RuleSetStatus.RETIRED


def test_a_draft_from_a_version_in_force_other_than_the_plan_keeps_its_wordings(supervisor, other_supervisor) -> None:
    ruleset_approve(rule_set=_yellow1_draft(supervisor), actor=other_supervisor, effective_on=TOMORROW)
    with time_machine.travel(f"{TOMORROW.isoformat()} 01:00 +0800", tick=False):
        nightly.rerate_all(as_of=TOMORROW)  # version 2 in force

        draft = ruleset_draft(actor=supervisor, parameters={}, note="只改说明")

    assert draft.based_on.version == 2
    assert draft.wordings == {"yellow.1": YELLOW1_WORDING}  # carried over: the drafter changed nothing


def test_a_retired_rule_set_is_no_baseline_unless_it_applied_on_the_date(supervisor, other_supervisor) -> None:
    ruleset_approve(rule_set=_yellow1_draft(supervisor), actor=other_supervisor, effective_on=TOMORROW)
    with time_machine.travel(f"{TOMORROW.isoformat()} 01:00 +0800", tick=False):
        nightly.rerate_all(as_of=TOMORROW)  # version 2 in force, version 1 retired
        draft = ruleset_draft(actor=supervisor, parameters={}, note="沿用第2版")  # a draft of version 3
        plan = RuleSet.objects.get(version=1)

        with pytest.raises(ApplicationError, match="已废止的规则集不能作为对比基准"):
            impact_start(proposed=draft, baseline=plan, as_of=TOMORROW, actor=supervisor)
        assert impact_start(proposed=draft, baseline=plan, as_of=TODAY, actor=supervisor).baseline == plan
        assert impact_start(proposed=draft, as_of=TOMORROW, actor=supervisor).baseline.version == 2


def test_the_impact_of_a_draft_is_stored_and_nothing_is_rated(supervisor, django_capture_on_commit_callbacks) -> None:
    moved = _customer("欠费一个多月", arrears_since=TODAY - timedelta(days=40))
    _customer("不欠费", arrears_since=None)
    _customer("欠费两个多月", arrears_since=TODAY - timedelta(days=70))
    draft = _yellow1_draft(supervisor)

    with django_capture_on_commit_callbacks(execute=True):
        report = impact_start(proposed=draft, as_of=TODAY, actor=supervisor, range_size=2)

    report.refresh_from_db()
    assert report.status == ImpactStatus.DONE
    assert (report.ranges_done, report.ranges_total, report.customers) == (2, 2, 3)
    assert report.baseline.version == 1
    assert report.matrix["blue"] == {"yellow": 1}
    assert report.matrix["green"] == {"green": 1}
    assert report.matrix["yellow"] == {"yellow": 1}
    assert report.criteria["yellow.1"] == [1, 2]
    assert report.consequences["moved"] == 1
    assert report.consequences["reminders"] == 1
    assert report.consequences["green_channel_lost"] == 1
    assert report.consequences["honest_lost"] == 1
    assert list(ImpactMove.objects.values_list("customer_id", "from_level", "to_level")) == [
        (moved.pk, "blue", "yellow")
    ]
    assert not CustomerRating.objects.exists()
    assert not RatingHistory.objects.exists()


def test_two_drafts_can_be_compared_with_each_other(supervisor, django_capture_on_commit_callbacks) -> None:
    _customer("欠费一个多月", arrears_since=TODAY - timedelta(days=40))
    first = _yellow1_draft(supervisor)
    second = ruleset_draft(actor=supervisor, parameters={}, note="与现行相同")
    with django_capture_on_commit_callbacks(execute=True):
        report = impact_start(proposed=first, baseline=second, as_of=TODAY, actor=supervisor)
    report = ImpactReport.objects.get(pk=report.pk)
    assert report.matrix["blue"] == {"yellow": 1}
    assert report.customers == 1


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


def _form_data(**changes) -> dict:
    data = {"note": "测试"}
    for criterion, fields in rules.V1_PARAMETERS.items():
        for field, value in fields.items():
            data[f"{criterion}__{field}"] = ", ".join(map(str, value)) if isinstance(value, list) else value
    data.update(changes)
    return data


def test_a_supervisor_drafts_on_the_page_and_a_bad_number_is_shown_on_its_field(client, supervisor) -> None:
    client.force_login(supervisor)
    page = client.get("/ratings/rule-sets/new/")
    assert page.status_code == 200
    refused = client.post("/ratings/rule-sets/new/", _form_data(**{"yellow.1__arrears_months": 3}))
    assert refused.status_code == 200
    assert "黄色等级评定要素第1条的欠费月数（3）应小于红色等级评定要素第1条的欠费月数（3）" in refused.content.decode()
    assert RuleSet.objects.count() == 1
    saved = client.post(
        "/ratings/rule-sets/new/",
        _form_data(**{"yellow.1__arrears_months": 1, "wording__yellow.1": YELLOW1_WORDING}),
    )
    assert saved.status_code == 302
    draft = RuleSet.objects.get(version=2)
    assert draft.parameters["yellow.1"] == {"arrears_months": 1}
    assert draft.wordings == {"yellow.1": YELLOW1_WORDING}
    detail = client.get(saved["Location"]).content.decode()
    assert YELLOW1_WORDING in detail and "拖欠电费2个月及以上3个月以内" in detail


def test_the_drafting_page_shows_shared_numbers_together_in_chinese_and_asks_only_the_touched_wordings(
    client, supervisor
) -> None:
    client.force_login(supervisor)
    html = client.get("/ratings/rule-sets/new/").content.decode()
    shared = html[html.index('id="shared-black.3"') : html.index("</fieldset>", html.index('id="shared-black.3"'))]
    assert 'id="group-black.3"' in shared and 'id="group-red.3"' in shared
    assert "共用数值：黑色等级评定要素第3条、红色等级评定要素第3条" in shared
    assert "同时用于红色等级评定要素第3条" in shared  # beside the theft amount
    assert "统计期与报告有效期" in html
    visible = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\bwindows\b|\b(black|red|yellow)\.\d", visible)
    assert "<details open" not in html  # nothing asked before a number changes

    amount = {"black.3__theft_amount_yuan": 300000, "wording__black.3": "一年内……1次窃电金额30万元及以上的"}
    refused = client.post("/ratings/rule-sets/new/", _form_data(**amount)).content.decode()
    assert "红色等级评定要素第3条所依据的黑色等级评定要素第3条的窃电金额（元）已改变，请填写本条新的条款原文" in refused
    assert refused.count("<details open") == 2  # black.3 (its text given) and red.3 (asked), nothing else
    assert "须填写新的条款原文：所依据的黑色等级评定要素第3条的窃电金额（元）已改变" in refused
    assert RuleSet.objects.count() == 1

    saved = client.post(
        "/ratings/rule-sets/new/", _form_data(**amount, **{"wording__red.3": "一年内……（窃电金额30万元以下的）"})
    )
    assert saved.status_code == 302
    assert set(RuleSet.objects.get(version=2).wordings) == {"black.3", "red.3"}
    detail = client.get(saved["Location"]).content.decode()
    assert "红色等级评定要素第3条" in detail and "<code>red.3</code>" not in detail


def test_the_drc_reads_drafts_and_impact_reports_and_writes_nothing(
    client, drc, supervisor, django_capture_on_commit_callbacks
) -> None:
    _customer("欠费一个多月", arrears_since=TODAY - timedelta(days=40))
    draft = _yellow1_draft(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        report = impact_start(proposed=draft, as_of=TODAY, actor=supervisor)
    client.force_login(drc)
    for url in (
        "/ratings/rule-sets/",
        "/ratings/rule-sets/2/",
        f"/ratings/impacts/{report.pk}/",
        f"/ratings/impacts/{report.pk}/cells/blue/yellow/",
        f"/ratings/impacts/{report.pk}/export.xlsx",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/ratings/rule-sets/new/").status_code == 403
    assert client.post("/ratings/rule-sets/new/", _form_data()).status_code == 403
    assert client.post("/ratings/rule-sets/2/approve/", {"effective_on": TOMORROW}).status_code == 403
    assert client.post("/ratings/rule-sets/2/impact/", {"as_of": TODAY}).status_code == 403
    assert RuleSet.objects.count() == 2 and ImpactReport.objects.count() == 1
    assert RuleSet.objects.get(version=2).status == RuleSetStatus.DRAFT


def test_a_matrix_cell_shows_both_explanations_and_the_export_holds_the_moves(
    client, supervisor, django_capture_on_commit_callbacks
) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    customer = _customer("=HYPERLINK(1)欠费", arrears_since=TODAY - timedelta(days=40))
    draft = _yellow1_draft(supervisor)
    client.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/ratings/rule-sets/2/impact/", {"as_of": TODAY.isoformat(), "baseline": ""})
    assert started.status_code == 302
    report = ImpactReport.objects.get(proposed=draft)
    page = client.get(started["Location"]).content.decode()
    assert f"/ratings/impacts/{report.pk}/cells/blue/yellow/" in page
    cell = client.get(f"/ratings/impacts/{report.pk}/cells/blue/yellow/").content.decode()
    assert customer.uscc in cell
    assert "满足蓝色信用等级全部条件" in cell and YELLOW1_WORDING in cell
    assert "黄色等级评定要素第1条" in cell and "<code>yellow.1" not in cell  # the criteria in words
    export = client.get(f"/ratings/impacts/{report.pk}/export.xlsx")
    book = load_workbook(BytesIO(export.content))
    moves = list(book["等级变化的用户"].values)
    assert moves[1][1] == "'=HYPERLINK(1)欠费"
    assert moves[1][2:5] == ("蓝色", "蓝色等级评定要素第1条、蓝色等级评定要素第2条、蓝色等级评定要素第3条", "黄色")
    assert list(book["各评定要素"].values)[1][0].endswith("等级评定要素第1条")


def test_the_standards_page_shows_the_version_in_force_and_the_coming_one(client, supervisor, other_supervisor) -> None:
    page = client.get("/standards/").content.decode()
    assert "现行评定规则集：第1版" in page and "公示：第" not in page
    draft = _yellow1_draft(supervisor)
    ruleset_approve(rule_set=draft, actor=other_supervisor, effective_on=TOMORROW)
    page = client.get("/standards/").content.decode()
    assert "现行评定规则集：第1版" in page
    assert f"公示：第2版评定规则集将于{TOMORROW.isoformat()}起施行" in page
    assert YELLOW1_WORDING in page


def test_without_a_stored_version_1_the_plan_is_written_again_and_drafts_start_at_2(supervisor) -> None:
    RuleSet.objects.all().delete()
    assert rule_book_for(as_of=TODAY) is rules.V1
    draft = _yellow1_draft(supervisor)
    assert draft.version == 2
    plan = RuleSet.objects.get(version=1)
    assert (plan.status, plan.parameters) == (RuleSetStatus.IN_FORCE, rules.V1_PARAMETERS)


# --------------------------------------------------------------------------------------------
# The decisions (认定说明) follow the numbers of the rule set
# --------------------------------------------------------------------------------------------

CHANGED_NUMBERS = {
    "yellow.2": {"count": 3},
    "red.2": {"count": 4},
    "red.4": {"count": 3},
    "windows": {"report_valid_years": 2},
}
CHANGED_WORDINGS = {
    "yellow.2": "一年内发生3次未按合同、协议约定的方式和期限交付电费的行为",
    "red.2": "一年内发生4次未按合同、协议约定的方式和期限交付电费的行为",
    "red.4": "一年内发生3次及以上一般失信行为",
    "green.4": "两年内出具的江苏省法人公共信用信息查询报告显示无失信行为",
    "blue.3": "两年内出具的江苏省法人公共信用信息查询报告显示无失信行为",
}
PLAN_DECISION_NUMBERS = (
    "如一年内有1次未按期交付电费",
    "“至少2次、至少为一般程度”",
    "有效期一年（出具日晚于评定日前一年）",
)
CHANGED_DECISION_NUMBERS = (
    "如一年内有1至2次未按期交付电费",
    "“至少3次、至少为一般程度”",
    "有效期两年（出具日晚于评定日前两年）",
)


def test_the_decisions_are_worded_with_the_rule_sets_numbers() -> None:
    plan = "".join(d.text for d in rules.V1.decisions)
    assert rules.V1.decisions == rules.DECISIONS
    for words in PLAN_DECISION_NUMBERS:
        assert words in plan
    parameters = copy.deepcopy(rules.V1_PARAMETERS)
    for criterion, fields in CHANGED_NUMBERS.items():
        parameters[criterion].update(fields)
    parameters["windows"]["short_years"] = 2
    parameters["red.4"]["severities"] = ["general"]
    changed = {d.id: d.text for d in rules.build_decisions(parameters)}
    assert "如两年内有1至2次未按期交付电费" in changed["unrated"]
    assert changed["windows"].startswith("“两年内”指评定日前两年（不含）至评定日（含）")
    assert "均只统计两年内的记录" in changed["windows"]
    assert changed["red4"] == "红色第4项只统计一般失信行为，即“至少3次、程度为一般”。"
    assert "有效期两年（出具日晚于评定日前两年）" in changed["report_validity"]
    parameters["yellow.2"]["count"] = 1  # one late payment is already yellow: no unrated example of it
    assert "如无有效的公共信用信息查询报告" in rules.build_decisions(parameters)[0].text


def test_the_standards_page_words_its_decisions_with_the_numbers_coming_and_then_in_force(
    client, supervisor, other_supervisor
) -> None:
    draft = ruleset_draft(actor=supervisor, parameters=CHANGED_NUMBERS, wordings=CHANGED_WORDINGS, note="测试")
    ruleset_approve(rule_set=draft, actor=other_supervisor, effective_on=TOMORROW)

    page = client.get("/standards/").content.decode()
    decisions = page.split('id="decisions"')[1]
    coming = page.split('id="coming-decisions"')[1].split("</dl>")[0]
    for now, then in zip(PLAN_DECISION_NUMBERS, CHANGED_DECISION_NUMBERS, strict=True):
        assert now in decisions and then not in decisions
        assert now in coming and then in coming
    assert "以下说明中的次数、期限按现行第1版评定规则集的参数表述" in page
    assert "核验后计入评定，有效期一年。" in page

    with time_machine.travel(f"{TOMORROW.isoformat()} 01:00 +0800", tick=False):
        nightly.rerate_all(as_of=TOMORROW)  # puts version 2 in force
        page = client.get("/standards/").content.decode()
    decisions = page.split('id="decisions"')[1]
    for now, then in zip(PLAN_DECISION_NUMBERS, CHANGED_DECISION_NUMBERS, strict=True):
        assert then in decisions and now not in decisions
    assert "以下说明中的次数、期限按现行第2版评定规则集的参数表述" in page
    assert "核验后计入评定，有效期两年。" in page
    assert 'id="coming-decisions"' not in page


def test_the_conditions_name_the_rule_sets_windows_and_version_1_keeps_its_rules_version() -> None:
    parameters = copy.deepcopy(rules.V1_PARAMETERS)
    parameters["windows"].update(short_years=2, long_years=4)
    book = rules.RuleBook(number=2, parameters=parameters)
    assert book.by_id["yellow.2"].condition.startswith("两年内")
    assert book.by_id["green.2"].condition == "四年内无未按期交付电费行为"
    assert rules.V1.by_id["yellow.2"].condition.startswith("一年内")
    # The labels are not part of the table's identity: the plan's rules version is what ratings store.
    assert (
        rules.V1.rules_version
        == rules.RULES_VERSION
        == rules.compute_rules_version(rules.CRITERIA, rules.DECISIONS, rules.EVENT_TYPES)
    )


def test_the_what_if_bench_words_its_criteria_as_the_rule_set_in_force(supervisor, other_supervisor) -> None:
    from ratings.selectors import rating_what_if

    customer = _customer("假设测试公司", arrears_since=date(2026, 10, 1))
    draft = _yellow1_draft(supervisor)
    ruleset_approve(rule_set=draft, actor=other_supervisor, effective_on=TOMORROW)
    with time_machine.travel(f"{TOMORROW.isoformat()} 01:00 +0800", tick=False):
        nightly.rerate_all(as_of=TOMORROW, cause="nightly")
        what_if = rating_what_if(customer=customer, as_of=TOMORROW)
    assert what_if.book.number == 2
    assert [(criterion.id, criterion.plan_text) for criterion, _ in what_if.criteria] == [("yellow.1", YELLOW1_WORDING)]


def test_a_longer_report_validity_reaches_the_no_property_route_and_the_expiry_reminders(
    client, staff, supervisor, other_supervisor
) -> None:
    from commitments.eligibility_selectors import no_property_documents
    from notifications.models import Notice
    from notifications.services.reminders import report_expiry_reminders, reports_running_out
    from notifications.services.sending import notice_message

    customer = _customer("两年报告公司", arrears_since=None)  # report issued 2026-06-01
    draft = ruleset_draft(
        actor=supervisor,
        parameters={"windows": {"report_valid_years": 2}},
        wordings={"green.4": "两年内公共信用报告无失信记录", "blue.3": "两年内公共信用报告无失信记录"},
        note="报告两年有效",
    )
    ruleset_approve(rule_set=draft, actor=other_supervisor, effective_on=TOMORROW)
    later = date(2027, 9, 1)  # 15 months after the report: out of the plan's year, within two
    with time_machine.travel(f"{TOMORROW.isoformat()} 01:00 +0800", tick=False):
        nightly.rerate_all(as_of=TOMORROW, cause="nightly")
    documents = no_property_documents(customer, today=later)
    assert documents.report is not None and documents.report_validity == "两年内"
    assert "两年内出具" in no_property_documents(CustomerFactory(), today=later).missing[1]
    running_out = reports_running_out(today=date(2028, 5, 20), within_days=30)
    assert [(r.report.customer_id, r.expires_on) for r in running_out] == [(customer.pk, date(2028, 6, 1))]
    with time_machine.travel("2028-05-20 00:20 +0800", tick=False):
        assert report_expiry_reminders(today=date(2028, 5, 20)) >= 1
    sms = Notice.objects.get(customer=customer, kind="report_expiring", channel="sms")
    customer.contact_phone = customer.contact_phone or "13900000000"
    customer.save()
    assert "将于2028-06-01满两年失效" in notice_message(notice=sms).text
    with time_machine.travel("2028-05-20 09:00 +0800", tick=False):
        client.force_login(staff)
        page = client.get("/notifications/reports-running-out/").content.decode()
        services_page = client.get("/credit-services/").content.decode()
        guide = client.get("/commitments/report-guide/").content.decode()
    assert "有效期两年" in page and "满两年日期" in page and customer.name in page
    assert "公共信用信息查询报告有效期两年" in services_page and "出具之日起两年内的报告" in guide
