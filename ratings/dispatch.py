"""Queueing ratings' Celery tasks by their registered names: the services call these, and only
``tasks`` imports the services (``credit_portal.queueing.task_send`` finds the task in the registry)."""

from collections.abc import Iterable
from datetime import date

from credit_portal.queueing import task_send

RERATE_RANGE = "ratings.tasks.rerate_range_task"
IMPACT_RANGE = "ratings.tasks.impact_range_task"


def rerate_ranges_queue(
    ranges: Iterable[tuple[int, int]], *, as_of: date, cause: str, skip_stable: bool, run_id: int | None
) -> None:
    """Queue one re-rating task per customer-id range (a nightly run's ranges report back to ``run_id``)."""
    for start, end in ranges:
        task_send(
            RERATE_RANGE, start, end, as_of.isoformat(), cause, kwargs={"skip_stable": skip_stable, "run_id": run_id}
        )


def impact_ranges_queue(range_ids: Iterable[int]) -> None:
    """Queue one task per range of an impact report."""
    for pk in range_ids:
        task_send(IMPACT_RANGE, pk)
