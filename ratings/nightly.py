"""The record of the nightly re-rating: started, each range done, finished (read by the operators' metrics).

A range task marks its range done with a unique row, so a redelivered task counts once; the range
that completes the set marks the run finished with a conditional update, whichever worker it ran on.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from .models import NightlyRangeDone, NightlyRun


@transaction.atomic
def nightly_run_start(*, as_of: date, ranges_total: int) -> NightlyRun:
    """Record that the night of ``as_of`` starts now with ``ranges_total`` ranges (a second start restarts it)."""
    run, _ = NightlyRun.objects.update_or_create(
        as_of=as_of, defaults={"started_at": timezone.now(), "ranges_total": ranges_total, "finished_at": None}
    )
    run.ranges_done.all().delete()
    return run


def nightly_run_finish(*, run_id: int) -> None:
    """Mark the run finished, once."""
    NightlyRun.objects.filter(pk=run_id, finished_at__isnull=True).update(finished_at=timezone.now())


def nightly_range_done(*, run_id: int, start_id: int) -> None:
    """Mark one range of the run done; the last one finishes the run. A vanished run is a no-op."""
    run = NightlyRun.objects.filter(pk=run_id).first()
    if run is None:
        return
    NightlyRangeDone.objects.bulk_create([NightlyRangeDone(run=run, start_id=start_id)], ignore_conflicts=True)
    if run.ranges_done.count() >= run.ranges_total:
        nightly_run_finish(run_id=run_id)


def nightly_run_last() -> NightlyRun | None:
    """The latest night recorded (by its date), from the unique index."""
    return NightlyRun.objects.order_by("-as_of").first()
