"""Celery tasks of the daily DRC report: thin, they take a date or an id and call a service.

Their registered names stay those of the module they came from (``notifications.tasks_report``):
the beat schedule of the settings, django-celery-beat rows and messages already queued hold them.
"""

from datetime import date

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from credit_portal.retries import task_retry_options

from . import dispatch


@shared_task(
    name=dispatch.DAILY,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    # A failed build leaves nothing behind and releases its date, so trying again is safe.
    **task_retry_options("drc_report_build", autoretry_for=(DatabaseError, OSError)),
)
def drc_report_daily_task(report_date: str | None = None) -> None:
    """Build the report of the day (or of `report_date`, ISO); a second run for the same date does nothing."""
    from .build import drc_report_build

    drc_report_build(report_date=date.fromisoformat(report_date) if report_date else timezone.localdate())


@shared_task(
    name=dispatch.PUSH,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=None,
)
def drc_report_push_task(self, report_id: int):
    """Upload a ready report to the push target; a transient failure is tried again after a back-off.

    The service counts the attempts in the report row and stops at RETRY["drc_report_push"]["MAX_ATTEMPTS"].
    """
    from .push import drc_report_push

    result = drc_report_push(report_id=report_id)
    if result.retry:
        # throw=False: a worker queues the retry and finishes this run; run eagerly (no broker), the
        # returned Retry makes Celery run the next attempt at once.
        return self.retry(countdown=result.countdown, throw=False)
    return None


@shared_task(name=dispatch.PUSH_SWEEP, ignore_result=True)
def drc_report_push_sweep_task() -> None:
    """Queue again the pushes left behind by a dead worker or a broker that was down."""
    from .push import drc_report_push_sweep

    drc_report_push_sweep()
