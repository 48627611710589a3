from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from archives.models import CreditEvent, EventStatus, RevocationStatus
from archives.services import revocation_decide, revocation_request
from archives.services.common import audited_save
from archives.validation import check_upload
from credit_portal.errors import ApplicationError, Conflict
from credit_portal.signals import enterprise_message
from credit_portal.workdays import add_working_days

from ..models import Objection, ObjectionStatus, Recommendation
from .access import enterprise_phone, require_member


@transaction.atomic
def objection_submit(*, event: CreditEvent, actor, reason: str, evidence: UploadedFile | None = None) -> Objection:
    """An enterprise disputes an event in its own archive, with a reason and evidence."""
    event = CreditEvent.objects.select_for_update().select_related("customer").get(pk=event.pk)
    require_member(actor=actor, customer=event.customer)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写异议理由", field="reason")
    if event.status == EventStatus.REVOKED:
        raise Conflict("该记录已撤销，无需提出异议", field="event")
    if objection_open_for(event) is not None:
        raise Conflict("该记录已有处理中的异议", field="event")
    checked = check_upload(evidence, field="evidence") if evidence is not None else None
    objection = Objection(
        event=event,
        customer=event.customer,
        reason=reason,
        submitted_by=actor,
        reply_due_on=objection_reply_due(submitted_on=timezone.localdate()),
    )
    if checked is not None:
        objection.evidence.save(f"objection{checked.suffix}", evidence, save=False)
    audited_save(objection, actor=actor, reason="提出异议")
    return objection


def objection_reply_due(*, submitted_on: date) -> date:
    """The reply deadline: OBJECTION_REPLY_WORKING_DAYS working days of the official calendar after submission."""
    return add_working_days(submitted_on, settings.OBJECTION_REPLY_WORKING_DAYS)


def objection_open_for(event: CreditEvent) -> Objection | None:
    """The objection already open on this event, if any: a second one is refused before its form."""
    return event.objections.filter(status__in=[ObjectionStatus.SUBMITTED, ObjectionStatus.REVIEWED]).first()


@transaction.atomic
def objection_review(*, objection: Objection, actor, recommendation: str, note: str) -> Objection:
    """Staff review an objection and pass it, with their recommendation, to a supervisor.

    The review files the revocation request (in the reviewer's name) that the supervisor decides, so
    the two-person rule of revocations holds for objections too.
    """
    if not actor.has_perm("commitments.review_objection"):
        raise ApplicationError("只有营业厅工作人员可以审查异议", field="objection")
    objection = Objection.objects.select_for_update().select_related("event").get(pk=objection.pk)
    if objection.status != ObjectionStatus.SUBMITTED:
        raise Conflict("该异议已审查", field="objection")
    if recommendation not in Recommendation.values:
        raise ApplicationError("请选择审查建议", field="recommendation")
    note = (note or "").strip()
    if not note:
        raise ApplicationError("请填写审查意见", field="note")
    revocation = revocation_request(
        event=objection.event,
        reason=f"企业异议 #{objection.pk}：{objection.reason}（审查{Recommendation(recommendation).label}：{note}）",
        actor=actor,
    )
    objection.status = ObjectionStatus.REVIEWED
    objection.reviewed_by = actor
    objection.reviewed_at = timezone.now()
    objection.recommendation = recommendation
    objection.review_note = note
    objection.revocation = revocation
    audited_save(objection, actor=actor, reason="审查异议")
    return objection


@transaction.atomic
def objection_decide(*, objection: Objection, actor, uphold: bool, note: str = "") -> Objection:
    """A supervisor decides: upheld revokes the event (and re-rates the customer); refused needs a reason."""
    if not actor.has_perm("commitments.decide_objection"):
        raise ApplicationError("只有班组长可以决定异议", field="objection")
    objection = Objection.objects.select_for_update(of=("self",)).select_related("revocation").get(pk=objection.pk)
    if objection.status != ObjectionStatus.REVIEWED:
        raise Conflict("该异议尚未审查或已决定", field="objection")
    if objection.revocation.status != RevocationStatus.PENDING:
        raise Conflict("该异议对应的撤销申请已在撤销审批中处理", field="objection")
    note = (note or "").strip()
    if not uphold and not note:
        raise ApplicationError("异议不成立时请填写理由", field="note")
    revocation_decide(revocation=objection.revocation, approve=uphold, actor=actor, note=note)
    objection.status = ObjectionStatus.UPHELD if uphold else ObjectionStatus.REFUSED
    objection.decided_by = actor
    objection.decided_at = timezone.now()
    objection.decision_note = note
    audited_save(objection, actor=actor, reason="异议成立" if uphold else "异议不成立")
    _objection_decision_send(objection)
    return objection


def _objection_decision_send(objection: Objection) -> None:
    """The decision, with its reasons, as a text to the enterprise's registered mobile (and on its notices page)."""
    customer = objection.customer
    phone = enterprise_phone(customer=customer, user_id=objection.submitted_by_id)
    event = objection.event
    outcome = (
        "异议成立，该记录已撤销，信用等级已重新评定"
        if objection.status == ObjectionStatus.UPHELD
        else "异议不成立，该记录维持"
    )
    reasons = f"理由：{objection.decision_note}" if objection.decision_note else ""
    text = (
        f"【淮阴供电营业部】{customer.name}：您对{event.occurred_on:%Y-%m-%d}“{event.get_type_display()}”记录提出的异议"
        f"（{objection.submitted_at:%Y-%m-%d}）已处理：{outcome}。{reasons}"
    )
    enterprise_message.send(sender=Objection, kind="objection", recipient=phone, text=text, customer_id=customer.pk)
