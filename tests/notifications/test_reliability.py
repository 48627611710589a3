"""No lost and no duplicate notices, with real Celery workers on a real Redis (marked `services`).

Each test starts `celery -A credit_portal worker --pool=solo -Q <unique queue>` as a subprocess
against Redis (the machine's, on DB index 13, or a redis-server of the test's own for the
broker-down case) and the PostgreSQL test database, which the worker reaches because these tests
commit (`transaction=True`) and the worker is given the test database's name. SMS go through the
HTTP gateway backend to a local gateway (tests/notifications/gateway.py) or, like WeChat
messages, to the file backend, so every delivery can be counted.

They need PostgreSQL (`DATABASE_URL=postgres://…`) and redis-server. Without DATABASE_URL (the
SQLite laptop default) they are skipped with that reason; with a DATABASE_URL that is not
PostgreSQL, or without Redis, they fail rather than pass unseen.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction

from credit_portal.celery import app as celery_app
from notifications import services
from notifications.models import Channel, Notice, NoticeKind, NoticeStatus
from ratings.models import RatingCause, RatingHistory
from ratings.services import rating_refresh
from tests.outage import RedisServer, wait_until

from .conftest import AS_OF, late_payer
from .gateway import Gateway

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

REPO = Path(django_settings.BASE_DIR)
SHARED_REDIS = os.environ.get("NOTIFICATION_TEST_REDIS", "redis://127.0.0.1:6379/13")


@pytest.fixture(autouse=True)
def _needs_postgresql_and_redis():
    engine = connection.settings_dict["ENGINE"]
    if "postgresql" not in engine:
        reason = "needs PostgreSQL and Redis shared with a Celery worker: set DATABASE_URL=postgres://… (.ci/run does)"
        if os.environ.get("DATABASE_URL"):
            pytest.fail(reason)
        pytest.skip(reason)
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (Debian package redis-server)")


class Worker:
    """One Celery worker process on its own queue, reading the test database."""

    def __init__(self, *, broker: str, queue: str, log: Path, env: dict[str, str]) -> None:
        self.broker, self.queue, self.log, self.env = broker, queue, log, env
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        db = connection.settings_dict
        database_url = (
            f"postgres://{quote(db['USER'] or '', safe='')}:{quote(db['PASSWORD'] or '', safe='')}"
            f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "credit_portal.settings",
            "DJANGO_ENV": "development",
            "DATABASE_URL": database_url,
            "DATABASE_CONN_MAX_AGE": "0",
            "REDIS_URL": self.broker,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "NOTIFICATION_QUEUE": self.queue,
            "NOTIFICATION_BACKOFF_BASE": "0.1",
            "NOTIFICATION_BACKOFF_MAX": "0.5",
            "NOTIFICATION_LEASE_SECONDS": "2",
            "NOTIFICATION_PDF_WARM_UP": "false",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }
        self.log.write_text("")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "credit_portal", "worker", "--pool=solo", "-Q", self.queue,
             "-n", f"{self.queue}-{uuid.uuid4().hex[:6]}@%h", "--without-mingle", "--without-gossip",
             "--without-heartbeat", "-l", "INFO"],
            cwd=REPO, env=env, stdout=self.log.open("a"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until(
            lambda: " ready." in self.log.read_text() or self.process.poll() is not None, timeout=40, what="worker"
        )
        assert self.process.poll() is None, self.log.read_text()[-3000:]
        return self

    def kill(self) -> None:
        """SIGKILL, as when the machine loses power: no task is finished or acknowledged."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        # The test is over and the worker idle: a cold stop, rather than waiting for a warm shutdown.
        if self.process and self.process.poll() is None:
            self.kill()


@pytest.fixture
def own_redis():
    redis = RedisServer().start()
    yield redis
    redis.stop()


@pytest.fixture
def gateway():
    server = Gateway().start()
    yield server
    server.stop()


@pytest.fixture
def publish_to(settings):
    """Point this test process's Celery app at a broker and queue (the suite otherwise runs eagerly)."""
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)

    def point(broker: str, queue: str) -> None:
        celery_app.conf.broker_url = broker
        celery_app.conf.task_always_eager = False
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        settings.NOTIFICATION_QUEUE = queue
        settings.RETRY = {
            **settings.RETRY,
            "publish": {"max_retries": 0},
            "notice": {**settings.RETRY["notice"], "SWEEP_AFTER_SECONDS": 0, "LEASE_SECONDS": 2},
        }

    yield point
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker_factory(tmp_path):
    workers: list[Worker] = []

    def make(*, broker: str, env: dict[str, str] | None = None, queue: str | None = None) -> Worker:
        queue = queue or f"notices-test-{uuid.uuid4().hex[:10]}"
        worker = Worker(broker=broker, queue=queue, log=tmp_path / f"worker-{len(workers)}.log", env=env or {})
        workers.append(worker)
        return worker.start()

    yield make
    for worker in workers:
        worker.stop()


