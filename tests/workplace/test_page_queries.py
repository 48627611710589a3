"""Every role's main pages, each within ten queries (DESIGN.md, Targets: the request path).

Deterministic, not timed: each page is fetched twice, as a signed-in user would (the first time with the
navigation's badge counts and the user's permissions still to be cached, the dashboard's figures kept by
the beat), and every fetch is held to ten queries; a page whose
number of queries grows with its rows (an N+1) shows here because every queue holds more than one row.
"""

from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from archives import services as archive_services
from commitments.services.objections import objection_submit
from commitments.services.registration import enterprise_register
from notifications.models import Notice
from notifications.services import notices_send
from ratings.models import RatingCause
from ratings.selectors import dashboard_refresh
from ratings.services import override_request, rating_refresh
from tests.factories import (
    AccountFactory,
    CommitmentLetterFactory,
    CustomerFactory,
    EventFactory,
    PowerApplicationFactory,
    ReportFactory,
    ServiceRequestFactory,
    registrant_consent,
)

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10
#: Pages not yet within ten, held to what they run now so that they only go down: none left.
NOT_YET_WITHIN: dict[str, int] = {}


@pytest.fixture
def busy_hall(staff, applicant, applicant_customer, settings, tmp_path):
    """Two or more rows in every queue of the navigation, a rated customer with events and notices."""
    settings.NOTIFICATION_BACKENDS = {
        **settings.NOTIFICATION_BACKENDS,
        "sms": "notifications.backends.console.FileBackend",
        "wechat": "notifications.backends.console.FileBackend",
    }
    settings.NOTIFICATION_FILE_DIR = str(tmp_path / "outbox")
    today = timezone.localdate()
    customers = [applicant_customer, *CustomerFactory.create_batch(3)]
    for number, customer in enumerate(customers):
        AccountFactory(customer=customer, opened_on=date(2018, 1, 1))
        for month in range(1, 2 + number):  # 1 → blue … 4 → red
            EventFactory(
                customer=customer,
                type="late_payment",
                occurred_on=today - timedelta(days=30 * month),
                recorded_by=staff,
            )
        rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=today)
        ReportFactory(customer=customer, uploaded_by=staff)
        CommitmentLetterFactory(customer=customer, uploaded_by=staff)
        PowerApplicationFactory(customer=customer, submitted_by=staff)
        ServiceRequestFactory(customer=customer, submitted_by=staff)
        event = customer.events.order_by("pk").first()
        archive_services.revocation_request(event=event, reason="重复录入", actor=staff)
        override_request(customer=customer, level="black", reason="核实后调整", ends_on=today + timedelta(days=30),
                         actor=staff)  # fmt: skip
    for event in applicant_customer.events.order_by("pk")[:2]:
        objection_submit(event=event, actor=applicant, reason="缴费记录有误")
    for serial in range(2):
        enterprise_register(
            uscc=customers[serial + 1].uscc, enterprise_name=customers[serial + 1].name, contact_person="王五",
            phone=f"1391234567{serial}", password="Huaiyin-2026-power", password_again="Huaiyin-2026-power",
            **registrant_consent(),
        )  # fmt: skip
    notices_send(notice_ids=list(Notice.objects.values_list("pk", flat=True)))
    dashboard_refresh()  # as the beat keeps the dashboard's figures for the pages
    return customers


def _pages(customer, applicant_customer) -> dict[str, list[str]]:
    archive = customer.uscc
    staff_pages = [
        reverse("home"),
        reverse("archives:customer_list"),
        reverse("archives:customer_list") + "?level=red",
        reverse("archives:customer_detail", args=[archive]),
        reverse("archives:customer_history", args=[archive]),
        reverse("archives:import_list"),
        reverse("archives:report_queue"),
        reverse("ratings:my_requests"),
        reverse("ratings:dashboard"),
        reverse("ratings:what_if", args=[archive]),
        reverse("ratings:standards"),
        reverse("commitments:registration_list"),
        reverse("commitments:letter_list"),
        reverse("commitments:application_queue"),
        reverse("commitments:objection_list"),
        reverse("notifications:queues"),
        reverse("notifications:failed_list"),
        reverse("notifications:call_list"),
        reverse("notifications:letter_list"),
        reverse("notifications:reports_running_out"),
        reverse("drc:reports"),
    ]
    return {
        "staff": staff_pages,
        "supervisor": [
            *staff_pages,
            reverse("archives:revocation_list"),
            reverse("ratings:override_list"),
            reverse("ratings:decision_history"),
            reverse("ratings:rule_set_list"),
        ],
        "drc": [
            reverse("drc:reports"),
            reverse("drc:archives"),
            reverse("drc:letters"),
            reverse("archives:customer_list"),
            reverse("archives:customer_detail", args=[archive]),
            reverse("archives:customer_history", args=[archive]),
            reverse("ratings:dashboard"),
            reverse("ratings:rule_set_list"),
            reverse("commitments:officer_credit_report_upload"),
        ],
        "applicant": [
            reverse("commitments:enterprise_home"),
            reverse("commitments:application_create"),
            reverse("notifications:my_notices"),
            reverse("archives:customer_detail", args=[applicant_customer.uscc]),
        ],
    }


@pytest.mark.parametrize("role", ["staff", "supervisor", "drc", "applicant"])
def test_every_main_page_of_a_role_runs_at_most_ten_queries(
    role, request, client, busy_hall, applicant_customer, django_assert_max_num_queries
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    customer = busy_hall[-1]  # the red one, with the most events

    for url in _pages(customer, applicant_customer)[role]:
        match = resolve(urlsplit(url).path)
        budget = NOT_YET_WITHIN.get(f"{match.namespace}:{match.url_name}", MAX_QUERIES)
        for visit in ("first", "again"):
            with django_assert_max_num_queries(budget, info=f"{role} {url} ({visit})"):
                response = client.get(url)
            assert response.status_code == (302 if url == "/" else 200), (role, url, response.status_code)
