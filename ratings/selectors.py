"""Reads of the ratings for pages and the API."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from archives import vocabulary
from archives.models import CreditEvent, Customer, EventRevocation

from . import consequences, rules
from .models import CustomerRating, LevelOverride, OverrideStatus, RatingHistory
from .rulesets import book_of, rule_book_for, ruleset_coming, ruleset_for
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
    book = rule_book_for(as_of=as_of)
    result = rules.evaluate(customer_facts(customer=customer, as_of=as_of), book)
    findings = {finding.rule: finding for finding in result.findings}
    event_ids = {ev.ref for rule in result.rules for ev in findings[rule].evidence if ev.kind == "event"}
    return RatingPanel(
        rating=CustomerRating.objects.filter(customer=customer).first(),
        result=result,
        # The wording of the rule set in force on the date (the plan's in version 1).
        criteria=[(book.by_id[rule], findings[rule]) for rule in result.rules],
        unmet=[book.by_id[rule] for rule in result.unmet],
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


#: Plan §三: what follows from each level, one row of the declared table per level.
LEVEL_CONSEQUENCES: dict[str, consequences.LevelTerms] = consequences.TERMS


#: The order in which the standards page lists the levels: warnings first, then honest levels.
STANDARDS_ORDER: tuple[str, ...] = (*rules.NEGATIVE_LEVELS, rules.GREEN, rules.BLUE)


@dataclass(frozen=True)
class StandardsLevel:
    level: str
    label: str
    honest: bool
    criteria: tuple[rules.Criterion, ...]
    consequence: consequences.LevelTerms
    measures: tuple[consequences.Measure, ...] = ()

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
    terms: tuple[TermsRow, ...] = ()
    offers: tuple[consequences.Offer, ...] = ()
    optional_measures: tuple[tuple[consequences.Measure, bool], ...] = ()
    rule_set_version: int = 1
    rule_set_since: date | None = None
    #: The approved version not yet applied (公示): its number, date and changed criteria.
    coming: ComingRuleSet | None = None
    #: How long a public credit report counts, in the words of the rule set in force (``一年``).
    report_validity: str = "一年"
    #: The class of each record and the periods of each class (信用修复管理办法), from the one table
    #: ``archives.vocabulary.CLASS_TABLE`` with the thresholds of the rule set in force.
    classes: tuple[StandardsClassRow, ...] = ()
    publication_classes: tuple[vocabulary.PublicationClass, ...] = ()


@dataclass(frozen=True)
class StandardsClassRow:
    event_type: str
    condition: str
    dishonesty_class: vocabulary.PublicationClass


@dataclass(frozen=True)
class ComingRuleSet:
    version: int
    effective_on: date
    changed: tuple[tuple[rules.Criterion, rules.Criterion], ...]  # (now, then) for each changed criterion
    #: (now, then) for each decision whose text (its numbers) changes with the coming version.
    changed_decisions: tuple[tuple[rules.Decision, rules.Decision], ...] = ()


_CHANNEL_LABELS = {"sms": "短信", "wechat": "微信消息", "call": "电话", "letter": "书面告知函"}


@dataclass(frozen=True)
class TermsRow:
    """One level of the declared table, worded for the public pages."""

    level: str
    label: str
    notices: str
    offers: tuple[bool, ...]
    measures: tuple[consequences.Measure, ...]
    portal_text: str


def level_terms_table() -> tuple[TermsRow, ...]:
    """The declared table of what each level brings, as the public pages show it."""
    enabled = set(settings.CREDIT_OPTIONAL_MEASURES)
    rows = []
    for level in (*STANDARDS_ORDER, rules.UNRATED):
        terms = consequences.TERMS[level]
        channels = "、".join(_CHANNEL_LABELS[c] for c in terms.notice_channels)
        if level == rules.UNRATED:
            channels = f"原为诚信客户的：{channels}" if channels else "—"
        rows.append(
            TermsRow(
                level=level,
                label=terms.label,
                notices=channels or "—",
                offers=tuple(terms.grants(code) for code in consequences.OFFERS),
                measures=consequences.measures_for(level, enabled=enabled),
                portal_text=terms.portal_text,
            )
        )
    return tuple(rows)


def optional_measures() -> tuple[tuple[consequences.Measure, bool], ...]:
    """The utility's own measures (not in the plan) and whether this portal has them switched on."""
    enabled = set(settings.CREDIT_OPTIONAL_MEASURES)
    return tuple((m, m.code in enabled) for m in consequences.MEASURES.values() if not m.plan_named)


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
    """Everything the public standards page shows, read from the rules table (nothing restated).

    The criteria are those of the rule set in force today; an approved version that has not yet
    applied is shown with its date and its changed criteria (公示)."""
    today = timezone.localdate()
    in_force = ruleset_for(as_of=today)
    book = book_of(in_force)
    coming_set = ruleset_coming()
    coming = None
    if coming_set is not None and coming_set.effective_on and coming_set.effective_on > today:
        then = book_of(coming_set)
        coming = ComingRuleSet(
            version=coming_set.version,
            effective_on=coming_set.effective_on,
            changed=then.reworded_from(book),
            changed_decisions=tuple(
                (now, later) for now, later in zip(book.decisions, then.decisions, strict=True) if now != later
            ),
        )
    return RatingStandards(
        rule_set_version=book.number,
        rule_set_since=in_force.effective_on if in_force else None,
        coming=coming,
        levels=tuple(
            StandardsLevel(
                level=level,
                label=rules.LEVEL_LABELS[level],
                honest=level in rules.HONEST_LEVELS,
                criteria=book.criteria_for(level) if level in book.by_level else (),
                consequence=LEVEL_CONSEQUENCES[level],
                measures=consequences.measures_for(level, enabled=set(settings.CREDIT_OPTIONAL_MEASURES)),
            )
            for level in STANDARDS_ORDER
        ),
        order=_evaluation_order(),
        # Worded with the numbers of the rule set in force, not the plan's.
        decisions=book.decisions,
        report_validity=rules.years_text(book.report_valid_years),
        event_types=tuple(rules.EVENT_TYPES.values()),
        unrated_label=rules.LEVEL_LABELS[rules.UNRATED],
        version=book.rules_version,
        terms=level_terms_table(),
        offers=tuple(consequences.OFFERS.values()),
        optional_measures=optional_measures(),
        classes=tuple(
            StandardsClassRow(
                event_type=rules.EVENT_TYPES[row.event_type].label,
                condition=row.condition_text(book.class_thresholds),
                dishonesty_class=vocabulary.PUBLICATION_CLASSES[row.dishonesty_class],
            )
            for row in vocabulary.CLASS_TABLE
        ),
        publication_classes=tuple(vocabulary.PUBLICATION_CLASSES.values()),
    )


