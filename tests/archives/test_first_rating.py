"""Every customer has a rating from the moment it exists: one opened through the API, the staff form, a
registration's confirmation or an import is rated in the transaction (or the import job) that opens it,
not at the next nightly run."""

import pytest
from django.db import transaction
from django.urls import reverse

from archives import services
from archives.models import Customer
from commitments import services as commitment_services
from ratings.models import CustomerRating, RatingHistory
from tests.factories import make_uscc, registrant_consent

from .test_importing import _csv, _preview_and_run

pytestmark = pytest.mark.django_db


def _rated(uscc: str) -> CustomerRating:
    rating = CustomerRating.objects.get(customer__uscc=uscc)
    history = RatingHistory.objects.get(customer__uscc=uscc)
    assert (history.previous_level, history.level) == ("", rating.level)
    return rating


def test_a_customer_opened_by_the_service_is_rated_at_once_with_no_facts(staff):
    customer = services.customer_create(actor=staff, uscc=make_uscc(95_001), name="淮阴首评甲有限公司")

    rating = _rated(customer.uscc)
    assert rating.level == rating.computed_level == "unrated"
    assert RatingHistory.objects.get(customer=customer).cause == "opened"


def test_a_customer_opened_through_the_api_is_rated_at_once(api_client_for, staff):
    uscc = make_uscc(95_002)

    response = api_client_for(staff).post(
        "/api/customers/", {"uscc": uscc, "name": "淮阴首评乙有限公司"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert _rated(uscc).level == "unrated"


def test_a_customer_opened_on_the_staff_form_is_rated_at_once(client, staff):
    uscc = make_uscc(95_003)
    client.force_login(staff)

    response = client.post(reverse("archives:customer_create"), {"uscc": uscc, "name": "淮阴首评丙有限公司"})

    assert response.status_code == 302
    assert _rated(uscc).level == "unrated"


def test_a_customer_opened_when_staff_confirm_a_registration_is_rated_at_once(staff):
    uscc = make_uscc(95_004)
    password = "Huaiyin-power-2025"
    registration = commitment_services.enterprise_register(
        uscc=uscc, enterprise_name="淮阴首评丁有限公司", contact_person="王五", phone="13912340001",
        password=password, password_again=password, **registrant_consent(),
    )  # fmt: skip
    assert not CustomerRating.objects.exists()

    commitment_services.registration_confirm(registration=registration, actor=staff)

    assert _rated(uscc).level == "unrated"


def test_customers_imported_without_accounts_are_rated_by_the_import(staff):
    usccs = [make_uscc(95_010 + i) for i in range(3)]
    text = "uscc,name\n" + "".join(f"{uscc},淮阴首评导入{i}有限公司\n" for i, uscc in enumerate(usccs))

    job = _preview_and_run("customers", _csv(text), staff)

    assert job.summary["created"] == 3
    assert {rating.customer.uscc for rating in CustomerRating.objects.select_related("customer")} == set(usccs)


def test_a_customer_whose_opening_is_rolled_back_leaves_no_rating(staff):
    uscc = make_uscc(95_020)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.customer_create(actor=staff, uscc=uscc, name="淮阴首评戊有限公司")
        raise RuntimeError("the request failed after the customer was opened")

    assert not Customer.objects.filter(uscc=uscc).exists()
    assert not CustomerRating.objects.exists() and not RatingHistory.objects.exists()


def test_a_refused_opening_writes_no_rating(staff):
    with pytest.raises(Exception, match="校验码错误"):
        services.customer_create(actor=staff, uscc="91320804MA1M9QX2AX", name="某公司")

    assert not CustomerRating.objects.exists()
