"""The public standards page (公示失信行为认定标准) and the enterprise's credit services page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from archives import vocabulary

from .. import consequences, rules
from ..rulesets import book_of, rule_book_for, ruleset_coming, ruleset_for

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
