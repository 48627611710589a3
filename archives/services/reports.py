from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from credit_portal.errors import ApplicationError

from ..models import Customer, PublicCreditReport, ReportRefusal, ReportStatus
from ..validation import check_date_floor, check_upload
from .common import audited_save, customer_facts_changed


@transaction.atomic
def report_upload(
    *, customer: Customer, issued_on: date, file: UploadedFile, actor, shows_dishonesty: bool | None = None
) -> PublicCreditReport:
    """Store a public credit report (PDF or image); it counts once staff have verified it.

    Staff who upload a report they have read may verify it in the same step by giving
    `shows_dishonesty`.
    """
    if not isinstance(issued_on, date):
        raise ApplicationError("报告日期格式应为 YYYY-MM-DD", field="issued_on")
    check_date_floor(issued_on, field="issued_on", label="报告日期")
    if issued_on > timezone.localdate():
        raise ApplicationError(f"报告日期 {issued_on} 晚于今天", field="issued_on")
    checked = check_upload(file, field="file")
    report = PublicCreditReport(customer=customer, issued_on=issued_on, uploaded_by=actor)
    report.file.save(f"report{checked.suffix}", file, save=False)
    audited_save(report, actor=actor, reason="上传公共信用报告")
    if shows_dishonesty is not None:
        report = report_verify(report=report, shows_dishonesty=shows_dishonesty, actor=actor)
    return report


@transaction.atomic
def report_verify(*, report: PublicCreditReport, shows_dishonesty: bool, actor, note: str = "") -> PublicCreditReport:
    """Record that staff checked the report and whether it shows dishonesty; re-rates the customer."""
    if not actor.has_perm("archives.verify_publiccreditreport"):
        raise ApplicationError("只有营业厅工作人员可以核验报告", field="report")
    report = PublicCreditReport.objects.select_for_update().get(pk=report.pk)
    if report.status == ReportStatus.VERIFIED:
        raise ApplicationError("该报告已核验", field="report")
    if shows_dishonesty not in (True, False):
        raise ApplicationError("请选择报告是否显示失信行为", field="shows_dishonesty")
    report.shows_dishonesty = shows_dishonesty
    report.status = ReportStatus.VERIFIED
    report.verified_by = actor
    report.verified_at = timezone.now()
    report.note = (note or "").strip()
    audited_save(report, actor=actor, reason="核验公共信用报告")
    customer_facts_changed(customer_id=report.customer_id, cause="report", ref=str(report.pk))
    return report


@transaction.atomic
def report_refuse(*, report: PublicCreditReport, refusal: str, note: str = "", actor) -> PublicCreditReport:
    """Send a report back (unreadable, another enterprise's, not the official report) with a reason the
    enterprise sees; it never feeds the rating."""
    if not actor.has_perm("archives.verify_publiccreditreport"):
        raise ApplicationError("只有营业厅工作人员可以核验报告", field="report")
    report = PublicCreditReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.PENDING:
        raise ApplicationError("该报告已处理", field="report")
    if refusal not in ReportRefusal.values:
        raise ApplicationError("请选择退回原因", field="refusal")
    report.status = ReportStatus.REJECTED
    report.refusal = refusal
    report.shows_dishonesty = None
    report.verified_by = actor
    report.verified_at = timezone.now()
    report.note = (note or "").strip()
    audited_save(report, actor=actor, reason=f"退回公共信用报告：{ReportRefusal(refusal).label}")
    return report
