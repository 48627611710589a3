"""Reads of the ratings for pages and the API."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from archives.models import CreditEvent, Customer, EventRevocation

from . import rules
from .models import CustomerRating, LevelOverride, OverrideStatus, RatingHistory
from .services import active_override, customer_facts


@dataclass
class RatingPanel:
    rating: CustomerRating | None
    result: rules.Result
    criteria: list[tuple[rules.Criterion, rules.Finding]]
    unmet: list[rules.Criterion]
    events_by_id: dict[int, CreditEvent]
    history: list[RatingHistory]
    override: LevelOverride | None
    as_of: date

    @property
    def level(self) -> str:
        return self.rating.level if self.rating else self.result.level

    @property
    def level_label(self) -> str:
        return rules.LEVEL_LABELS[self.level]

    @property
    def computed_label(self) -> str:
        return rules.LEVEL_LABELS[self.result.level]


def rating_panel(customer: Customer, *, as_of: date | None = None) -> RatingPanel:
    """The level, why (rule ids, the plan's wording, the evidence), what would improve it, the history."""
    as_of = as_of or timezone.localdate()
    result = rules.evaluate(customer_facts(customer=customer, as_of=as_of))
    findings = {finding.rule: finding for finding in result.findings}
    event_ids = {ev.ref for rule in result.rules for ev in findings[rule].evidence if ev.kind == "event"}
    return RatingPanel(
        rating=CustomerRating.objects.filter(customer=customer).first(),
        result=result,
        criteria=[(rules.CRITERIA_BY_ID[rule], findings[rule]) for rule in result.rules],
        unmet=[rules.CRITERIA_BY_ID[rule] for rule in result.unmet],
        events_by_id=CreditEvent.objects.in_bulk(event_ids),
        history=list(customer.rating_history.all()[:50]),
        override=active_override(customer_id=customer.pk, as_of=as_of),
        as_of=as_of,
    )


# --------------------------------------------------------------------------------------------
# The public standards page (公示失信行为认定标准)
# --------------------------------------------------------------------------------------------

#: The plan's own title, number and issuers, quoted on the public pages.
PLAN_TITLE = "淮安市淮阴区电力领域社会信用体系建设工作方案"
PLAN_NUMBER = "淮信用办〔2021〕7号"
PLAN_ISSUERS = ("淮安市淮阴区社会信用体系建设工作领导小组办公室", "国网江苏省电力有限公司淮安供电分公司淮阴供电营业部")
PLAN_DATE = "2021年9月23日"


@dataclass(frozen=True)
class Consequence:
    """What follows from a level: the plan's words (§三) and what the portal does."""

    plan_text: str
    portal_text: str


_HONEST = Consequence(
    "绿色和蓝色的电力信用等级认定为诚信客户。淮阴供电营业部为诚信客户开辟绿色通道，及时安排新装、增容事宜，"
    "优化公用变压器间隔、公用线路容量的开放使用；在同等条件下给予优先、优惠等待遇。具体包括但不限于：优先受理"
    "诚信客户的用电业务，无产权客户可凭借信用报告和信用承诺书代替产权证明；提供设备代维、节能咨询、能源托管、"
    "临时用电设备租赁、电费金融理财、专用发票寄送、安全用电管家等用能服务。",
    "诚信客户的新装、增容申请走绿色通道并优先受理；暂无产权证明的企业可凭有效的公共信用信息查询报告和签章的"
    "信用承诺书申请用电；可申请上述增值服务。",
)
_LETTER = Consequence(
    "对电力信用等级为红色或黑色的，通过发送书面告知函，进行提醒和警示。",
    "寄送书面告知函，载明失信事实、依据条款编号和方案原文，并跟踪送达情况。",
)
#: Plan §三(一): the consequence of each level.
LEVEL_CONSEQUENCES: dict[str, Consequence] = {
    rules.BLACK: _LETTER,
    rules.RED: _LETTER,
    rules.YELLOW: Consequence(
        "对电力信用等级为黄色的，可通过电话、发送短信、推送微信的方式进行提醒。",
        "通过电话、短信或微信消息提醒客户。",
    ),
    rules.GREEN: _HONEST,
    rules.BLUE: _HONEST,
}

#: The order in which the standards page lists the levels: warnings first, then honest levels.
STANDARDS_ORDER: tuple[str, ...] = (*rules.NEGATIVE_LEVELS, rules.GREEN, rules.BLUE)


@dataclass(frozen=True)
class StandardsLevel:
    level: str
    label: str
    honest: bool
    criteria: tuple[rules.Criterion, ...]
    consequence: Consequence

    @property
    def heading(self) -> str:
        if self.honest:
            return f"{self.label}信用等级（诚信客户）：须同时满足以下全部条件"
        return f"{self.label}信用等级：满足以下任一项即评定为{self.label}"


@dataclass(frozen=True)
class RatingStandards:
    levels: tuple[StandardsLevel, ...]
    order: tuple[str, ...]
    decisions: tuple[rules.Decision, ...]
    event_types: tuple[rules.EventType, ...]
    unrated_label: str
    version: str


def _evaluation_order() -> tuple[str, ...]:
    """The evaluation order of RATING_RULES.md, worded from the level table."""
    steps: list[str] = []
    for level in rules.NEGATIVE_LEVELS:
        prefix = "" if not steps else "否则，"
        steps.append(f"{prefix}任一{rules.LEVEL_LABELS[level]}评定要素成立 → {rules.LEVEL_LABELS[level]}")
    for level in (rules.GREEN, rules.BLUE):
        label = rules.LEVEL_LABELS[level]
        steps.append(f"否则，{label}信用等级的全部条件均满足 → {label}（诚信客户）")
    steps.append(f"否则 → {rules.LEVEL_LABELS[rules.UNRATED]}")
    return tuple(steps)


def rating_standards() -> RatingStandards:
    """Everything the public standards page shows, read from the rules table (nothing restated)."""
    return RatingStandards(
        levels=tuple(
            StandardsLevel(
                level=level,
                label=rules.LEVEL_LABELS[level],
                honest=level in rules.HONEST_LEVELS,
                criteria=rules.criteria_for(level),
                consequence=LEVEL_CONSEQUENCES[level],
            )
            for level in STANDARDS_ORDER
        ),
        order=_evaluation_order(),
        decisions=rules.DECISIONS,
        event_types=tuple(rules.EVENT_TYPES.values()),
        unrated_label=rules.LEVEL_LABELS[rules.UNRATED],
        version=rules.RULES_VERSION,
    )


# --------------------------------------------------------------------------------------------
# The what-if bench: the rules applied to edited facts, nothing saved
# --------------------------------------------------------------------------------------------

_KEEP = object()


@dataclass(frozen=True)
class WhatIf:
    actual: rules.Result
    actual_facts: rules.Facts
    result: rules.Result
    facts: rules.Facts
    excluded: tuple[rules.Event, ...]
    added: tuple[rules.Event, ...]

    @property
    def changed(self) -> bool:
        return (self.result.level, self.result.rules) != (self.actual.level, self.actual.rules)

    @property
    def months_in_arrears(self) -> int:
        return rules.months_in_arrears(self.facts.arrears_since, self.facts.as_of)

    @property
    def criteria(self) -> list[tuple[rules.Criterion, rules.Finding]]:
        """The criteria behind the what-if level, with their findings."""
        findings = {finding.rule: finding for finding in self.result.findings}
        return [(rules.CRITERIA_BY_ID[rule], findings[rule]) for rule in self.result.rules]

    @property
    def unmet(self) -> list[rules.Criterion]:
        return [rules.CRITERIA_BY_ID[rule] for rule in self.result.unmet]

    @property
    def events(self) -> list[tuple[rules.Event, str, bool]]:
        """The events the what-if evaluation counts, newest first: (event, text, hypothetical)."""
        added = set(self.added)
        rows = [(e, event_text(e), e in added) for e in self.facts.events]
        return sorted(rows, key=lambda row: row[0].occurred_on, reverse=True)

    @property
    def excluded_texts(self) -> list[str]:
        return [f"{e.occurred_on.isoformat()} {event_text(e)}" for e in self.excluded]

    @property
    def payment_method_label(self) -> str:
        return rules.PAYMENT_METHODS.get(self.facts.payment_method, self.facts.payment_method)

    @property
    def valid_report(self) -> rules.Report | None:
        """The report that counts on `as_of` (the latest one, if issued within one year)."""
        issued = [r for r in self.facts.reports if r.issued_on <= self.facts.as_of]
        latest = max(issued, key=lambda r: (r.issued_on, r.shows_dishonesty), default=None)
        return latest if latest is not None and rules.within(latest.issued_on, self.facts.as_of, 1) else None


def event_text(event: rules.Event) -> str:
    """A rules event in Chinese: its type and the attribute it carries."""
    event_type = rules.EVENT_TYPES[event.type]
    if event.amount_yuan is not None:
        return f"{event_type.label}（金额 {event.amount_yuan:,.2f} 元）"
    if event.voltage_kv is not None:
        return f"{event_type.label}（{event.voltage_kv.normalize():f} 千伏）"
    if event.severity and event_type.attribute is not None:
        return f"{event_type.label}（{event_type.attribute.choice_labels.get(event.severity, event.severity)}）"
    return event_type.label


def rating_what_if(
    *,
    customer: Customer,
    as_of: date,
    exclude_event_ids: Sequence[int] = (),
    extra_events: Sequence[rules.Event] = (),
    extra_reports: Sequence[rules.Report] = (),
    payment_method: str | object = _KEEP,
    arrears_since: date | None | object = _KEEP,
) -> WhatIf:
    """The customer's facts as of `as_of`, edited as asked, and both evaluations. Writes nothing."""
    actual_facts = customer_facts(customer=customer, as_of=as_of)
    excluded_ids = set(exclude_event_ids)
    excluded = tuple(e for e in actual_facts.events if e.ref in excluded_ids)
    changes: dict[str, object] = {
        "events": tuple(e for e in actual_facts.events if e.ref not in excluded_ids) + tuple(extra_events),
        "reports": actual_facts.reports + tuple(extra_reports),
    }
    if payment_method is not _KEEP:
        changes["payment_method"] = payment_method
    if arrears_since is not _KEEP:
        changes["arrears_since"] = arrears_since
    facts = replace(actual_facts, **changes)
    return WhatIf(
        actual=rules.evaluate(actual_facts),
        actual_facts=actual_facts,
        result=rules.evaluate(facts),
        facts=facts,
        excluded=excluded,
        added=tuple(extra_events),
    )


# --------------------------------------------------------------------------------------------
# The dashboard (评级概览)
# --------------------------------------------------------------------------------------------

#: The dashboard's order of the rating states, best first; customers with no rating row come last.
DASHBOARD_LEVELS: tuple[str, ...] = (*rules.LEVELS, rules.UNRATED)
NOT_RATED = ""
CHANGE_WINDOW_DAYS = 30


@dataclass(frozen=True)
class LevelCount:
    level: str  # NOT_RATED for customers that have no rating yet
    label: str
    count: int


@dataclass(frozen=True)
class Transition:
    previous_level: str
    level: str
    count: int


@dataclass(frozen=True)
class Dashboard:
    today: date
    since: date
    total: int
    level_counts: tuple[LevelCount, ...]
    overridden: int
    pending_overrides: int
    changes_by_day: tuple[tuple[date, int], ...]
    transitions: tuple[Transition, ...]
    recent_changes: tuple[RatingHistory, ...]

    @property
    def changes_total(self) -> int:
        return sum(n for _, n in self.changes_by_day)

    @property
    def counts(self) -> dict[str, int]:
        return {row.level: row.count for row in self.level_counts}


def rating_dashboard(*, today: date | None = None) -> Dashboard:
    """Customers per level now, and level changes (not first ratings) over the last 30 days."""
    today = today or timezone.localdate()
    since = today - timedelta(days=CHANGE_WINDOW_DAYS - 1)
    per_level = dict(CustomerRating.objects.values_list("level").annotate(n=Count("pk")).order_by())
    total = Customer.objects.count()
    rated = sum(per_level.values())
    level_counts = tuple(
        LevelCount(level, rules.LEVEL_LABELS[level], per_level.get(level, 0)) for level in DASHBOARD_LEVELS
    ) + (LevelCount(NOT_RATED, "待评定", max(total - rated, 0)),)

    start = timezone.make_aware(datetime.combine(since, time.min))
    end = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    changes = RatingHistory.objects.exclude(previous_level="").filter(created_at__gte=start, created_at__lt=end)
    per_day = dict(changes.annotate(day=TruncDate("created_at")).values_list("day").annotate(n=Count("pk")).order_by())
    transitions = tuple(
        Transition(previous, level, n)
        for previous, level, n in changes.values_list("previous_level", "level")
        .annotate(n=Count("pk"))
        .order_by("-n", "previous_level", "level")
    )
    return Dashboard(
        today=today,
        since=since,
        total=total,
        level_counts=level_counts,
        overridden=CustomerRating.objects.filter(override__isnull=False).count(),
        pending_overrides=LevelOverride.objects.filter(status=OverrideStatus.PENDING).count(),
        changes_by_day=tuple(
            (day, per_day.get(day, 0)) for day in (since + timedelta(days=i) for i in range(CHANGE_WINDOW_DAYS))
        ),
        transitions=transitions,
        recent_changes=tuple(changes.select_related("customer")[:20]),
    )


# --------------------------------------------------------------------------------------------
# Manual overrides
# --------------------------------------------------------------------------------------------


def overrides_pending() -> QuerySet[LevelOverride]:
    """Overrides awaiting a supervisor's decision, oldest first, with the customer's current rating."""
    return (
        LevelOverride.objects.filter(status=OverrideStatus.PENDING)
        .select_related("customer", "customer__rating", "requested_by")
        .order_by("requested_at", "pk")
    )


def overrides_active() -> QuerySet[LevelOverride]:
    """Overrides in force, the soonest to end first."""
    return (
        LevelOverride.objects.filter(status=OverrideStatus.ACTIVE)
        .select_related("customer", "customer__rating", "requested_by", "decided_by")
        .order_by("ends_on", "pk")
    )


def open_override(customer: Customer) -> LevelOverride | None:
    """The customer's pending or active override, if any (there is at most one)."""
    return (
        LevelOverride.objects.filter(customer=customer, status__in=[OverrideStatus.PENDING, OverrideStatus.ACTIVE])
        .select_related("requested_by", "decided_by")
        .first()
    )


# --------------------------------------------------------------------------------------------
# Requests and decisions: "我的申请" for staff, the history of decisions for supervisors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestRow:
    """One revocation or override request, read the same way on both pages."""

    kind: str
    customer: Customer
    subject: str
    reason: str
    status: str
    status_label: str
    requested_by: object
    requested_at: datetime
    decided_by: object
    decided_at: datetime | None
    decision_note: str
    url: str


def _revocation_rows(revocations) -> list[RequestRow]:
    return [
        RequestRow(
            kind="撤销失信记录",
            customer=r.event.customer,
            subject=f"{r.event.get_type_display()}（{r.event.occurred_on:%Y-%m-%d}）",
            reason=r.reason,
            status=r.status,
            status_label=r.get_status_display(),
            requested_by=r.requested_by,
            requested_at=r.requested_at,
            decided_by=r.decided_by,
            decided_at=r.decided_at,
            decision_note=r.decision_note,
            url=reverse("archives:customer_detail", args=[r.event.customer.uscc]) + f"#event-{r.event_id}",
        )
        for r in revocations
    ]


def _override_rows(overrides) -> list[RequestRow]:
    return [
        RequestRow(
            kind="人工调整信用等级",
            customer=o.customer,
            subject=f"调整为{o.get_level_display()}，至 {o.ends_on:%Y-%m-%d}",
            reason=o.reason,
            status=o.status,
            status_label=o.get_status_display(),
            requested_by=o.requested_by,
            requested_at=o.requested_at,
            decided_by=o.decided_by,
            decided_at=o.decided_at,
            decision_note=o.decision_note,
            url=reverse("archives:customer_detail", args=[o.customer.uscc]),
        )
        for o in overrides
    ]


def requests_of(*, user, limit: int = 200) -> list[RequestRow]:
    """The revocations and overrides the user asked for, newest first, each with its state."""
    revocations = EventRevocation.objects.filter(requested_by=user).select_related(
        "event", "event__customer", "requested_by", "decided_by"
    )[:limit]
    overrides = LevelOverride.objects.filter(requested_by=user).select_related(
        "customer", "requested_by", "decided_by"
    )[:limit]
    rows = _revocation_rows(revocations) + _override_rows(overrides)
    return sorted(rows, key=lambda row: row.requested_at, reverse=True)[:limit]


def decisions_taken(*, decided_by=None, limit: int = 200) -> list[RequestRow]:
    """Revocation and override decisions already taken (by anyone, or by one supervisor), newest first."""
    revocations = EventRevocation.objects.filter(decided_at__isnull=False)
    overrides = LevelOverride.objects.filter(decided_at__isnull=False)
    if decided_by is not None:
        revocations = revocations.filter(decided_by=decided_by)
        overrides = overrides.filter(decided_by=decided_by)
    revocations = revocations.select_related("event", "event__customer", "requested_by", "decided_by").order_by(
        "-decided_at"
    )[:limit]
    overrides = overrides.select_related("customer", "requested_by", "decided_by").order_by("-decided_at")[:limit]
    rows = _revocation_rows(revocations) + _override_rows(overrides)
    return sorted(rows, key=lambda row: row.decided_at, reverse=True)[:limit]


@dataclass(frozen=True)
class RevocationOutcome:
    current: str
    after: str


def revocation_outcome(event: CreditEvent, *, as_of: date | None = None) -> RevocationOutcome:
    """The computed level now and the one the customer would have with the event revoked."""
    bench = rating_what_if(customer=event.customer, as_of=as_of or timezone.localdate(), exclude_event_ids=[event.pk])
    return RevocationOutcome(current=bench.actual.level, after=bench.result.level)
