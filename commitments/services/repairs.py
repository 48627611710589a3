"""Credit repair (信用修复, 《信用修复管理办法》2025): the enterprise applies, staff check and propose, a
different supervisor decides; an approved repair marks the event 已修复 (the archive re-rates the customer
in the same transaction) and publishes the signed 信用修复承诺书 as a 信用修复型 commitment.

A `dishonesty` record is another authority's finding: it is repaired at its source, and staff record
that repair here with its evidence (谁认定、谁修复).
"""

from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from archives.models import CreditEvent
from archives.services import event_repair_record, event_repairable
from archives.services.common import audited_save
from archives.validation import check_date_floor, check_plain_text, check_upload
from credit_portal.decisions import two_person_decide
from credit_portal.errors import ApplicationError, Conflict
from credit_portal.signals import enterprise_message
from credit_portal.workdays import add_working_days

from .. import repair_text
from ..models import (
    CommitmentLetter,
    CommitmentType,
    Fulfilment,
    LetterStatus,
    RepairApplication,
    RepairProposal,
    RepairProposalStatus,
    RepairRecommendation,
    RepairRoute,
    RepairStatus,
)
from ..repair_selectors import arrears_of, repair_terms
from .access import enterprise_phone, filed_at_counter
from .letters import assign_code


def repair_decision_due(*, submitted_on: date) -> date:
    """The decision deadline: REPAIR_DECISION_WORKING_DAYS working days of the official calendar."""
    return add_working_days(submitted_on, settings.REPAIR_DECISION_WORKING_DAYS)


def _checked_date(value, *, field: str, label: str, today: date) -> date:
    if not isinstance(value, date):
        raise ApplicationError(f"{label}格式应为 YYYY-MM-DD", field=field)
    check_date_floor(value, field=field, label=label)
    if value > today:
        raise ApplicationError(f"{label} {value} 晚于今天", field=field)
    return value


@transaction.atomic
def repair_apply(
    *,
    event: CreditEvent,
    actor,
    evidence: UploadedFile | None,
    commitment_file: UploadedFile | None,
    committed_on: date | None,
    rectification_report: UploadedFile | None = None,
    note: str = "",
    paper_application: UploadedFile | None = None,
) -> RepairApplication:
    """Apply for the repair of one event: by the enterprise for itself, or by staff at the counter for an
    enterprise with its scanned paper application. Every document is checked before anything is stored."""
    event = CreditEvent.objects.select_for_update().select_related("customer").get(pk=event.pk)
    customer = event.customer
    at_counter = filed_at_counter(actor=actor, customer=customer, permission="commitments.propose_repair")
    today = timezone.localdate()
    terms = repair_terms(event, today=today)
    if not terms.may_apply:
        raise Conflict(terms.refusal, field="event")
    note = (note or "").strip()
    if note:
        check_plain_text(note, field="note", label="情况说明")
    uploads = {}
    if evidence is None:
        raise ApplicationError(
            f"请上传纠正失信行为、履行相关义务的证明材料（{repair_text.EVIDENCE[event.type]}）", field="evidence"
        )
    uploads["evidence"] = (evidence, check_upload(evidence, field="evidence"))
    if commitment_file is None:
        raise ApplicationError("请上传签章的《信用修复承诺书》", field="commitment_file")
    uploads["commitment_file"] = (commitment_file, check_upload(commitment_file, field="commitment_file"))
    if committed_on is None:
        raise ApplicationError("请填写承诺书签署日期", field="committed_on")
    _checked_date(committed_on, field="committed_on", label="承诺日期", today=today)
    if rectification_report is not None:
        uploads["rectification_report"] = (
            rectification_report,
            check_upload(rectification_report, field="rectification_report"),
        )
    if at_counter:
        if paper_application is None:
            raise ApplicationError("营业厅代为登记的，请上传企业签章的纸质申请书扫描件", field="paper_application")
        uploads["paper_application"] = (paper_application, check_upload(paper_application, field="paper_application"))
    application = RepairApplication(
        event=event,
        customer=customer,
        route=RepairRoute.APPLICATION,
        note=note,
        committed_on=committed_on,
        report=terms.report,
        submitted_by=actor,
        filed_at_counter=at_counter,
        decision_due_on=repair_decision_due(submitted_on=today),
    )
    # Files are stored only once every check has passed: a refused application leaves nothing behind.
    for field, (upload, checked) in uploads.items():
        getattr(application, field).save(f"repair-{field}{checked.suffix}", upload, save=False)
    reason = "营业厅代企业登记信用修复申请（纸质申请）" if at_counter else "企业申请信用修复"
    audited_save(application, actor=actor, reason=reason)
    return application