def _file_backends(tmp_path) -> dict[str, str]:
    return {
        "NOTIFICATION_SMS_BACKEND": "notifications.backends.console.FileBackend",
        "NOTIFICATION_WECHAT_BACKEND": "notifications.backends.console.FileBackend",
        "NOTIFICATION_FILE_DIR": str(tmp_path / "outbox"),
    }


def _gateway_sms(gateway: Gateway, tmp_path) -> dict[str, str]:
    return {
        **_file_backends(tmp_path),
        "NOTIFICATION_SMS_BACKEND": "notifications.backends.sms.SmsGatewayBackend",
        "SMS_GATEWAY_URL": f"{gateway.url}/sms/send",
        "SMS_GATEWAY_TIMEOUT": "20",
    }


def _deliveries(tmp_path, channel: str) -> Counter:
    path = tmp_path / "outbox" / f"{channel}.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return Counter(json.loads(line)["key"] for line in lines)


def _all_sent() -> bool:
    return not Notice.objects.exclude(status=NoticeStatus.SENT).exists()


def _rate(customer) -> None:
    rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)


def test_notices_of_changes_made_while_redis_was_down_are_each_sent_once_when_it_is_back(
    tmp_path, own_redis, publish_to, worker_factory
):
    worker = worker_factory(broker=own_redis.url, env=_file_backends(tmp_path))
    publish_to(own_redis.url, worker.queue)

    own_redis.stop()
    customers = [late_payer(late_payments=2) for _ in range(3)] + [late_payer(late_payments=3)]
    for customer in customers:
        _rate(customer)  # commits; queuing its notices fails and the rows stay pending
    assert Notice.objects.filter(status=NoticeStatus.PENDING).count() == 3 * 3 + 2
    own_redis.start()
    assert services.notices_sweep() == 11

    wait_until(_all_sent, timeout=40, what="every notice to be sent")
    sms, wechat = _deliveries(tmp_path, "sms"), _deliveries(tmp_path, "wechat")
    assert len(sms) == 4 and set(sms.values()) == {1}
    assert len(wechat) == 3 and set(wechat.values()) == {1}
    assert Notice.objects.filter(channel=Channel.LETTER, status=NoticeStatus.SENT).count() == 1


def test_a_gateway_failing_twice_then_succeeding_delivers_the_sms_once(tmp_path, gateway, publish_to, worker_factory):
    worker = worker_factory(broker=SHARED_REDIS, env=_gateway_sms(gateway, tmp_path))
    publish_to(SHARED_REDIS, worker.queue)
    gateway.plan = ["http503", "http502"]

    _rate(late_payer(late_payments=2))

    wait_until(_all_sent, timeout=30, what="the notices to be sent")
    sms = Notice.objects.get(channel=Channel.SMS)
    assert sms.attempts == 3 and sms.last_error == ""
    assert [r["headers"]["Idempotency-Key"] for r in gateway.sends()] == [str(sms.idempotency_key)] * 3
    assert gateway.delivered == {str(sms.idempotency_key): 1}
    assert len(_deliveries(tmp_path, "wechat")) == 1


def test_the_same_change_processed_twice_is_one_notice_per_channel_sent_once(
    tmp_path, gateway, publish_to, worker_factory
):
    worker = worker_factory(broker=SHARED_REDIS, env=_gateway_sms(gateway, tmp_path))
    publish_to(SHARED_REDIS, worker.queue)
    customer = late_payer(late_payments=2)

    _rate(customer)
    change = RatingHistory.objects.get(customer=customer)
    with transaction.atomic():  # e.g. a redelivered re-rating task, or the nightly run after the day's event
        services.notices_for_rating_changes(history_rows=[change])
    services.notices_enqueue(notice_ids=Notice.objects.values_list("pk", flat=True))  # and a sweeper, for luck

    wait_until(_all_sent, timeout=30, what="the notices to be sent")
    assert Notice.objects.filter(rating_change=change).count() == 3
    assert len(gateway.sends()) == 1 and sum(gateway.delivered.values()) == 1
    assert list(_deliveries(tmp_path, "wechat").values()) == [1]


def test_a_notice_whose_worker_was_killed_mid_send_is_sent_after_restart_and_delivered_once(
    tmp_path, gateway, publish_to, worker_factory
):
    env = _gateway_sms(gateway, tmp_path)
    worker = worker_factory(broker=SHARED_REDIS, env=env)
    publish_to(SHARED_REDIS, worker.queue)
    gateway.plan = ["hold"]  # the gateway takes the SMS but the answer never reaches the worker

    _rate(late_payer(late_payments=2))
    assert gateway.received.wait(20), worker.log.read_text()[-2000:]
    worker.kill()
    sms = Notice.objects.get(channel=Channel.SMS)
    assert sms.status == NoticeStatus.SENDING

    worker_factory(broker=SHARED_REDIS, env=env, queue=worker.queue)
    wait_until(lambda: services.notices_sweep() >= 0 and _all_sent(), timeout=30, what="the notices to be sent")

    sms.refresh_from_db()
    assert sms.attempts == 2
    keys = [r["headers"]["Idempotency-Key"] for r in gateway.sends()]
    assert keys == [str(sms.idempotency_key)] * 2  # resent with the same key…
    assert gateway.delivered == {str(sms.idempotency_key): 1}  # …so the gateway delivered it once
    assert list(_deliveries(tmp_path, "wechat").values()) == [1]


