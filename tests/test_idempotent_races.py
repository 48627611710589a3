"""Requests that arrive at the same moment, on PostgreSQL (marked `services`): one record, never a 500.

Each request runs in a thread with its own connection, as two gunicorn workers would. SQLite serialises
writers, so these tests need `DATABASE_URL=postgres://…` and are skipped without one.
"""

import contextlib
import os
import threading
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from archives import services as archive_services
from archives.models import CreditEvent
from commitments.models import PowerApplication
from credit_portal.errors import DUPLICATE
from credit_portal.idempotency import new_form_token
from ratings import services as rating_services
from ratings.models import LevelOverride
from tests.factories import AccountFactory, CustomerFactory, make_uscc, registrant_consent

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TODAY = datetime(2026, 11, 28, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _needs_postgresql():
    if connection.vendor != "postgresql":
        reason = "needs PostgreSQL for concurrent writers: set DATABASE_URL=postgres://… (.ci/run does)"
        if os.environ.get("DATABASE_URL"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def pinned_today(time_machine):
    time_machine.move_to(TODAY, tick=False)


def _at_once(*sends) -> list:
    """Run the sends together, each in its own thread and connection; their responses (or errors)."""
    start = threading.Barrier(len(sends))
    answers: list = [None] * len(sends)

    def one(index: int) -> None:
        from django.db import connection as own

        try:
            start.wait()
            answers[index] = sends[index]()
        except Exception as error:  # reported, so that the test says what went wrong
            answers[index] = error
        finally:
            own.close()

    threads = [threading.Thread(target=one, args=(index,)) for index in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def _meet_before(monkeypatch, target, name: str, parties: int = 2) -> None:
    """Hold each request at `target.name` until all have passed the service's own check for a duplicate,
    so that the unique rule, not the check, is what stops the second."""
    meeting = threading.Barrier(parties)
    original = getattr(target, name)

    def held(*args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            meeting.wait(timeout=10)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, held)


def _statuses(answers) -> list:
    return sorted(getattr(answer, "status_code", repr(answer)) for answer in answers)


@pytest.fixture
def customer(staff):
    customer = CustomerFactory(name="淮阴丁钢铁有限公司")
    AccountFactory(customer=customer, opened_on=date(2015, 3, 1))
    return customer


def test_one_event_posted_three_times_at_once_with_one_key_is_recorded_once(staff, customer, monkeypatch):
    event_record = archive_services.event_record

    def slow(**kwargs):  # the others surely arrive while the first is still writing
        time.sleep(0.5)
        return event_record(**kwargs)

    monkeypatch.setattr(archive_services, "event_record", slow)
    body = {"customer": customer.uscc, "type": "late_payment", "occurred_on": "2026-11-01"}

    def send():
        client = APIClient()
        client.force_login(staff)
        return client.post("/api/events/", body, format="json", HTTP_IDEMPOTENCY_KEY="race-evt-1")

    answers = _at_once(send, send, send)

    assert _statuses(answers) == [201, 201, 201]
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert sorted(answer.has_header("Idempotent-Replayed") for answer in answers) == [False, True, True]
    assert CreditEvent.objects.filter(customer=customer).count() == 1


def test_two_applications_posted_at_once_with_one_key_make_one(applicant, applicant_customer):
    body = {
        "kind": "capacity_increase",
        "address": "淮安市清江浦区示范路1号",
        "capacity_kva": "630",
        "requested_on": "2026-12-15",
        "route": "property",
    }

    def send():
        client = APIClient()
        client.force_login(applicant)
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tests.factories import PDF_BYTES

        document = SimpleUploadedFile("产权证明.pdf", PDF_BYTES, content_type="application/pdf")
        return client.post(
            "/api/applications/",
            {**body, "property_document": document},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="race-app-1",
        )

    answers = _at_once(send, send)

    assert _statuses(answers) == [201, 201]
    assert PowerApplication.objects.filter(customer=applicant_customer).count() == 1


def test_two_override_requests_for_one_customer_at_once_make_one_and_the_other_sees_why(
    supervisor, other_supervisor, customer, monkeypatch
):
    _meet_before(monkeypatch, rating_services, "audited_save")

    def send(user):
        def request():
            client = Client()
            client.force_login(user)
            return client.post(
                reverse("ratings:override_request", args=[customer.uscc]),
                {"level": "black", "ends_on": "2026-12-31", "reason": "营销系统欠费数据待核实"},
            )

        return request

    answers = _at_once(send(supervisor), send(other_supervisor))

    assert _statuses(answers) == [200, 302]
    refused = next(answer for answer in answers if answer.status_code == 200)
    assert DUPLICATE.format(what="人工调整信用等级（用户）") in refused.content.decode()
    assert LevelOverride.objects.filter(customer=customer).count() == 1


def test_two_registrations_with_one_mobile_at_once_make_one_user_and_the_other_is_refused(db, monkeypatch):
    _meet_before(monkeypatch, get_user_model(), "set_password")

    def send(serial: int):
        def request():
            return APIClient().post(
                "/api/registrations/",
                {
                    "uscc": make_uscc(serial),
                    "enterprise_name": "淮阴丁纺织有限公司",
                    "contact_person": "王五",
                    "phone": "13912345678",
                    "password": "Huaiyin-power-2025",
                    "password_again": "Huaiyin-power-2025",
                    **registrant_consent(),
                },
                format="json",
            )

        return request

    answers = _at_once(send(90_001), send(90_002))

    assert _statuses(answers) == [201, 409]
    refused = next(answer for answer in answers if answer.status_code == 409)
    assert refused.json()["message"] == DUPLICATE.format(what="用户（用户名）")
    assert get_user_model().objects.filter(username="13912345678").count() == 1


def test_a_double_click_on_the_event_form_records_once_and_both_clicks_lead_to_it(staff, customer, monkeypatch):
    event_record = archive_services.event_record

    def slow(**kwargs):  # the second click surely arrives while the first is still writing
        time.sleep(0.5)
        return event_record(**kwargs)

    monkeypatch.setattr(archive_services, "event_record", slow)
    form = {"type": "late_payment", "occurred_on": "2026-11-01", "form_token": new_form_token()}

    def click():
        client = Client()
        client.force_login(staff)
        return client.post(reverse("archives:event_create", args=[customer.uscc]), form)

    answers = _at_once(click, click)

    assert _statuses(answers) == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert CreditEvent.objects.filter(customer=customer).count() == 1
