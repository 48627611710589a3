"""A record's class and publication periods (信用修复管理办法), fixed when it is found (认定).

The class table is ``vocabulary.CLASS_TABLE``; the numbers it depends on (black.3's theft amount,
black.7's voltages) belong to the rule set in force, which the ratings app owns. Ratings registers
the provider at start-up (``RatingsConfig.ready``); recording an event without it is a configuration
error, not a silent fall-back to the plan's numbers.
"""

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ImproperlyConfigured

from archives import vocabulary

ThresholdsProvider = Callable[[date], vocabulary.ClassThresholds]

_provider: ThresholdsProvider | None = None


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
