from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from archives.models import Customer, PublicCreditReport
from archives.services import report_upload
from credit_portal.errors import ApplicationError

from .access import require_member


@transaction.atomic
def enterprise_report_upload(*, customer: Customer, actor, issued_on: date, file: UploadedFile) -> PublicCreditReport:
    """An enterprise uploads its own public credit report; it counts once staff have verified it."""
    require_member(actor=actor, customer=customer)
    return report_upload(customer=customer, issued_on=issued_on, file=file, actor=actor)


@transaction.atomic
def officer_credit_report_upload(
    *, customer: Customer, actor, issued_on: date, file: UploadedFile
) -> PublicCreditReport:
    """A DRC officer uploads the report it issued for an enterprise; staff of the utility verify it."""
    if not actor.has_perm("commitments.upload_report_for_enterprise"):
        raise ApplicationError("只有发改委工作人员可以代企业上传公共信用报告", field="customer")
    return report_upload(customer=customer, issued_on=issued_on, file=file, actor=actor)