def test_a_large_theft_recorded_through_the_page_with_redis_stopped_answers_success_and_is_black_at_once(
    client, staff, own_redis, publish_to
):
    from datetime import date

    from django.urls import reverse

    from ratings.models import CustomerRating
    from tests.factories import AccountFactory, CustomerFactory

    publish_to(own_redis.url, f"notices-test-{uuid.uuid4().hex[:10]}")
    own_redis.stop()
    customer = CustomerFactory(name="淮阴停机窃电有限公司")
    AccountFactory(customer=customer, opened_on=date(2015, 3, 1))
    client.force_login(staff)

    response = client.post(
        reverse("archives:event_create", args=[customer.uscc]),
        {"type": "theft", "occurred_on": date.today().isoformat(), "amount_yuan": "600000"},
    )

    assert response.status_code == 302
    assert CustomerRating.objects.get(customer=customer).level == "black"
    assert set(Notice.objects.filter(customer=customer).values_list("status", flat=True)) == {NoticeStatus.PENDING}


# The same guarantees for the notices of a new record (失信行为记录告知): written with the record,
# queued on commit, claimed per notice, keyed per record and channel.


def _red_with_a_new_record(actor):
    """A red customer (three late payments) that gets a red.8 record: told by notices of the record's own."""
    from datetime import date

    from archives.services import event_record

    customer = late_payer(late_payments=3)
    _rate(customer)
    Notice.objects.filter(customer=customer).update(status=NoticeStatus.SENT)  # the level change's, told before
    event = event_record(
        customer=customer, type="facility_damage", severity="minor", occurred_on=date(2026, 11, 20), actor=actor
    )
    return customer, event


def _record_notices():
    return Notice.objects.filter(kind=NoticeKind.EVENT_RECORDED)


def test_a_record_made_while_redis_was_down_is_told_once_when_it_is_back(
    tmp_path, own_redis, publish_to, worker_factory, staff
):
    worker = worker_factory(broker=own_redis.url, env=_file_backends(tmp_path))
    publish_to(own_redis.url, worker.queue)

    own_redis.stop()
    _customer, event = _red_with_a_new_record(staff)  # commits; queuing fails and the rows stay pending
    assert set(_record_notices().values_list("status", flat=True)) == {NoticeStatus.PENDING}
    own_redis.start()
    assert services.notices_sweep() == 3

    wait_until(_all_sent, timeout=40, what="every notice to be sent")
    sms, wechat = _deliveries(tmp_path, "sms"), _deliveries(tmp_path, "wechat")
    assert len(sms) == 1 and set(sms.values()) == {1} and len(wechat) == 1 and set(wechat.values()) == {1}
    assert _record_notices().get(channel=Channel.LETTER).status == NoticeStatus.SENT
    assert str(_record_notices().get(channel=Channel.SMS).idempotency_key) in sms


def test_a_gateway_failing_twice_then_succeeding_delivers_the_record_sms_once(
    tmp_path, gateway, publish_to, worker_factory, staff
):
    worker = worker_factory(broker=SHARED_REDIS, env=_gateway_sms(gateway, tmp_path))
    publish_to(SHARED_REDIS, worker.queue)
    gateway.plan = ["http503", "http502"]

    _red_with_a_new_record(staff)

    wait_until(_all_sent, timeout=30, what="the notices to be sent")
    sms = _record_notices().get(channel=Channel.SMS)
    assert sms.attempts == 3 and sms.last_error == "" and "故意破坏电力设施" in sms.body
    assert [r["headers"]["Idempotency-Key"] for r in gateway.sends()] == [str(sms.idempotency_key)] * 3
    assert gateway.delivered == {str(sms.idempotency_key): 1}


def test_the_same_record_told_twice_is_one_notice_per_channel_sent_once(
    tmp_path, gateway, publish_to, worker_factory, staff
):
    from notifications.services.events import events_tell

    worker = worker_factory(broker=SHARED_REDIS, env=_gateway_sms(gateway, tmp_path))
    publish_to(SHARED_REDIS, worker.queue)

    customer, event = _red_with_a_new_record(staff)
    with transaction.atomic():  # e.g. the record's message handled again
        events_tell(customer_id=customer.pk, event_ids=[event.pk])
    services.notices_enqueue(notice_ids=_record_notices().values_list("pk", flat=True))  # and a sweeper, for luck

    wait_until(_all_sent, timeout=30, what="the notices to be sent")
    assert _record_notices().count() == 3
    assert len(gateway.sends()) == 1 and sum(gateway.delivered.values()) == 1
    assert list(_deliveries(tmp_path, "wechat").values()) == [1]
