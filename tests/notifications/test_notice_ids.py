"""A level change's notices are queued by the ids their insert gave: nothing is read back after commit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credit_portal.celery import app as celery_app
from notifications.models import Notice, NoticeStatus
from notifications.services import notices_for_rating_changes
from ratings.models import RatingCause, RatingHistory
from ratings.services import rating_refresh

from .conftest import AS_OF, late_payer

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    """Tasks go to an in-memory broker instead of running here: what is queued, not what a worker does
    (tests/conftest.py's ``_celery_restored`` makes the app eager again afterwards)."""
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://"
    celery_app._pool = celery_app.amqp._producer_pool = None
    sent: list[list[int]] = []

    def record(sender=None, body=None, **_kwargs):
        if sender == "notifications.tasks.notices_send_task":
            sent.append(list(body[0][0]))

    from celery.signals import before_task_publish

    before_task_publish.connect(record, weak=False)
    yield sent
    before_task_publish.disconnect(record)


def test_one_customers_level_change_queues_its_new_notices_without_reading_them_back(
    published, django_capture_on_commit_callbacks
):
    customer = late_payer(late_payments=3)  # red: a letter, a call, an SMS, WeChat

    with django_capture_on_commit_callbacks() as callbacks:
        rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()

    written = sorted(Notice.objects.filter(customer=customer).values_list("pk", flat=True))
    assert len(written) >= 2
    assert sorted(pk for batch in published for pk in batch) == written
    assert not [q["sql"] for q in queries if "notifications_notice" in q["sql"]]


def test_a_change_processed_again_writes_no_second_notice_and_queues_what_is_still_pending(
    published, django_capture_on_commit_callbacks
):
    customer = late_payer(late_payments=3)
    rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)
    change = RatingHistory.objects.get(customer=customer)
    pending = sorted(Notice.objects.filter(customer=customer, status=NoticeStatus.PENDING).values_list("pk", flat=True))
    published.clear()

    with django_capture_on_commit_callbacks(execute=True):
        asked = notices_for_rating_changes(history_rows=[change])

    assert asked == len(pending) == Notice.objects.filter(customer=customer).count()
    assert sorted(pk for batch in published for pk in batch) == pending
