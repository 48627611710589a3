"""File jobs hold a lease: a job whose worker died is built again, a live one is left alone, and a job
requested while the broker was down is stored and run by the sweeper."""

import socket
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from archives.models import CreditEvent, FileJob, FileJobStatus, ImportJob, ImportStatus
from archives.services import imports, jobs
from archives.services.jobs import file_job_run, jobs_sweep, register_file_job
from credit_portal.celery import app as celery_app
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(minutes=30)


def _left_by_a_dead_worker(staff, **values) -> FileJob:
    """A customer export as a killed worker leaves it: running, 0 of 3, its lease run out."""
    now = timezone.now()
    fields = {
        "status": FileJobStatus.RUNNING, "done": 0, "total": 3, "attempts": 1, "claim_token": uuid.uuid4(),
        "lease_until": now - timedelta(seconds=1), "heartbeat_at": now - timedelta(minutes=3),
        "queued_at": now - LONG_AGO, **values,
    }  # fmt: skip
    return FileJob.objects.create(
        kind="customers", title="用户清单导出", download_name="customers.xlsx", params={"filters": {}},
        created_by=staff, **fields,
    )  # fmt: skip


def _exported_usccs(job: FileJob) -> list[str]:
    with job.file.open("rb") as built:
        sheet = load_workbook(built, read_only=True).active
        return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_a_file_job_whose_worker_died_is_taken_again_by_the_sweeper_and_its_file_is_complete(staff):
    customers = CustomerFactory.create_batch(3)
    job = _left_by_a_dead_worker(staff)

    swept = jobs_sweep()  # the suite runs tasks in-process: the queued task runs here

    job.refresh_from_db()
    assert swept["file_jobs"] == 1
    assert (job.status, job.done, job.total, job.attempts) == ("done", 3, 3, 2)
    assert (job.lease_until, job.claim_token) == (None, None)
    assert sorted(_exported_usccs(job)) == sorted(c.uscc for c in customers)


def test_a_redelivered_task_takes_over_a_job_whose_lease_ran_out(staff):
    CustomerFactory.create_batch(3)
    job = _left_by_a_dead_worker(staff, queued_at=timezone.now())

    assert file_job_run(job_id=job.pk) == "done"

    job.refresh_from_db()
    assert (job.status, job.done, job.attempts) == ("done", 3, 2)


def test_a_running_file_job_whose_worker_is_alive_is_not_taken(staff):
    CustomerFactory.create_batch(3)
    token = uuid.uuid4()
    job = _left_by_a_dead_worker(staff, claim_token=token, lease_until=timezone.now() + timedelta(minutes=2))

    assert file_job_run(job_id=job.pk) == "skipped"
    assert jobs_sweep()["file_jobs"] == 0

    job.refresh_from_db()
    assert (job.status, job.claim_token, job.attempts, job.file.name) == ("running", token, 1, "")


def test_a_file_job_whose_worker_died_every_time_is_failed_with_a_clear_message(staff, settings):
    job = _left_by_a_dead_worker(staff, attempts=settings.RETRY["file_job"]["MAX_ATTEMPTS"])

    assert file_job_run(job_id=job.pk) == "skipped"
    swept = jobs_sweep()

    job.refresh_from_db()
    assert (swept["file_jobs_failed"], swept["file_jobs"]) == (1, 0)
    assert (job.status, job.error, job.lease_until) == ("failed", jobs.GAVE_UP, None)


