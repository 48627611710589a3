"""End to end in a real browser: staff log in, find a customer, record a theft and see it turn red."""

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from archives.models import CreditEvent
from ratings.models import CustomerRating
from tests.factories import AccountFactory, CustomerFactory

PASSWORD = "Hall-counter-2025"
# The rating counts events within a year of today: pin today so the theft below is always in the window.
TODAY = datetime(2025, 6, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
THEFT_ON = "2025-05-20"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_records_a_theft_through_the_pages_and_the_customer_turns_red(
    page, live_server, staff, time_machine, tmp_path, assert_accessible
):
    time_machine.move_to(TODAY, tick=True)
    staff.set_password(PASSWORD)
    staff.save()
    customer = CustomerFactory(name="淮阴丙化工有限公司", contact_phone="13812345678")
    AccountFactory(customer=customer, opened_on=date(2018, 3, 1))

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("header.top .account")).to_contain_text("（营业厅工作人员）")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="信用档案").click()
    expect(page.get_by_role("heading", name="电力用户信用档案")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("统一社会信用代码或名称").fill(customer.uscc)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("共 1 户")).to_be_visible()
    page.get_by_role("link", name=customer.uscc).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("淮阴丙化工有限公司")

    page.get_by_role("link", name="录入失信行为").click()
    page.get_by_label("失信行为类型").select_option(label="窃电")
    page.get_by_label("发生日期").fill(THEFT_ON)
    page.get_by_label("窃电金额（元）").fill("-120000")
    page.get_by_label("情况说明").fill("绕越计量装置用电，现场查获")
    page.get_by_role("button", name="提交").click()

    expect(page.locator(".errorlist")).to_contain_text("窃电金额不能为负数")
    assert_accessible(page)
    assert not CreditEvent.objects.filter(customer=customer).exists()
    assert not CustomerRating.objects.filter(customer=customer, level="red").exists()

    page.get_by_label("窃电金额（元）").fill("120000")
    page.get_by_role("button", name="提交").click()

    expect(page).to_have_url(f"{live_server.url}/archives/customers/{customer.uscc}/")
    expect(page.locator(".messages")).to_contain_text("失信行为已录入，评级已更新")
    events = page.locator("#events")
    expect(events).to_contain_text("窃电")
    expect(events).to_contain_text(THEFT_ON)
    expect(events).to_contain_text("金额 120,000.00 元")
    expect(page.locator("h1 .badge")).to_have_text("红色")
    expect(page.locator("#rating h2 .badge")).to_have_text("红色")
    expect(page.locator("#rating")).to_contain_text("红色等级评定要素第3条")
    assert_accessible(page)

    event = CreditEvent.objects.get(customer=customer)
    assert (event.type, str(event.occurred_on), event.amount_yuan, event.recorded_by) == (
        "theft",
        THEFT_ON,
        120000,
        staff,
    )
    assert CustomerRating.objects.get(customer=customer).level == "red"

    # For a human look at the page: PORTAL_SCREENSHOT=/tmp/archive.png pytest tests/browser
    page.screenshot(path=Path(os.environ.get("PORTAL_SCREENSHOT", tmp_path / "archive.png")), full_page=True)
