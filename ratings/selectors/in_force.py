"""The level in force, and the change in force: the one answer every reader uses.

The level in force is the stored rating's (override included), written only by ``ratings.changes``;
the change in force is the history row that announced it (``CustomerRating.change``). A notice or
letter about any other change is stale. A customer never rated has neither: level ``""``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from ..models import CustomerRating, LevelOverride, OverrideStatus


@dataclass(frozen=True, slots=True)
class ChangeInForce:
    change_id: int | None
    level: str
    changed_on: date


def levels_in_force(customer_ids: Iterable[int]) -> dict[int, str]:
    """The level in force of each rated customer of ``customer_ids`` (unrated ones are absent)."""
    return dict(CustomerRating.objects.filter(customer_id__in=set(customer_ids)).values_list("customer_id", "level"))


def level_in_force(customer_id: int) -> str:
    """One customer's level in force; ``""`` when it has never been rated."""
    return CustomerRating.objects.filter(customer_id=customer_id).values_list("level", flat=True).first() or ""


def changes_in_force(customer_ids: Iterable[int]) -> dict[int, ChangeInForce]:
    """Each rated customer's change in force: the history row of its level in force, the level, its date."""
    rows = CustomerRating.objects.filter(customer_id__in=set(customer_ids)).values_list(
        "customer_id", "change_id", "level", "changed_on"
    )
    return {customer_id: ChangeInForce(change_id, level, on) for customer_id, change_id, level, on in rows}


def change_in_force(customer_id: int) -> ChangeInForce | None:
    return changes_in_force([customer_id]).get(customer_id)


def changes_at_level(level: str) -> QuerySet:
    """(customer id, change id) of every customer whose level in force is ``level`` (for set-based work on
    a level's customers; filter or exclude it further as a queryset)."""
    return CustomerRating.objects.filter(level=level).values_list("customer_id", "change_id")


def overrides_in_force(*, as_of: date) -> QuerySet[LevelOverride]:
    """The overrides in force on the date, the latest decided first: a customer's first is its ``active_override``."""
    return LevelOverride.objects.filter(status=OverrideStatus.ACTIVE, ends_on__gte=as_of).order_by("-decided_at")


def active_override(*, customer_id: int, as_of: date) -> LevelOverride | None:
    """The override in force on the date: what makes the level in force differ from the computed one."""
    return overrides_in_force(as_of=as_of).filter(customer_id=customer_id).first()
