"""A write sent twice is made once: the API's Idempotency-Key, the page forms' one-time token, and the
one place that turns a unique rule's IntegrityError into a refusal (409, or a form error)."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.test.client import encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from archives.models import CreditEvent, Customer
from credit_portal.errors import DUPLICATE, Conflict, duplicate_refusal
from credit_portal.idempotency import (
    BAD_FORM_TOKEN,
    BAD_KEY,
    FORM_ALREADY_SUBMITTED,
    KEY_REUSED,
    new_form_token,
    requests_forget,
)
from credit_portal.models import IdempotentRequest
from credit_portal.tasks import idempotent_requests_forget_task
from ratings.models import LevelOverride, OverrideStatus
from tests.factories import AccountFactory, CustomerFactory, make_uscc, registrant_consent

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 11, 28, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def pinned_today(time_machine):
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture
def customer(staff):
    customer = CustomerFactory(name="淮阴丁钢铁有限公司")
    AccountFactory(customer=customer, opened_on=date(2015, 3, 1))
    return customer


def _event(customer, **fields) -> dict:
    return {"customer": customer.uscc, "type": "late_payment", "occurred_on": "2026-11-01", **fields}


# --------------------------------------------------------------------------------------------
# The API: Idempotency-Key
# --------------------------------------------------------------------------------------------


def test_an_event_posted_twice_with_one_key_is_recorded_once_and_answered_the_same(api_client_for, staff, customer):
    client = api_client_for(staff)

    first = client.post("/api/events/", _event(customer), format="json", HTTP_IDEMPOTENCY_KEY="evt-0001")
    again = client.post("/api/events/", _event(customer), format="json", HTTP_IDEMPOTENCY_KEY="evt-0001")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert CreditEvent.objects.filter(customer=customer).count() == 1


def test_a_multipart_body_sent_again_with_another_boundary_is_the_same_request(api_client_for, staff, customer):
    client = api_client_for(staff)

    def send(boundary: str):
        return client.generic(
            "POST",
            "/api/events/",
            encode_multipart(boundary, _event(customer)),
            content_type=f"multipart/form-data; boundary={boundary}",
            HTTP_IDEMPOTENCY_KEY="evt-0002",
        )

    first, again = send("one-boundary"), send("another-boundary")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert CreditEvent.objects.filter(customer=customer).count() == 1


def test_the_same_key_with_another_body_answers_409_and_records_nothing_more(api_client_for, staff, customer):
    client = api_client_for(staff)
    client.post("/api/events/", _event(customer), format="json", HTTP_IDEMPOTENCY_KEY="evt-0003")

    response = client.post(
        "/api/events/", _event(customer, occurred_on="2026-11-02"), format="json", HTTP_IDEMPOTENCY_KEY="evt-0003"
    )

    assert response.status_code == 409
    assert response.json() == {"message": KEY_REUSED, "errors": {"Idempotency-Key": [KEY_REUSED]}}
    assert list(CreditEvent.objects.filter(customer=customer).values_list("occurred_on", flat=True)) == [
        date(2026, 11, 1)
    ]


def test_a_refused_request_lets_its_key_go_so_the_corrected_one_is_recorded(api_client_for, staff, customer):
    client = api_client_for(staff)

    refused = client.post(
        "/api/events/", _event(customer, type="no_such_type"), format="json", HTTP_IDEMPOTENCY_KEY="evt-0004"
    )
    corrected = client.post("/api/events/", _event(customer), format="json", HTTP_IDEMPOTENCY_KEY="evt-0004")

    assert (refused.status_code, corrected.status_code) == (400, 201)
    assert "Idempotent-Replayed" not in corrected
    assert CreditEvent.objects.filter(customer=customer).count() == 1


def test_a_key_belongs_to_the_user_who_sent_it(api_client_for, staff, supervisor, customer):
    api_client_for(staff).post("/api/events/", _event(customer), format="json", HTTP_IDEMPOTENCY_KEY="evt-0005")

    response = api_client_for(supervisor).post(
        "/api/events/", _event(customer), format="json", HTTP_IDEMPOTENCY_KEY="evt-0005"
    )

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert CreditEvent.objects.filter(customer=customer).count() == 2


@pytest.mark.parametrize("key", ["with space", "x" * 256, "键"])
def test_a_malformed_key_is_refused_and_records_nothing(api_client_for, staff, customer, key):
    response = api_client_for(staff).post(
        "/api/events/", _event(customer), format="json", headers={"Idempotency-Key": key}
    )

    assert response.status_code == 400
    assert response.json()["message"] == BAD_KEY
    assert not CreditEvent.objects.exists()
    assert not IdempotentRequest.objects.exists()


def test_a_key_is_answered_for_a_day_and_then_forgotten(api_client_for, staff, customer, time_machine):
    client = api_client_for(staff)
    client.post("/api/events/", _event(customer), format="json", HTTP_IDEMPOTENCY_KEY="evt-0006")
    time_machine.move_to(TODAY + timedelta(hours=23), tick=False)
    assert requests_forget() == 0
    client.force_login(staff)  # the session has expired by now; the key has not
    assert client.post("/api/events/", _event(customer), format="json", HTTP_IDEMPOTENCY_KEY="evt-0006").has_header(
        "Idempotent-Replayed"
    )

    time_machine.move_to(TODAY + timedelta(hours=25), tick=False)
    idempotent_requests_forget_task.delay()

    assert not IdempotentRequest.objects.exists()
    assert CreditEvent.objects.filter(customer=customer).count() == 1


def _api_views():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
                yield prefix + str(pattern.pattern), pattern.callback.cls

    return list(walk(get_resolver().url_patterns))


def test_every_post_of_the_api_is_idempotent_but_the_token_login():
    posts = {route: view for route, view in _api_views() if route.startswith("api/") and hasattr(view, "post")}

    assert "api/events/" in posts and "api/applications/" in posts
    assert [route for route, view in posts.items() if not getattr(view.post, "idempotent", False)] == ["api/token/"]


def test_the_schema_documents_the_key_and_the_409_on_every_idempotent_post(api_client_for, staff):
    schema = api_client_for(staff).get("/api/schema/", HTTP_ACCEPT="application/json").json()

    posts = {path: item["post"] for path, item in schema["paths"].items() if "post" in item}
    assert len(posts) > 10
    for path, operation in posts.items():
        if path == "/api/token/":
            continue
        assert [p["name"] for p in operation["parameters"] if p["in"] == "header"] == ["Idempotency-Key"], path
        assert "409" in operation["responses"], path
    assert schema["components"]["schemas"]["ConflictError"]["required"] == ["errors", "message"]


# --------------------------------------------------------------------------------------------
# Page forms: the one-time token
# --------------------------------------------------------------------------------------------


def _form_token(page: str) -> str:
    return re.search(r'name="form_token" value="([0-9a-f]{32})"', page).group(1)


def test_an_event_form_sent_twice_records_once_and_leads_to_the_first_result(client, staff, customer):
    client.force_login(staff)
    url = reverse("archives:event_create", args=[customer.uscc])
    token = _form_token(client.get(url).content.decode())
    form = {"type": "late_payment", "occurred_on": "2026-11-01", "form_token": token}

    first = client.post(url, form)
    again = client.post(url, form, follow=True)

    assert first.status_code == 302
    assert again.redirect_chain == [(first["Location"], 302)]
    assert FORM_ALREADY_SUBMITTED in again.content.decode()
    assert CreditEvent.objects.filter(customer=customer).count() == 1


def test_a_form_shown_again_with_its_errors_may_be_sent_again_with_its_token(client, staff, customer):
    client.force_login(staff)
    url = reverse("archives:event_create", args=[customer.uscc])
    token = new_form_token()

    refused = client.post(url, {"type": "late_payment", "occurred_on": "2030-01-01", "form_token": token})
    corrected = client.post(url, {"type": "late_payment", "occurred_on": "2026-11-01", "form_token": token})

    assert (refused.status_code, corrected.status_code) == (200, 302)
    assert CreditEvent.objects.filter(customer=customer).count() == 1


def test_a_malformed_form_token_is_refused_and_records_nothing(client, staff, customer):
    client.force_login(staff)

    response = client.post(
        reverse("archives:event_create", args=[customer.uscc]),
        {"type": "late_payment", "occurred_on": "2026-11-01", "form_token": "not-a-token"},
    )

    assert response.status_code == 400
    assert response.content.decode() == BAD_FORM_TOKEN
    assert not CreditEvent.objects.exists()


def test_a_registration_sent_twice_makes_one_user(client):
    token = _form_token(client.get(reverse("commitments:register")).content.decode())
    form = {
        "uscc": make_uscc(90_001),
        "enterprise_name": "淮阴丁纺织有限公司",
        "contact_person": "王五",
        "phone": "13912345678",
        "password": "Huaiyin-power-2025",
        "password_again": "Huaiyin-power-2025",
        **registrant_consent(page=True),
        "form_token": token,
    }

    first = client.post(reverse("commitments:register"), form)
    client.logout()  # the second click of a double click left before the first answer's cookie came
    again = client.post(reverse("commitments:register"), form)

    assert (first.status_code, again.status_code) == (302, 302)
    assert again["Location"] == first["Location"]
    assert IdempotentRequest.objects.get().owner == "anonymous"
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.filter(username="13912345678").count() == 1


@pytest.mark.parametrize(
    ("persona", "url_name", "args"),
    [
        ("staff", "archives:customer_create", []),
        ("staff", "archives:event_create", ["uscc"]),
        ("supervisor", "ratings:override_request", ["uscc"]),
        ("applicant", "commitments:application_create", []),
        ("applicant", "commitments:letter_upload", []),
        ("applicant", "commitments:report_upload", []),
    ],
)
def test_forms_that_create_a_record_carry_a_one_time_token(client, request, customer, persona, url_name, args):
    client.force_login(request.getfixturevalue(persona))
    url = reverse(url_name, args=[customer.uscc for _ in args])

    first, second = (_form_token(client.get(url).content.decode()) for _ in range(2))

    assert first != second


# --------------------------------------------------------------------------------------------
# One place turns a unique rule's IntegrityError into a refusal
# --------------------------------------------------------------------------------------------


def _integrity_error(write) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        write()
    return caught.value


def test_a_second_open_override_for_a_customer_is_refused_in_words(customer, supervisor):
    def override():
        LevelOverride.objects.create(
            customer=customer, level="blue", reason="核实", ends_on=date(2026, 12, 31), requested_by=supervisor,
            status=OverrideStatus.PENDING,
        )  # fmt: skip

    override()
    refusal = duplicate_refusal(_integrity_error(override))

    assert isinstance(refusal, Conflict) and refusal.status == 409
    assert refusal.message == DUPLICATE.format(what="人工调整信用等级（用户）")
    assert refusal.field == "customer"


def test_a_field_of_its_own_unique_rule_is_named(customer):
    refusal = duplicate_refusal(_integrity_error(lambda: CustomerFactory(uscc=customer.uscc)))

    assert refusal.message == DUPLICATE.format(what=f"{Customer._meta.verbose_name}（统一社会信用代码）")
    assert refusal.field == "uscc"


def test_an_integrity_error_of_no_unique_rule_is_left_as_a_bug(customer):
    error = _integrity_error(lambda: CustomerFactory(uscc=None))

    assert duplicate_refusal(error) is None
