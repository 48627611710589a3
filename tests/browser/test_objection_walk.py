"""End to end in a real browser, an objection (异议, issue 22): staff record a second red event for a red
customer; the enterprise is told of it; it objects to it from its home page; the record shows 异议中 on its page, on the
archive page and in the next DRC report, and still counts; staff review, a supervisor decides (upheld:
the record is revoked) and the mark goes."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.test import TestCase
from playwright.sync_api import expect

from archives.models import CreditEvent
from commitments.models import Objection
from notifications.drc.build import drc_report_build
from notifications.drc.storage import report_folder
from ratings.models import CustomerRating
from ratings.services import rating_refresh
from tests.drc.conftest import read_csv
from tests.factories import (
    AccountFactory,
    CustomerFactory,
    EventFactory,
    MembershipFactory,
    ReportFactory,
    UserFactory,
    make_uscc,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "Objection-walk-2025"
TODAY = date(2025, 6, 16)


def _log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def _session(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    return context.new_page()


def _event_status_in_report(customer, event, *, rebuild: bool) -> str:
    with TestCase.captureOnCommitCallbacks(execute=True):
        report = drc_report_build(report_date=TODAY, rebuild=rebuild).report
    header, *rows = read_csv(report_folder(report) / "events.csv")
    shared = [dict(zip(header, row, strict=True)) for row in rows if customer.uscc in row]
    return next(row["状态"] for row in shared if row["发生日期"] == f"{event.occurred_on:%Y-%m-%d}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_enterprise_objects_to_a_new_record_and_the_mark_goes_once_decided(
    page, chromium, live_server, staff, supervisor, time_machine, settings, tmp_path, assert_accessible
):
    settings.DRC_REPORT_ROOT = str(tmp_path / "drc-reports")
    time_machine.move_to(datetime(2025, 6, 16, 9, 0, tzinfo=SHANGHAI), tick=True)
    customer = CustomerFactory(uscc=make_uscc(910_022), name="淮阴丁五金有限公司")
    AccountFactory(customer=customer, opened_on=date(2018, 3, 1), payment_method="prepaid")
    ReportFactory(customer=customer, issued_on=date(2025, 6, 1), status="verified", shows_dishonesty=False)
    EventFactory(customer=customer, type="theft", occurred_on=date(2025, 3, 2), amount_yuan=Decimal("20000"))
    rating_refresh(customer=customer, cause="manual")
    assert CustomerRating.objects.get(customer=customer).level == "red"
    owner = UserFactory(username="13951230022")
    owner.groups.add(Group.objects.get(name="applicant"))
    MembershipFactory(user=owner, customer=customer)
    for user in (staff, supervisor, owner):
        user.set_password(PASSWORD)
        user.save()

    # 1. Staff record a second red event (a malicious complaint, red.9) for the red customer (red.3).
    _log_in(page, "staff")
    page.goto(f"/archives/customers/{customer.uscc}/events/new/")
    page.get_by_label("失信行为类型").select_option(value="malicious_complaint")
    page.get_by_label("发生日期").fill("2025-06-12")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".messages")).to_contain_text("失信行为已录入")
    expect(page.locator("h1 .badge").first).to_have_text("红色")
    event = CreditEvent.objects.get(customer=customer, occurred_on=date(2025, 6, 12))

    # 2. The enterprise is told of the new record (its level stays red: a notice of the record itself) …
    enterprise = _session(chromium, live_server)
    _log_in(enterprise, "13951230022")
    enterprise.goto("/notifications/mine/")
    told = enterprise.locator("main")
    expect(told).to_contain_text("失信行为记录告知")
    expect(told).to_contain_text("异议")
    assert_accessible(enterprise)

    # … and objects to it from its home page.
    enterprise.goto("/enterprise/")
    enterprise.locator(f"#event-{event.pk}").get_by_role("link", name="对此记录提出异议").click()
    assert_accessible(enterprise)
    enterprise.get_by_label("异议理由").fill("6月12日系正常咨询，并非恶意投诉，附通话记录")
    enterprise.get_by_role("button", name="提交").click()
    expect(enterprise.locator(".messages")).to_contain_text("异议已提交")

    # 3. The record shows 异议中 on its page, on the archive page and in the next DRC report; still red.
    expect(enterprise.locator(f"#event-{event.pk}")).to_contain_text("异议中")
    page.goto(f"/archives/customers/{customer.uscc}/")
    expect(page.locator(f"#event-{event.pk}")).to_contain_text("异议中")
    expect(page.locator("#objections")).to_contain_text("异议中")
    assert_accessible(page)
    assert _event_status_in_report(customer, event, rebuild=False) == "异议中"
    assert CustomerRating.objects.get(customer=customer).level == "red"

    # 4. Staff review; a supervisor decides: upheld, the record is revoked and the mark goes.
    objection = Objection.objects.get(customer=customer)
    page.goto(f"/commitments/objections/{objection.pk}/")
    page.get_by_label("建议异议成立，撤销或更正该记录").check()
    page.get_by_label("审查意见").fill("通话记录属实")
    page.get_by_role("button", name="提交审查意见").click()
    expect(page.locator(".messages")).to_contain_text("待班组长决定")
    boss = _session(chromium, live_server)
    _log_in(boss, "supervisor")
    boss.goto(f"/commitments/objections/{objection.pk}/")
    boss.get_by_label("异议成立，撤销或更正该记录").check()
    boss.get_by_label("决定意见").fill("同意撤销")
    boss.get_by_role("button", name="提交决定").click()
    expect(boss.locator("h1")).to_contain_text("异议成立，记录已撤销")

    enterprise.goto("/enterprise/")
    expect(enterprise.locator(f"#event-{event.pk}")).not_to_contain_text("异议中")
    expect(enterprise.locator(f"#event-{event.pk}")).to_contain_text("已撤销")
    assert _event_status_in_report(customer, event, rebuild=True) == "已撤销"
    for context_page in (enterprise, boss):
        context_page.context.close()
