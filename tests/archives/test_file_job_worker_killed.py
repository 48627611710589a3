"""A file job whose worker is killed mid-job is finished by another worker after its lease (marked `services`).

A real Celery worker (a subprocess, as in tests/notifications/test_reliability.py) on a redis-server
of the test's own and the PostgreSQL test database takes a customer export; the test holds a lock on
the customers table so that the worker is caught mid-job (claimed, running, beating), SIGKILLs it,
and lets a second worker finish the job once the sweeper finds the lease run out.
"""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection
from openpyxl import load_workbook

from archives.models import Customer, FileJob, FileJobStatus
from archives.services.jobs import file_job_start, jobs_sweep
from credit_portal.celery import app as celery_app
from tests.factories import CustomerFactory
from tests.notifications.test_reliability import Worker
from tests.outage import RedisServer, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgresql():
    if "postgresql" not in connection.settings_dict["ENGINE"]:
        pytest.skip("needs PostgreSQL shared with a Celery worker: set DATABASE_URL=postgres://…")


@pytest.fixture
def own_redis():
    redis = RedisServer().start()
    yield redis
    redis.stop()


@pytest.fixture
def workers(tmp_path, own_redis, settings):
    """Start workers on the test's own Redis (default queue), writing files where this process reads them."""
    started: list[Worker] = []
    env = {"FILE_JOB_LEASE_SECONDS": "3", "PORTAL_PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT)}

    def start() -> Worker:
        worker = Worker(broker=own_redis.url, queue="celery", log=tmp_path / f"worker-{len(started)}.log", env=env)
        started.append(worker)
        return worker.start()

    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = own_redis.url, False
    celery_app._pool = celery_app.amqp._producer_pool = None
    yield start
    for worker in started:
        worker.stop()
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
    celery_app._pool = celery_app.amqp._producer_pool = None


def _lock_customers() -> psycopg.Connection:
    """Another session holding the customers table: a worker that reads it waits, mid-job."""
    db = connection.settings_dict
    holder = psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None,
        dbname=db["NAME"],
    )  # fmt: skip
    holder.execute(f"LOCK TABLE {Customer._meta.db_table} IN ACCESS EXCLUSIVE MODE")
    return holder


def test_a_file_job_whose_worker_is_killed_mid_job_is_finished_by_another_worker_after_its_lease(
    staff, workers, settings
):
    settings.RETRY = {**settings.RETRY, "file_job": {**settings.RETRY["file_job"], "SWEEP_AFTER_SECONDS": 0}}
    customers = CustomerFactory.create_batch(5)
    first = workers()
    holder = _lock_customers()
    try:
        job = file_job_start(
            kind="customers", title="用户清单导出", download_name="customers.xlsx", params={"filters": {}}, actor=staff
        )
        running_since = None

        def alive_and_beating() -> bool:
            nonlocal running_since
            job.refresh_from_db()
            if job.status != FileJobStatus.RUNNING:
                return False
            running_since = running_since or job.heartbeat_at
            return job.heartbeat_at > running_since  # it beats again while its build waits on the lock

        wait_until(
            alive_and_beating, timeout=40, what=f"the worker to take the job and beat\n{first.log.read_text()[-2000:]}"
        )
        first.kill()
    finally:
        holder.close()  # the lock goes with its session
    job.refresh_from_db()
    assert (job.status, job.done, job.attempts) == ("running", 0, 1)  # what the page showed for ever

    second = workers()
    wait_until(lambda: jobs_sweep()["file_jobs"] == 1, timeout=30, what="the lease to run out and the sweeper to queue")
    wait_until(
        lambda: FileJob.objects.filter(pk=job.pk, status=FileJobStatus.DONE).exists(),
        timeout=60,
        what=f"the second worker to finish the job\n{second.log.read_text()[-2000:]}",
    )

    job.refresh_from_db()
    assert (job.done, job.total, job.attempts, job.error) == (5, 5, 2, "")
    with job.file.open("rb") as built:
        rows = list(load_workbook(built, read_only=True).active.iter_rows(min_row=2, values_only=True))
    assert sorted(row[0] for row in rows) == sorted(c.uscc for c in customers)
