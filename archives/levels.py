"""The level of a customer as the archive's list, export and API show it: a declared hook.

The level belongs to ratings, above the archive; the archive names none of its models, fields or
lookups. Ratings registers one `LevelSource` in its AppConfig.ready(); a system check (archives'
AppConfig.ready) fails start-up (``manage.py check``, ``migrate``, ``runserver``) when none is
registered, and reading the level without one raises instead of showing every customer unrated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet


@dataclass(frozen=True)
class LevelSource:
    """How to read the level in force of customers, from the app that keeps it.

    ``annotate(customers)`` gives each customer ``level`` (None: not rated yet), ``level_as_of`` and
    ``level_changed_on``, in the same query; ``of_level(customers, level)`` keeps those at that level.
    """

    annotate: Callable[[QuerySet], QuerySet]
    of_level: Callable[[QuerySet, str], QuerySet]


_source: list[LevelSource] = []


def register_level_source(source: LevelSource) -> None:
    """Ratings' AppConfig.ready() declares where the level comes from (once; a second one replaces it)."""
    _source[:] = [source]


def level_source() -> LevelSource:
    if not _source:
        raise ImproperlyConfigured("没有应用登记信用等级来源（archives.levels.register_level_source）")
    return _source[0]


def with_level(customers: QuerySet) -> QuerySet:
    """The customers, each with its ``level``, ``level_as_of`` and ``level_changed_on`` (None if unrated)."""
    return level_source().annotate(customers)


def of_level(customers: QuerySet, level: str) -> QuerySet:
    return level_source().of_level(customers, level)


def check_level_source(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """System check: the level source is registered (a missing one would show every customer unrated)."""
    if _source:
        return []
    return [
        checks.Error(
            "No app registered the customers' level source (archives.levels.register_level_source).",
            hint="ratings registers it in RatingsConfig.ready(); is ratings in INSTALLED_APPS?",
            id="archives.E001",
        )
    ]