@dataclass(frozen=True)
class CreditServicesPage:
    plan_title: str
    plan_number: str
    offers: tuple[consequences.Offer, ...]
    services: tuple[str, ...]
    honest_levels: tuple[StandardsLevel, ...]
    terms: tuple[TermsRow, ...]
    optional_measures: tuple[tuple[consequences.Measure, bool], ...]
    report_query_service: tuple[tuple[str, str], ...]
    report_validity: str = "一年"


def report_validity(*, today: date | None = None) -> str:
    """How long a public credit report counts, in words: "一年" in the plan, else as the rule set in force says."""
    return rules.years_text(rule_book_for(as_of=today or timezone.localdate()).report_valid_years)


def credit_services_page() -> CreditServicesPage:
    """The public 信用+供电服务 page: what honest customers get and how to become one, from the tables."""
    standards = rating_standards()
    return CreditServicesPage(
        plan_title=PLAN_TITLE,
        plan_number=PLAN_NUMBER,
        offers=standards.offers,
        services=tuple(label for _code, label in consequences.SERVICES),
        honest_levels=tuple(section for section in standards.levels if section.honest),
        terms=standards.terms,
        optional_measures=standards.optional_measures,
        report_query_service=consequences.REPORT_QUERY_SERVICE,
        report_validity=standards.report_validity,
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
    #: The rule set both evaluations used: its wording of the criteria, its report validity.
    book: rules.RuleBook = rules.V1

    @property
    def changed(self) -> bool:
        return (self.result.level, self.result.rules) != (self.actual.level, self.actual.rules)

    @property
    def level_changed(self) -> bool:
        return self.result.level != self.actual.level

    @property
    def months_in_arrears(self) -> int:
        return rules.months_in_arrears(self.facts.arrears_since, self.facts.as_of)

    @property
    def criteria(self) -> list[tuple[rules.Criterion, rules.Finding]]:
        """The criteria behind the what-if level, with their findings."""
        findings = {finding.rule: finding for finding in self.result.findings}
        return [(self.book.by_id[rule], findings[rule]) for rule in self.result.rules]

    @property
    def unmet(self) -> list[rules.Criterion]:
        return [self.book.by_id[rule] for rule in self.result.unmet]

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
        """The report that counts on `as_of` (the latest one, if issued within the rule set's validity)."""
        issued = [r for r in self.facts.reports if r.issued_on <= self.facts.as_of]
        latest = max(issued, key=lambda r: (r.issued_on, r.shows_dishonesty), default=None)
        valid = latest is not None and rules.within(latest.issued_on, self.facts.as_of, self.book.report_valid_years)
        return latest if valid else None


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
    book = rule_book_for(as_of=as_of)
    return WhatIf(
        actual=rules.evaluate(actual_facts, book),
        actual_facts=actual_facts,
        result=rules.evaluate(facts, book),
        facts=facts,
        excluded=excluded,
        added=tuple(extra_events),
        book=book,
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
    computed_at: datetime | None = None

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
        computed_at=timezone.now(),
    )


#: The dashboard's aggregates cover the whole archive (seconds at a million customers), so pages read
#: them from the shared cache, refreshed by the beat this often; the page shows their age.
DASHBOARD_REFRESH_SECONDS = 300
#: A figure older than this is not served (the beat stopped): the next view computes it again.
DASHBOARD_MAX_AGE_SECONDS = 3 * DASHBOARD_REFRESH_SECONDS


def _dashboard_key(today: date) -> str:
    return f"ratings:dashboard:v1:{today.isoformat()}"


def rating_dashboard_cached(*, today: date | None = None) -> Dashboard:
    """The dashboard from the shared cache (``computed_at`` tells its age); computed and stored if missing."""
    today = today or timezone.localdate()
    board = cache.get(_dashboard_key(today))
    return board if board is not None else dashboard_refresh(today=today)


def dashboard_refresh(*, today: date | None = None) -> Dashboard:
    """Compute the dashboard now and store it for the pages (the beat calls this every few minutes)."""
    today = today or timezone.localdate()
    board = rating_dashboard(today=today)
    cache.set(_dashboard_key(today), board, DASHBOARD_MAX_AGE_SECONDS)
    return board


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
