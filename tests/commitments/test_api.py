"""The enterprise side of the REST API: who may call what, scoped reads (another enterprise: 404),
bad input answered 400 with the field and nothing written, and every endpoint in the OpenAPI schema."""

from datetime import date

import pytest

from commitments import services
from commitments.models import CommitmentLetter, PowerApplication
from tests.factories import (
    CommitmentLetterFactory,
    EventFactory,
    PowerApplicationFactory,
    ReportFactory,
    ServiceRequestFactory,
    make_uscc,
    rate,
    registrant_consent,
)

from .conftest import database_state, fake_pdf, pdf

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "staff", "supervisor", "drc", "applicant", "other_applicant")
ENDPOINTS = [
    "/api/registrations/",
    "/api/registrations/{id}/decision/",
    "/api/commitment-letters/",
    "/api/commitment-letters/{id}/",
    "/api/commitment-letters/{id}/decision/",
    "/api/public/commitment-letters/",
    "/api/report-submissions/",
    "/api/applications/",
    "/api/applications/queue/",
    "/api/applications/turnaround/",
    "/api/applications/{id}/",
    "/api/applications/{id}/status/",
    "/api/service-requests/",
    "/api/service-requests/{id}/status/",
    "/api/objections/",
    "/api/objections/{id}/",
    "/api/objections/{id}/review/",
    "/api/objections/{id}/decision/",
]


@pytest.fixture
def world(staff, supervisor, drc, applicant, other_applicant, applicant_customer, other_customer):
    rate(applicant_customer, "blue")
    objection = services.objection_submit(
        event=EventFactory(customer=applicant_customer), actor=applicant, reason="误录"
    )
    second = services.objection_submit(
        event=EventFactory(customer=applicant_customer, occurred_on=date(2025, 1, 2)), actor=applicant, reason="误录"
    )
    reviewed = services.objection_review(objection=second, actor=staff, recommendation="uphold", note="属实")
    registration = services.enterprise_register(
        uscc=other_customer.uscc, enterprise_name=other_customer.name, contact_person="钱七", phone="13600000009",
        password="Another-Pass-2025", password_again="Another-Pass-2025", **registrant_consent(),
    )  # fmt: skip
    return {
        "users": {"staff": staff, "supervisor": supervisor, "drc": drc, "applicant": applicant,
                  "other_applicant": other_applicant},
        "uscc": applicant_customer.uscc,
        "letter": CommitmentLetterFactory(customer=applicant_customer).pk,
        "application": PowerApplicationFactory(customer=applicant_customer).pk,
        "service": ServiceRequestFactory(customer=applicant_customer).pk,
        "objection": objection.pk,
        "reviewed": reviewed.pk,
        "registration": registration.pk,
        "free_event": EventFactory(customer=applicant_customer, occurred_on=date(2025, 1, 3)).pk,
    }  # fmt: skip


def _client(api_client_for, world, persona):
    return api_client_for(None if persona == "anonymous" else world["users"][persona])


# (name, method, url, body (callable on world) and format, expected status per persona in PERSONAS order)
MATRIX = [
    ("registrations", "get", "/api/registrations/", None, (401, 200, 200, 403, 403, 403)),
    ("registration decision", "post", "/api/registrations/{registration}/decision/",
     lambda w: ({"confirm": True}, "json"), (401, 200, 200, 403, 403, 403)),
    ("letters", "get", "/api/commitment-letters/", None, (401, 200, 200, 200, 200, 200)),
    ("letter", "get", "/api/commitment-letters/{letter}/", None, (401, 200, 200, 200, 200, 404)),
    ("letter decision", "post", "/api/commitment-letters/{letter}/decision/",
     lambda w: ({"accept": True}, "json"), (401, 200, 200, 403, 403, 403)),
    ("letter upload", "post", "/api/commitment-letters/",
     lambda w: ({"committed_on": "2025-06-10", "file": pdf()}, "multipart"), (401, 404, 404, 404, 409, 201)),
    ("public letters", "get", "/api/public/commitment-letters/", None, (200, 200, 200, 200, 200, 200)),
    ("report submission", "post", "/api/report-submissions/",
     lambda w: ({"customer": w["uscc"], "issued_on": "2025-06-10", "file": pdf()}, "multipart"),
     (401, 400, 400, 201, 201, 404)),
    ("applications", "get", "/api/applications/", None, (401, 200, 200, 200, 200, 200)),
    ("application", "get", "/api/applications/{application}/", None, (401, 200, 200, 404, 200, 404)),
    ("application queue", "get", "/api/applications/queue/", None, (401, 200, 200, 403, 403, 403)),
    ("turnaround", "get", "/api/applications/turnaround/", None, (401, 200, 200, 403, 403, 403)),
    ("application status", "post", "/api/applications/{application}/status/",
     lambda w: ({"status": "accepted"}, "json"), (401, 200, 200, 403, 403, 403)),
    ("service requests", "get", "/api/service-requests/", None, (401, 200, 200, 200, 200, 200)),
    ("service status", "post", "/api/service-requests/{service}/status/",
     lambda w: ({"status": "accepted"}, "json"), (401, 200, 200, 403, 403, 403)),
    ("service request", "post", "/api/service-requests/",
     lambda w: ({"service": "safety_steward"}, "json"), (401, 404, 404, 404, 201, 409)),
    ("objections", "get", "/api/objections/", None, (401, 200, 200, 200, 200, 200)),
    ("objection", "get", "/api/objections/{objection}/", None, (401, 200, 200, 404, 200, 404)),
    ("objection create", "post", "/api/objections/",
     lambda w: ({"event": w["free_event"], "reason": "已补缴"}, "json"), (401, 404, 404, 404, 201, 404)),
    ("objection review", "post", "/api/objections/{objection}/review/",
     lambda w: ({"recommendation": "refuse", "note": "属实"}, "json"), (401, 200, 200, 403, 403, 403)),
    ("objection decision", "post", "/api/objections/{reviewed}/decision/",
     lambda w: ({"uphold": False, "note": "逾期属实"}, "json"), (401, 403, 200, 403, 403, 403)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "url", "body", "persona", "expected"),
    [
        pytest.param(method, url, body, persona, expected, id=f"{name}-{persona}-{expected}")
        for name, method, url, body, statuses in MATRIX
        for persona, expected in zip(PERSONAS, statuses, strict=True)
    ],
)
def test_each_persona_gets_the_expected_answer_from_each_endpoint(
    api_client_for, world, django_capture_on_commit_callbacks, method, url, body, persona, expected
):
    url = url.format(**world)
    before = database_state()
    data, fmt = body(world) if body else (None, None)

    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(_client(api_client_for, world, persona), method)(url, data, format=fmt)

    assert response.status_code == expected, (
        f"{method.upper()} {url} as {persona}: {response.status_code} {response.content[:300]}"
    )
    if expected >= 400:
        assert database_state() == before
        assert "message" in response.json()


