"""Reads of the enterprise side, always scoped to what the asking user may see."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from archives.models import Customer, Membership
from credit_portal import roles
from ratings import consequences, rules

from .models import (
    OPEN_OBJECTION_STATUSES,
    ApplicationStatus,
    CommitmentLetter,
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


def own_customers(user) -> QuerySet[Customer]:
    """The enterprises the user is a confirmed member of (what an applicant acts for); none when signed out."""
    if not user.is_authenticated:
        return Customer.objects.none()
    return Customer.objects.filter(members__user=user, members__confirmed_at__isnull=False)


def letters_visible_to(user) -> QuerySet[CommitmentLetter]:
    """Staff and DRC officers see every letter; an applicant only its own enterprise's."""
    letters = CommitmentLetter.objects.select_related("customer", "uploaded_by", "decided_by")
    if user.is_authenticated and user.has_perm("commitments.view_commitmentletter"):
        return letters
    return letters.filter(customer__in=own_customers(user))


def applications_visible_to(user) -> QuerySet[PowerApplication]:
    applications = PowerApplication.objects.select_related("customer", "customer__rating", "report", "letter")
    if user.is_authenticated and user.has_perm("commitments.view_powerapplication"):
        return applications
    return applications.filter(customer__in=own_customers(user))


def service_requests_visible_to(user) -> QuerySet[ValueAddedServiceRequest]:
    requests = ValueAddedServiceRequest.objects.select_related("customer", "customer__rating")
    if user.is_authenticated and user.has_perm("commitments.view_valueaddedservicerequest"):
        return requests
    return requests.filter(customer__in=own_customers(user))


def objections_visible_to(user) -> QuerySet[Objection]:
    objections = Objection.objects.select_related(
        "customer", "event", "account", "report", "revocation", "revocation__decided_by", "submitted_by",
        "reviewed_by", "decided_by",
    ).prefetch_related("disputed_events")  # fmt: skip
    if user.is_authenticated and user.has_perm("commitments.view_objection"):
        return objections
    return objections.filter(customer__in=own_customers(user))


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
