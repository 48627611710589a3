"""Objections (异议) to the records of an archive: an event, an account's arrears date, a refused public
credit report, or the level in force (naming the facts it disputes).

The enterprise objects online, or staff record its signed paper objection at the counter with the scan;
staff review and propose; a supervisor other than the reviewer decides within the working-day deadline.
An upheld objection corrects the record through the archive's own services (a revocation, the account's
arrears date, the report's verification), which re-rate the customer through the one writer of levels.
While an objection is open its record is 异议中 and still counts (RATING_RULES.md, decision on objections).
"""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from archives.models import (
    CreditEvent,
    Customer,
    ElectricityAccount,
    EventStatus,
    PublicCreditReport,
    ReportStatus,
    RevocationStatus,
)
from archives.services import account_update, report_verify, revocation_decide, revocation_request
from archives.services.common import audited_save, history_paused
from archives.validation import check_plain_text, check_upload
from credit_portal.decisions import NOT_YOUR_OWN_REQUEST
from credit_portal.errors import ApplicationError, Conflict
from credit_portal.signals import enterprise_message
from credit_portal.workdays import add_working_days
from ratings.selectors import level_in_force
from ratings.services import override_request

from ..models import (
    OPEN_OBJECTION_STATUSES,
    UPHELD_OUTCOMES,
    Objection,
    ObjectionChannel,
    ObjectionStatus,
    ObjectionSubject,
    Recommendation,
)
from .access import enterprise_phone, filed_at_counter

#: A correction the decision does not give (``None`` is one: no arrears).
NOT_GIVEN = object()


@transaction.atomic
def objection_submit(
    *,
    actor,
    reason: str,
    event: CreditEvent | None = None,
    subject: str = ObjectionSubject.EVENT,
    customer: Customer | None = None,
    account: ElectricityAccount | None = None,
    report: PublicCreditReport | None = None,
    disputed_events: Iterable[CreditEvent] = (),
    evidence: UploadedFile | None = None,
    letter: UploadedFile | None = None,
) -> Objection:
    """An enterprise disputes a record of its own archive, with a reason and evidence; or staff record
    its signed paper objection at the counter with the scanned ``letter`` (the enterprise's own objection).
    """
    if subject not in ObjectionSubject.values:
        raise ApplicationError("请选择异议事项", field="subject")
    if customer is None:
        if event is None:
            raise ApplicationError("请选择要异议的失信记录", field="event")
        customer = event.customer
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    at_counter = filed_at_counter(actor=actor, customer=customer, permission="commitments.review_objection")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写异议理由", field="reason")
    check_plain_text(reason, field="reason", label="异议理由")
    objection = Objection(
        subject=subject,
        customer=customer,
        reason=reason,
        submitted_by=actor,
        channel=ObjectionChannel.COUNTER if at_counter else ObjectionChannel.ONLINE,
        reply_due_on=objection_reply_due(submitted_on=timezone.localdate()),
    )
    events = _subject_records(objection, event=event, account=account, report=report, disputed=disputed_events)
    uploads = {}
    if evidence is not None:
        uploads["evidence"] = (evidence, check_upload(evidence, field="evidence"))
    if at_counter:
        if letter is None:
            raise ApplicationError("营业厅代为登记的，请上传企业签章的书面异议扫描件", field="letter")
        uploads["letter"] = (letter, check_upload(letter, field="letter"))
    # Files are stored only once every check has passed: a refused objection leaves nothing behind.
    for name, (upload, checked) in uploads.items():
        getattr(objection, name).save(f"objection-{name}{checked.suffix}", upload, save=False)
    audit_reason = "营业厅代企业登记书面异议" if at_counter else "提出异议"
    with history_paused(objection):
        objection.save()
        objection.disputed_events.set(events)
    audited_save(objection, actor=actor, reason=audit_reason)  # its one history row, with the records it disputes
    return objection


