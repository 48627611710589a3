"""A record's class and publication periods (信用修复管理办法), fixed when it is found (认定).

The class table is ``vocabulary.CLASS_TABLE``; the numbers it depends on (black.3's theft amount,
black.7's voltages) belong to the rule set in force, which the ratings app owns. Ratings answers
the hook at start-up (``archives.hooks.class_thresholds``); recording an event without it is a
configuration error, not a silent fall-back to the plan's numbers.

A record is 异议中 while an objection to it is open; objections belong to the commitments app, which
answers ``archives.hooks.objected_events`` at start-up.
"""

from datetime import date

from django.db.models import QuerySet

from archives import hooks, vocabulary


def class_thresholds(*, on: date) -> vocabulary.ClassThresholds:
    """The thresholds of the rule set in force on ``on`` (one look-up; call once per batch)."""
    return hooks.class_thresholds(on=on)


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


def objected_events() -> QuerySet:
    """The ids of the events an open objection disputes (a subquery, evaluated by the database)."""
    return hooks.objected_events()
