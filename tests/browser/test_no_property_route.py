"""End to end in a real browser, the no-property route of plan §二: an enterprise without property documents
registers, downloads its pre-filled commitment letter, uploads it signed with its public credit report;
staff confirm the account, verify the report and accept the letter; the enterprise applies and, being
honest now, its application heads the staff queue (绿色通道) ahead of an older one."""

import os
import re
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from archives.models import PublicCreditReport
from commitments.models import CommitmentLetter, PowerApplication
from ratings.models import CustomerRating
from tests.factories import (
    REGISTRANT_ID_NUMBER,
    AccountFactory,
    CustomerFactory,
    PowerApplicationFactory,
    UserFactory,
    make_uscc,
    rate,
)

TODAY = datetime(2025, 6, 16, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
STAFF_PASSWORD = "Hall-counter-2025"
APPLICANT_PASSWORD = "Solar-Huaiyin-2025"
PHONE = "13951234567"


def _log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def _nav(page):
    return page.get_by_role("navigation", name="主导航")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_enterprise_without_property_documents_applies_and_heads_the_queue(
    page, chromium, live_server, staff, time_machine, tmp_path, assert_accessible
):
    time_machine.move_to(TODAY, tick=True)
    staff.set_password(STAFF_PASSWORD)
    staff.save()
    uscc = make_uscc(880_001)
    customer = CustomerFactory(uscc=uscc, name="淮阴壬光伏科技有限公司")
    AccountFactory(customer=customer, opened_on=date(2019, 4, 1), payment_method="postpaid")
    # An older application of a customer that is not honest: without the green channel it would come first.
    waiting = CustomerFactory(name="淮阴癸物流有限公司")
    rate(waiting, "yellow")
    PowerApplicationFactory(customer=waiting, submitted_at=TODAY - timedelta(days=5), submitted_by=UserFactory())

    # 1. The enterprise registers (a bad USCC first: a clear message, no account).
    page.goto("/")
    page.get_by_role("link", name="注册", exact=True).click()
    page.get_by_label("统一社会信用代码").fill(uscc[:-1] + ("0" if uscc[-1] != "0" else "1"))
    page.get_by_label("企业名称").fill("淮阴壬光伏科技有限公司")
    page.get_by_label("联系人").fill("吴十")
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_label(re.compile(r"^密码")).fill(APPLICANT_PASSWORD)
    page.get_by_label("确认密码").fill(APPLICANT_PASSWORD)
    page.get_by_label("注册人证件号码").fill(REGISTRANT_ID_NUMBER)
    page.get_by_label("我已阅读并同意《个人信息处理告知书》").check()
    page.get_by_role("button", name="注册").click()
    expect(page.locator(".errorlist")).to_contain_text("校验码错误")
    assert_accessible(page)
    page.get_by_label("统一社会信用代码").fill(uscc.lower())
    page.get_by_label(re.compile(r"^密码")).fill(APPLICANT_PASSWORD)
    page.get_by_label("确认密码").fill(APPLICANT_PASSWORD)
    page.get_by_role("button", name="注册").click()
    expect(page.locator(".messages")).to_contain_text("注册成功")
    expect(page.locator("main")).to_contain_text("营业厅工作人员确认后即可查看")
    assert_accessible(page)

    # 2. Staff confirm the binding (another browser session).
    staff_context = chromium.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai")
    staff_context.set_default_timeout(10_000)
    hall = staff_context.new_page()
    _log_in(hall, "staff", STAFF_PASSWORD)
    _nav(hall).get_by_role("link", name="账号确认").click()
    expect(hall.locator("#registrations")).to_contain_text(PHONE)
    assert_accessible(hall)
    hall.get_by_role("link", name="处理", exact=True).click()
    hall.get_by_label("确认绑定").check()
    hall.get_by_role("button", name="提交").click()
    expect(hall.locator(".messages")).to_contain_text("已处理企业账号绑定")

    # 3. The enterprise downloads its pre-filled letter: Annex 2 with its name and USCC, Chinese text inside.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("淮阴壬光伏科技有限公司")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载信用承诺书（PDF）").click()
    letter_pdf = tmp_path / "letter.pdf"
    download_info.value.save_as(letter_pdf)
    text = re.sub(
        r"\s+", "", subprocess.run(["pdftotext", str(letter_pdf), "-"], capture_output=True, text=True).stdout
    )
    assert f"我单位/公司（名称）淮阴壬光伏科技有限公司，统一社会信用代码为{uscc}。" in text
    assert "五、本《信用承诺书》同意向社会公开。" in text

    # 4. It uploads the signed letter and its public credit report.
    page.get_by_role("link", name="上传签章的承诺书").click()
    page.get_by_label("承诺日期").fill("2025-06-16")
    page.get_by_label("签章后的信用承诺书").set_input_files(str(letter_pdf))
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".messages")).to_contain_text("信用承诺书已上传，待营业厅审核")
    report_pdf = tmp_path / "report.pdf"
    report_pdf.write_bytes(letter_pdf.read_bytes())  # any real PDF will do for the report's file
    page.get_by_role("link", name="上传公共信用报告").click()
    page.get_by_label("报告出具日期").fill("2025-06-12")
    page.get_by_label("《江苏省法人公共信用信息查询报告》").set_input_files(str(report_pdf))
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".messages")).to_contain_text("待营业厅核验")
    expect(page.locator("#no-property-status li.ok")).to_have_count(0)
    # Not yet an honest customer: told so here, with what would open the route, before any form.
    expect(page.locator("#level-gate-no_property_route")).to_contain_text("仅限诚信客户（绿色、蓝色）")
    assert_accessible(page)

    # 5. Staff verify the report (the customer is re-rated) and accept the letter (it gets its code).
    _nav(hall).get_by_role("link", name="报告核验").click()
    hall.get_by_role("row", name=re.compile("淮阴壬光伏科技有限公司")).get_by_role("link").last.click()
    hall.get_by_label("无失信行为").check()
    hall.get_by_role("button", name="确认核验").click()
    expect(hall.locator(".messages")).to_contain_text("报告已核验")
    assert CustomerRating.objects.get(customer=customer).level == "blue"
    _nav(hall).get_by_role("link", name="承诺书审核").click()
    hall.get_by_role("row", name=re.compile("淮阴壬光伏科技有限公司")).get_by_role("link", name="审核").click()
    hall.get_by_label("受理").check()
    hall.get_by_role("button", name="提交审核结果").click()
    expect(hall.locator("#letter-code")).to_have_text("32080420250616000001")
    assert_accessible(hall)

    # 6. The enterprise applies without property documents, on its report and its letter.
    page.reload()
    expect(page.locator("#no-property-status li.ok")).to_have_count(3)  # the level, the report, the letter
    expect(page.locator("#level-gate-no_property_route")).to_have_count(0)
    expect(page.locator("h1 .badge")).to_have_text("蓝色")
    _nav(page).get_by_role("link", name="用电申请").click()
    page.get_by_label("申请类型").select_option(label="新装")
    page.get_by_label("用电地址").fill("淮阴区王营镇光伏产业园3号")
    page.get_by_label("申请容量（千伏安）").fill("630")
    page.get_by_label("期望接电日期").fill("2025-07-15")
    page.get_by_label("信用承诺代替产权证明").check()
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".messages")).to_contain_text("用电申请已提交")
    expect(page.locator("main")).to_contain_text("32080420250616000001")
    assert_accessible(page)

    # 7. Staff see it first in the queue: honest (blue) ahead of the older yellow application.
    _nav(hall).get_by_role("link", name="申请队列").click()
    rows = hall.locator("#application-queue tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("淮阴壬光伏科技有限公司")
    expect(rows.nth(0)).to_contain_text("绿色通道")
    expect(rows.nth(0)).to_contain_text("信用承诺代替产权证明")
    expect(rows.nth(1)).to_contain_text("淮阴癸物流有限公司")
    assert_accessible(hall)
    staff_context.close()

    application = PowerApplication.objects.get(customer=customer)
    assert (application.route, application.level_at_submission) == ("no_property", "blue")
    assert application.letter == CommitmentLetter.objects.get(customer=customer, status="accepted")
    assert application.report == PublicCreditReport.objects.get(customer=customer, status="verified")

    # 8. The enterprise's home page fits a phone screen (opened from a WeChat link).
    phone = chromium.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True,
        storage_state=page.context.storage_state(),
    )  # fmt: skip
    mobile = phone.new_page()
    mobile.goto("/enterprise/")
    expect(mobile.get_by_role("heading", level=1)).to_contain_text("淮阴壬光伏科技有限公司")
    assert_accessible(mobile)
    assert mobile.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shots = Path(os.environ.get("PORTAL_SCREENSHOT_DIR", tmp_path))
    mobile.screenshot(path=shots / "enterprise-phone.png", full_page=True)
    page.screenshot(path=shots / "enterprise-desktop.png", full_page=True)
    phone.close()
