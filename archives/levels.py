"""The level of a customer as the archive's list, export and API show it.

The level belongs to ratings, above the archive; the archive names none of its models, fields or
lookups: it asks through two declared hooks (``archives.hooks``), which ratings answers.
"""

from django.db.models import QuerySet

from .hooks import customers_of_level, customers_with_level


def with_level(customers: QuerySet) -> QuerySet:
    """The customers, each with its ``level``, ``level_as_of`` and ``level_changed_on`` (None if unrated)."""
    return customers_with_level(customers=customers)


def of_level(customers: QuerySet, level: str) -> QuerySet:
    return customers_of_level(customers=customers, level=level)
