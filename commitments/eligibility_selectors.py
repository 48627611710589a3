"""Reads of eligibility: what a customer's level in force and documents on file open.

The no-property route (plan §三(四)) needs an honest level, a verified report without dishonesty and a
commitment letter in force and kept; an incentive the level forbids is told before its form (``LevelGate``),
with the records whose repair would open it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db.models import QuerySet

from archives.models import CreditEvent, Customer, EventStatus, PublicCreditReport, ReportStatus
from ratings import consequences, rules
from ratings.rulesets import rule_book_for
from ratings.selectors import level_in_force

from .models import CommitmentLetter, CommitmentType, LetterStatus


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
