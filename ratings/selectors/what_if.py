"""The what-if bench: the rules applied to edited facts, nothing saved."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from archives.models import Customer

from .. import rules
from ..facts import customer_facts
from ..rulesets import rule_book_for

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
    actual_facts: rules.Facts | None = None,
) -> WhatIf:
    """The customer's facts as of `as_of`, edited as asked, and both evaluations. Writes nothing.

    ``actual_facts``: the customer's facts as of `as_of` when the caller has read them (else read here)."""
    if actual_facts is None:
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