def _subject_records(
    objection: Objection, *, event, account, report, disputed: Iterable[CreditEvent]
) -> list[CreditEvent]:
    """Check the disputed records against the subject and the customer; set them on the (unsaved)
    objection; return the events it marks 异议中."""
    customer, subject = objection.customer, objection.subject
    if subject == ObjectionSubject.EVENT:
        if event is None:
            raise ApplicationError("请选择要异议的失信记录", field="event")
        event = CreditEvent.objects.select_for_update().get(pk=event.pk)
        _check_event(event, customer=customer, field="event")
        objection.event = event
        return [event]
    if subject == ObjectionSubject.ARREARS:
        if account is None:
            raise ApplicationError("请选择欠费起始日有误的户号", field="account")
        objection.account = _checked_account(account, customer=customer, field="account")
        return []
    if subject == ObjectionSubject.REPORT:
        if report is None:
            raise ApplicationError("请选择被退回的公共信用报告", field="report")
        objection.report = _checked_report(report, customer=customer, field="report")
        return []
    # The level in force: the objection names the facts it disputes.
    if Objection.objects.filter(customer=customer, subject=subject, status__in=OPEN_OBJECTION_STATUSES).exists():
        raise Conflict("对信用等级已有处理中的异议，请等待答复", field="subject")
    level = level_in_force(customer.pk)
    if level in ("", None, "unrated"):
        raise ApplicationError("该企业尚未评定信用等级，无可异议的等级", field="subject")
    objection.disputed_level = level
    events = [CreditEvent.objects.select_for_update().get(pk=e.pk) for e in disputed]
    for named in events:
        _check_event(named, customer=customer, field="disputed_events")
    if account is not None:
        objection.account = _checked_account(account, customer=customer, field="account")
    if report is not None:
        objection.report = _checked_report(report, customer=customer, field="report")
    if not events and account is None and report is None:
        raise ApplicationError(
            "对信用等级提出异议时，请指明所异议的事实：失信记录、欠费起始日或被退回的公共信用报告",
            field="disputed_events",
        )
    return events


def _check_event(event: CreditEvent, *, customer: Customer, field: str) -> None:
    if event.customer_id != customer.pk:
        raise ApplicationError("该失信记录不属于本企业", field=field)
    if event.status == EventStatus.REVOKED:
        raise Conflict("该记录已撤销，无需提出异议", field=field)
    if objection_open_for(event) is not None:
        raise Conflict("该记录已有处理中的异议", field=field)


def _checked_account(account: ElectricityAccount, *, customer: Customer, field: str) -> ElectricityAccount:
    account = ElectricityAccount.objects.select_for_update().get(pk=account.pk)
    if account.customer_id != customer.pk:
        raise ApplicationError("该户号不属于本企业", field=field)
    if account.arrears_since is None:
        raise ApplicationError(f"户号 {account.number} 没有欠费记录，无需对欠费起始日提出异议", field=field)
    if account.objections.filter(status__in=OPEN_OBJECTION_STATUSES).exists():
        raise Conflict(f"户号 {account.number} 的欠费起始日已有处理中的异议", field=field)
    return account


def _checked_report(report: PublicCreditReport, *, customer: Customer, field: str) -> PublicCreditReport:
    report = PublicCreditReport.objects.select_for_update().get(pk=report.pk)
    if report.customer_id != customer.pk:
        raise ApplicationError("该报告不属于本企业", field=field)
    if report.status != ReportStatus.REJECTED:
        raise ApplicationError("只能对被退回的公共信用报告提出异议", field=field)
    if report.objections.filter(status__in=OPEN_OBJECTION_STATUSES).exists():
        raise Conflict("该报告已有处理中的异议", field=field)
    return report


def objection_reply_due(*, submitted_on: date) -> date:
    """The reply deadline: OBJECTION_REPLY_WORKING_DAYS working days of the official calendar after submission."""
    return add_working_days(submitted_on, settings.OBJECTION_REPLY_WORKING_DAYS)


def objection_open_for(event: CreditEvent) -> Objection | None:
    """The objection already open on this event (its own, or a level objection naming it), if any."""
    return event.disputing_objections.filter(status__in=OPEN_OBJECTION_STATUSES).first()


