"""The archive page's rating panel: the level, why, what would improve it, the history; what a revocation would do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from archives.models import CreditEvent, Customer

from .. import rules
from ..facts import customer_facts
from ..models import CustomerRating, LevelOverride, RatingHistory
from ..rulesets import rule_book_for
from .in_force import active_override
from .what_if import rating_what_if
from .words import with_rule_words


@dataclass
class RatingPanel:
    rating: CustomerRating | None
    result: rules.Result
    criteria: list[tuple[rules.Criterion, rules.Finding]]
    unmet: list[rules.Criterion]
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
    return RatingPanel(
        rating=CustomerRating.objects.filter(customer=customer).first(),
        result=result,
        # The wording of the rule set in force on the date (the plan's in version 1).
        criteria=[(book.by_id[rule], findings[rule]) for rule in result.rules],
        unmet=[book.by_id[rule] for rule in result.unmet],
        history=with_rule_words(customer.rating_history.all()[:50]),
        override=active_override(customer_id=customer.pk, as_of=as_of),
        as_of=as_of,
    )


@dataclass(frozen=True)
class RevocationOutcome:
    current: str
    after: str


def revocation_outcome(event: CreditEvent, *, as_of: date | None = None) -> RevocationOutcome:
    """The computed level now and the one the customer would have with the event revoked."""
    bench = rating_what_if(customer=event.customer, as_of=as_of or timezone.localdate(), exclude_event_ids=[event.pk])
    return RevocationOutcome(current=bench.actual.level, after=bench.result.level)
