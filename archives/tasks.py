"""Celery tasks of the archive: thin, they take ids and call a service."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def import_run_task(job_id: int) -> None:
    """Run a `ready` import job; a missing job, or one already claimed, is a no-op."""
    from .services.imports import import_run

    import_run(job_id=job_id)
