"""Reads of credit repair (信用修复): whether and from when a record may be repaired, what it needs,
the applications each user may see, the staff queue and the figures the DRC reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from archives import vocabulary
from archives.models import CreditEvent, Customer, EventStatus, PublicCreditReport
from ratings import rules
from ratings.rulesets import rule_book_for

from . import repair_text
from .eligibility_selectors import valid_report
from .models import OPEN_OBJECTION_STATUSES, RepairApplication, RepairStatus
from .selectors import own_customers


@dataclass(frozen=True)
class RepairTerms:
    """What repairing one record takes, and whether it may be applied for on ``today``.

    ``refusal``: why the enterprise cannot apply now ("" when it can); ``opens_on``: the first day it may.
    """

    event: CreditEvent
    today: date
    class_label: str
    opens_on: date | None
    at_source: bool
    needs_report: bool
    report: PublicCreditReport | None
    report_validity: str
    open_application: RepairApplication | None
    refusal: str

    @property
    def may_apply(self) -> bool:
        return not self.refusal

    @property
    def too_early(self) -> bool:
        return self.opens_on is not None and self.today < self.opens_on

    @property
    def payment_record(self) -> bool:
        return self.event.type in repair_text.PAYMENT_RECORDS

    @property
    def obligations(self) -> str:
        return repair_text.OBLIGATIONS.get(self.event.type, "")

    @property
    def needed(self) -> list[str]:
        """What the application needs, worded for the enterprise."""
        needed = [
            f"纠正失信行为、履行相关义务（{self.obligations}）的证明材料：{repair_text.EVIDENCE[self.event.type]}"
            if self.event.type in repair_text.EVIDENCE
            else "纠正失信行为、履行相关义务的证明材料",
            "签章的《信用修复承诺书》（在本页下载预填的承诺书，加盖公章、法定代表人签章后扫描上传），"
            "修复批准后作为信用修复型承诺向社会公示",
        ]
        if self.payment_record:
            needed.append("档案中各用电户号均无欠费（营业厅审查时核对）")
        if self.needs_report:
            needed.append(
                f"严重失信信息还须一份已核验、{self.report_validity}出具的《江苏省法人公共信用信息查询报告》"
                "（先在“我的企业”上传，营业厅核验后即可申请）"
            )
        return needed


def repair_terms(event: CreditEvent, *, today: date | None = None) -> RepairTerms:
    """Whether ``event`` may be repaired through the portal on ``today``, from when, and what it needs."""
    today = today or timezone.localdate()
    publication = event.publication_class
    at_source = publication is not None and not publication.repaired_here
    opens_on = event.repair_open_on
    needs_report = event.dishonesty_class == vocabulary.SERIOUS_CLASS
    report = valid_report(event.customer, today=today) if needs_report else None
    validity = rules.years_label(rule_book_for(as_of=today).report_valid_years)
    open_application = event.repair_applications.filter(
        status__in=[RepairStatus.SUBMITTED, RepairStatus.PROPOSED]
    ).first()
    refusal = ""
    if event.status == EventStatus.REVOKED:
        refusal = "该记录已撤销，无需修复"
    elif event.repaired_on is not None:
        refusal = f"该记录已于 {event.repaired_on:%Y-%m-%d} 修复"
    elif at_source:
        refusal = (
            "该记录是其他机关认定的公共信用信息，按“谁认定、谁修复”，请向认定机关（或“信用中国”网站）申请信用修复；"
            "修复后请将修复结果告知营业厅，由营业厅登记"
        )
    elif opens_on is None:
        refusal = "该记录尚未确定失信信息类别，请联系营业厅"
    elif open_application is not None:
        refusal = f"该记录已有处理中的信用修复申请（{timezone.localdate(open_application.submitted_at):%Y-%m-%d} 提交）"
    elif event.disputing_objections.filter(status__in=OPEN_OBJECTION_STATUSES).exists():
        refusal = "该记录有处理中的异议，请待异议决定后再申请信用修复"
    elif today < opens_on:
        refusal = (
            f"该记录为{publication.label}失信信息，最短公示期至 {event.publication_shortest_until:%Y-%m-%d}，"
            f"自 {opens_on:%Y-%m-%d} 起方可申请信用修复"
        )
    elif needs_report and report is None:
        refusal = (
            f"严重失信信息申请信用修复，须有一份已核验、{validity}出具的《江苏省法人公共信用信息查询报告》，"
            "贵单位尚无：请先上传报告，待营业厅核验"
        )
    return RepairTerms(
        event=event,
        today=today,
        class_label=publication.label if publication else "",
        opens_on=opens_on,
        at_source=at_source,
        needs_report=needs_report,
        report=report,
        report_validity=validity,
        open_application=open_application,
        refusal=refusal,
    )


def arrears_of(customer: Customer) -> list[tuple[str, date]]:
    """The customer's accounts in arrears (户号, since when): none is what a payment record's repair needs."""
    return list(
        customer.accounts.filter(arrears_since__isnull=False).order_by("number").values_list("number", "arrears_since")
    )


# --------------------------------------------------------------------------------------------
# Who sees what; the queue; the figures
# --------------------------------------------------------------------------------------------


def repairs_visible_to(user) -> QuerySet[RepairApplication]:
    """Staff, supervisors and DRC officers see every application; an applicant only its own enterprise's."""
    repairs = RepairApplication.objects.select_related(
        "customer", "event", "report", "letter", "submitted_by", "proposal", "proposal__requested_by",
        "proposal__decided_by",
    )  # fmt: skip
    if user.is_authenticated and user.has_perm("commitments.view_repairapplication"):
        return repairs
    return repairs.filter(customer__in=own_customers(user))


def repairs_open() -> QuerySet[RepairApplication]:
    """Applications to check, then those awaiting a supervisor's decision, oldest first."""
    return (
        RepairApplication.objects.filter(status__in=[RepairStatus.SUBMITTED, RepairStatus.PROPOSED])
        .select_related("customer", "event", "proposal", "proposal__requested_by")
        .order_by("submitted_at", "id")
    )


def repairs_closed() -> QuerySet[RepairApplication]:
    return (
        RepairApplication.objects.filter(status__in=[RepairStatus.APPROVED, RepairStatus.REFUSED])
        .select_related("customer", "event", "proposal", "proposal__decided_by", "letter")
        .order_by("-submitted_at", "-id")
    )


def repairs_overdue(repairs: QuerySet[RepairApplication] | None = None, *, today: date | None = None):
    """Open applications past their decision deadline, the longest overdue first."""
    repairs = repairs_open() if repairs is None else repairs
    today = today or timezone.localdate()
    return repairs.filter(decision_due_on__lt=today).order_by("decision_due_on", "submitted_at", "id")


@dataclass(frozen=True)
class RepairCounts:
    submitted: int
    proposed: int
    approved: int
    refused: int
    overdue: int
    at_source: int

    @property
    def total(self) -> int:
        return self.submitted + self.proposed + self.approved + self.refused


def repair_counts(*, today: date | None = None) -> RepairCounts:
    """How many applications are in each state, how many open ones are overdue, and how many repairs
    were recorded from their source: one query."""
    today = today or timezone.localdate()
    open_states = [RepairStatus.SUBMITTED, RepairStatus.PROPOSED]
    figures = RepairApplication.objects.aggregate(
        **{status: Count("id", filter=Q(status=status, route="application")) for status in RepairStatus.values},
        overdue=Count("id", filter=Q(status__in=open_states, decision_due_on__lt=today)),
        at_source=Count("id", filter=Q(route="source")),
    )
    return RepairCounts(**figures)
