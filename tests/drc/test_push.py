"""Pushing the built report to a configured target: a real local HTTP server that fails, then succeeds."""

import hashlib
import io
import socket
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from notifications.drc.columns import FILE_NAMES
from notifications.drc.models import DrcReport, DrcReportPush
from notifications.drc.push import drc_report_push, drc_report_push_sweep
from notifications.drc.storage import report_folder

from .conftest import NOW, REPORT_DATE, build_report
from .receiver import Receiver

pytestmark = pytest.mark.django_db

TOKEN = "drc-secret-token-0123456789"


@pytest.fixture
def receiver(settings):
    server = Receiver().start()
    settings.DRC_PUSH_URL = server.url
    settings.DRC_PUSH_TOKEN = TOKEN
    settings.DRC_PUSH_TIMEOUT = 5
    # Eager tasks retry at once; the countdown is the worker's business.
    settings.RETRY = {**settings.RETRY, "drc_report_push": {"MAX_ATTEMPTS": 3, "BACKOFF_BASE": 0, "BACKOFF_MAX": 3600}}
    yield server
    server.stop()


def _attempts(report) -> list[tuple]:
    return list(report.pushes.order_by("attempt").values_list("attempt", "outcome", "http_status"))


def test_the_report_is_pushed_after_it_is_built_retrying_a_failing_server(dataset, receiver):
    receiver.plan = ["http503"]

    report = build_report(report_date=REPORT_DATE).report

    report.refresh_from_db()
    assert report.push_status == "pushed" and report.pushed_at is not None
    assert _attempts(report) == [(1, "failed", 503), (2, "succeeded", 200)]
    first, second = receiver.requests
    for request in (first, second):
        assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
        assert request["headers"]["Content-Type"] == "application/zip"
        assert request["headers"]["X-Report-Date"] == "2026-11-28"
        assert request["headers"]["Idempotency-Key"] == hashlib.sha256(request["body"]).hexdigest()
    assert first["body"] == second["body"]  # the same zip again: the receiver can recognise the retry


def test_the_pushed_zip_holds_the_report_files_as_built(dataset, receiver):
    report = build_report(report_date=REPORT_DATE).report

    archive = zipfile.ZipFile(io.BytesIO(receiver.requests[0]["body"]))
    folder = report_folder(report)
    assert archive.namelist() == list(FILE_NAMES)
    for name in FILE_NAMES:
        assert archive.read(name) == (folder / name).read_bytes(), name
    push = report.pushes.get()
    assert push.archive_sha256 == hashlib.sha256(receiver.requests[0]["body"]).hexdigest()
    assert push.bytes_sent == len(receiver.requests[0]["body"])


def test_a_push_refused_for_bad_credentials_is_not_retried(dataset, receiver):
    receiver.plan = ["http401"]

    report = build_report(report_date=REPORT_DATE).report

    report.refresh_from_db()
    assert report.push_status == "failed"
    assert _attempts(report) == [(1, "failed", 401)]
    assert len(receiver.requests) == 1


def test_a_push_answered_408_is_tried_again_like_the_notice_gateways(dataset, receiver):
    receiver.plan = ["http408"]

    report = build_report(report_date=REPORT_DATE).report

    report.refresh_from_db()
    assert report.push_status == "pushed"
    assert _attempts(report) == [(1, "failed", 408), (2, "succeeded", 200)]


def test_a_push_gives_up_after_the_configured_number_of_attempts(dataset, receiver):
    receiver.plan = ["http503"] * 10

    report = build_report(report_date=REPORT_DATE).report

    report.refresh_from_db()
    assert report.push_status == "failed"
    assert _attempts(report) == [(1, "failed", 503), (2, "failed", 503), (3, "failed", 503)]
    assert len(receiver.requests) == 3


