"""Reads of the enterprise side, always scoped to what the asking user may see."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import median

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from archives.models import (
    CreditEvent,
    Customer,
    EventStatus,
    Membership,
    PublicCreditReport,
    ReportStatus,
)
from credit_portal import roles
from ratings import consequences, rules
from ratings.rulesets import rule_book_for
from ratings.selectors import level_in_force

from .models import (
    OPEN_OBJECTION_STATUSES,
    ApplicationStatus,
    CommitmentLetter,
    CommitmentType,
    EnterpriseRegistration,
    LetterStatus,
    Objection,
    ObjectionStatus,
    ObjectionSubject,
    PowerApplication,
    PrivacyConsent,
    RegistrationStatus,
    ServiceStatus,
    ValueAddedServiceRequest,
)

#: The levels whose applications go through the green channel (read from the level table).
HONEST = sorted(consequences.levels_granting(consequences.GREEN_CHANNEL))


# --------------------------------------------------------------------------------------------
# Who the user acts for
# --------------------------------------------------------------------------------------------


def registration_of(user) -> EnterpriseRegistration | None:
    """An enterprise user's own registration (None for one the hall opened); 404 for anyone but an enterprise user."""
    if not user.is_authenticated or not user.groups.filter(name=roles.APPLICANT).exists():
        raise Http404("只有企业用户可以办理")
    return EnterpriseRegistration.objects.select_related("customer").filter(user=user).first()


def consents_of(user) -> QuerySet[PrivacyConsent]:
    return PrivacyConsent.objects.filter(user=user).order_by("-consented_at", "-id")


def enterprise_of(user) -> Customer:
    """The enterprise an applicant acts for, once staff confirmed the binding; 404 otherwise."""
    if not user.is_authenticated:
        raise Http404("没有找到企业")
    membership = Membership.objects.select_related("customer").filter(user=user, confirmed_at__isnull=False).first()
    if membership is None:
        raise Http404("您的账号尚未绑定企业，或绑定尚待营业厅确认")
    return membership.customer


def _own_customers(user) -> QuerySet[Customer]:
    if not user.is_authenticated:
        return Customer.objects.none()
    return Customer.objects.filter(members__user=user, members__confirmed_at__isnull=False)


def letters_visible_to(user) -> QuerySet[CommitmentLetter]:
    """Staff and DRC officers see every letter; an applicant only its own enterprise's."""
    letters = CommitmentLetter.objects.select_related("customer", "uploaded_by", "decided_by")
    if user.is_authenticated and user.has_perm("commitments.view_commitmentletter"):
        return letters
    return letters.filter(customer__in=_own_customers(user))


def applications_visible_to(user) -> QuerySet[PowerApplication]:
    applications = PowerApplication.objects.select_related("customer", "customer__rating", "report", "letter")
    if user.is_authenticated and user.has_perm("commitments.view_powerapplication"):
        return applications
    return applications.filter(customer__in=_own_customers(user))


def service_requests_visible_to(user) -> QuerySet[ValueAddedServiceRequest]:
    requests = ValueAddedServiceRequest.objects.select_related("customer", "customer__rating")
    if user.is_authenticated and user.has_perm("commitments.view_valueaddedservicerequest"):
        return requests
    return requests.filter(customer__in=_own_customers(user))


def objections_visible_to(user) -> QuerySet[Objection]:
    objections = Objection.objects.select_related(
        "customer", "event", "account", "report", "revocation", "revocation__decided_by", "submitted_by",
        "reviewed_by", "decided_by",
    ).prefetch_related("disputed_events")  # fmt: skip
    if user.is_authenticated and user.has_perm("commitments.view_objection"):
        return objections
    return objections.filter(customer__in=_own_customers(user))


# --------------------------------------------------------------------------------------------
# The no-property route
# --------------------------------------------------------------------------------------------


