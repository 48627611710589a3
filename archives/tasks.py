"""Celery tasks of the archive: thin, they take ids and call a service."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def import_run_task(job_id: int) -> None:
    """Run a `ready` import job; a missing job, or one already claimed, is a no-op."""
    from .services.imports import import_run

    import_run(job_id=job_id)


@shared_task(acks_late=True, ignore_result=True)
def file_job_run_task(job_id: int) -> None:
    """Build a file job's file; a missing job, or one already claimed, is a no-op."""
    from .services.jobs import file_job_run

    file_job_run(job_id=job_id)