@transaction.atomic
def repair_propose(
    *, application: RepairApplication, actor, recommendation: str, note: str, correction_confirmed: bool = False
) -> RepairApplication:
    """Staff check the correction and propose to approve or refuse; a different supervisor decides.

    For arrears and payment records the archive must show no arrears; otherwise staff confirm the evidence.
    """
    if not actor.has_perm("commitments.propose_repair"):
        raise ApplicationError("只有营业厅工作人员可以审查信用修复申请", field="application")
    application = (
        RepairApplication.objects.select_for_update().select_related("event", "customer").get(pk=application.pk)
    )
    if application.status != RepairStatus.SUBMITTED:
        raise Conflict("该信用修复申请已审查", field="application")
    if recommendation not in RepairRecommendation.values:
        raise ApplicationError("请选择审查建议", field="recommendation")
    note = (note or "").strip()
    if not note:
        raise ApplicationError("请填写审查意见（核查了哪些材料、结论如何）", field="note")
    approve = recommendation == RepairRecommendation.APPROVE
    if approve:
        _check_correction(application, confirmed=correction_confirmed)
    proposal = RepairProposal(
        application=application,
        reason=note,
        requested_by=actor,
        recommendation=recommendation,
        correction_confirmed=approve,
    )
    label = RepairRecommendation(recommendation).label
    audited_save(proposal, actor=actor, reason=f"审查信用修复申请：{label}")
    application.status = RepairStatus.PROPOSED
    audited_save(application, actor=actor, reason=f"营业厅审查：{label}，待班组长决定")
    return application


def _check_correction(application: RepairApplication, *, confirmed: bool) -> None:
    """The correction is proven: no arrears in the archive for a payment record, else staff confirmed it."""
    if application.event.type in repair_text.PAYMENT_RECORDS:
        arrears = arrears_of(application.customer)
        if arrears:
            accounts = "、".join(f"户号 {number}（{since:%Y-%m-%d} 起）" for number, since in arrears)
            raise ApplicationError(
                f"档案显示该企业仍有欠费：{accounts}，欠费结清前不能修复“{application.event.get_type_display()}”记录",
                field="recommendation",
            )
    elif not confirmed:
        raise ApplicationError(
            "建议予以修复前，请核实整改证明材料并勾选“已核实纠正失信行为、履行相关义务”", field="correction_confirmed"
        )


@transaction.atomic
def repair_decide(*, application: RepairApplication, actor, approve: bool, note: str = "") -> RepairApplication:
    """A supervisor other than the proposer approves (the event is repaired today, the customer re-rated,
    the commitment published) or refuses with a reason saying what is missing."""
    application = (
        RepairApplication.objects.select_for_update().select_related("event", "customer").get(pk=application.pk)
    )
    if application.status != RepairStatus.PROPOSED:
        raise Conflict("该信用修复申请尚未审查或已决定", field="decision")
    proposal = RepairProposal.objects.select_for_update().get(application=application)
    two_person_decide(
        proposal,
        approve=approve,
        actor=actor,
        note=note,
        permission="commitments.decide_repair",
        approved=RepairProposalStatus.APPROVED,
        refused=RepairProposalStatus.REFUSED,
        field="decision",
        not_allowed="只有班组长可以决定信用修复",
    )
    if approve:
        if not proposal.correction_confirmed:
            raise ApplicationError(
                "营业厅审查未确认已纠正失信行为、履行相关义务，不能批准修复；请不予修复并写明缺少的材料",
                field="decision",
            )
        _check_correction(application, confirmed=True)
    audited_save(proposal, actor=actor, reason="予以信用修复" if approve else "不予信用修复")
    if approve:
        today = timezone.localdate()
        event_repair_record(
            event=application.event,
            repaired_on=today,
            actor=actor,
            ref=f"信用修复申请 #{application.pk}",
            note=proposal.decision_note,
        )
        application.letter = _commitment_publish(application, actor=actor)
        application.repaired_on = today
        application.status = RepairStatus.APPROVED
        audited_save(application, actor=actor, reason="班组长决定：予以信用修复，记录已修复，承诺书已公示")
    else:
        application.status = RepairStatus.REFUSED
        audited_save(application, actor=actor, reason=f"班组长决定：不予信用修复（{proposal.decision_note}）")
    _repair_decision_send(application, note=proposal.decision_note)
    return application