@transaction.atomic
def objection_review(
    *,
    objection: Objection,
    actor,
    recommendation: str,
    note: str,
    corrected_arrears_since: date | None = None,
    corrected_shows_dishonesty: bool | None = None,
) -> Objection:
    """Staff review an objection and pass it, with their recommendation, to a supervisor.

    For the events it disputes the review files the revocation requests (in the reviewer's name) that
    the supervisor decides, so the two-person rule of revocations holds for objections too. To uphold
    one on the arrears date the review gives the corrected date (empty: no arrears); on a report, what
    the report shows once re-verified.
    """
    if not actor.has_perm("commitments.review_objection"):
        raise ApplicationError("只有营业厅工作人员可以审查异议", field="objection")
    objection = (
        Objection.objects.select_for_update(of=("self",))
        .select_related("event", "account", "report")
        .get(pk=objection.pk)
    )
    if objection.status != ObjectionStatus.SUBMITTED:
        raise Conflict("该异议已审查", field="objection")
    if recommendation not in Recommendation.values:
        raise ApplicationError("请选择审查建议", field="recommendation")
    note = (note or "").strip()
    if not note:
        raise ApplicationError("请填写审查意见", field="note")
    uphold = recommendation == Recommendation.UPHOLD
    if objection.account_id and uphold:
        objection.corrected_arrears_since = _checked_arrears_correction(objection.account, corrected_arrears_since)
    if objection.report_id and uphold:
        if corrected_shows_dishonesty not in (True, False):
            raise ApplicationError("请选择复核后报告是否显示失信行为", field="corrected_shows_dishonesty")
        objection.corrected_shows_dishonesty = corrected_shows_dishonesty
    request_reason = (
        f"企业异议 #{objection.pk}：{objection.reason}（审查{Recommendation(recommendation).label}：{note}）"
    )
    if objection.subject == ObjectionSubject.EVENT:
        objection.revocation = revocation_request(event=objection.event, reason=request_reason, actor=actor)
    elif objection.subject == ObjectionSubject.LEVEL:
        revocations = [
            revocation_request(event=event, reason=request_reason, actor=actor)
            for event in objection.disputed_events.order_by("pk")
        ]
        with history_paused(objection):  # recorded by the review's history row below
            objection.revocations.set(revocations)
    objection.status = ObjectionStatus.REVIEWED
    objection.reviewed_by = actor
    objection.reviewed_at = timezone.now()
    objection.recommendation = recommendation
    objection.review_note = note
    audited_save(objection, actor=actor, reason="审查异议")
    return objection


def _checked_arrears_correction(account: ElectricityAccount, corrected: date | None) -> date | None:
    if corrected is not None and not isinstance(corrected, date):
        raise ApplicationError("更正后的欠费起始日格式应为 YYYY-MM-DD", field="corrected_arrears_since")
    if corrected == account.arrears_since:
        raise ApplicationError("更正后的欠费起始日与现有记录相同；核实无欠费的请留空", field="corrected_arrears_since")
    if corrected is not None and corrected > timezone.localdate():
        raise ApplicationError("欠费起始日不能晚于今天", field="corrected_arrears_since")
    if corrected is not None and corrected < account.opened_on:
        raise ApplicationError("欠费起始日不能早于立户日期", field="corrected_arrears_since")
    return corrected


@transaction.atomic
def objection_decide(
    *,
    objection: Objection,
    actor,
    uphold: bool,
    note: str = "",
    corrected_arrears_since=NOT_GIVEN,
    corrected_shows_dishonesty: bool | None = None,
) -> Objection:
    """A supervisor other than the reviewer decides: upheld revokes or corrects the disputed records (and
    re-rates the customer through the archive's services); refused needs a reason.

    When the review proposed to keep the arrears date or the report's refusal, a supervisor who upholds
    gives the correction (the corrected date, None for no arrears; what the report shows)."""
    if not actor.has_perm("commitments.decide_objection"):
        raise ApplicationError("只有班组长可以决定异议", field="objection")
    objection = (
        Objection.objects.select_for_update(of=("self",))
        .select_related("revocation", "account", "report")
        .get(pk=objection.pk)
    )
    if objection.status != ObjectionStatus.REVIEWED:
        raise Conflict("该异议尚未审查或已决定", field="objection")
    if (objection.revocation is not None and objection.revocation.status != RevocationStatus.PENDING) or (
        objection.revocations.exclude(status=RevocationStatus.PENDING).exists()
    ):
        raise Conflict("该异议对应的撤销申请已在撤销审批中处理", field="objection")
    if objection.reviewed_by_id == actor.pk:
        raise ApplicationError(NOT_YOUR_OWN_REQUEST, field="objection")
    note = (note or "").strip()
    if not uphold and not note:
        raise ApplicationError("异议不成立时请填写理由", field="note")
    if objection.revocation is not None:
        revocation_decide(revocation=objection.revocation, approve=uphold, actor=actor, note=note)
    for revocation in objection.revocations.order_by("pk"):  # all pending: checked above
        revocation_decide(revocation=revocation, approve=uphold, actor=actor, note=note)
    if uphold and objection.recommendation != Recommendation.UPHOLD:
        if objection.account_id:
            if corrected_arrears_since is NOT_GIVEN:
                raise ApplicationError(
                    "审查建议维持欠费起始日；异议成立时请填写更正后的欠费起始日（无欠费的留空）",
                    field="corrected_arrears_since",
                )
            objection.corrected_arrears_since = _checked_arrears_correction(objection.account, corrected_arrears_since)
        if objection.report_id:
            if corrected_shows_dishonesty not in (True, False):
                raise ApplicationError(
                    "审查建议维持报告的退回；异议成立时请选择复核后报告是否显示失信行为",
                    field="corrected_shows_dishonesty",
                )
            objection.corrected_shows_dishonesty = corrected_shows_dishonesty
    if uphold:
        _corrections_apply(objection, actor=actor, note=note)
    objection.status = ObjectionStatus.UPHELD if uphold else ObjectionStatus.REFUSED
    objection.decided_by = actor
    objection.decided_at = timezone.now()
    objection.decision_note = note
    audited_save(objection, actor=actor, reason="异议成立" if uphold else "异议不成立")
    _objection_decision_send(objection)
    return objection