def report_that_counts(reports: Iterable[PublicCreditReport], *, today: date) -> PublicCreditReport | None:
    """Of ``reports``, the one that counts: the latest verified one issued within its validity
    (RATING_RULES.md: one year in the plan; the rule set in force may say otherwise).

    Where several share that latest date, one that shows dishonesty is the one returned.
    """
    since = rules.add_years(today, -rule_book_for(as_of=today).report_valid_years)
    valid = [r for r in reports if r.status == ReportStatus.VERIFIED and since < r.issued_on <= today]
    # A verified report always says whether it shows dishonesty (check constraint verified_report_states_dishonesty).
    return max(valid, key=lambda r: (r.issued_on, bool(r.shows_dishonesty), r.pk), default=None)


def valid_report(customer: Customer, *, today: date) -> PublicCreditReport | None:
    """The customer's report that counts on the day (``report_that_counts``)."""
    return report_that_counts(customer.reports.filter(status=ReportStatus.VERIFIED, issued_on__lte=today), today=today)


def letters_in_force(letters: Iterable[CommitmentLetter], *, today: date) -> list[CommitmentLetter]:
    """Of ``letters``, the accepted ones still in force, the latest decided first. Only the letter of plan
    Annex 2 stands in for property documents, not a repair commitment."""
    in_force = [
        letter
        for letter in letters
        if letter.status == LetterStatus.ACCEPTED
        and letter.commitment_type == CommitmentType.CERTIFICATION
        and (letter.valid_until is None or letter.valid_until >= today)
    ]
    # Latest decided first, as PostgreSQL orders a descending time: one without a time first.
    return sorted(in_force, key=lambda x: (x.decided_at is None, x.decided_at or _NO_TIME, x.pk), reverse=True)


_NO_TIME = datetime.min.replace(tzinfo=UTC)


def _certification_letters(customer: Customer) -> QuerySet[CommitmentLetter]:
    accepted = customer.commitment_letters.filter(status=LetterStatus.ACCEPTED)
    return accepted.filter(commitment_type=CommitmentType.CERTIFICATION)


def usable_letter(customer: Customer, *, today: date) -> CommitmentLetter | None:
    """The latest accepted commitment letter still in force and kept: a broken promise (违诺) stands in for
    nothing, whatever the level is since."""
    in_force = letters_in_force(_certification_letters(customer), today=today)
    return next((letter for letter in in_force if not letter.breach_event_id), None)


@dataclass(frozen=True)
class NoPropertyDocuments:
    """What the no-property route needs (plan §三(四)): an honest level, a clean report, a letter."""

    report: PublicCreditReport | None
    letter: CommitmentLetter | None
    level: str = ""
    report_valid_years: int = 1
    # A letter in force whose promise was broken (违诺): named in the refusal, so the enterprise knows why.
    breached_letter: CommitmentLetter | None = None

    @property
    def report_validity(self) -> str:
        """``一年内`` in the plan: how recent a report must be, as the rule set in force says."""
        return rules.years_label(self.report_valid_years)

    @property
    def level_ok(self) -> bool:
        return consequences.grants(self.level, consequences.NO_PROPERTY_ROUTE)

    @property
    def report_ok(self) -> bool:
        return self.report is not None and self.report.shows_dishonesty is False

    @property
    def missing(self) -> list[str]:
        """Every unmet condition, worded for the enterprise."""
        missing = []
        if not self.level_ok:
            label = rules.LEVEL_LABELS.get(self.level, "尚未评定")
            honest = "、".join(
                rules.LEVEL_LABELS[lv] for lv in consequences.levels_granting(consequences.NO_PROPERTY_ROUTE)
            )
            missing.append(f"诚信客户信用等级（{honest}），当前信用等级为{label}")
        if self.report is None:
            missing.append(f"一份已核验、{self.report_validity}出具的《江苏省法人公共信用信息查询报告》")
        elif self.report.shows_dishonesty:
            missing.append(
                f"显示无失信行为的公共信用信息查询报告（{self.report.issued_on:%Y-%m-%d}出具的报告显示失信行为）"
            )
        if self.letter is None and self.breached_letter is not None:
            breached = self.breached_letter
            missing.append(
                f"一份已受理且未违诺的《信用承诺书》（承诺编码 {breached.code} 的承诺书已违诺："
                f"{breached.unfulfilled_content or '发生失信行为'}，请重新签署信用承诺书）"
            )
        elif self.letter is None:
            missing.append("一份已受理的《信用承诺书》")
        return missing


