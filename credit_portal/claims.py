"""Claim-with-lease: how a worker takes a unit of work so that no other runs it at the same time.

One conditional UPDATE takes the rows that are free, or held by a claim whose lease has run out (its
worker died); the lease is renewed while the work goes on (a heartbeat), so a live worker never
loses it and a dead one's work can be told apart and taken over. Used by the notices, the DRC
report's build and push, and the archive imports.
"""

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone


def claim(
    queryset: QuerySet,
    *,
    free: Q,
    lease: timedelta,
    held: Q | None = None,
    lease_field: str = "lease_until",
    now: datetime | None = None,
    **values,
) -> int:
    """Take the rows of ``queryset`` that are ``free``, or ``held`` with an expired lease; returns how many.

    The taken rows get ``values`` and a lease until ``now + lease``, in the same UPDATE.
    """
    now = now or timezone.now()
    expired = Q(**{f"{lease_field}__lt": now}) | Q(**{f"{lease_field}__isnull": True})
    takeable = free | ((held if held is not None else Q()) & expired)
    return queryset.filter(takeable).update(**{lease_field: now + lease}, **values)


def lease_renew(queryset: QuerySet, *, lease: timedelta, lease_field: str = "lease_until", **values) -> int:
    """The heartbeat: push the lease of rows this worker holds (select them by its token) forward."""
    return queryset.update(**{lease_field: timezone.now() + lease}, **values)


def lease_expired(until: datetime | None, *, now: datetime | None = None) -> bool:
    """Whether a claim with this lease may be taken over (no lease, or one that has run out)."""
    return until is None or until < (now or timezone.now())
