"""Each role's day walked in headless Chromium: staff, supervisor and DRC officer at desktop size, the
enterprise on a phone. No server error, no script error, no request to another host, on every step."""

from datetime import date, datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import factory
import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from archives import services as archive_services
from archives.models import EventRevocation, PublicCreditReport
from credit_portal import roles
from notifications.models import CallAttempt, Channel, Notice
from ratings.models import RatingHistory
from tests.browser.conftest import PageAudit
from tests.factories import (
    PDF_BYTES,
    AccountFactory,
    CustomerFactory,
    EventFactory,
    MembershipFactory,
    ReportFactory,
    UserFactory,
    rate,
    registrant_consent,
)

PASSWORD = "Hall-counter-2025"
TODAY = datetime(2025, 6, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Watch:
    """Collects what must never happen on a page: script errors, 5xx answers, requests to other hosts."""

    def __init__(self, page, base_url: str, axe_source: str):
        self.problems: list[str] = []
        self.audit = PageAudit(page, axe_source)
        host = urlparse(base_url).netloc
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on(
            "response",
            lambda response: response.status >= 500 and self.problems.append(f"{response.status} {response.url}"),
        )
        page.on(
            "request",
            lambda request: (
                urlparse(request.url).netloc not in (host, "")
                and not request.url.startswith(("data:", "blob:"))
                and self.problems.append(f"outside request: {request.url}")
            ),
        )

    def check(self, page):
        """axe-core at desktop and phone width, and the page's width at 390 px (reported by assert_clean)."""
        self.audit.check(page)

    def assert_clean(self):
        assert not self.problems, self.problems
        self.audit.assert_clean()


def _user(username: str, role: str, **extra):
    user = UserFactory(username=username, **extra)
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=role))
    return user


def _context(chromium, live_server, axe_source, viewport, **extra):
    context = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport, **extra
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    return context, page, Watch(page, live_server.url, axe_source)


def _log_in(page, username: str, watch: Watch):
    page.goto("/accounts/login/")
    watch.check(page)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def _nav(page):
    return page.get_by_role("navigation", name="主导航")


def _notice(customer, channel: str, level: str) -> Notice:
    change = RatingHistory.objects.create(
        customer=customer, level=level, previous_level="", computed_level=level, rules=[f"{level}.2"],
        as_of=TODAY.date(), rules_version="test", cause="event",
    )  # fmt: skip
    return Notice.objects.create(
        customer=customer, rating_change=change, channel=channel, level=level, status="sent", sent_at=TODAY,
        body="您好，这里是淮阴供电营业部。", reference="淮供营信告〔2025〕000001号",
        payload={"customer_name": customer.name},
    )  # fmt: skip