@dataclass(frozen=True)
class RepairOpening:
    """A record whose credit repair could lift the level: from when it may be applied for, or where."""

    event: CreditEvent
    opens_on: date | None  # None: repaired by the authority that found it (谁认定、谁修复)
    today: date

    @property
    def open_now(self) -> bool:
        return self.opens_on is not None and self.opens_on <= self.today


@dataclass(frozen=True)
class LevelGate:
    """An action the level in force forbids, told before its form: why, and what would open it."""

    offer: consequences.Offer
    level: str
    repairs: tuple[RepairOpening, ...] = ()

    @property
    def level_label(self) -> str:
        return rules.LEVEL_LABELS.get(self.level, "尚未评定")

    @property
    def honest_labels(self) -> str:
        return "、".join(rules.LEVEL_LABELS[lv] for lv in consequences.levels_granting(self.offer.code))

    @property
    def reason(self) -> str:
        return (
            f"“{self.offer.label}”仅限诚信客户（{self.honest_labels}），"
            f"贵单位当前信用等级为{self.level_label}，暂不能办理。"
        )


def level_gate(*, level: str, offer: str, events, today: date) -> LevelGate | None:
    """Whether ``level`` forbids the incentive ``offer``; if so, why and which of ``events`` (the customer's,
    as loaded) a credit repair could clear, with the day it may be applied for. None: the level allows it."""
    if consequences.grants(level, offer):
        return None
    repairs = tuple(
        RepairOpening(
            event=event,
            opens_on=event.repair_open_on if event.publication_class.repaired_here else None,
            today=today,
        )
        for event in events
        if event.in_force and not event.repaired and event.publication_class is not None
    )
    return LevelGate(offer=consequences.OFFERS[offer], level=level, repairs=repairs)


def offer_gate(customer: Customer, *, offer: str, level: str, today: date) -> LevelGate | None:
    """``level_gate`` for a form of its own: the customer's events are read only when the level forbids ``offer``."""
    if consequences.grants(level, offer):
        return None
    events = customer.events.filter(status=EventStatus.IN_FORCE, repaired_on__isnull=True).order_by("occurred_on")
    return level_gate(level=level, offer=offer, events=events, today=today)


def no_property_documents(customer: Customer, *, today: date) -> NoPropertyDocuments:
    return no_property_documents_of(
        level=level_in_force(customer.pk),
        letters=_certification_letters(customer),
        reports=customer.reports.filter(status=ReportStatus.VERIFIED, issued_on__lte=today),
        today=today,
    )


def no_property_documents_of(
    *, level: str, letters: Iterable[CommitmentLetter], reports: Iterable[PublicCreditReport], today: date
) -> NoPropertyDocuments:
    """``no_property_documents`` from the level in force and the customer's letters and reports (any of them)."""
    in_force = letters_in_force(letters, today=today)
    letter = next((kept for kept in in_force if not kept.breach_event_id), None)
    return NoPropertyDocuments(
        report=report_that_counts(reports, today=today),
        letter=letter,
        level=level,
        report_valid_years=rule_book_for(as_of=today).report_valid_years,
        breached_letter=None if letter else next((broken for broken in in_force if broken.breach_event_id), None),
    )


# --------------------------------------------------------------------------------------------
# Staff queues: the green channel
# --------------------------------------------------------------------------------------------


