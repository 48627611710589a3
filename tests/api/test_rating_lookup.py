"""The rating look-up answers from a few columns, exactly as the rating serializer would."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ratings.models import CustomerRating, LevelOverride, OverrideStatus, RatingCause
from ratings.serializers import RatingSerializer
from ratings.services import rating_refresh
from tests.factories import AccountFactory, EventFactory, rate

from ..ratings.drafts import YELLOW1_WORDING

pytestmark = pytest.mark.django_db


def _serialized(customer) -> dict:
    rating = CustomerRating.objects.select_related("customer", "override").get(customer=customer)
    return dict(RatingSerializer(rating).data)


def _looked_up(api_client_for, user, customer) -> dict:
    response = api_client_for(user).get(f"/api/customers/{customer.uscc}/rating/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return response.json()


def test_a_stored_rating_is_answered_as_the_serializer_writes_it_in_one_query_after_the_sign_in(
    api_client_for, staff, other_customer
):
    AccountFactory(customer=other_customer, opened_on=date(2018, 1, 1))
    for month in (2, 4, 6):
        EventFactory(customer=other_customer, occurred_on=timezone.localdate() - timedelta(days=30 * month))
    rating_refresh(customer=other_customer, cause=RatingCause.EVENT)
    client = api_client_for(staff)
    client.get(f"/api/customers/{other_customer.uscc}/rating/")  # the permission set into the cache

    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"/api/customers/{other_customer.uscc.lower()}/rating/").json()

    assert body == _serialized(other_customer)
    assert body["rules"] and body["override"] is None and body["stored"] is True
    assert len(queries) == 3  # the session, its user, then the customer with its rating and override


def test_an_override_in_force_is_answered_as_the_serializer_writes_it(api_client_for, supervisor, other_customer):
    rating = rate(other_customer, "red", as_of=date(2026, 3, 1))
    rating.rules = ["red.3"]
    rating.override = LevelOverride.objects.create(
        customer=other_customer, level="green", reason="核实后调整", ends_on=date(2026, 12, 31),
        status=OverrideStatus.ACTIVE, requested_by=supervisor, decided_at=timezone.now(),
    )  # fmt: skip
    rating.level = "green"
    rating.save()

    body = _looked_up(api_client_for, supervisor, other_customer)

    assert body == _serialized(other_customer)
    assert body["override"]["level"] == "green" and body["override"]["decided_at"]


def test_a_rating_of_another_rule_set_quotes_that_sets_wording(api_client_for, staff, supervisor, other_customer):
    from ratings.rulesets import ruleset_draft

    draft = ruleset_draft(actor=supervisor, parameters={"yellow.1": {"arrears_months": 1}},
                          wordings={"yellow.1": YELLOW1_WORDING})  # fmt: skip
    rating = rate(other_customer, "yellow")
    rating.rules, rating.rule_set_version = ["yellow.1"], draft.version
    rating.save()

    body = _looked_up(api_client_for, staff, other_customer)

    assert body == _serialized(other_customer)
    assert body["rules"][0]["plan_text"] == YELLOW1_WORDING


def test_a_customer_never_rated_is_evaluated_now_and_another_enterprises_is_not_found(
    api_client_for, applicant, applicant_customer, other_customer
):
    body = _looked_up(api_client_for, applicant, applicant_customer)
    assert body["stored"] is False and body["customer"] == applicant_customer.uscc
    rate(other_customer, "green")

    response = api_client_for(applicant).get(f"/api/customers/{other_customer.uscc}/rating/")

    assert response.status_code == 404
    assert other_customer.uscc not in response.content.decode() and "green" not in response.content.decode()


def test_the_look_up_is_compiled_once_and_answers_as_the_orm_for_every_scope(
    staff, applicant, applicant_customer, other_customer, monkeypatch
):
    """``customer_values_for_user`` keeps its compiled statement: a second look-up compiles nothing and
    still answers what the ORM would, in each scope (every archive; an applicant's own; not found)."""
    from django.db.models.sql.compiler import SQLCompiler
    from django.http import Http404

    from archives.selectors import customer_values_for_user, customers_visible_to
    from ratings.serializers import RATING_LOOKUP_FIELDS

    for customer in (applicant_customer, other_customer):
        AccountFactory(customer=customer, opened_on=date(2018, 1, 1))
        EventFactory(customer=customer, occurred_on=timezone.localdate() - timedelta(days=40))
        rating_refresh(customer=customer, cause=RatingCause.EVENT)
    for user, customer in ((staff, other_customer), (applicant, applicant_customer)):
        customer_values_for_user(user=user, uscc=customer.uscc, fields=RATING_LOOKUP_FIELDS)  # compiled here
    compiled = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k))

    looked_up = [
        customer_values_for_user(user=user, uscc=customer.uscc.lower(), fields=RATING_LOOKUP_FIELDS)
        for user, customer in ((staff, other_customer), (staff, applicant_customer), (applicant, applicant_customer))
    ]
    assert compiled == []
    monkeypatch.undo()
    for row, (user, customer) in zip(
        looked_up, ((staff, other_customer), (staff, applicant_customer), (applicant, applicant_customer)), strict=True
    ):
        expected = customers_visible_to(user).filter(uscc=customer.uscc).values(*RATING_LOOKUP_FIELDS).get()
        assert row == expected
        assert isinstance(row["rating__rules"], list) and isinstance(row["rating__as_of"], date)
    with pytest.raises(Http404):
        customer_values_for_user(user=applicant, uscc=other_customer.uscc, fields=RATING_LOOKUP_FIELDS)
