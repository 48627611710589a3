"""End to end in a real browser, credit repair (信用修复): staff record a 一般 theft; before its shortest
publication period has passed the enterprise's application is refused naming the date; once it has, the
enterprise downloads its pre-filled 信用修复承诺书 and applies with a receipt and the signed commitment;
a supervisor checks and proposes, cannot decide his own proposal, and a second supervisor approves: the
level improves at once, the record shows 已修复, the commitment is public (信用修复型) and the next DRC
report lists it."""

import re
import subprocess
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.test import TestCase
from playwright.sync_api import expect

from archives.models import CreditEvent
from commitments.models import RepairApplication
from notifications.drc.build import drc_report_build
from notifications.drc.storage import report_folder
from ratings.models import CustomerRating
from tests.drc.conftest import read_csv
from tests.factories import AccountFactory, CustomerFactory, MembershipFactory, ReportFactory, UserFactory, make_uscc

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "Repair-flow-2025"


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


def _log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def _session(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    return context.new_page()


def _fill_application(page, *, receipt, commitment, committed_on: str) -> None:
    page.get_by_label("整改证明材料（缴费凭证等）").set_input_files(str(receipt))
    page.get_by_label("承诺日期").fill(committed_on)
    page.get_by_label("签章的信用修复承诺书").set_input_files(str(commitment))
    page.get_by_role("button", name="提交信用修复申请").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_enterprise_repairs_a_theft_it_has_put_right(
    page,
    chromium,
    live_server,
    staff,
    supervisor,
    other_supervisor,
    time_machine,
    settings,
    tmp_path,
    assert_accessible,
):
    settings.DRC_REPORT_ROOT = str(tmp_path / "drc-reports")
    time_machine.move_to(_at(date(2025, 1, 10)), tick=True)
    customer = CustomerFactory(uscc=make_uscc(910_021), name="淮阴丙纺织有限公司")
    AccountFactory(customer=customer, opened_on=date(2018, 3, 1), payment_method="prepaid")
    ReportFactory(customer=customer, issued_on=date(2025, 1, 6), status="verified", shows_dishonesty=False)
    owner = UserFactory(username="13951230021")
    owner.groups.add(Group.objects.get(name="applicant"))
    MembershipFactory(user=owner, customer=customer)
    for user in (staff, supervisor, other_supervisor, owner):
        user.set_password(PASSWORD)
        user.save()

    # 1. Staff record a 20,000-yuan theft (一般: shortest period 3 months): red at once.
    _log_in(page, "staff")
    page.goto(f"/archives/customers/{customer.uscc}/events/new/")
    page.get_by_label("失信行为类型").select_option(label="窃电")
    page.get_by_label("发生日期").fill("2025-01-08")
    page.get_by_label("窃电金额（元）").fill("20000")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".messages")).to_contain_text("失信行为已录入")
    expect(page.locator("h1 .badge")).to_have_text("红色")
    assert_accessible(page)
    event = CreditEvent.objects.get(customer=customer)

    # 2. Before its shortest period has passed, the page says from when, and an application is refused.
    time_machine.move_to(_at(date(2025, 3, 3)), tick=True)
    enterprise = _session(chromium, live_server)
    _log_in(enterprise, "13951230021")
    expect(enterprise.locator(f"#event-{event.pk}")).to_contain_text("2025-04-10 起可申请")
    enterprise.locator(f"#event-{event.pk}").get_by_role("link", name="申请信用修复").click()
    expect(enterprise.locator("#repair-status")).to_contain_text("自 2025-04-10 起方可申请信用修复")
    expect(enterprise.locator("#repair-needed")).to_contain_text("补交电费及违约使用电费的缴费凭证")
    with enterprise.expect_download() as download:
        enterprise.get_by_role("link", name="下载预填的信用修复承诺书（PDF）").click()
    assert_accessible(enterprise)
    commitment = tmp_path / "commitment.pdf"
    download.value.save_as(commitment)
    text = re.sub(
        r"\s+", "", subprocess.run(["pdftotext", str(commitment), "-"], capture_output=True, text=True).stdout
    )
    assert f"我单位/公司（名称）淮阴丙纺织有限公司，统一社会信用代码为{customer.uscc}" in text
    assert "已停止窃电行为，补交电费并承担违约使用电费" in text
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(commitment.read_bytes())  # any real PDF stands for the scanned receipt
    _fill_application(enterprise, receipt=receipt, commitment=commitment, committed_on="2025-03-03")
    expect(enterprise.locator(".errorlist")).to_contain_text("自 2025-04-10 起方可申请信用修复")
    assert_accessible(enterprise)
    assert not RepairApplication.objects.exists()

    # 3. Once it has passed, the enterprise applies with the receipt and the signed commitment.
    time_machine.move_to(_at(date(2025, 6, 16)), tick=True)
    _log_in(enterprise, "13951230021")
    enterprise.locator(f"#event-{event.pk}").get_by_role("link", name="申请信用修复").click()
    _fill_application(enterprise, receipt=receipt, commitment=commitment, committed_on="2025-06-16")
    expect(enterprise.locator(".messages")).to_contain_text("信用修复申请已提交")
    expect(enterprise.locator("#repair-status")).to_have_text("待审查")
    assert_accessible(enterprise)

    # 4. A supervisor checks and proposes; he cannot decide his own proposal.
    hall = _session(chromium, live_server)
    _log_in(hall, "supervisor")
    hall.get_by_role("navigation", name="主导航").get_by_role("link", name=re.compile("信用修复")).click()
    hall.get_by_role("row", name=re.compile("淮阴丙纺织有限公司")).get_by_role("link", name="处理").click()
    hall.get_by_label("建议予以修复").check()
    hall.get_by_label("已核实纠正失信行为、履行相关义务").check()
    hall.get_by_label("审查意见").fill("补交电费及违约使用电费收据属实，窃电行为已停止")
    hall.get_by_role("button", name="提交审查意见").click()
    expect(hall.locator(".messages")).to_contain_text("待另一名班组长决定")
    expect(hall.locator("#repair-own-proposal")).to_contain_text("须由另一名班组长作出决定")
    expect(hall.get_by_role("button", name="提交决定")).to_have_count(0)
    assert_accessible(hall)

    # 5. A second supervisor approves: the level improves at once, the record shows 已修复.
    boss = _session(chromium, live_server)
    _log_in(boss, "other_supervisor")
    boss.goto(hall.url)
    boss.get_by_label("予以信用修复").check()
    boss.get_by_label("决定意见").fill("同意修复")
    boss.get_by_role("button", name="提交决定").click()
    expect(boss.locator("#repair-status")).to_have_text("已修复")
    expect(boss.locator("#event-state")).to_contain_text("已修复")
    code = boss.locator("#repair-letter-code").inner_text()
    assert_accessible(boss)
    assert CustomerRating.objects.get(customer=customer).level in ("blue", "green")
    enterprise.goto("/enterprise/")
    expect(enterprise.locator("h1 .badge")).not_to_have_text("红色")
    expect(enterprise.locator(f"#event-{event.pk}")).to_contain_text("已修复")
    expect(enterprise.locator("#repairs")).to_contain_text(code)
    assert_accessible(enterprise)

    # 6. The commitment is public (信用修复型), and the next DRC report lists it.
    page.goto("/commitments/public/")
    expect(page.get_by_role("row", name=re.compile(code))).to_contain_text("信用修复型")
    assert_accessible(page)
    with TestCase.captureOnCommitCallbacks(execute=True):
        report = drc_report_build(report_date=date(2025, 6, 16)).report
    header, *rows = read_csv(report_folder(report) / "commitments.csv")
    row = dict(zip(header, next(r for r in rows if r[0] == code), strict=True))
    assert (row["承诺类型"], row["承诺人代码"]) == ("信用修复型", customer.uscc)
    assert row["备注"] == "修复的失信行为：窃电（发生日期 2025-01-08），修复日期 2025-06-16"
    header, *rows = read_csv(report_folder(report) / "events.csv")
    shared = dict(zip(header, next(r for r in rows if customer.uscc in r), strict=True))
    assert (shared["状态"], shared["修复日期"], shared["失信信息类别"]) == ("已修复", "2025-06-16", "一般")
    for context_page in (enterprise, hall, boss):
        context_page.context.close()