def test_a_worker_whose_job_was_taken_over_leaves_the_other_workers_file_alone(staff, settings):
    builds = []

    def export(job, path, progress):
        builds.append(job.attempts)
        progress(1, 1)
        if len(builds) == 1:
            # This worker stalls past its lease; another worker takes the job over and finishes it.
            FileJob.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
            assert file_job_run(job_id=job.pk) == "done"
        path.write_bytes(f"build {len(builds)}".encode())

    register_file_job("test-taken-over", permission="archives.view_all_archives", builder=export)
    job = FileJob.objects.create(
        kind="test-taken-over", title="导出", download_name="out.bin", params={}, created_by=staff
    )
    try:
        outcome = file_job_run(job_id=job.pk)
    finally:
        jobs._BUILDERS.pop("test-taken-over")

    job.refresh_from_db()
    assert (outcome, builds) == ("lost", [1, 2])
    assert (job.status, job.attempts) == ("done", 2)
    with job.file.open("rb") as built:
        assert built.read() == b"build 2"
    folder = settings.PRIVATE_MEDIA_ROOT / "filejob"
    assert [p.name for p in folder.iterdir() if p.name.startswith(f"test-taken-over-{job.pk}")] == [
        job.file.name.rsplit("/", 1)[-1]
    ]  # the stalled worker's late file was removed, not left beside it


@pytest.fixture
def broker_down(settings):
    """Point this process's Celery at a broker address nobody listens on (as when Redis is stopped)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    celery_app.conf.task_always_eager = False
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_an_export_requested_while_the_broker_is_down_is_stored_and_run_by_the_sweeper(
    client, staff, broker_down, django_capture_on_commit_callbacks
):
    customer = CustomerFactory()
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("archives:customer_export"), {"search": customer.uscc})

    job = FileJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("archives:file_job", args=[job.pk])
    assert (job.status, job.attempts) == ("pending", 0)
    assert "排队等待处理" in client.get(response["Location"]).content.decode()

    celery_app.conf.task_always_eager = True  # the broker is back (the suite's in-process one)
    assert jobs_sweep(now=timezone.now() + LONG_AGO)["file_jobs"] == 1

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 1)
    assert _exported_usccs(job) == [customer.uscc]


def test_an_import_started_while_the_broker_is_down_is_queued_by_the_sweeper_and_imports_once(
    client, staff, broker_down, django_capture_on_commit_callbacks
):
    customer = CustomerFactory()
    client.force_login(staff)
    upload = SimpleUploadedFile(
        "营销导出.csv", f"uscc,type,occurred_on\n{customer.uscc},late_payment,2026-02-03\n".encode()
    )
    client.post(reverse("archives:import_list"), {"kind": "events", "file": upload})
    job = ImportJob.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("archives:import_start", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.READY and job.queued_at is not None  # asked for, never delivered
    assert jobs_sweep()["imports"] == 0  # queued a moment ago: the broker may still deliver it

    celery_app.conf.task_always_eager = True  # the broker is back (the suite's in-process one)
    assert jobs_sweep(now=timezone.now() + LONG_AGO)["imports"] == 1
    assert jobs_sweep(now=timezone.now() + LONG_AGO)["imports"] == 0

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert CreditEvent.objects.filter(customer=customer).count() == 1


def test_an_import_nobody_started_is_not_swept(staff):
    customer = CustomerFactory()
    upload = SimpleUploadedFile("a.csv", f"uscc,type,occurred_on\n{customer.uscc},late_payment,2026-02-03\n".encode())
    job = imports.import_preview(kind="events", upload=upload, actor=staff)

    assert jobs_sweep(now=timezone.now() + LONG_AGO)["imports"] == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.READY


def test_the_file_job_page_shows_when_its_worker_was_last_alive(client, staff, time_machine):
    time_machine.move_to("2026-03-02 10:15:00+08:00", tick=False)
    alive = _left_by_a_dead_worker(
        staff, heartbeat_at=timezone.now() - timedelta(seconds=20), lease_until=timezone.now() + timedelta(minutes=1)
    )
    dead = _left_by_a_dead_worker(staff, heartbeat_at=timezone.now() - timedelta(minutes=5))
    client.force_login(staff)

    alive_page = client.get(reverse("archives:file_job", args=[alive.pk])).content.decode()
    dead_page = client.get(reverse("archives:file_job", args=[dead.pk])).content.decode()

    assert "最后心跳" in alive_page and "2026-03-02 10:14:40" in alive_page
    assert "已中断" not in alive_page
    assert "2026-03-02 10:10:00" in dead_page
    assert "生成文件的后台进程已中断（超过 120 秒没有心跳）。系统将自动从头重新生成，无需重新提交。" in dead_page
