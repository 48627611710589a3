"""Staff's requests and decisions: pending and active overrides, "我的申请", the decisions taken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse

from archives.models import Customer, EventRevocation

from ..models import LevelOverride, OverrideStatus

# --------------------------------------------------------------------------------------------
# Manual overrides
# --------------------------------------------------------------------------------------------


def overrides_pending() -> QuerySet[LevelOverride]:
    """Overrides awaiting a supervisor's decision, oldest first, with the customer's current rating."""
    return (
        LevelOverride.objects.filter(status=OverrideStatus.PENDING)
        .select_related("customer", "customer__rating", "requested_by")
        .order_by("requested_at", "pk")
    )


def overrides_active() -> QuerySet[LevelOverride]:
    """Overrides in force, the soonest to end first."""
    return (
        LevelOverride.objects.filter(status=OverrideStatus.ACTIVE)
        .select_related("customer", "customer__rating", "requested_by", "decided_by")
        .order_by("ends_on", "pk")
    )


def open_override(customer: Customer) -> LevelOverride | None:
    """The customer's pending or active override, if any (there is at most one)."""
    return (
        LevelOverride.objects.filter(customer=customer, status__in=[OverrideStatus.PENDING, OverrideStatus.ACTIVE])
        .select_related("requested_by", "decided_by")
        .first()
    )


# --------------------------------------------------------------------------------------------
# Requests and decisions: "我的申请" for staff, the history of decisions for supervisors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestRow:
    """One revocation or override request, read the same way on both pages."""

    kind: str
    customer: Customer
    subject: str
    reason: str
    status: str
    status_label: str
    requested_by: object
    requested_at: datetime
    decided_by: object
    decided_at: datetime | None
    decision_note: str
    url: str


def _revocation_rows(revocations) -> list[RequestRow]:
    return [
        RequestRow(
            kind="撤销失信记录",
            customer=r.event.customer,
            subject=f"{r.event.get_type_display()}（{r.event.occurred_on:%Y-%m-%d}）",
            reason=r.reason,
            status=r.status,
            status_label=r.get_status_display(),
            requested_by=r.requested_by,
            requested_at=r.requested_at,
            decided_by=r.decided_by,
            decided_at=r.decided_at,
            decision_note=r.decision_note,
            url=reverse("archives:customer_detail", args=[r.event.customer.uscc]) + f"#event-{r.event_id}",
        )
        for r in revocations
    ]


def _override_rows(overrides) -> list[RequestRow]:
    return [
        RequestRow(
            kind="人工调整信用等级",
            customer=o.customer,
            subject=f"调整为{o.get_level_display()}，至 {o.ends_on:%Y-%m-%d}",
            reason=o.reason,
            status=o.status,
            status_label=o.get_status_display(),
            requested_by=o.requested_by,
            requested_at=o.requested_at,
            decided_by=o.decided_by,
            decided_at=o.decided_at,
            decision_note=o.decision_note,
            url=reverse("archives:customer_detail", args=[o.customer.uscc]),
        )
        for o in overrides
    ]


def requests_of(*, user, limit: int = 200) -> list[RequestRow]:
    """The revocations and overrides the user asked for, newest first, each with its state."""
    revocations = EventRevocation.objects.filter(requested_by=user).select_related(
        "event", "event__customer", "requested_by", "decided_by"
    )[:limit]
    overrides = LevelOverride.objects.filter(requested_by=user).select_related(
        "customer", "requested_by", "decided_by"
    )[:limit]
    rows = _revocation_rows(revocations) + _override_rows(overrides)
    return sorted(rows, key=lambda row: row.requested_at, reverse=True)[:limit]


def decisions_taken(*, decided_by=None, limit: int = 200) -> list[RequestRow]:
    """Revocation and override decisions already taken (by anyone, or by one supervisor), newest first."""
    revocations = EventRevocation.objects.filter(decided_at__isnull=False)
    overrides = LevelOverride.objects.filter(decided_at__isnull=False)
    if decided_by is not None:
        revocations = revocations.filter(decided_by=decided_by)
        overrides = overrides.filter(decided_by=decided_by)
    revocations = revocations.select_related("event", "event__customer", "requested_by", "decided_by").order_by(
        "-decided_at"
    )[:limit]
    overrides = overrides.select_related("customer", "requested_by", "decided_by").order_by("-decided_at")[:limit]
    rows = _revocation_rows(revocations) + _override_rows(overrides)
    return sorted(rows, key=lambda row: row.decided_at, reverse=True)[:limit]
