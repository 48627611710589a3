"""Everywhere in the portal: Chinese error pages with a way back, a favicon, one log line per refusal,
an audit trail in the users' language, and a navigation grouped by task with the number waiting."""

import io
import logging

import factory
import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from archives import services as archive_services
from credit_portal import views as portal_views
from tests.factories import PDF_BYTES, EventFactory, ReportFactory


def _main(response) -> str:
    return response.content.decode()


def test_a_staff_page_refused_to_an_enterprise_is_a_chinese_page_with_a_way_home(client, applicant):
    client.force_login(applicant)

    response = client.get(reverse("archives:revocation_list"))

    assert response.status_code == 403
    page = _main(response)
    assert "您没有权限查看此页面" in page
    assert 'href="/"' in page
    assert "Forbidden" not in page
    assert 'id="main-nav"' in page  # the portal's layout, with its navigation


def test_an_unknown_address_answers_the_portals_404_page(client, staff):
    client.force_login(staff)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "没有找到您要的页面" in _main(response)
    assert "Not Found" not in _main(response)


def test_the_500_page_needs_neither_a_request_nor_the_database():
    response = portal_views.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "系统暂时出错" in response.content.decode()


def test_the_429_page_says_to_wait_in_chinese():
    request = RequestFactory().get("/register/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = portal_views.too_many_requests(request)

    assert response.status_code == 429
    assert "操作过于频繁" in response.content.decode()


def test_a_form_posted_without_its_csrf_token_gets_the_portals_page(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = client.post(reverse("archives:customer_create"), {"name": "x"})

    assert response.status_code == 403
    assert "页面已过期" in _main(response)
    assert "CSRF" not in _main(response)


def test_every_page_names_the_portals_favicon_and_favicon_ico_points_to_it(client):
    response = client.get(reverse("login"))
    assert "portal/favicon.svg" in _main(response)

    answer = client.get("/favicon.ico")
    assert answer.status_code == 301
    assert answer["Location"].endswith("portal/favicon.svg")


@pytest.fixture
def console_log():
    """What the root console handler prints, as the operator would see it."""
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler))
    stream = io.StringIO()
    old = handler.setStream(stream)
    yield stream
    handler.setStream(old)


def test_a_refused_page_writes_one_log_line_without_a_traceback(client, applicant, console_log):
    client.force_login(applicant)

    client.get(reverse("archives:revocation_list"))

    lines = [line for line in console_log.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "Forbidden" in lines[0]
    assert "Traceback" not in console_log.getvalue()


def test_the_audit_trail_reads_as_the_page_with_labels_yes_no_local_time_and_no_paths(
    client, staff, drc, applicant_customer
):
    applicant_customer.contact_phone = "13812345678"
    applicant_customer.save()
    event = EventFactory(
        customer=applicant_customer,
        recorded_by=staff,
        evidence=factory.django.FileField(filename="e.pdf", data=PDF_BYTES),
    )
    report = ReportFactory(customer=applicant_customer, uploaded_by=staff)
    archive_services.report_verify(report=report, shows_dishonesty=False, note="", actor=staff)
    event.refresh_from_db()

    client.force_login(drc)
    page = _main(client.get(reverse("archives:customer_history", args=[applicant_customer.uscc])))
    history = page[page.index('id="h-history"') :]

    assert "False" not in history and "True" not in history
    assert "否" in history
    assert event.evidence.name not in history  # the storage path
    assert "已上传文件" in history
    assert "13812345678" not in history  # masked for the DRC, as on the page
    assert "+00:00" not in history and "UTC" not in history


def test_the_staff_navigation_is_grouped_by_task_with_the_number_waiting(client, supervisor, staff, other_customer):
    event = EventFactory(customer=other_customer, recorded_by=staff)
    archive_services.revocation_request(event=event, reason="重复录入", actor=staff)
    ReportFactory(customer=other_customer, uploaded_by=staff)
    client.force_login(supervisor)

    page = _main(client.get(reverse("ratings:standards")))
    nav = page[page.index('id="main-nav"') : page.index("</nav>")]

    for group in ("档案", "待办", "告知", "报表", "公开信息"):
        assert f'<span class="nav-title">{group}</span>' in nav
    assert "撤销审批" in nav and "人工调整审批" in nav
    assert 'aria-label="1 项待办">1</span>' in nav[nav.index("撤销审批") :]
    assert 'aria-label="1 项待办">1</span>' in nav[nav.index("报告核验") :]


def test_the_drc_officers_navigation_has_one_commitment_letter_list(client, drc):
    client.force_login(drc)

    page = _main(client.get(reverse("drc:reports")))
    nav = page[page.index('id="main-nav"') : page.index("</nav>")]

    assert nav.count("承诺书") == 1
    assert reverse("drc:letters") in nav


def test_the_customer_export_says_dai_ping_ding_like_the_list(client, staff, applicant_customer):
    from io import BytesIO

    from openpyxl import load_workbook

    from archives.exports import customers_xlsx
    from archives.models import Customer

    content = customers_xlsx(Customer.objects.filter(pk=applicant_customer.pk), unmasked=True)
    rows = list(load_workbook(BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    assert rows[1][rows[0].index("信用等级")] == "待评定"
