"""The staff member's day: refusing a report, registrations without a preselected answer, file jobs."""

import pytest
from django.urls import reverse

from archives.models import FileJob, PublicCreditReport
from archives.services.jobs import file_job_run
from tests.factories import ReportFactory

pytestmark = pytest.mark.django_db


def test_staff_refuse_an_unreadable_report_and_the_enterprise_reads_why(client, staff, applicant, applicant_customer):
    report = ReportFactory(customer=applicant_customer, uploaded_by=applicant)
    client.force_login(staff)
    url = reverse("archives:report_verify", args=[report.pk])

    form = client.get(url).content.decode()
    assert "checked" not in form  # no answer chosen for the staff member
    missing = client.post(url, {"shows_dishonesty": "refuse", "note": ""})
    assert "请选择退回原因" in missing.content.decode()
    report.refresh_from_db()
    assert report.status == "pending"

    client.post(url, {"shows_dishonesty": "refuse", "refusal": "unreadable", "note": "扫描件模糊，请重新扫描"})

    report.refresh_from_db()
    assert (report.status, report.refusal, report.shows_dishonesty) == ("rejected", "unreadable", None)
    client.force_login(applicant)
    home = client.get(reverse("commitments:enterprise_home")).content.decode()
    assert "退回原因：文件无法辨认" in home and "扫描件模糊，请重新扫描" in home


def test_a_refused_report_leaves_the_verification_queue(client, staff, applicant_customer):
    report = ReportFactory(customer=applicant_customer, uploaded_by=staff)
    client.force_login(staff)
    client.post(
        reverse("archives:report_verify", args=[report.pk]), {"shows_dishonesty": "refuse", "refusal": "not_official"}
    )

    assert applicant_customer.name not in client.get(reverse("archives:report_queue")).content.decode()
    assert PublicCreditReport.objects.get(pk=report.pk).get_refusal_display() == "不是正式的公共信用信息查询报告"


def test_a_file_job_is_built_once_and_only_its_starter_may_download_it(
    client, staff, drc, applicant_customer, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("archives:customer_export"), {"search": applicant_customer.uscc})
    job = FileJob.objects.get()

    assert job.status == "done" and job.total == 1 and job.done == 1
    assert file_job_run(job_id=job.pk) == "skipped"
    assert "下载 customers-" in client.get(started["Location"]).content.decode()
    client.force_login(drc)
    assert client.get(started["Location"] + "download/").status_code == 404


def test_staff_print_every_waiting_letter_in_one_job(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("notifications:letters_print"), {"all": "to_print"})
    job = FileJob.objects.get()

    assert (job.kind, job.params, job.status) == ("letters", {"state": "to_print"}, "failed")
    assert "没有可打印的告知函" in client.get(started["Location"]).content.decode()