def test_a_staff_members_day(chromium, live_server, axe_source, time_machine):
    time_machine.move_to(TODAY, tick=True)
    staff = _user("hall", roles.STAFF, first_name="王芳")
    enterprise = CustomerFactory(name="淮阴甲电器有限公司", contact_phone="13812345678")
    AccountFactory(customer=enterprise, opened_on=date(2018, 3, 1))
    event = EventFactory(customer=enterprise, type="late_payment", occurred_on=date(2025, 3, 10), recorded_by=staff)
    report = ReportFactory(customer=enterprise, uploaded_by=staff, issued_on=date(2025, 6, 1))
    caller = CustomerFactory(name="淮阴乙机械有限公司", contact_phone="13900000001")
    call = _notice(caller, Channel.CALL, "yellow")
    context, page, watch = _context(chromium, live_server, axe_source, DESKTOP)

    _log_in(page, "hall", watch)
    nav = _nav(page)
    for group in ("档案", "待办", "告知", "报表", "公开信息"):
        expect(nav.locator(".nav-title", has_text=group)).to_be_visible()
    expect(nav.get_by_role("link", name="报告核验")).to_contain_text("1")
    expect(nav.get_by_role("link", name="电话提醒")).to_contain_text("1")
    watch.check(page)

    # An unreadable report goes back to the enterprise with the reason.
    nav.get_by_role("link", name="报告核验").click()
    expect(page.get_by_role("row", name="淮阴甲电器有限公司")).to_be_visible()
    watch.check(page)
    page.get_by_role("row", name="淮阴甲电器有限公司").get_by_role("link").last.click()
    expect(page.get_by_label("退回报告（不能作为核验依据）")).not_to_be_checked()
    watch.check(page)
    page.get_by_label("退回报告（不能作为核验依据）").check()
    page.get_by_label("文件无法辨认").check()
    page.get_by_label("核验说明").fill("扫描件模糊，请重新扫描上传")
    page.get_by_role("button", name="确认核验").click()
    expect(page.locator(".messages")).to_contain_text("报告已退回")
    watch.check(page)
    report.refresh_from_db()
    assert report.status == "rejected"

    # A call nobody answers comes back on the next working day.
    _nav(page).get_by_role("link", name="电话提醒").click()
    expect(page.get_by_role("row", name="淮阴乙机械有限公司")).to_be_visible()
    watch.check(page)
    page.get_by_role("row", name="淮阴乙机械有限公司").get_by_role("link", name="记录结果").click()
    expect(page.get_by_label("未接通")).to_be_visible()
    watch.check(page)
    page.get_by_label("未接通").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已放回队列，2025-06-17 再拨")
    expect(page.get_by_role("row", name="淮阴乙机械有限公司")).to_contain_text("2025-06-17 再拨")
    watch.check(page)
    assert CallAttempt.objects.filter(notice=call).count() == 1

    # A revocation asked for from the archive page shows under 我的申请.
    page.goto(f"/archives/customers/{enterprise.uscc}/")
    watch.check(page)
    page.locator(f"#event-{event.pk}").get_by_role("link", name="申请撤销").click()
    expect(page.get_by_label("撤销理由")).to_be_visible()
    watch.check(page)
    page.get_by_label("撤销理由").fill("重复录入")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".messages")).to_be_visible()
    watch.check(page)
    _nav(page).get_by_role("link", name="我的申请").click()
    expect(page.locator("#my-requests")).to_contain_text("撤销失信记录")
    expect(page.locator("#my-requests")).to_contain_text("待审批")
    watch.check(page)

    # The customer list is exported by a job: progress, then a download link.
    _nav(page).get_by_role("link", name="信用档案").click()
    expect(page.get_by_role("link", name="导出 Excel")).to_be_visible()
    watch.check(page)
    page.get_by_role("link", name="导出 Excel").click()
    expect(page.get_by_role("button", name="开始导出")).to_be_visible()
    watch.check(page)
    page.get_by_role("button", name="开始导出").click()
    expect(page.locator("#file-job")).to_have_attribute("data-status", "done")
    watch.check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 customers-").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # The application queue: history and search.
    _nav(page).get_by_role("link", name="申请队列").click()
    expect(page.get_by_role("link", name="已处理（历史）")).to_be_visible()
    watch.check(page)
    page.get_by_role("link", name="已处理（历史）").click()
    expect(page.locator("#application-queue")).to_contain_text("没有已处理的用电申请")
    # Keyboard and screen-reader use: a skip link first, tables named by a caption, headers in th.
    expect(page.locator("#application-queue caption")).to_have_text("用电申请（已处理）")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到主要内容")).to_be_focused()
    # Focus visible: the portal's own outline, waited for (the page's stylesheet may still be loading when
    # the DOM is there, and the browser's default ring reads "auto").
    expect(page.get_by_role("link", name="跳到主要内容")).to_have_css("outline-style", "solid")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    watch.check(page)

    # The dashboard counts a level change at once (no beat runs in these tests) and says when it counted.
    page.goto("/ratings/dashboard/")
    red = page.locator("#level-count-red").locator("td").nth(1)
    red_before = int(red.inner_text())
    watch.check(page)
    time_machine.move_to(TODAY + timedelta(minutes=2), tick=True)
    page.goto(f"/archives/customers/{enterprise.uscc}/events/new/")
    watch.check(page)
    page.get_by_label("失信行为类型").select_option(label="窃电")
    page.get_by_label("发生日期").fill("2025-06-12")
    page.get_by_label("窃电金额（元）").fill("8000")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".messages")).to_contain_text("失信行为已录入")
    watch.check(page)
    page.goto("/ratings/dashboard/")
    expect(red).to_have_text(str(red_before + 1))
    counted = page.locator("#dashboard-age").inner_text()
    # Counted again at the change (2 minutes on: not the 5-minute rule), at that minute.
    assert counted.startswith(f"统计于 {(TODAY + timedelta(minutes=2)):%Y-%m-%d %H:%M}"), counted
    watch.check(page)

    watch.assert_clean()
    context.close()