@transaction.atomic
def objection_override_request(*, objection: Objection, level: str, ends_on: date, reason: str, actor) -> Objection:
    """Ask for a manual level resting on an upheld objection to the level (when correcting the named facts
    is not enough): the override's reason names the objection, and the objection keeps the link
    (``Objection.override``). A supervisor other than the requester approves it, as any override."""
    objection = Objection.objects.select_for_update(of=("self",)).select_related("customer").get(pk=objection.pk)
    if objection.subject != ObjectionSubject.LEVEL:
        raise ApplicationError("只有对信用等级的异议可以作为人工调整的依据", field="level")
    if objection.status != ObjectionStatus.UPHELD:
        raise Conflict("对信用等级的异议成立后，方可依据其申请人工调整", field="level")
    if objection.override_id is not None:
        raise Conflict(f"已依据该异议申请过人工调整（#{objection.override_id}）", field="level")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写调整理由", field="reason")
    objection.override = override_request(
        customer=objection.customer,
        level=level,
        reason=f"依据{objection.reference}（异议成立）：{reason}",
        ends_on=ends_on,
        actor=actor,
        basis_kind="objection",
        basis_ref=str(objection.pk),
    )
    audited_save(objection, actor=actor, reason=f"依据异议申请人工调整 #{objection.override.pk}")
    return objection


def _corrections_apply(objection: Objection, *, actor, note: str) -> None:
    """The arrears date and the report's result the review proposed, written by the archive's services."""
    if objection.account_id:
        account = objection.account
        account_update(
            account=account,
            actor=actor,
            opened_on=account.opened_on,
            payment_method=account.payment_method,
            arrears_since=objection.corrected_arrears_since,
            voltage_level=account.voltage_level,
            capacity_kva=account.capacity_kva,
            reason=f"{objection.reference}成立：更正欠费起始日",
        )
    if objection.report_id:
        report_verify(
            report=objection.report,
            shows_dishonesty=objection.corrected_shows_dishonesty,
            actor=actor,
            note=f"{objection.reference}成立，撤回退回并重新核验。{note}".strip(),
        )


def _objection_decision_send(objection: Objection) -> None:
    """The decision, with its reasons, as a text to the enterprise's registered mobile (and on its notices page)."""
    customer = objection.customer
    phone = enterprise_phone(customer=customer, user_id=objection.submitted_by_id)
    outcome = (
        f"{UPHELD_OUTCOMES[objection.subject]}，信用等级已重新评定"
        if objection.status == ObjectionStatus.UPHELD
        else "异议不成立，该记录维持"
    )
    reasons = f"理由：{objection.decision_note}" if objection.decision_note else ""
    text = (
        f"【淮阴供电营业部】{customer.name}：您对{_subject_words(objection)}提出的异议"
        f"（{objection.submitted_at:%Y-%m-%d}）已处理：{outcome}。{reasons}"
    )
    enterprise_message.send(sender=Objection, kind="objection", recipient=phone, text=text, customer_id=customer.pk)


def _subject_words(objection: Objection) -> str:
    if objection.subject == ObjectionSubject.EVENT:
        event = objection.event
        return f"{event.occurred_on:%Y-%m-%d}“{event.get_type_display()}”记录"
    if objection.subject == ObjectionSubject.ARREARS:
        return f"户号 {objection.account.number} 的欠费起始日"
    if objection.subject == ObjectionSubject.REPORT:
        return f"{objection.report.issued_on:%Y-%m-%d} 的公共信用报告的退回"
    return "现行信用等级"
