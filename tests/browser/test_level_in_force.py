"""End to end in a real browser, issue 11: every consequence of a level follows the level in force.

With the real Redis stopped (no broker, no cache) staff record a 600,000-yuan theft: the page answers
success and shows black at once; a supervisor approves its revocation: the black letter is superseded
and the green notice sent. A black enterprise is refused the no-property route with the reason. A
report running out produces its reminder once, seen by staff on their worklist and by the enterprise
on its notices page.
"""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from archives.models import CreditEvent
from credit_portal import roles
from notifications.models import Notice, NoticeStatus
from notifications.services import notice_send
from notifications.services.reminders import report_expiry_reminders
from ratings.models import CustomerRating, RatingCause
from ratings.services import rating_refresh
from tests.factories import AccountFactory, CustomerFactory, MembershipFactory, ReportFactory, rate

TODAY = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PASSWORD = "Hall-counter-2026"


def _log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def _green(name: str, *, issued_on: date) -> object:
    customer = CustomerFactory(name=name, address="淮安市淮阴区长江东路9号")
    AccountFactory(customer=customer, opened_on=date(2015, 3, 1), payment_method="prepaid")
    ReportFactory(customer=customer, issued_on=issued_on, status="verified", shows_dishonesty=False)
    rating_refresh(customer=customer, cause=RatingCause.REPORT)
    assert CustomerRating.objects.get(customer=customer).level == "green"
    return customer


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_theft_with_redis_stopped_turns_black_at_once_and_its_revocation_supersedes_the_letter(
    page,
    chromium,
    live_server,
    staff,
    supervisor,
    other_supervisor,
    time_machine,
    redis_stopped,
    settings,
    assert_accessible,
):
    settings.RETRY = {**settings.RETRY, "publish": {"max_retries": 0}}
    time_machine.move_to(TODAY, tick=True)
    for user in (staff, other_supervisor):
        user.set_password(PASSWORD)
        user.save()
    customer = _green("淮阴辛钢铁有限公司", issued_on=date(2026, 6, 1))

    # 1. Staff record a 600,000-yuan theft while Redis is stopped: success, black at once.
    _log_in(page, "staff")
    page.goto(f"/archives/customers/{customer.uscc}/events/new/")
    page.get_by_label("失信行为类型").select_option(label="窃电")
    page.get_by_label("发生日期").fill("2026-11-20")
    page.get_by_label("窃电金额（元）").fill("600000")
    page.get_by_role("button", name="提交").click()
    expect(page).to_have_url(f"{live_server.url}/archives/customers/{customer.uscc}/")
    expect(page.locator(".messages")).to_contain_text("失信行为已录入，评级已更新")
    expect(page.locator("h1 .badge")).to_have_text("黑色")
    expect(page.locator("#rating")).to_contain_text("黑色等级评定要素第3条")
    assert_accessible(page)
    assert CreditEvent.objects.filter(customer=customer).count() == 1
    letter = Notice.objects.get(customer=customer, channel="letter", level="black")
    assert letter.status == NoticeStatus.PENDING  # the outbox waits for the broker (or the sweeper)

    # 2. Staff ask for the revocation; another supervisor approves it.
    page.get_by_role("link", name="申请撤销").click()
    page.get_by_label("撤销理由").fill("经复核系计量装置误判，非窃电")
    page.get_by_role("button", name="提交").click()
    hall = chromium.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    _log_in(hall, "other_supervisor")
    hall.get_by_role("navigation", name="主导航").get_by_role("link", name="撤销审批").click()
    hall.get_by_role("link", name=re.compile("审批")).last.click()
    expect(hall.get_by_label("批准撤销")).to_be_visible()
    assert_accessible(hall)
    hall.get_by_label("批准撤销").check()
    hall.get_by_role("button", name="提交").click()

    # 3. Green again at once; the black letter is superseded, never sent; the green notice is sent.
    page.goto(f"/archives/customers/{customer.uscc}/")
    expect(page.locator("h1 .badge")).to_have_text("绿色")
    assert_accessible(page)  # the revoked theft stays listed, struck through, readable
    letter.refresh_from_db()
    assert (letter.status, letter.superseded_level) == (NoticeStatus.SUPERSEDED, "green")
    green = Notice.objects.get(customer=customer, level="green", channel="sms")
    assert notice_send(notice_id=green.pk) == "sent"  # the worker, once the broker is back
    assert notice_send(notice_id=letter.pk) == "skipped"
    page.goto("/notifications/letters/?state=superseded")
    expect(page.locator("main")).to_contain_text("淮阴辛钢铁有限公司")
    expect(page.locator("main")).to_contain_text("变更为绿色")
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_black_enterprise_is_refused_the_no_property_route_and_a_report_running_out_is_reminded_once(
    page, chromium, live_server, staff, time_machine, assert_accessible
):
    time_machine.move_to(TODAY, tick=True)
    staff.set_password(PASSWORD)
    staff.save()
    black = CustomerFactory(name="淮阴壬黑色有限公司")
    rate(black, "black")
    enterprise = MembershipFactory(customer=black, user__username="13900000001").user
    enterprise.set_password(PASSWORD)
    enterprise.save()
    enterprise.groups.add(Group.objects.get(name=roles.APPLICANT))
    running_out = _green("淮阴癸报告到期有限公司", issued_on=date(2025, 12, 28))

    # 1. The black enterprise is refused the no-property route, and told why.
    _log_in(page, "13900000001")
    page.goto("/enterprise/applications/new/")
    page.get_by_label("申请类型").select_option(label="新装")
    page.get_by_label("用电地址").fill("淮阴区王营镇工业园1号")
    page.get_by_label("申请容量（千伏安）").fill("400")
    page.get_by_label("期望接电日期").fill("2026-12-15")
    page.get_by_label("信用承诺代替产权证明").check()
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".errorlist")).to_contain_text("仅限诚信客户")
    expect(page.locator(".errorlist")).to_contain_text("当前信用等级为黑色")
    assert_accessible(page)

    # 2. The nightly run finds the report running out (run twice: one reminder per channel).
    assert report_expiry_reminders(today=TODAY.date()) == 2
    assert report_expiry_reminders(today=TODAY.date()) == 0
    staff_page = chromium.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    _log_in(staff_page, "staff")
    staff_page.goto("/notifications/reports-running-out/")
    row = staff_page.locator("#reports-running-out tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("淮阴癸报告到期有限公司")
    expect(row).to_contain_text("2026-12-28")
    assert_accessible(staff_page)
    assert Notice.objects.filter(customer=running_out).count() == 2
