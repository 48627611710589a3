"""Files built in the background (letters to print, spreadsheet exports): start, run, download.

The request records a FileJob and queues its task on commit; the worker claims the job with a
conditional update (a job never runs twice), calls the builder registered for its kind, and stores
the file under the private storage root. Upper apps register their builders in AppConfig.ready().
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from credit_portal.errors import ApplicationError

from ..models import FileJob, FileJobStatus

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# builder(job, path, progress) writes the file at `path`; returns nothing. ApplicationError = a clear failure.
Builder = Callable[[FileJob, Path, Progress], None]
_BUILDERS: dict[str, tuple[str, Builder]] = {}


def register_file_job(kind: str, *, permission: str, builder: Builder) -> None:
    """Declare a kind of file job: who may start (and download) it, and the function that builds the file."""
    _BUILDERS[kind] = (permission, builder)


def file_job_start(*, kind: str, title: str, download_name: str, params: dict, actor) -> FileJob:
    """Record the job and queue its task when the transaction commits."""
    from ..tasks import file_job_run_task

    if kind not in _BUILDERS:
        raise ApplicationError("未知的文件类型")
    permission, _ = _BUILDERS[kind]
    if not actor.has_perm(permission):
        raise ApplicationError("无权生成该文件")
    with transaction.atomic():
        job = FileJob.objects.create(
            kind=kind, title=title, download_name=download_name, params=params, created_by=actor
        )
        transaction.on_commit(lambda: file_job_run_task.delay(job.pk))
    return job


def file_job_run(*, job_id: int) -> str:
    """Build the file of a pending job; a missing job or one already claimed is a no-op."""
    claimed = FileJob.objects.filter(pk=job_id, status=FileJobStatus.PENDING).update(status=FileJobStatus.RUNNING)
    if not claimed:
        return "skipped"
    job = FileJob.objects.get(pk=job_id)
    _, builder = _BUILDERS[job.kind]

    def progress(done: int, total: int) -> None:
        FileJob.objects.filter(pk=job_id).update(done=done, total=total)

    suffix = Path(job.download_name).suffix
    with tempfile.TemporaryDirectory(prefix="filejob-") as folder:
        path = Path(folder) / f"job{suffix}"
        try:
            builder(job, path, progress)
        except ApplicationError as error:
            _finish(job_id, status=FileJobStatus.FAILED, error=error.message)
            return "failed"
        except Exception:
            logger.exception("File job %s (%s) failed", job_id, job.kind)
            _finish(job_id, status=FileJobStatus.FAILED, error="生成文件时出错，请稍后重试或联系技术人员。")
            return "failed"
        job.refresh_from_db()
        with path.open("rb") as built:
            job.file.save(f"{job.kind}-{job.pk}{suffix}", File(built), save=False)
    FileJob.objects.filter(pk=job_id).update(file=job.file.name)
    _finish(job_id, status=FileJobStatus.DONE, error="")
    return "done"


def _finish(job_id: int, *, status: str, error: str) -> None:
    FileJob.objects.filter(pk=job_id).update(status=status, error=error, finished_at=timezone.now())


def file_job_for_user(*, user, job_id: int) -> FileJob | None:
    """The job if this user started it (a file job is personal: it may hold unmasked data)."""
    return FileJob.objects.filter(pk=job_id, created_by=user).first()