def test_an_unreachable_target_is_recorded_as_failed_attempts(dataset, settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.DRC_PUSH_URL = f"http://127.0.0.1:{port}/upload"
    settings.DRC_PUSH_TOKEN = TOKEN
    settings.RETRY = {**settings.RETRY, "drc_report_push": {"MAX_ATTEMPTS": 2, "BACKOFF_BASE": 0, "BACKOFF_MAX": 3600}}

    report = build_report(report_date=REPORT_DATE).report

    report.refresh_from_db()
    assert report.push_status == "failed"
    assert [(p.outcome, p.http_status) for p in report.pushes.all()] == [("failed", None), ("failed", None)]
    assert all("无法送达" in p.error for p in report.pushes.all())


def test_each_attempt_is_one_call_of_the_service(dataset, receiver, settings):
    report = _built_without_pushing(settings)
    DrcReport.objects.filter(pk=report.pk).update(push_status="pending")
    receiver.plan = ["http502"]

    first = drc_report_push(report_id=report.pk)
    second = drc_report_push(report_id=report.pk)
    third = drc_report_push(report_id=report.pk)

    assert (first.outcome, first.attempt) == ("retry", 1)
    assert (second.outcome, second.attempt) == ("pushed", 2)
    assert third.outcome == "skipped"  # already pushed: no third upload
    assert len(receiver.requests) == 2


def test_the_token_is_sent_but_never_recorded(dataset, receiver, settings):
    settings.DRC_PUSH_URL = receiver.url + "?tenant=huaiyin"

    build_report(report_date=REPORT_DATE)

    push = DrcReportPush.objects.get()
    assert push.target == receiver.url
    assert TOKEN not in repr(list(DrcReportPush.objects.values()))
    assert TOKEN not in repr(list(DrcReport.objects.values()))


def test_a_rebuild_is_pushed_again(dataset, receiver):
    build_report(report_date=REPORT_DATE)

    report = build_report(report_date=REPORT_DATE, rebuild=True).report

    report.refresh_from_db()
    assert report.push_status == "pushed"
    assert list(report.pushes.values_list("attempt", flat=True)) == [1, 1]
    assert len(receiver.requests) == 2


def test_without_a_push_target_nothing_is_pushed(dataset):
    report = build_report(report_date=REPORT_DATE).report

    assert report.push_status == "" and report.get_push_status_display() == "未配置推送"
    assert not DrcReportPush.objects.exists()


def test_the_report_page_shows_the_push_status_and_every_attempt(dataset, receiver, client, drc):
    receiver.plan = ["http503"]
    build_report(report_date=REPORT_DATE)
    client.force_login(drc)

    page = client.get(f"/drc/reports/{REPORT_DATE}/").content.decode()

    assert '<strong id="push-status">已推送</strong>' in page
    assert "503" in page and "HTTP 503" in page
    assert receiver.url in page


def _built_without_pushing(settings):
    url, settings.DRC_PUSH_URL = settings.DRC_PUSH_URL, ""
    report = build_report(report_date=REPORT_DATE).report
    settings.DRC_PUSH_URL = url
    return report


def test_a_push_left_by_a_worker_that_died_is_queued_again_once_its_lease_ran_out(
    dataset, receiver, settings, time_machine
):
    report = _built_without_pushing(settings)
    DrcReport.objects.filter(pk=report.pk).update(
        push_status="sending", push_lease_until=timezone.now() + timedelta(minutes=5)
    )

    assert drc_report_push_sweep() == []  # its worker may still be at it
    time_machine.move_to(NOW + timedelta(minutes=6), tick=False)
    assert drc_report_push_sweep() == [report.pk]

    report.refresh_from_db()
    assert report.push_status == "pushed" and len(receiver.requests) == 1


def test_a_retry_that_never_came_is_queued_again_by_the_sweeper(dataset, receiver, settings, time_machine):
    report = _built_without_pushing(settings)
    DrcReport.objects.filter(pk=report.pk).update(push_status="pending")
    receiver.plan = ["http503"]
    result = drc_report_push(report_id=report.pk)  # the task would now schedule the retry; say it is lost
    assert result.retry

    assert drc_report_push_sweep() == []  # not due yet
    time_machine.move_to(NOW + timedelta(hours=1), tick=False)
    assert drc_report_push_sweep() == [report.pk]

    report.refresh_from_db()
    assert report.push_status == "pushed"
    assert _attempts(report) == [(1, "failed", 503), (2, "succeeded", 200)]


def test_the_sweeper_runs_every_ten_minutes():
    entry = django_settings.CELERY_BEAT_SCHEDULE["drc-report-push-sweep"]

    assert entry == {"task": "notifications.tasks_report.drc_report_push_sweep_task", "schedule": 600.0}
