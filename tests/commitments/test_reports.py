"""Public credit reports (江苏省法人公共信用信息查询报告) uploaded by the enterprise or the DRC, and
the Annex 1 query guide."""

from datetime import date

import pytest
from django.urls import reverse

from archives.models import PublicCreditReport, ReportStatus
from archives.services import report_verify
from commitments import plan_text, services
from credit_portal.errors import ApplicationError
from ratings.models import CustomerRating

from .conftest import database_state, fake_pdf, pdf

pytestmark = pytest.mark.django_db


def test_an_applicant_uploads_its_own_report_and_staff_verification_re_rates_it(
    applicant, staff, applicant_customer, django_capture_on_commit_callbacks
):
    report = services.enterprise_report_upload(
        customer=applicant_customer, actor=applicant, issued_on=date(2025, 6, 2), file=pdf()
    )
    assert (report.status, report.shows_dishonesty, report.uploaded_by) == (ReportStatus.PENDING, None, applicant)
    assert not CustomerRating.objects.filter(customer=applicant_customer).exists()

    with django_capture_on_commit_callbacks(execute=True):
        report_verify(report=report, shows_dishonesty=False, actor=staff)

    # No accounts, no events, a clean report within the year: every blue condition holds.
    assert CustomerRating.objects.get(customer=applicant_customer).level == "blue"


def test_an_applicant_cannot_upload_a_report_for_another_enterprise(applicant, other_customer):
    before = database_state()

    with pytest.raises(ApplicationError, match="不能代表该企业"):
        services.enterprise_report_upload(
            customer=other_customer, actor=applicant, issued_on=date(2025, 6, 2), file=pdf()
        )

    assert database_state() == before


def test_an_applicant_cannot_verify_its_own_report(applicant, applicant_customer):
    report = services.enterprise_report_upload(
        customer=applicant_customer, actor=applicant, issued_on=date(2025, 6, 2), file=pdf()
    )

    with pytest.raises(ApplicationError, match="只有营业厅工作人员可以核验报告"):
        report_verify(report=report, shows_dishonesty=False, actor=applicant)

    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING


def test_the_report_page_refuses_a_file_that_is_not_a_pdf_jpeg_or_png(client, applicant):
    client.force_login(applicant)

    response = client.post(reverse("commitments:report_upload"), {"issued_on": "2025-06-02", "file": fake_pdf()})

    assert "只接受 PDF、JPEG 或 PNG 文件" in response.content.decode()
    assert not PublicCreditReport.objects.exists()


def test_the_report_page_refuses_a_report_dated_tomorrow(client, applicant):
    client.force_login(applicant)

    response = client.post(reverse("commitments:report_upload"), {"issued_on": "2025-06-17", "file": pdf()})

    assert "报告日期 2025-06-17 晚于今天" in response.content.decode()
    assert not PublicCreditReport.objects.exists()


def test_a_drc_officer_uploads_a_report_for_an_enterprise_which_staff_then_verify(client, drc, applicant_customer):
    client.force_login(drc)

    response = client.post(
        reverse("commitments:officer_credit_report_upload"),
        {"uscc": applicant_customer.uscc.lower(), "issued_on": "2025-06-05", "file": pdf()},
    )

    assert response.status_code == 302
    report = PublicCreditReport.objects.get()
    assert (report.customer, report.uploaded_by, report.status) == (applicant_customer, drc, ReportStatus.PENDING)


def test_the_drc_upload_names_an_unknown_enterprise(client, drc):
    client.force_login(drc)

    response = client.post(
        reverse("commitments:officer_credit_report_upload"),
        {"uscc": "91320804MA1M9QX2AX", "issued_on": "2025-06-05", "file": pdf()},
    )

    assert "校验码错误" in response.content.decode()
    assert not PublicCreditReport.objects.exists()


def test_staff_and_applicants_do_not_use_the_drc_upload(staff, applicant, applicant_customer):
    for actor in (staff, applicant):
        with pytest.raises(ApplicationError, match="只有发改委工作人员"):
            services.officer_credit_report_upload(
                customer=applicant_customer, actor=actor, issued_on=date(2025, 6, 2), file=pdf()
            )
    assert not PublicCreditReport.objects.exists()


def test_the_query_guide_gives_annex_1_from_the_plan_without_login(client):
    response = client.get(reverse("commitments:report_guide"))

    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "社会法人查询服务流程",
        "张文",
        "0517-84997781",
        "淮安市淮阴区承德北路 606 号淮阴区人民政府 119 室",
        plan_text.PLAN_CONVENIENCE,
        plan_text.PLAN_DRC_CHANNEL,
        plan_text.ANNEX1_GAPS,
    ):
        assert text in page, text
