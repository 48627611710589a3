"""The nightly re-rating (DESIGN.md, data flow 2): its orchestration and its record.

Every night: the preamble once (``nightly_preamble``: an approved rule set whose date has come is put
in force, expired overrides end), then every customer-id range is re-rated (``bulk.rerate_range``),
here in this process (``rerate_all``: the embedded default, the ``rerate`` command) or one task per
range on the workers (``rerate_enqueue``). The stream of facts is ``bulk.facts_stream``, the writes
are ``changes``'.

The record (read by the operators' metrics): a range task marks its range done with a unique row, so
a redelivered task counts once; the range that completes the set marks the run finished with a
conditional update, whichever worker it ran on.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from .bulk import DEFAULT_RANGE_SIZE, RangeStats, plan_ranges, rerate_range
from .dispatch import rerate_ranges_queue
from .models import NightlyRangeDone, NightlyRun, RatingCause
from .rulesets import ruleset_switch
from .services import override_end_expired


@dataclass
class Stats(RangeStats):
    """A full re-rating: the ranges' figures plus the overrides ended before it."""

    ranges: int = 0
    overrides_ended: int = 0


def nightly_preamble(*, as_of: date) -> int:
    """Before any range: the rule set of the date in force, no override that has just run out; returns
    how many overrides ended. A range must find both done, whichever worker it runs on."""
    ruleset_switch(as_of=as_of)
    return override_end_expired(as_of=as_of)


def rerate_all(
    *,
    as_of: date,
    cause: str = RatingCause.NIGHTLY,
    ranges: Sequence[tuple[int, int]] | None = None,
    range_size: int = DEFAULT_RANGE_SIZE,
    skip_stable: bool = True,
) -> Stats:
    """The preamble, then every range re-rated here, in this process."""
    started = time.perf_counter()
    stats = Stats(overrides_ended=nightly_preamble(as_of=as_of))
    for start_id, end_id in plan_ranges(size=range_size) if ranges is None else ranges:
        stats.add(rerate_range(start_id=start_id, end_id=end_id, as_of=as_of, cause=cause, skip_stable=skip_stable))
        stats.ranges += 1
    stats.seconds = time.perf_counter() - started
    return stats


def rerate_enqueue(*, as_of: date, cause: str, range_size: int | None = None, skip_stable: bool = True) -> int:
    """The preamble, then one range task per range for the workers; returns how many.

    A nightly run is recorded: its ranges report back as they finish."""
    nightly_preamble(as_of=as_of)
    ranges = plan_ranges(size=range_size or DEFAULT_RANGE_SIZE)
    run_id = None
    if cause == RatingCause.NIGHTLY:
        run_id = nightly_run_start(as_of=as_of, ranges_total=len(ranges)).pk
        if not ranges:
            nightly_run_finish(run_id=run_id)
    rerate_ranges_queue(ranges, as_of=as_of, cause=cause, skip_stable=skip_stable, run_id=run_id)
    return len(ranges)


def nightly_rerate(*, as_of: date, in_process: bool) -> Stats | int:
    """Tonight's re-rating: in this process (no broker: the embedded default), recorded as one run, or
    fanned out to the workers."""
    if not in_process:
        return rerate_enqueue(as_of=as_of, cause=RatingCause.NIGHTLY)
    run = nightly_run_start(as_of=as_of, ranges_total=0)
    stats = rerate_all(as_of=as_of, cause=RatingCause.NIGHTLY)
    nightly_run_finish(run_id=run.pk)
    return stats


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
