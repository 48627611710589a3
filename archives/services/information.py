from datetime import date

from django.db import transaction
from django.utils import timezone

from credit_portal.errors import ApplicationError

from ..hooks import credit_information_allowed
from ..models import CreditInformation, CreditInformationKind, Customer
from ..validation import check_date_floor
from .common import audited_save


def credit_information_refusal(*, customer: Customer, kind: str) -> str:
    """Why information of ``kind`` may not be recorded for the customer now ("" if it may): asked before the
    form is shown, so the officer is told (a commendation for a customer that is not honest) before typing."""
    try:
        credit_information_allowed(customer=customer, kind=kind)
    except ApplicationError as refused:
        label = CreditInformationKind(kind).label
        return (
            f"{refused.message}：现在提交“{label}”将被退回，待该企业的信用等级恢复为诚信客户后方可录入；"
            "其他类型的信用信息可照常录入。"
        )
    return ""


@transaction.atomic
def credit_information_record(
    *,
    customer: Customer,
    kind: str,
    title: str,
    occurred_on: date,
    actor,
    description: str = "",
    issuing_body: str = "",
) -> CreditInformation:
    """Add other credit information (a commendation 表彰评优 or a note) to a customer's archive.

    Staff (archives.add_creditinformation) record either; a DRC officer (archives.record_commendation)
    records commendations only: with the public credit report, the only things the DRC writes."""
    if kind not in CreditInformationKind.values:
        raise ApplicationError(f"未知的信息类别“{kind}”", field="kind")
    if not actor.has_perm("archives.add_creditinformation"):
        may_commend = actor.has_perm("archives.record_commendation")
        if not may_commend:
            raise ApplicationError("无权录入信用信息", field="kind")
        if kind != CreditInformationKind.COMMENDATION:
            raise ApplicationError("发改委只能录入表彰评优，不能录入其他信用信息", field="kind")
    title = (title or "").strip()
    if not title:
        raise ApplicationError("请填写标题", field="title")
    check_date_floor(occurred_on, field="occurred_on", label="日期")
    if occurred_on > timezone.localdate():
        raise ApplicationError("日期不能晚于今天", field="occurred_on")
    credit_information_allowed(customer=customer, kind=kind)
    information = CreditInformation(
        customer=customer,
        kind=kind,
        title=title,
        occurred_on=occurred_on,
        recorded_by=actor,
        description=(description or "").strip(),
        issuing_body=(issuing_body or "").strip(),
    )
    audited_save(information, actor=actor, reason="录入其他信用信息")
    return information
