"""Queueing the archive's Celery tasks by their registered names: the services call these, and only
`tasks` imports the services (credit_portal.queueing.task_send finds the task in the registry)."""

from credit_portal.queueing import task_send

IMPORT_RUN = "archives.tasks.import_run_task"
FILE_JOB_RUN = "archives.tasks.file_job_run_task"


def import_run_queue(job_id: int) -> None:
    """Queue the run of an import job now (after the caller's commit: see enqueue_after_commit)."""
    task_send(IMPORT_RUN, job_id)


def file_job_run_queue(job_id: int) -> None:
    """Queue the build of a file job now."""
    task_send(FILE_JOB_RUN, job_id)
