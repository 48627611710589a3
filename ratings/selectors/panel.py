"""The archive page's rating panel: the level, why, what would improve it, the history; what a revocation would do."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from archives.models import CreditEvent, Customer
from credit_portal.round_trip import read_together

from .. import rules
from ..facts import customer_facts
from ..models import CustomerRating, LevelOverride, RatingHistory
from ..rulesets import rule_book_for
from .in_force import overrides_in_force
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


#: The level changes the panel lists, the latest first.
HISTORY_SHOWN = 50


def rating_panel(customer: Customer, *, as_of: date | None = None) -> RatingPanel:
    """The level, why (rule ids, the plan's wording, the evidence), what would improve it, the history."""
    as_of = as_of or timezone.localdate()
    read = read_together(**panel_reads(customer, as_of=as_of))  # the three in one query
    return rating_panel_of(
        facts=customer_facts(customer=customer, as_of=as_of),
        rating=next(iter(read["rating"]), None),
        history=read["history"],
        override=next(iter(read["override"]), None),
        as_of=as_of,
    )


def panel_reads(customer: Customer, *, as_of: date) -> dict[str, QuerySet]:
    """What the panel reads besides the facts (its rating, history and override: at most one row each but
    the history), for a page that reads them in one query with its own sets (``credit_portal.round_trip``)."""
    return {
        "rating": CustomerRating.objects.filter(customer=customer),
        "history": customer.rating_history.all()[:HISTORY_SHOWN],
        "override": overrides_in_force(as_of=as_of).filter(customer=customer)[:1],
    }


def rating_panel_of(
    *,
    facts: rules.Facts,
    rating: CustomerRating | None,
    history: Iterable[RatingHistory],
    override: LevelOverride | None,
    as_of: date,
) -> RatingPanel:
    """The panel from what was read: the customer's facts as of the date, its rating, history and override."""
    book = rule_book_for(as_of=as_of)
    result = rules.evaluate(facts, book)
    findings = {finding.rule: finding for finding in result.findings}
    return RatingPanel(
        rating=rating,
        result=result,
        # The wording of the rule set in force on the date (the plan's in version 1).
        criteria=[(book.by_id[rule], findings[rule]) for rule in result.rules],
        unmet=[book.by_id[rule] for rule in result.unmet],
        history=with_rule_words(history),
        override=override,
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
