"""Who may call which endpoint: every endpoint × method × persona, and refused calls change nothing.

Anonymous requests answer 401 with a WWW-Authenticate challenge (token authentication is listed first).
"""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from archives.models import CreditEvent, Customer, EventRevocation, PublicCreditReport
from ratings.models import CustomerRating, RatingHistory
from tests.factories import PDF_BYTES, EventFactory, UserFactory, make_uscc

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "staff", "supervisor", "applicant", "other_applicant", "drc")

# (endpoint, method, url, body, expected status per persona in PERSONAS order)
# The customer in every URL is the applicant's own enterprise, so other_applicant probes another's.
MATRIX = [
    ("customer list", "get", "/api/customers/", None, (401, 200, 200, 200, 200, 200)),
    ("customer create", "post", "/api/customers/", "customer", (401, 201, 201, 403, 403, 403)),
    ("customer detail", "get", "/api/customers/{uscc}/", None, (401, 200, 200, 200, 404, 200)),
    ("customer replace", "put", "/api/customers/{uscc}/", "customer", (401, 405, 405, 403, 403, 403)),
    ("customer edit", "patch", "/api/customers/{uscc}/", "customer", (401, 405, 405, 403, 403, 403)),
    ("customer delete", "delete", "/api/customers/{uscc}/", None, (401, 405, 405, 403, 403, 403)),
    ("customer events", "get", "/api/customers/{uscc}/events/", None, (401, 200, 200, 200, 404, 200)),
    ("customer events delete", "delete", "/api/customers/{uscc}/events/", None, (401, 405, 405, 403, 403, 403)),
    ("customer rating", "get", "/api/customers/{uscc}/rating/", None, (401, 200, 200, 200, 404, 200)),
    ("customer rating history", "get", "/api/customers/{uscc}/rating/history/", None, (401, 200, 200, 200, 404, 200)),
    ("event list", "get", "/api/events/", None, (401, 405, 405, 405, 405, 405)),
    ("event create", "post", "/api/events/", "event", (401, 201, 201, 403, 403, 403)),
    ("revocation request", "post", "/api/events/{event_id}/revocation/", "revocation", (401, 201, 201, 403, 403, 403)),
    (
        "revocation decision",
        "post",
        "/api/revocations/{revocation_id}/decision/",
        "decision",
        (401, 403, 200, 403, 403, 403),
    ),
    ("report list", "get", "/api/reports/", None, (401, 200, 200, 200, 200, 200)),
    ("report upload", "post", "/api/reports/", "report", (401, 201, 201, 403, 403, 403)),
]


def _cases():
    for endpoint, method, url, body, expected in MATRIX:
        for persona, status in zip(PERSONAS, expected, strict=True):
            yield pytest.param(method, url, body, persona, status, id=f"{endpoint}-{persona}-{status}")


@pytest.fixture
def world(staff, supervisor, applicant, other_applicant, drc, applicant_customer):
    """The applicant's enterprise, an event to revoke, and a clerk's pending revocation to decide."""
    clerk = UserFactory(username="clerk")
    clerk.groups.add(*staff.groups.all())
    pending = EventRevocation.objects.create(
        event=EventFactory(customer=applicant_customer, occurred_on=date(2024, 1, 10)),
        reason="误录",
        requested_by=clerk,
    )
    return {
        "uscc": applicant_customer.uscc,
        "event_id": EventFactory(customer=applicant_customer, occurred_on=date(2024, 2, 10)).pk,
        "revocation_id": pending.pk,
    }


def _body(kind: str | None, world: dict) -> tuple[dict | None, str]:
    if kind == "customer":
        return {"uscc": make_uscc(555), "name": "淮阴新企业有限公司"}, "json"
    if kind == "event":
        return {"customer": world["uscc"], "type": "late_payment", "occurred_on": "2024-03-01"}, "json"
    if kind == "revocation":
        return {"reason": "当事人提供了缴费凭证"}, "json"
    if kind == "decision":
        return {"approve": True, "note": "同意"}, "json"
    if kind == "report":
        file = SimpleUploadedFile("report.pdf", PDF_BYTES, content_type="application/pdf")
        return {"customer": world["uscc"], "issued_on": "2024-03-01", "file": file}, "multipart"
    return None, "json"


def _snapshot() -> dict:
    """Everything a write could touch, audit history included."""
    return {
        "customers": list(Customer.objects.order_by("pk").values_list("pk", "uscc", "name", "updated_at")),
        "events": list(CreditEvent.objects.order_by("pk").values_list("pk", "status")),
        "revocations": list(EventRevocation.objects.order_by("pk").values_list("pk", "status", "decided_by")),
        "reports": list(PublicCreditReport.objects.order_by("pk").values_list("pk", "status")),
        "ratings": (CustomerRating.objects.count(), RatingHistory.objects.count()),
        "history": tuple(
            model.history.count() for model in (Customer, CreditEvent, EventRevocation, PublicCreditReport)
        ),
    }


@pytest.mark.parametrize(("method", "url", "body", "persona", "expected"), list(_cases()))
def test_permission_matrix(request, api_client_for, world, method, url, body, persona, expected):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    data, format_ = _body(body, world)
    before = _snapshot()

    response = getattr(api_client_for(user), method)(url.format(**world), data, format=format_)

    assert response.status_code == expected, response.content
    assert set(response.json()) >= ({"message", "errors"} if expected >= 400 else set())
    if expected in (200, 201) and method != "get":
        assert _snapshot() != before
    else:
        assert _snapshot() == before


def test_another_enterprises_data_never_appears_in_an_applicants_lists(
    api_client_for, world, other_applicant, applicant_customer
):
    client = api_client_for(other_applicant)

    for url in ("/api/customers/", f"/api/customers/?search={applicant_customer.uscc}", "/api/reports/"):
        assert applicant_customer.uscc not in client.get(url).content.decode(), url


# --------------------------------------------------------------------------------------------
# Token authentication
# --------------------------------------------------------------------------------------------


def test_a_token_obtained_with_the_password_authenticates_api_calls(api_client, applicant, applicant_customer):
    response = api_client.post(
        "/api/token/", {"username": "applicant", "password": "portal-test-password"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=applicant).key == token

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = api_client.get("/api/customers/")

    assert listed.status_code == 200
    assert [row["uscc"] for row in listed.json()["results"]] == [applicant_customer.uscc]


def test_a_token_applicant_still_gets_404_for_another_enterprise(api_client, applicant, other_customer):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=applicant).key}")

    assert api_client.get(f"/api/customers/{other_customer.uscc}/").status_code == 404


def test_a_drc_token_cannot_write(api_client, drc, applicant_customer):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=drc).key}")

    response = api_client.post(
        "/api/events/",
        {"customer": applicant_customer.uscc, "type": "late_payment", "occurred_on": "2024-03-01"},
        format="json",
    )

    assert response.status_code == 403
    assert not CreditEvent.objects.exists()


def test_a_wrong_password_gets_no_token(api_client, staff):
    response = api_client.post("/api/token/", {"username": "staff", "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]
    assert not Token.objects.exists()


def test_an_invalid_token_is_refused(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    response = api_client.get("/api/customers/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["message"]


def test_a_call_without_credentials_is_challenged_with_401(api_client):
    response = api_client.get("/api/customers/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_malformed_authorization_header_is_challenged_with_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token two words")

    response = api_client.get("/api/customers/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