def test_a_supervisors_day(chromium, live_server, axe_source, time_machine):
    time_machine.move_to(TODAY, tick=True)
    staff = _user("hall", roles.STAFF)
    _user("lead", roles.SUPERVISOR, first_name="李强")
    enterprise = CustomerFactory(name="淮阴丙化工有限公司")
    AccountFactory(customer=enterprise, opened_on=date(2018, 3, 1), payment_method="postpaid")
    EventFactory(customer=enterprise, type="late_payment", occurred_on=date(2025, 2, 10))
    event = EventFactory(
        customer=enterprise, type="late_payment", occurred_on=date(2025, 4, 10), recorded_by=staff,
        evidence=factory.django.FileField(filename="e.pdf", data=PDF_BYTES),
    )  # fmt: skip
    from ratings.services import rating_refresh

    rating_refresh(customer=enterprise, cause="manual")
    archive_services.revocation_request(event=event, reason="银行回单证明按期缴费", actor=staff)
    context, page, watch = _context(chromium, live_server, axe_source, DESKTOP)

    _log_in(page, "lead", watch)
    link = _nav(page).get_by_role("link", name="撤销审批")
    expect(link).to_contain_text("1")
    expect(_nav(page).get_by_role("link", name="人工调整审批")).to_be_visible()
    watch.check(page)
    link.click()
    expect(page.get_by_role("link", name="审批", exact=True)).to_be_visible()
    watch.check(page)
    page.get_by_role("link", name="审批", exact=True).click()
    expect(page.get_by_role("link", name="查看证据材料")).to_be_visible()
    watch.check(page)
    expect(page.locator("dl.facts")).to_contain_text("批准后的评定等级")
    expect(page.get_by_label("批准撤销")).not_to_be_checked()
    expect(page.get_by_label("驳回")).not_to_be_checked()
    page.get_by_label("批准撤销").check()
    page.get_by_label("审批意见").fill("回单属实")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".messages")).to_contain_text("审批完成")
    watch.check(page)
    assert EventRevocation.objects.get().status == "approved"

    page.get_by_role("link", name="查看审批记录").click()
    expect(page.locator("#decisions")).to_contain_text("淮阴丙化工有限公司")
    expect(page.locator("#decisions")).to_contain_text("回单属实")
    watch.check(page)

    watch.assert_clean()
    context.close()


def test_a_drc_officers_day(chromium, live_server, axe_source, time_machine, settings, tmp_path):
    time_machine.move_to(TODAY, tick=True)
    settings.DRC_REPORT_ROOT = str(tmp_path / "drc")
    settings.DRC_ACCEPTING_UNIT_CODE = "11320804MB0000000X"
    _user("hall", roles.STAFF)
    _user("officer", roles.DRC)
    rate(CustomerFactory(name="淮阴丁纺织有限公司"), "green")

    # Staff build today's report on demand (the 01:00 job's path).
    context, page, watch = _context(chromium, live_server, axe_source, DESKTOP)
    _log_in(page, "hall", watch)
    expect(_nav(page)).to_be_visible()
    watch.check(page)
    _nav(page).get_by_role("link", name="报送与查询").click()
    expect(page.get_by_role("button", name="立即生成今日（2025-06-16）报送文件")).to_be_visible()
    watch.check(page)
    page.get_by_role("button", name="立即生成今日（2025-06-16）报送文件").click()
    expect(page.locator(".messages")).to_contain_text("已开始生成")
    watch.check(page)
    watch.assert_clean()
    context.close()

    context, page, watch = _context(chromium, live_server, axe_source, DESKTOP)
    _log_in(page, "officer", watch)
    nav = _nav(page)
    expect(nav.get_by_role("link", name="信用承诺书")).to_have_count(1)
    watch.check(page)
    nav.get_by_role("link", name="报送与查询").click()
    row = page.locator("#reports tbody tr").first
    expect(row).to_contain_text("2025-06-16")
    expect(row).to_contain_text("已生成")
    expect(page.get_by_role("button", name="立即生成今日（2025-06-16）报送文件")).to_have_count(0)
    expect(page.locator("#trend-chart svg")).to_be_visible()
    expect(page.locator("#level-chart svg")).to_be_visible()
    watch.check(page)
    nav.get_by_role("link", name="信用承诺书").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("报送与查询")
    watch.check(page)

    watch.assert_clean()
    context.close()


