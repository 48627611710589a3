"""Reads of the ratings for pages and the API."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from archives.models import CreditEvent, Customer

from . import rules
from .models import CustomerRating, LevelOverride, RatingHistory
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
