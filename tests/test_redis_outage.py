"""Redis is an accelerator, not a dependency of a page: with the real Redis stopped, staff and
enterprises keep working, the level still changes at once, and what cannot count refuses.

Each test starts its own ``redis-server`` on a free port (never the shared one), points the cache at
it through the production backend (``credit_portal.cache.ResilientRedisCache``) and stops it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from archives.models import CreditEvent, FileJob, FileJobStatus
from commitments.models import EnterpriseRegistration
from credit_portal import cache as resilient
from credit_portal.celery import app as celery_app
from credit_portal.throttling import CANNOT_COUNT
from ratings.models import CustomerRating
from tests.factories import AccountFactory, CustomerFactory, make_uscc, registrant_consent

TODAY = datetime(2026, 11, 28, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_cache_answers_a_miss_while_redis_is_stopped_and_recovers_when_it_returns(redis_server, redis_cache):
    redis_cache.set("figure", 42)
    assert redis_cache.get("figure") == 42 and resilient.cache_available()

    redis_server.stop()

    assert redis_cache.get("figure", "default") == "default"
    assert redis_cache.get_many(["figure"]) == {}
    assert redis_cache.add("lock", 1) is False
    assert redis_cache.get_or_set("computed", lambda: "from the database") == "from the database"
    with pytest.raises(ValueError):
        redis_cache.incr("figure")
    redis_cache.set("figure", 43)  # no error, nothing stored
    assert not resilient.cache_available()
    assert not resilient.cache_ping()

    redis_server.start()  # the same port, empty (it keeps nothing on disk)

    assert redis_cache.get("figure") is None
    redis_cache.set("figure", 44)
    assert redis_cache.get("figure") == 44
    assert resilient.cache_available() and resilient.cache_ping()


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_staff_browse_and_record_an_event_whose_level_changes_at_once(
    client, staff, redis_stopped, time_machine
):
    time_machine.move_to(TODAY, tick=False)
    customer = CustomerFactory(name="淮阴戊纺织有限公司")
    AccountFactory(customer=customer, opened_on=date(2015, 3, 1))
    client.force_login(staff)

    for name, args in (("customer_list", []), ("customer_detail", [customer.uscc]), ("event_create", [customer.uscc])):
        assert client.get(reverse(f"archives:{name}", args=args)).status_code == 200, name
    assert client.get(reverse("archives:customer_list"), {"search": customer.name[:4]}).status_code == 200
    assert client.get(reverse("ratings:dashboard")).status_code == 200

    response = client.post(
        reverse("archives:event_create", args=[customer.uscc]),
        {"type": "theft", "occurred_on": "2026-11-20", "amount_yuan": "600000", "description": "现场查获"},
        follow=True,
    )

    assert response.status_code == 200
    assert "失信行为已录入，评级已更新" in response.content.decode()
    assert CreditEvent.objects.filter(customer=customer).count() == 1
    assert CustomerRating.objects.get(customer=customer).level == "black"
    assert not resilient.cache_available()


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_the_api_and_the_enterprise_home_answer(
    client, api_client_for, staff, applicant, applicant_customer, redis_stopped
):
    assert api_client_for(staff).get(reverse("api:customer-list")).status_code == 200
    assert api_client_for(staff).get(reverse("api:customer-detail", args=[applicant_customer.uscc])).status_code == 200
    client.force_login(applicant)
    assert client.get(reverse("commitments:enterprise_home")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_permissions_still_hold(client, drc, applicant_customer, redis_stopped):
    # The permission sets come from the database: a DRC officer still may not record an event.
    client.force_login(drc)
    assert client.get(reverse("archives:customer_detail", args=[applicant_customer.uscc])).status_code == 200
    assert client.get(reverse("archives:event_create", args=[applicant_customer.uscc])).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_registration_cannot_be_counted_so_it_is_refused_and_nothing_is_saved(client, redis_stopped):
    response = client.post(
        reverse("commitments:register"),
        {
            "uscc": make_uscc(4242),
            "enterprise_name": "淮阴己物流有限公司",
            "contact_person": "王五",
            "phone": "13900001111",
            "password": "a-long-new-password-2026",
            "password_again": "a-long-new-password-2026",
            **registrant_consent(page=True),
        },
    )

    assert response.status_code == 429
    assert CANNOT_COUNT in response.content.decode()
    assert not EnterpriseRegistration.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_an_export_is_stored_and_runs_once_the_broker_returns(
    client, staff, applicant_customer, redis_stopped, time_machine
):
    time_machine.move_to(TODAY, tick=False)
    client.force_login(staff)

    started = client.post(reverse("archives:customer_export"), {"search": applicant_customer.uscc})

    assert started.status_code == 302
    job = FileJob.objects.get()
    assert job.status == FileJobStatus.PENDING
    assert client.get(started["Location"]).status_code == 200

    # The broker is back (here: tasks in-process again); the sweeper queues what was never delivered.
    redis_stopped.start()
    celery_app.conf.task_always_eager = True
    time_machine.shift(timedelta(minutes=5))  # the sweeper leaves a job alone for a while after it was queued
    from archives.services.jobs import jobs_sweep

    jobs_sweep()

    job.refresh_from_db()
    assert job.status == FileJobStatus.DONE and job.done == 1
