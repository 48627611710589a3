"""Celery tasks of the archive: thin, they take ids and call a service."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def import_run_task(job_id: int) -> None:
    """Run a `ready` import job; a missing job, or one already claimed, is a no-op."""
    from .services.imports import import_run

    import_run(job_id=job_id)


@shared_task(acks_late=True, ignore_result=True)
def file_job_run_task(job_id: int) -> None:
    """Build a file job's file; a missing or finished job, or one whose worker is alive, is a no-op."""
    from .services.jobs import file_job_run

    file_job_run(job_id=job_id)


@shared_task(acks_late=True, ignore_result=True)
def jobs_sweep_task() -> None:
    """Queue again the file jobs and imports no worker is doing (beat): see `jobs_sweep`."""
    import logging

    from .services.jobs import jobs_sweep

    swept = jobs_sweep()
    if any(swept.values()):
        logging.getLogger(__name__).info("background jobs swept: %s", swept)


@shared_task(acks_late=True, ignore_result=True)
def publication_expiry_task() -> None:
    """Nightly: tell each enterprise, once, which of its records' longest publication periods have passed."""
    from django.utils import timezone

    from .services.events import events_publication_expire

    events_publication_expire(today=timezone.localdate())