def _honest_first(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        channel=Case(
            When(customer__rating__level__in=HONEST, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("channel", "submitted_at", "id")


def applications_open() -> QuerySet[PowerApplication]:
    """Applications not yet done or rejected (what the queue holds, and its count: partial index)."""
    return PowerApplication.objects.exclude(status__in=[ApplicationStatus.DONE, ApplicationStatus.REJECTED])


def service_requests_open() -> QuerySet[ValueAddedServiceRequest]:
    """Value-added service requests not yet done or rejected (partial index)."""
    return ValueAddedServiceRequest.objects.exclude(status__in=[ServiceStatus.DONE, ServiceStatus.REJECTED])


def application_queue(*, include_closed: bool = False) -> QuerySet[PowerApplication]:
    """Open applications, honest customers (green, blue: the green channel 绿色通道) first, then by date."""
    applications = PowerApplication.objects.all() if include_closed else applications_open()
    return _honest_first(applications.select_related("customer", "customer__rating"))


def service_request_queue() -> QuerySet[ValueAddedServiceRequest]:
    return _honest_first(service_requests_open().select_related("customer", "customer__rating"))


def pending_registrations() -> QuerySet[EnterpriseRegistration]:
    return EnterpriseRegistration.objects.filter(status=RegistrationStatus.PENDING).select_related("customer", "user")


def letters_awaiting_review() -> QuerySet[CommitmentLetter]:
    return CommitmentLetter.objects.filter(status=LetterStatus.PENDING).select_related("customer", "uploaded_by")


def objections_overdue(objections: QuerySet[Objection] | None = None, *, today: date | None = None):
    """Open objections whose reply deadline has passed, the longest overdue first."""
    objections = objections_open() if objections is None else objections
    today = today or timezone.localdate()
    return objections.filter(reply_due_on__lt=today).order_by("reply_due_on", "submitted_at", "id")


def objected_event_ids() -> QuerySet:
    """The ids of the events an objection still disputes (submitted or reviewed: not yet decided): an
    event's own objection, or a level objection naming it."""
    return Objection.disputed_events.through.objects.filter(objection__status__in=OPEN_OBJECTION_STATUSES).values(
        "creditevent_id"
    )


def objected_customer_ids(subject: str) -> QuerySet:
    """The ids of the customers with an open objection of this subject (the DRC report's 异议 columns)."""
    return Objection.objects.filter(status__in=OPEN_OBJECTION_STATUSES, subject=subject).values("customer_id")


@dataclass(frozen=True)
class ObjectedFacts:
    """What of one archive is 异议中: the level, accounts' arrears dates and reports, by id."""

    level: Objection | None = None
    accounts: dict = field(default_factory=dict)
    reports: dict = field(default_factory=dict)
    open: tuple = ()


def objected_facts(*, customer: Customer) -> ObjectedFacts:
    """The open objections of a customer by the record they mark 异议中 (one query)."""
    return objected_facts_of(
        Objection.objects.filter(customer=customer, status__in=OPEN_OBJECTION_STATUSES).select_related(
            "event", "account", "report"
        )
    )


def objected_facts_of(objections: Iterable[Objection]) -> ObjectedFacts:
    """What the open ones of a customer's ``objections`` mark 异议中, the oldest objection first."""
    objections = tuple(sorted((o for o in objections if o.is_open), key=lambda o: (o.submitted_at, o.pk)))
    return ObjectedFacts(
        level=next((o for o in objections if o.subject == ObjectionSubject.LEVEL), None),
        accounts={o.account_id: o for o in objections if o.account_id},
        reports={o.report_id: o for o in objections if o.report_id},
        open=objections,
    )


def objections_open() -> QuerySet[Objection]:
    """Objections to review, then those awaiting a supervisor (an event's: while its revocation is pending)."""
    return (
        Objection.objects.filter(
            Q(status=ObjectionStatus.SUBMITTED)
            | Q(status=ObjectionStatus.REVIEWED, revocation__isnull=True)
            | Q(status=ObjectionStatus.REVIEWED, revocation__status="pending")
        )
        .select_related("customer", "event", "account", "report", "revocation", "reviewed_by")
        .prefetch_related("disputed_events")
        .order_by("submitted_at", "id")
    )


# --------------------------------------------------------------------------------------------
# Time taken: each step, and the green channel's effect for the dashboard
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    status: str
    label: str
    at: datetime
    took: timedelta | None  # since the previous step


_STEP_FIELDS = (
    (ApplicationStatus.SUBMITTED, "submitted_at"),
    (ApplicationStatus.ACCEPTED, "accepted_at"),
    (ApplicationStatus.SURVEYING, "surveying_at"),
    (ApplicationStatus.CONNECTING, "connecting_at"),
    (ApplicationStatus.DONE, "done_at"),
    (ApplicationStatus.REJECTED, "rejected_at"),
)


def request_steps(instance) -> list[Step]:
    """The statuses an application (or service request) went through, each with the time it took."""
    labels = dict(type(instance)._meta.get_field("status").choices)
    steps: list[Step] = []
    for status, field_name in _STEP_FIELDS:
        at = getattr(instance, field_name, None)
        if at is None or status not in labels:
            continue
        steps.append(Step(status, labels[status], at, at - steps[-1].at if steps else None))
    return steps


@dataclass(frozen=True)
class TurnaroundGroup:
    label: str
    count: int
    median_days: float | None


@dataclass(frozen=True)
class Turnaround:
    """Median days from submitted to done: honest customers (green channel) against the others."""

    honest: TurnaroundGroup
    others: TurnaroundGroup
    since: date | None
    until: date | None
    open_honest: int = 0
    open_others: int = 0

    @property
    def days_saved(self) -> float | None:
        if self.honest.median_days is None or self.others.median_days is None:
            return None
        return round(self.others.median_days - self.honest.median_days, 1)


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / 86400


def application_turnaround(*, since: date | None = None, until: date | None = None) -> Turnaround:
    """Median days from submission to done of the applications finished in [since, until], split by
    the level the customer had when it applied: honest (green, blue) vs others."""
    done = PowerApplication.objects.filter(status=ApplicationStatus.DONE, done_at__isnull=False)
    if since is not None:
        done = done.filter(done_at__date__gte=since)
    if until is not None:
        done = done.filter(done_at__date__lte=until)
    honest_days: list[float] = []
    other_days: list[float] = []
    for level, submitted_at, done_at in done.values_list("level_at_submission", "submitted_at", "done_at"):
        (honest_days if level in rules.HONEST_LEVELS else other_days).append(_days(done_at - submitted_at))
    open_apps = PowerApplication.objects.exclude(status__in=[ApplicationStatus.DONE, ApplicationStatus.REJECTED])
    open_honest = open_apps.filter(level_at_submission__in=HONEST).count()

    def group(label: str, values: list[float]) -> TurnaroundGroup:
        return TurnaroundGroup(label, len(values), round(median(values), 1) if values else None)

    return Turnaround(
        honest=group("诚信客户（绿色、蓝色）", honest_days),
        others=group("其他客户", other_days),
        since=since,
        until=until,
        open_honest=open_honest,
        open_others=open_apps.count() - open_honest,
    )


# --------------------------------------------------------------------------------------------
# Public pages
# --------------------------------------------------------------------------------------------


def letters_search(letters: QuerySet[CommitmentLetter], search: str) -> QuerySet[CommitmentLetter]:
    """Letters whose enterprise's USCC or commitment code starts with, or enterprise name holds, ``search``."""
    search = (search or "").strip()
    if not search:
        return letters
    if search.isascii() and search.isalnum():
        return letters.filter(
            Q(customer__uscc__startswith=search.upper())
            | Q(code__startswith=search)
            | Q(customer__name__icontains=search)
        )
    return letters.filter(customer__name__icontains=search)


def public_letters(*, search: str = "") -> QuerySet[CommitmentLetter]:
    """Accepted letters, published under clause 5 (信用承诺公示): newest commitment first."""
    letters = CommitmentLetter.objects.filter(status=LetterStatus.ACCEPTED).select_related("customer")
    return letters_search(letters, search).order_by("-committed_on", "-code")
