"""`/metrics`: operators see trouble first — closed to the public, figures read from the database at scrape time."""

import socket
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from prometheus_client.parser import text_string_to_metric_families

from archives.models import FileJob, ImportJob
from notifications.drc.models import DrcReport
from notifications.models import Notice
from ratings.models import NightlyRun, RatingCause
from ratings.nightly import nightly_range_done, nightly_run_start, rerate_enqueue
from ratings.tasks import nightly_rerate_task

from .factories import CustomerFactory

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TOKEN = "s3cret-scrape-token-0123456789"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


@pytest.fixture
def token(settings, db):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


@pytest.fixture
def pinned(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def _scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **AUTH)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    declared = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")]
    assert len(declared) == len(set(declared)), "a metric family is declared twice"
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples, name: str, **labels) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Who may read it


def test_without_a_configured_token_the_endpoint_does_not_exist_for_anyone(client, settings, supervisor):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    client.force_login(supervisor)
    assert client.get("/metrics").status_code == 404


def test_an_anonymous_caller_is_refused_and_told_to_bring_a_bearer_token(client, db, token):
    response = client.get("/metrics")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"portal_" not in response.content


@pytest.mark.parametrize(
    "authorization", [f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", TOKEN, "Bearer", f"Token {TOKEN}"]
)
def test_a_wrong_token_is_refused(client, db, token, authorization):
    response = client.get("/metrics", HTTP_AUTHORIZATION=authorization)

    assert response.status_code == 401
    assert b"portal_" not in response.content


@pytest.mark.parametrize("persona", ["staff", "supervisor", "drc", "applicant"])
def test_a_signed_in_user_without_the_token_is_refused(client, request, token, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get("/metrics")

    assert response.status_code == 401
    assert b"portal_" not in response.content


def test_the_scrape_reads_and_never_writes(client, db, token):
    assert client.post("/metrics", **AUTH).status_code == 405
    assert client.head("/metrics", **AUTH).status_code == 200


# What it tells


def test_the_outbox_counts_pending_and_failed_notices_by_channel_and_kind_and_ages_the_oldest(
    client, token, pinned, time_machine
):
    customer = CustomerFactory()
    Notice.objects.create(customer=customer, channel="sms", level="yellow", status="pending")
    Notice.objects.create(customer=customer, channel="letter", level="red", status="failed", failed_at=NOW)
    Notice.objects.create(
        customer=customer, kind="report_expiring", subject_key="report:1:expiring", channel="sms", level="green",
        status="pending",
    )  # fmt: skip
    Notice.objects.create(customer=customer, channel="wechat", level="yellow", status="sent", sent_at=NOW)
    Notice.objects.create(
        customer=customer, channel="call", level="red", status="sending", lease_until=NOW - timedelta(minutes=1)
    )
    time_machine.move_to(NOW + timedelta(hours=2), tick=False)

    samples = _scrape(client)

    assert _value(samples, "portal_notices_pending", channel="sms", kind="level_change") == 1
    assert _value(samples, "portal_notices_pending", channel="sms", kind="report_expiring") == 1
    assert _value(samples, "portal_notices_failed", channel="letter", kind="level_change") == 1
    assert ("portal_notices_pending", (("channel", "wechat"), ("kind", "level_change"))) not in samples
    assert _value(samples, "portal_notices_oldest_pending_age_seconds", channel="sms") == 2 * 3600
    assert _value(samples, "portal_notices_oldest_pending_age_seconds", channel="wechat") == 0
    assert _value(samples, "portal_notices_sending_stuck") == 1
    assert _value(samples, "portal_metrics_collector_up", collector="outbox") == 1


def test_jobs_report_running_and_stuck_when_their_worker_died(client, token, pinned, staff):
    # A letters print job started two hours ago and never heard of since: its worker is gone.
    FileJob.objects.create(kind="letters", title="打印告知函", status="running", created_by=staff)
    FileJob.objects.filter(kind="letters").update(created_at=NOW - timedelta(hours=2))
    FileJob.objects.create(kind="customers", title="用户清单导出", status="pending", created_by=staff)
    FileJob.objects.create(kind="customers", title="用户清单导出", status="done", created_by=staff)
    ImportJob.objects.create(
        kind="events", original_name="a.csv", status="running", created_by=staff, lease_until=NOW - timedelta(seconds=1)
    )
    ImportJob.objects.create(
        kind="events", original_name="b.csv", status="running", created_by=staff, lease_until=NOW + timedelta(minutes=5)
    )
    # Started while the broker was down (queued, never taken), and one nobody has started yet.
    ImportJob.objects.create(kind="events", original_name="c.csv", status="ready", created_by=staff, queued_at=NOW)
    ImportJob.objects.create(kind="events", original_name="d.csv", status="ready", created_by=staff)

    samples = _scrape(client)

    assert _value(samples, "portal_jobs_running", job="file", kind="letters") == 1
    assert _value(samples, "portal_jobs_stuck", job="file", kind="letters") == 1
    assert _value(samples, "portal_jobs_pending", job="file", kind="customers") == 1
    assert _value(samples, "portal_jobs_running", job="file", kind="customers") == 0
    assert _value(samples, "portal_jobs_running", job="import", kind="events") == 2
    assert _value(samples, "portal_jobs_stuck", job="import", kind="events") == 1
    assert _value(samples, "portal_jobs_pending", job="import", kind="events") == 1
    assert _value(samples, "portal_jobs_running", job="impact", kind="ruleset") == 0
    assert _value(samples, "portal_jobs_running", job="drc_report", kind="build") == 0


def test_the_last_nightly_run_is_reported_with_its_date_and_whether_it_finished(client, token, pinned):
    CustomerFactory()

    before = _scrape(client)
    nightly_rerate_task()
    samples = _scrape(client)

    assert _value(before, "portal_nightly_rerate_last_started_timestamp_seconds") == 0
    assert _value(before, "portal_nightly_rerate_last_finished") == 0
    run = NightlyRun.objects.get()
    assert run.as_of == date(2026, 11, 28) and run.finished_at == NOW
    assert (
        _value(samples, "portal_nightly_rerate_last_as_of_timestamp_seconds")
        == datetime(2026, 11, 28, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
    )
    assert _value(samples, "portal_nightly_rerate_last_started_timestamp_seconds") == NOW.timestamp()
    assert _value(samples, "portal_nightly_rerate_last_finished_timestamp_seconds") == NOW.timestamp()
    assert _value(samples, "portal_nightly_rerate_last_finished") == 1


def test_a_nightly_run_cut_into_ranges_is_finished_by_its_last_range(client, token, pinned):
    CustomerFactory.create_batch(3)

    ranges = rerate_enqueue(as_of=NOW.date(), cause=RatingCause.NIGHTLY, range_size=1)  # eager: the ranges run here
    samples = _scrape(client)

    assert ranges == 3
    assert _value(samples, "portal_nightly_rerate_last_ranges", state="total") == 3
    assert _value(samples, "portal_nightly_rerate_last_ranges", state="done") == 3
    assert _value(samples, "portal_nightly_rerate_last_finished") == 1


def test_a_redelivered_range_counts_once_and_the_run_waits_for_the_range_still_out(client, token, pinned):
    run = nightly_run_start(as_of=NOW.date(), ranges_total=2)

    nightly_range_done(run_id=run.pk, start_id=1)
    nightly_range_done(run_id=run.pk, start_id=1)  # the same range task delivered again
    waiting = _scrape(client)
    nightly_range_done(run_id=run.pk, start_id=25_001)
    finished = _scrape(client)

    assert _value(waiting, "portal_nightly_rerate_last_ranges", state="done") == 1
    assert _value(waiting, "portal_nightly_rerate_last_finished") == 0
    assert _value(waiting, "portal_nightly_rerate_last_finished_timestamp_seconds") == 0
    assert _value(finished, "portal_nightly_rerate_last_finished") == 1
    assert _value(finished, "portal_nightly_rerate_last_finished_timestamp_seconds") == NOW.timestamp()


def test_a_manual_rerate_is_not_taken_for_a_nightly_run(db, pinned):
    CustomerFactory()

    rerate_enqueue(as_of=NOW.date(), cause=RatingCause.MANUAL)

    assert not NightlyRun.objects.exists()


def test_the_drc_report_built_and_pushed_and_a_build_left_by_a_dead_worker(client, token, pinned):
    DrcReport.objects.create(
        report_date=date(2026, 11, 27), status="ready", folder="2026-11-27/a", generated_at=NOW - timedelta(hours=33),
        push_status="pushed", pushed_at=NOW - timedelta(hours=32),
    )  # fmt: skip
    DrcReport.objects.create(
        report_date=date(2026, 11, 28), status="building", build_started_at=NOW - timedelta(hours=1),
        lease_until=NOW - timedelta(minutes=30),
    )  # fmt: skip

    samples = _scrape(client)

    midnight_28 = datetime(2026, 11, 28, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
    assert _value(samples, "portal_drc_report_last_date_timestamp_seconds") == midnight_28
    assert _value(samples, "portal_drc_report_last_status", status="building") == 1
    assert _value(samples, "portal_drc_report_last_status", status="ready") == 0
    assert _value(samples, "portal_drc_report_last_built_date_timestamp_seconds") == midnight_28 - 86400
    assert _value(samples, "portal_drc_report_last_built_timestamp_seconds") == (NOW - timedelta(hours=33)).timestamp()
    assert _value(samples, "portal_drc_report_last_push_status", status="pushed") == 1
    assert _value(samples, "portal_drc_report_last_push_status", status="failed") == 0
    assert _value(samples, "portal_drc_report_last_pushed_timestamp_seconds") == (NOW - timedelta(hours=32)).timestamp()
    assert _value(samples, "portal_jobs_running", job="drc_report", kind="build") == 1
    assert _value(samples, "portal_jobs_stuck", job="drc_report", kind="build") == 1


def test_with_no_report_and_no_nightly_run_the_times_are_zero_so_that_age_alerts_fire(client, db, token):
    samples = _scrape(client)

    assert _value(samples, "portal_drc_report_last_built_timestamp_seconds") == 0
    assert _value(samples, "portal_drc_report_last_push_status", status="none") == 0
    assert _value(samples, "portal_nightly_rerate_last_as_of_timestamp_seconds") == 0


# The services


def test_the_cache_is_reported_up_while_its_redis_answers_and_down_once_it_stops(
    client, db, token, redis_server, redis_cache
):
    assert _value(_scrape(client), "portal_cache_up") == 1

    redis_server.stop()
    samples = _scrape(client)

    assert _value(samples, "portal_cache_up") == 0
    assert _value(samples, "portal_broker_up") == 1  # the tests run tasks in-process: no broker to reach
    assert _value(samples, "portal_metrics_collector_up", collector="services") == 1


def test_the_in_process_cache_is_reported_up(client, db, token):
    assert _value(_scrape(client), "portal_cache_up") == 1


def test_the_broker_is_reported_down_when_nothing_listens_on_its_port(client, db, token, settings):
    from credit_portal.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    previous = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{_free_port()}/0"
    try:
        samples = _scrape(client)
    finally:
        app.conf.broker_url = previous

    assert _value(samples, "portal_broker_up") == 0


def test_a_collector_that_fails_is_reported_down_and_the_others_still_answer(client, db, token):
    from credit_portal import metrics

    def broken():
        raise RuntimeError("the table is gone")
        yield  # pragma: no cover

    metrics.register_metrics("broken", broken)
    try:
        samples = _scrape(client)
    finally:
        metrics._COLLECTORS.pop("broken")

    assert _value(samples, "portal_metrics_collector_up", collector="broken") == 0
    assert _value(samples, "portal_metrics_collector_up", collector="outbox") == 1
    assert ("portal_notices_sending_stuck", ()) in samples