def _commitment_publish(application: RepairApplication, *, actor) -> CommitmentLetter:
    """The signed 信用修复承诺书 becomes a public commitment (信用修复型), with its 承诺编码."""
    letter = CommitmentLetter(
        customer=application.customer,
        commitment_type=CommitmentType.REPAIR,
        committed_on=application.committed_on,
        file=application.commitment_file.name,
        status=LetterStatus.ACCEPTED,
        fulfilment=Fulfilment.FULL,
        uploaded_by=application.submitted_by,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_note=f"信用修复申请 #{application.pk} 予以修复",
    )
    assign_code(letter, actor=actor, reason=f"公示信用修复承诺（信用修复申请 #{application.pk}）")
    return letter


@transaction.atomic
def repair_record_at_source(
    *, event: CreditEvent, actor, repaired_on: date, source_body: str, evidence: UploadedFile | None, note: str = ""
) -> RepairApplication:
    """Record the repair of a `dishonesty` record by the authority that found it (谁认定、谁修复), with its
    evidence (the source's repair decision, or the 信用中国 page showing it repaired)."""
    if not actor.has_perm("commitments.propose_repair"):
        raise ApplicationError("只有营业厅工作人员可以登记认定机关的信用修复", field="event")
    event = CreditEvent.objects.select_for_update().select_related("customer").get(pk=event.pk)
    publication = event.publication_class
    if publication is None or publication.repaired_here:
        raise Conflict("该记录由本门户认定，其修复须由企业申请、经两人审批，不能直接登记", field="event")
    source_body = (source_body or "").strip()
    if not source_body:
        raise ApplicationError("请填写作出修复的认定机关", field="source_body")
    check_plain_text(source_body, field="source_body", label="认定机关")
    _checked_date(repaired_on, field="repaired_on", label="修复日期", today=timezone.localdate())
    if evidence is None:
        raise ApplicationError("请上传认定机关修复的证明材料", field="evidence")
    checked = check_upload(evidence, field="evidence")
    event_repairable(event)  # before the evidence is stored: a refusal leaves no file behind
    note = (note or "").strip()
    application = RepairApplication(
        event=event,
        customer=event.customer,
        route=RepairRoute.SOURCE,
        source_body=source_body,
        note=note,
        submitted_by=actor,
        repaired_on=repaired_on,
        status=RepairStatus.APPROVED,
    )
    application.evidence.save(f"repair-source{checked.suffix}", evidence, save=False)
    audited_save(application, actor=actor, reason=f"登记认定机关（{source_body}）的信用修复")
    event_repair_record(
        event=event, repaired_on=repaired_on, actor=actor, ref=f"{source_body}修复（登记 #{application.pk}）", note=note
    )
    _repair_decision_send(application, note=note)
    return application


def _repair_decision_send(application: RepairApplication, *, note: str) -> None:
    """The outcome, with its reasons, as a text to the enterprise (and on its notices page)."""
    customer = application.customer
    event = application.event
    record = f"{event.occurred_on:%Y-%m-%d}“{event.get_type_display()}”记录"
    if application.status == RepairStatus.APPROVED and application.route == RepairRoute.SOURCE:
        outcome = (
            f"经{application.source_body}修复，已登记为已修复（修复日期 {application.repaired_on:%Y-%m-%d}），"
            "自修复之日起不再计入信用评定"
        )
    elif application.status == RepairStatus.APPROVED:
        outcome = (
            f"予以信用修复：该记录已修复（修复日期 {application.repaired_on:%Y-%m-%d}），不再计入信用评定，"
            f"信用等级已重新评定；您的信用修复承诺（编码 {application.letter.code}）已公示"
        )
    else:
        outcome = f"不予信用修复。理由：{note}。补齐后可再次申请"
    text = f"【淮阴供电营业部】{customer.name}：您的{record}的信用修复：{outcome}。"
    phone = enterprise_phone(customer=customer, user_id=application.submitted_by_id)
    enterprise_message.send(
        sender=RepairApplication, kind="repair", recipient=phone, text=text, customer_id=customer.pk
    )
