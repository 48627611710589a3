"""Files built in the background (letters to print, spreadsheet exports): start, run, sweep, download.

The request records a FileJob and queues its task after commit (a broker that is down is logged, not
raised: the pending row is the record and the sweeper queues it later). The worker claims the job
through `credit_portal.claims` with a token of its own and a lease it renews while it works (with
every progress report, and from a heartbeat thread while a builder works without reporting, such
as a PDF rendering); it calls the builder registered for its kind and stores the file under the
private storage root, writing only while it holds the claim. A worker that dies stops beating: once
its lease has run out the job is taken again, by a redelivered task or by the sweeper, and built
from the start (at most ``RETRY["file_job"]["MAX_ATTEMPTS"]`` times). Upper apps register their
builders in AppConfig.ready().
"""

from __future__ import annotations

import logging
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from django.core.files import File
from django.db import connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from credit_portal.claims import claim, lease_renew
from credit_portal.errors import ApplicationError
from credit_portal.queueing import enqueue_after_commit
from credit_portal.retries import retry_settings

from ..dispatch import file_job_run_queue, import_run_queue
from ..models import FileJob, FileJobStatus, ImportJob, ImportStatus
from .imports import RERATE_ERROR, import_announce_again

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# builder(job, path, progress) writes the file at `path`; returns nothing. ApplicationError = a clear failure.
# A builder may be run again from the start (its worker died): what it covers must not depend on
# what a previous run changed (see `file_job_params_pin`), and its writes must be safe to repeat.
Builder = Callable[[FileJob, Path, Progress], None]
# Who may start a kind: a permission, or a test of the user (an enterprise user's rights come from its
# membership, not from a group permission).
Permission = str | Callable[[object], bool]
_BUILDERS: dict[str, tuple[Permission, Builder]] = {}

GAVE_UP = "生成文件的后台进程多次中断，未能完成。请缩小范围后重新生成，或联系技术人员。"


class ClaimLost(Exception):
    """This worker's lease ran out and another worker took the job: stop building, write nothing."""


def _retry() -> dict:
    return retry_settings("file_job")


def _lease() -> timedelta:
    return timedelta(seconds=_retry()["LEASE_SECONDS"])


def register_file_job(kind: str, *, permission: Permission, builder: Builder) -> None:
    """Declare a kind of file job: who may start it (a permission or a test of the user; only its starter
    downloads it), and the function that builds the file."""
    _BUILDERS[kind] = (permission, builder)


def file_job_start(*, kind: str, title: str, download_name: str, params: dict, actor) -> FileJob:
    """Record the job and queue its task when the transaction commits (the sweeper, should the broker be down)."""
    if kind not in _BUILDERS:
        raise ApplicationError("未知的文件类型")
    permission, _ = _BUILDERS[kind]
    if not (actor.has_perm(permission) if isinstance(permission, str) else permission(actor)):
        raise ApplicationError("无权生成该文件")
    with transaction.atomic():
        job = FileJob.objects.create(
            kind=kind, title=title, download_name=download_name, params=params, created_by=actor
        )
        _enqueue(job.pk)
    return job


def _enqueue(job_id: int) -> None:
    enqueue_after_commit(lambda: file_job_run_queue(job_id), what=f"file job {job_id}")


def file_job_run(*, job_id: int) -> str:
    """Build the file of a pending job, or of a running one whose worker died (lease run out).

    A missing job, a finished one or one whose worker is alive is a no-op ("skipped").
    """
    token = uuid.uuid4()
    now = timezone.now()
    claimed = claim(
        FileJob.objects.filter(pk=job_id),
        free=Q(status=FileJobStatus.PENDING),
        held=Q(status=FileJobStatus.RUNNING, attempts__lt=_retry()["MAX_ATTEMPTS"]),
        lease=_lease(),
        now=now,
        status=FileJobStatus.RUNNING,
        claim_token=token,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        done=0,
    )
    if not claimed:
        return "skipped"
    job = FileJob.objects.select_related("created_by").get(pk=job_id)
    if job.attempts > 1:
        logger.warning("File job %s (%s): its worker died; built again from the start (attempt %s)",
                       job_id, job.kind, job.attempts)  # fmt: skip
    mine = FileJob.objects.filter(pk=job_id, claim_token=token, status=FileJobStatus.RUNNING)
    _, builder = _BUILDERS[job.kind]

    def progress(done: int, total: int) -> None:
        if not lease_renew(mine, lease=_lease(), done=done, total=total, heartbeat_at=timezone.now()):
            raise ClaimLost

    suffix = Path(job.download_name).suffix
    with tempfile.TemporaryDirectory(prefix="filejob-") as folder:
        path = Path(folder) / f"job{suffix}"
        try:
            with _heartbeat(mine):
                builder(job, path, progress)
        except ClaimLost:
            logger.warning("File job %s: another worker took it over; this build stops", job_id)
            return "lost"
        except ApplicationError as error:
            return _finish(mine, status=FileJobStatus.FAILED, error=error.message)
        except Exception:
            logger.exception("File job %s (%s) failed", job_id, job.kind)
            return _finish(mine, status=FileJobStatus.FAILED, error="生成文件时出错，请稍后重试或联系技术人员。")
        with path.open("rb") as built:
            name = job.file.storage.save(
                job.file.field.generate_filename(job, f"{job.kind}-{job.pk}{suffix}"), File(built)
            )
    if _finish(mine, status=FileJobStatus.DONE, error="", file=name) != "done":
        job.file.storage.delete(name)  # taken over meanwhile: the other worker's file is the job's
        return "lost"
    return "done"