def test_an_enterprises_day_on_a_phone(chromium, live_server, axe_source, time_machine):
    time_machine.move_to(TODAY, tick=True)
    enterprise = CustomerFactory(name="淮阴戊食品有限公司")
    AccountFactory(customer=enterprise, opened_on=date(2018, 3, 1), payment_method="postpaid")
    for day in (date(2025, 2, 10), date(2025, 4, 10)):
        EventFactory(customer=enterprise, type="late_payment", occurred_on=day)
    from ratings.services import rating_refresh

    rating_refresh(customer=enterprise, cause="manual")
    user = _user("13700000001", roles.APPLICANT)
    MembershipFactory(user=user, customer=enterprise)
    context, page, watch = _context(chromium, live_server, axe_source, PHONE, is_mobile=True, has_touch=True)

    _log_in(page, "13700000001", watch)
    expect(page.get_by_role("heading", level=1)).to_contain_text("淮阴戊食品有限公司")
    watch.check(page)
    # A compact header: a menu button, the links behind it.
    menu = page.get_by_role("button", name="菜单")
    expect(menu).to_be_visible()
    expect(_nav(page)).to_be_hidden()
    menu.click()
    expect(_nav(page).get_by_role("link", name="提醒与告知")).to_be_visible()
    header = page.locator("header.top").bounding_box()
    assert header is not None
    for link in _nav(page).get_by_role("link").all():
        box = link.bounding_box()
        assert box is not None and box["height"] >= 44, (link.inner_text(), box)
    menu.click()
    expect(_nav(page)).to_be_hidden()
    assert page.locator("header.top").bounding_box()["height"] < 140

    # Reasons in the plan's words; the criterion named in small print, in words.
    rating = page.locator("#rating")
    expect(rating).to_contain_text("未按合同")
    expect(rating.locator("li .fine-print").first).to_contain_text("黄色等级评定要素第")

    # Back to top on a long page.
    page.mouse.wheel(0, 4000)
    top = page.get_by_role("link", name="回到顶部")
    expect(top).to_be_visible()
    assert top.bounding_box()["height"] >= 44
    top.click()
    expect(top).to_be_hidden()  # shown only once scrolled a screen down

    # An objection, its reply deadline, and no second one on the same record.
    page.get_by_role("link", name="对此记录提出异议").first.click()
    expect(page.locator("#form-lead")).to_contain_text("个工作日内")
    watch.check(page)
    page.get_by_label("异议理由").fill("该月电费已按期缴纳，附银行回单")
    submit = page.get_by_role("button", name="提交")
    assert submit.bounding_box()["height"] >= 44
    submit.click()
    expect(page.locator(".messages")).to_contain_text("前答复您")
    expect(page.locator("#events")).to_contain_text("异议处理中，答复期限")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    watch.check(page)

    watch.assert_clean()
    context.close()


def test_a_forgotten_password_is_reset_from_the_login_page_on_a_phone(chromium, live_server, axe_source, capfd):
    from commitments import services

    staff = _user("hall", roles.STAFF)
    customer = CustomerFactory(name="淮阴己物流有限公司")
    registration = services.enterprise_register(
        uscc=customer.uscc, enterprise_name=customer.name, contact_person="钱七", phone="13600000009",
        password="Another-Pass-2025", password_again="Another-Pass-2025", **registrant_consent(),
    )  # fmt: skip
    services.registration_confirm(registration=registration, actor=staff)
    context, page, watch = _context(chromium, live_server, axe_source, PHONE, is_mobile=True, has_touch=True)

    page.goto("/accounts/login/")
    watch.check(page)
    page.get_by_role("link", name="忘记密码？用短信验证码找回").click()
    expect(page.get_by_label("注册时的手机号")).to_be_visible()
    watch.check(page)
    page.get_by_label("注册时的手机号").fill("13600000009")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".messages")).to_contain_text("验证码已发送")
    watch.check(page)
    import re

    code = re.findall(r"验证码 (\d{6})", capfd.readouterr().out)[-1]
    page.get_by_label("短信验证码").fill(code)
    page.locator("#id_password").fill("Brand-New-Pass-2026")
    page.get_by_label("再次输入新密码").fill("Brand-New-Pass-2026")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".messages")).to_contain_text("密码已重置")
    watch.check(page)
    assert PublicCreditReport.objects.count() == 0

    watch.assert_clean()
    context.close()
