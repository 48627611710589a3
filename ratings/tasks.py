"""Celery tasks of the ratings: thin, they take ids and call a service."""

import logging
from datetime import date

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def rating_refresh_task(customer_id: int, cause: str, ref: str = "") -> None:
    """Re-rate one customer as of today after its facts changed; a vanished customer is a no-op."""
    from .services import rating_refresh_by_id

    rating_refresh_by_id(customer_id=customer_id, cause=cause, cause_ref=ref)


@shared_task(acks_late=True, ignore_result=True)
def rerate_range_task(
    start_id: int,
    end_id: int,
    as_of_iso: str,
    cause: str = "nightly",
    skip_stable: bool = True,
    run_id: int | None = None,
) -> None:
    """Re-rate one customer-id range as of a date; idempotent, so a redelivered task is harmless.

    With ``run_id`` (a nightly run) the range is recorded done, and the last one finishes the run."""
    from .bulk import rerate_range
    from .nightly import nightly_range_done

    stats = rerate_range(
        start_id=start_id, end_id=end_id, as_of=date.fromisoformat(as_of_iso), cause=cause, skip_stable=skip_stable
    )
    if run_id is not None:
        nightly_range_done(run_id=run_id, start_id=start_id)
    logger.info(
        "rerate [%s, %s) as of %s: %s customers, %s written, %s level changes, %.1f s",
        start_id,
        end_id,
        as_of_iso,
        stats.customers,
        stats.written,
        stats.level_changes,
        stats.seconds,
    )


@shared_task(acks_late=True, ignore_result=True)
def nightly_rerate_task() -> None:
    """Re-rate every customer as of today: one range task per range for the workers, or in-process."""
    from django.conf import settings
    from django.utils import timezone

    from .nightly import nightly_rerate

    as_of = timezone.localdate()
    done = nightly_rerate(as_of=as_of, in_process=settings.CELERY_TASK_ALWAYS_EAGER)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        dashboard_refresh_task()
        logger.info("nightly rerate as of %s: %s customers, %s written", as_of, done.customers, done.written)


@shared_task(acks_late=True, ignore_result=True)
def dashboard_refresh_task() -> None:
    """Recompute the dashboard's figures into the shared cache (the pages show their age)."""
    from .selectors import dashboard_refresh

    dashboard_refresh()


@shared_task(acks_late=True, ignore_result=True)
def impact_range_task(range_id: int) -> None:
    """Evaluate one customer-id range of an impact report under both rule sets; a done range is a no-op."""
    from .impact import impact_range_run

    impact_range_run(range_id=range_id)


@shared_task(acks_late=True, ignore_result=True)
def impact_rerun_pending_task() -> None:
    """Re-queue the ranges of impact reports that have made no progress for a while (beat)."""
    from .impact import impact_rerun_pending

    requeued = impact_rerun_pending()
    if requeued:
        logger.info("impact reports: %s unfinished ranges queued again", requeued)