def _finish(mine, *, status: str, error: str, **values) -> str:
    """Record the outcome, only while this worker holds the claim; returns the status or "lost"."""
    finished = mine.update(
        status=status, error=error, finished_at=timezone.now(), lease_until=None, claim_token=None, **values
    )
    return status if finished else "lost"


@contextmanager
def _heartbeat(mine) -> Iterator[None]:
    """Renew the lease every third of it while the builder works, reporting or not (a long PDF render)."""
    stop = threading.Event()
    interval = _lease().total_seconds() / 3

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    lease_renew(mine, lease=_lease(), heartbeat_at=timezone.now())
                except Exception:  # noqa: BLE001 - a missed beat is retried at the next; the lease has room
                    logger.warning("File job heartbeat failed", exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name="file-job-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def file_job_params_pin(*, job: FileJob, **params) -> None:
    """Record what a build covers (e.g. the letters chosen by a state), so a build started again covers the same."""
    job.params = {**job.params, **params}
    FileJob.objects.filter(pk=job.pk).update(params=job.params)


def jobs_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Queue again what no worker is doing: file jobs pending or stalled since they were last queued
    (``SWEEP_AFTER_SECONDS``), imports started but never taken (the broker was down) and imports whose
    worker died; announce again the events imports whose announcement failed (once a period); fail a
    file job that has used all its attempts.

    Returns how many of each. A job re-queued once waits another period before the next time.
    """
    now = now or timezone.now()
    config = _retry()
    stalled = Q(status=FileJobStatus.RUNNING, lease_until__lt=now)
    gave_up = FileJob.objects.filter(stalled, attempts__gte=config["MAX_ATTEMPTS"]).update(
        status=FileJobStatus.FAILED, error=GAVE_UP, finished_at=now, lease_until=None, claim_token=None
    )
    quiet = Q(queued_at__lt=now - timedelta(seconds=config["SWEEP_AFTER_SECONDS"]))
    due = FileJob.objects.filter((Q(status=FileJobStatus.PENDING) | stalled) & quiet)
    queued = 0
    for job_id in due.values_list("pk", flat=True):
        # Conditional, so two sweepers (or two beats) queue a job once per period.
        if FileJob.objects.filter(Q(pk=job_id) & quiet).update(queued_at=now):
            file_job_run_queue(job_id)
            queued += 1
    imports = 0
    started = Q(status=ImportStatus.READY, queued_at__isnull=False) | Q(
        status=ImportStatus.RUNNING, lease_until__lt=now
    )
    quiet_import = quiet | Q(queued_at__isnull=True)  # a stalled import from before queued_at was kept
    for job_id in ImportJob.objects.filter(started & quiet_import).values_list("pk", flat=True):
        if ImportJob.objects.filter(Q(pk=job_id) & quiet_import).update(queued_at=now):
            import_run_queue(job_id)  # the import's claim takes it over and resumes after the rows written
            imports += 1
    announced = 0
    unannounced = ImportJob.objects.filter(status=ImportStatus.DONE, summary__has_key=RERATE_ERROR) & (
        ImportJob.objects.filter(quiet_import)
    )
    for job_id in unannounced.values_list("pk", flat=True):
        if ImportJob.objects.filter(Q(pk=job_id) & quiet_import).update(queued_at=now):
            announced += import_announce_again(job_id=job_id)
    return {"file_jobs": queued, "file_jobs_failed": gave_up, "imports": imports, "imports_announced": announced}


def file_jobs_forget(jobs) -> int:
    """Delete these jobs and their files (personal data past its use); returns how many."""
    removed = 0
    for job in jobs.exclude(status=FileJobStatus.RUNNING):
        if job.file:
            # Once the rows are gone for good: a rolled-back transaction keeps its files.
            transaction.on_commit(lambda storage=job.file.storage, name=job.file.name: storage.delete(name))
        job.delete()
        removed += 1
    return removed


def file_job_for_user(*, user, job_id: int) -> FileJob | None:
    """The job if this user started it (a file job is personal: it may hold unmasked data)."""
    return FileJob.objects.filter(pk=job_id, created_by=user).first()
