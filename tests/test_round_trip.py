"""Several short sets in one query (credit_portal.round_trip): the instances are those the ORM reads."""

from datetime import date
from decimal import Decimal

import pytest

from commitments.models import Objection
from commitments.services.objections import objection_submit
from credit_portal.round_trip import link_many, link_one, read_together
from ratings.models import RatingHistory
from ratings.services import rating_refresh
from tests.factories import AccountFactory, CustomerFactory, EventFactory, ReportFactory

pytestmark = pytest.mark.django_db


def _columns(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


@pytest.fixture
def customer(staff):
    customer = CustomerFactory()
    AccountFactory(customer=customer, opened_on=date(2018, 1, 1), capacity_kva=Decimal("80.50"))
    for month in (1, 3, 2):
        EventFactory(
            customer=customer, type="late_payment", occurred_on=date(2025, month, 5), amount_yuan=Decimal("12.3")
        )
    ReportFactory(customer=customer, issued_on=date(2025, 5, 1), status="verified", shows_dishonesty=False)
    rating_refresh(customer=customer, cause="manual", as_of=date(2025, 6, 1))
    return customer


def test_each_set_comes_back_in_its_order_and_slice_as_the_orm_reads_it_in_one_query(
    customer, django_assert_num_queries
):
    sets = {
        "events": customer.events.all(),
        "latest_event": customer.events.order_by("-occurred_on")[:1],
        "oldest_events": customer.events.order_by("occurred_on")[1:3],
        "accounts": customer.accounts.all(),
        "reports": customer.reports.all(),
        "history": RatingHistory.objects.filter(customer=customer),
        "nothing": Objection.objects.filter(customer=customer),
    }
    with django_assert_num_queries(1):
        read = read_together(**sets)

    for name, queryset in sets.items():
        assert [_columns(row) for row in read[name]] == [_columns(row) for row in queryset], name
    assert [event.occurred_on.month for event in read["oldest_events"]] == [2, 3]
    assert read["accounts"][0].capacity_kva == Decimal("80.50") and read["history"][0].rules == sets["history"][0].rules
    assert read["events"][0]._state.adding is False and read_together() == {}


def test_linked_relations_are_read_from_the_rows_given_not_from_the_database(
    applicant, applicant_customer, django_assert_num_queries
):
    account = AccountFactory(customer=applicant_customer, opened_on=date(2018, 1, 1), arrears_since=date(2025, 2, 1))
    events = list(EventFactory.create_batch(2, customer=applicant_customer, type="late_payment"))
    rating_refresh(customer=applicant_customer, cause="manual")
    objection_submit(
        customer=applicant_customer, subject="level", disputed_events=events, account=account, actor=applicant,
        reason="有误",
    )  # fmt: skip
    found = read_together(objections=Objection.objects.filter(customer=applicant_customer))["objections"][0]

    with django_assert_num_queries(0):
        link_one(found, "account", account)
        link_many(found, "disputed_events", events)
        assert list(found.disputed_events.all()) == events
        assert f"户号 {account.number} 的欠费起始日（2025-02-01）" in found.record_label