def test_lists_are_scoped_to_the_applicants_own_enterprise(api_client_for, world, other_applicant):
    client = _client(api_client_for, world, "other_applicant")

    for url in ("/api/commitment-letters/", "/api/applications/", "/api/service-requests/", "/api/objections/"):
        assert client.get(url).json()["count"] == 0, url


def test_an_applicant_submitting_a_report_for_another_enterprise_gets_404(api_client_for, world, other_customer):
    before = database_state()

    response = _client(api_client_for, world, "applicant").post(
        "/api/report-submissions/",
        {"customer": other_customer.uscc, "issued_on": "2025-06-10", "file": pdf()},
        format="multipart",
    )

    assert response.status_code == 404
    assert database_state() == before


@pytest.mark.parametrize(
    ("url", "body", "field", "message"),
    [
        ("/api/commitment-letters/", {"committed_on": "2025-06-10", "file": fake_pdf()}, "file", "只接受 PDF"),
        ("/api/applications/", {"kind": "new_connection", "address": "淮阴区", "capacity_kva": "100",
                                "requested_on": "2025-07-01", "route": "no_property"}, "route", "贵单位还缺少"),
        ("/api/service-requests/", {"service": "bill_finance"}, "service", "当前信用等级为：待评定"),
    ],
)  # fmt: skip
def test_bad_input_is_answered_400_with_the_field_and_nothing_changes(api_client_for, world, url, body, field, message):
    before = database_state()

    response = _client(api_client_for, world, "other_applicant").post(url, body, format="multipart")

    # A refusal for the enterprise's level is its state's, not the request's: 409.
    assert response.status_code == (409 if url == "/api/service-requests/" else 400)
    assert message in response.json()["errors"][field][0]
    assert database_state() == before


def test_registration_through_the_api_needs_no_login_and_checks_the_uscc(api_client):
    form = {"uscc": "91320804MA1M9QX2AX", "enterprise_name": "淮阴辛有限公司", "contact_person": "周九",
            "phone": "13300000003", "password": "Api-Register-2025", "password_again": "Api-Register-2025",
            **registrant_consent()}  # fmt: skip

    refused = api_client.post("/api/registrations/", form, format="json")
    accepted = api_client.post("/api/registrations/", {**form, "uscc": make_uscc(92_001)}, format="json")

    assert (refused.status_code, refused.json()["errors"]["uscc"][0]) == (
        400,
        "统一社会信用代码“91320804MA1M9QX2AX”无效：校验码错误",
    )
    assert accepted.status_code == 201
    assert accepted.json()["status"] == "pending"
    assert "password" not in accepted.json()


def test_an_applicant_applies_on_the_no_property_route_and_staff_see_it_first_in_the_queue(
    api_client_for, world, staff, applicant_customer
):
    ReportFactory(customer=applicant_customer, issued_on=date(2025, 6, 1), status="verified", shows_dishonesty=False)
    services.letter_decide(letter=CommitmentLetter.objects.get(pk=world["letter"]), accept=True, actor=staff)
    PowerApplication.objects.all().delete()
    PowerApplicationFactory(customer=rate(world["users"]["other_applicant"].membership.customer, "yellow").customer)

    response = _client(api_client_for, world, "applicant").post(
        "/api/applications/",
        {"kind": "capacity_increase", "address": "淮阴区长江东路8号", "capacity_kva": "630",
         "requested_on": "2025-07-01", "route": "no_property"},
        format="multipart",
    )  # fmt: skip
    queue = _client(api_client_for, world, "staff").get("/api/applications/queue/").json()["results"]

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["route"], body["honest"], body["letter_code"]) == ("no_property", True, "32080420250601000001")
    assert [row["id"] for row in queue][0] == body["id"]
    assert queue[0]["level"] == "blue"


def test_the_schema_lists_every_enterprise_endpoint(api_client):
    paths = api_client.get("/api/schema/", {"format": "json"}).json()["paths"]

    assert set(ENDPOINTS) <= set(paths)
