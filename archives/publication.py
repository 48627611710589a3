"""A record's class and publication periods (信用修复管理办法), fixed when it is found (认定).

The class table is ``vocabulary.CLASS_TABLE``; the numbers it depends on (black.3's theft amount,
black.7's voltages) belong to the rule set in force, which the ratings app owns. Ratings registers
the provider at start-up (``RatingsConfig.ready``); recording an event without it is a configuration
error, not a silent fall-back to the plan's numbers.

A record is 异议中 while an objection to it is open; objections belong to the commitments app, which
registers the query of the objected events at start-up (``CommitmentsConfig.ready``).
"""

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from archives import vocabulary

ThresholdsProvider = Callable[[date], vocabulary.ClassThresholds]

_provider: ThresholdsProvider | None = None
_objected_events: Callable[[], QuerySet] | None = None


def register_class_thresholds(provider: ThresholdsProvider) -> None:
    """Ratings: the class thresholds of the rule set in force on a date."""
    global _provider
    _provider = provider


def class_thresholds(*, on: date) -> vocabulary.ClassThresholds:
    """The thresholds of the rule set in force on ``on`` (one look-up; call once per batch)."""
    if _provider is None:
        raise ImproperlyConfigured("No class thresholds provider: the ratings app registers one in its ready().")
    return _provider(on)


def publication_fields(
    *,
    type: str,
    found_on: date,
    thresholds: vocabulary.ClassThresholds,
    amount_yuan=None,
    voltage_kv=None,
    severity=None,
) -> dict:
    """The stored class and period ends of an event found on ``found_on`` (the CreditEvent fields)."""
    klass = vocabulary.dishonesty_class(
        type, amount_yuan=amount_yuan, voltage_kv=voltage_kv, severity=severity or None, thresholds=thresholds
    )
    shortest_until, longest_until = vocabulary.publication_period(klass, found_on)
    return {
        "dishonesty_class": klass,
        "publication_shortest_until": shortest_until,
        "publication_longest_until": longest_until,
    }


def register_objected_events(query: Callable[[], QuerySet]) -> None:
    """Commitments: a query of the ids of the events with an open objection (``values("event_id")``)."""
    global _objected_events
    _objected_events = query


def objected_events() -> QuerySet:
    """The ids of the events an open objection disputes (a subquery, evaluated by the database)."""
    if _objected_events is None:
        raise ImproperlyConfigured("No objected-events query: the commitments app registers one in its ready().")
    return _objected_events()
