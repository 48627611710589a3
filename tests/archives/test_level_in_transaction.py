"""The level changes in the transaction of the facts that change it, with or without a broker."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from archives.models import CreditEvent
from credit_portal.celery import app as celery_app
from notifications.models import Notice, NoticeStatus
from ratings.models import CustomerRating
from tests.factories import AccountFactory, CustomerFactory

TODAY = datetime(2026, 11, 28, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def broker_down(settings):
    """Tasks really go to a broker, and nothing listens where the broker should be."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"  # the discard port: connection refused
    celery_app.conf.task_always_eager = False
    settings.RETRY = {**settings.RETRY, "publish": {"max_retries": 0}}
    yield
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved


@pytest.mark.django_db(transaction=True)
def test_a_large_theft_recorded_with_the_broker_down_answers_success_and_shows_black_at_once(
    client, staff, broker_down, time_machine
):
    time_machine.move_to(TODAY, tick=False)
    customer = CustomerFactory(name="淮阴丁钢铁有限公司")
    AccountFactory(customer=customer, opened_on=date(2015, 3, 1))
    client.force_login(staff)

    response = client.post(
        reverse("archives:event_create", args=[customer.uscc]),
        {"type": "theft", "occurred_on": "2026-11-20", "amount_yuan": "600000", "description": "现场查获"},
        follow=True,
    )

    assert response.status_code == 200
    assert "失信行为已录入，评级已更新" in response.content.decode()
    assert CreditEvent.objects.filter(customer=customer).count() == 1
    rating = CustomerRating.objects.get(customer=customer)
    assert (rating.level, rating.rules) == ("black", ["black.3"])
    page = client.get(reverse("archives:customer_detail", args=[customer.uscc])).content.decode()
    assert "黑色" in page
    # The notices are the outbox: written with the level, waiting for the sweeper to queue them.
    notices = Notice.objects.filter(customer=customer)
    assert sorted(notices.values_list("channel", flat=True)) == ["letter", "sms"]
    assert set(notices.values_list("status", flat=True)) == {NoticeStatus.PENDING}
