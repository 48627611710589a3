"""End to end in a real browser, on the demo data: a supervisor drafts a rule set that warns from one
month of arrears (yellow.1: 2 → 1), runs its impact, reads the transition matrix and opens the
customers who move, with both explanations side by side; another supervisor approves it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ratings.models import CustomerRating, ImpactReport, RuleSet, RuleSetStatus
from ratings.rulesets import ruleset_plan

TODAY = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
WORDING = "拖欠电费1个月及以上3个月以内"


def _log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("header.top .account")).to_contain_text("班组长")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_draft_warning_from_one_month_of_arrears_shows_its_matrix_and_the_customers_it_moves(
    page, live_server, time_machine, assert_accessible
):
    time_machine.move_to(TODAY, tick=True)
    # Version 1 comes from a migration; a transactional test's flush may have emptied the table.
    ruleset_plan()
    call_command("seed_demo", customers=24, stdout=open("/dev/null", "w"))  # noqa: SIM115
    ratings_before = sorted(CustomerRating.objects.values_list("customer_id", "level", "rule_set_version"))

    _log_in(page, "supervisor", "demo-supervisor-2026")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="评定规则集").click()
    expect(page.get_by_role("heading", name="评定规则集")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="以现行版本为基础起草新版本").click()

    group = page.locator("#group-yellow\\.1")
    group.get_by_label("欠费月数").fill("1")
    page.get_by_role("button", name="保存草稿").click()
    # A changed number needs its new wording: refused, with the criterion and field named.
    expect(page.locator(".errorlist").first).to_contain_text(
        "黄色等级评定要素第1条所依据的本条的欠费月数已改变，请填写本条新的条款原文"
    )
    assert_accessible(page)
    assert RuleSet.objects.count() == 1

    group.get_by_label("新的条款原文").fill(WORDING)
    page.get_by_label("修订说明").fill("欠费满1个月即黄色预警")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("第2版评定规则集")
    expect(page.locator("#changed-criteria")).to_contain_text(WORDING)
    expect(page.locator("#changed-criteria")).to_contain_text("拖欠电费2个月及以上3个月以内")
    expect(page.get_by_text("这是您起草的版本，须由另一名班组长批准。")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="开始评估").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("影响评估：第2版对第1版")
    matrix = page.locator("#impact-matrix")
    expect(matrix).to_be_visible()
    moved = matrix.locator('td[data-from="blue"][data-to="yellow"] a')
    expect(moved).to_have_text("4")
    expect(page.locator("#impact-consequences")).to_contain_text("失去绿色通道")
    expect(page.locator("#impact-criteria")).to_contain_text(WORDING)
    assert_accessible(page)

    moved.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("蓝色 → 黄色：4 户")
    rows = page.locator("#impact-cell tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("满足蓝色信用等级全部条件")
    expect(rows.first).to_contain_text(f"黄色等级评定要素第1条「{WORDING}」成立")
    assert_accessible(page)

    # Nothing was rated by the impact run.
    assert sorted(CustomerRating.objects.values_list("customer_id", "level", "rule_set_version")) == ratings_before
    report = ImpactReport.objects.get()
    assert report.matrix["blue"]["yellow"] == 4

    # Another supervisor approves it from tomorrow; the public standards page announces it.
    page.context.clear_cookies()
    _log_in(page, "supervisor2", "demo-supervisor2-2026")
    page.goto("/ratings/rule-sets/2/")
    tomorrow = (TODAY + timedelta(days=1)).date().isoformat()
    page.get_by_label("生效日期").fill(tomorrow)
    page.get_by_role("button", name="批准").click()
    expect(page.locator("h1 .badge")).to_have_text("已批准（待生效）")
    assert RuleSet.objects.get(version=2).status == RuleSetStatus.APPROVED
    assert_accessible(page)
    page.goto("/standards/")
    expect(page.get_by_role("heading", name=f"公示：第2版评定规则集将于{tomorrow}起施行")).to_be_visible()
    assert_accessible(page)
