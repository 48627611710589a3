"""Reads of the measures' work items: the hall's queue (open, oldest first), the closed ones, a customer's."""

from django.db.models import QuerySet

from .models import MeasureStatus, MeasureTask


def measures_open() -> QuerySet[MeasureTask]:
    """Measures waiting for staff to carry them out, oldest first."""
    return MeasureTask.objects.filter(status=MeasureStatus.OPEN).select_related("customer").order_by("opened_at", "id")


def measures_closed() -> QuerySet[MeasureTask]:
    """Measures carried out, found not applicable or lifted, the latest opened first."""
    return (
        MeasureTask.objects.exclude(status=MeasureStatus.OPEN)
        .select_related("customer", "handled_by")
        .order_by("-opened_at", "-id")
    )


def measures_of(customer) -> list[MeasureTask]:
    """A customer's measures, those in force first, for its archive page (one query)."""
    tasks = MeasureTask.objects.filter(customer=customer).select_related("handled_by").order_by("-opened_at", "-id")
    return sorted(tasks, key=lambda task: not task.in_force)
