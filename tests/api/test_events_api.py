"""Events, revocations and public credit reports through the REST API, and the input they refuse."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from archives.models import (
    CreditEvent,
    EventRevocation,
    EventSource,
    EventStatus,
    PublicCreditReport,
    ReportStatus,
    RevocationStatus,
)
from ratings.models import CustomerRating, RatingHistory
from tests.factories import PDF_BYTES, PNG_BYTES, AccountFactory, EventFactory, ReportFactory, make_uscc

pytestmark = pytest.mark.django_db

TODAY = datetime(2025, 6, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

# A Windows executable (MZ header) dressed up as a PDF.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def pinned_today(time_machine):
    """Every test runs on 2025-06-02 (Asia/Shanghai): 2025-06-03 is in the future."""
    time_machine.move_to(TODAY, tick=False)


def _stored_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def _event(owner, **fields) -> dict:
    return {"customer": owner.uscc, "type": "late_payment", "occurred_on": "2025-05-01", **fields}


# --------------------------------------------------------------------------------------------
# Recording events
# --------------------------------------------------------------------------------------------


def test_staff_record_a_theft_and_the_customer_is_re_rated(
    api_client_for, staff, applicant_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(staff).post(
            "/api/events/",
            _event(applicant_customer, customer=applicant_customer.uscc.lower(), type="theft", amount_yuan="1200.50"),
            format="json",
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["customer"] == applicant_customer.uscc
    assert body["status"] == "in_force"
    assert body["amount_yuan"] == "1200.50"
    assert body["revocations"] == []
    event = CreditEvent.objects.get()
    assert (event.source, event.recorded_by) == (EventSource.API, staff)
    assert CustomerRating.objects.get(customer=applicant_customer).level == "red"
    assert RatingHistory.objects.get().cause_ref == str(event.pk)


def test_an_event_with_evidence_is_accepted_as_multipart(api_client_for, staff, applicant_customer):
    evidence = SimpleUploadedFile("photo.png", PNG_BYTES, content_type="image/png")

    response = api_client_for(staff).post(
        "/api/events/", _event(applicant_customer, type="grid_outage", voltage_kv="10", evidence=evidence)
    )

    assert response.status_code == 201, response.json()
    event = CreditEvent.objects.get()
    assert event.evidence.name.endswith(".png")
    assert "photo" not in event.evidence.name
    assert response.json()["evidence_url"] == f"/archives/files/evidence/{event.pk}/"


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"type": "jaywalking"}, "type", ""),
        ({"occurred_on": "2025-06-03"}, "occurred_on", "晚于今天"),
        ({"occurred_on": "03/06/2025"}, "occurred_on", ""),
        ({"type": "theft"}, "amount_yuan", "窃电金额"),
        ({"type": "theft", "amount_yuan": "-1"}, "amount_yuan", "负数"),
        ({"type": "theft", "amount_yuan": "lots"}, "amount_yuan", ""),
        ({"type": "grid_outage"}, "voltage_kv", "电压等级"),
        ({"type": "grid_outage", "voltage_kv": "0"}, "voltage_kv", "大于0"),
        ({"type": "facility_damage"}, "severity", "情节"),
        ({"type": "dishonesty", "severity": "minor"}, "severity", "无效"),
        ({"type": "dishonesty", "severity": "catastrophic"}, "severity", ""),
        ({"customer": make_uscc(999)}, "customer", "没有找到"),
        ({"customer": "not-a-uscc"}, "customer", "没有找到"),
        ({"customer": ""}, "customer", ""),
    ],
    ids=[
        "unknown-type",
        "future-date",
        "malformed-date",
        "theft-without-amount",
        "negative-theft-amount",
        "amount-not-a-number",
        "outage-without-voltage",
        "zero-voltage",
        "damage-without-severity",
        "severity-of-another-type",
        "unknown-severity",
        "unknown-customer",
        "invalid-uscc",
        "blank-customer",
    ],
)
def test_bad_event_input_names_the_field_and_records_nothing(
    api_client_for, staff, applicant_customer, fields, field, reason
):
    response = api_client_for(staff).post("/api/events/", _event(applicant_customer, **fields), format="json")

    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"], body
    assert reason in body["errors"][field][0]
    assert not CreditEvent.objects.exists()
    assert not CreditEvent.history.exists()


def test_an_event_before_the_first_account_was_opened_is_refused(api_client_for, staff, applicant_customer):
    AccountFactory(customer=applicant_customer, opened_on=date(2024, 1, 1))

    response = api_client_for(staff).post(
        "/api/events/", _event(applicant_customer, occurred_on="2023-12-31"), format="json"
    )

    assert response.status_code == 400
    assert "最早立户日期" in response.json()["errors"]["occurred_on"][0]
    assert not CreditEvent.objects.exists()


def test_a_renamed_executable_is_refused_as_evidence(api_client_for, staff, applicant_customer):
    before = _stored_files()
    evidence = SimpleUploadedFile("evidence.pdf", EXE_BYTES, content_type="application/pdf")

    response = api_client_for(staff).post("/api/events/", _event(applicant_customer, evidence=evidence))

    assert response.status_code == 400
    assert "PDF" in response.json()["errors"]["evidence"][0]
    assert not CreditEvent.objects.exists()
    assert _stored_files() == before


# --------------------------------------------------------------------------------------------
# Event list and revocation
# --------------------------------------------------------------------------------------------


def test_the_event_list_shows_status_and_revocations(
    api_client_for, staff, applicant, applicant_customer, other_customer
):
    revoked = EventFactory(customer=applicant_customer, occurred_on=date(2025, 1, 5), status=EventStatus.REVOKED)
    EventRevocation.objects.create(
        event=revoked, reason="录入错误", status=RevocationStatus.APPROVED, requested_by=staff
    )
    in_force = EventFactory(customer=applicant_customer, occurred_on=date(2025, 3, 5))
    EventFactory(customer=other_customer)

    response = api_client_for(applicant).get(f"/api/customers/{applicant_customer.uscc}/events/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["id"], row["status"]) for row in rows] == [(in_force.pk, "in_force"), (revoked.pk, "revoked")]
    assert rows[0]["revocations"] == []
    assert rows[1]["revocations"][0]["reason"] == "录入错误"
    assert rows[1]["revocations"][0]["status"] == "approved"
    assert rows[1]["revocations"][0]["requested_by"] == "staff"


def test_a_revocation_is_requested_by_staff_and_approved_by_a_supervisor(
    api_client_for, staff, supervisor, applicant_customer, django_capture_on_commit_callbacks
):
    event = EventFactory(customer=applicant_customer, type="theft", amount_yuan=1000, occurred_on=date(2025, 5, 1))

    requested = api_client_for(staff).post(
        f"/api/events/{event.pk}/revocation/", {"reason": "当事人已证明系误报"}, format="json"
    )
    assert requested.status_code == 201, requested.json()
    assert requested.json()["status"] == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        decided = api_client_for(supervisor).post(
            f"/api/revocations/{requested.json()['id']}/decision/", {"approve": True, "note": "同意"}, format="json"
        )

    assert decided.status_code == 200, decided.json()
    assert decided.json()["status"] == "approved"
    assert decided.json()["decided_by"] == "supervisor"
    event.refresh_from_db()
    assert event.status == EventStatus.REVOKED
    assert RatingHistory.objects.get().cause == "revocation"


def test_a_supervisor_cannot_approve_their_own_request(api_client_for, supervisor, applicant_customer):
    event = EventFactory(customer=applicant_customer)
    client = api_client_for(supervisor)
    revocation_id = client.post(f"/api/events/{event.pk}/revocation/", {"reason": "误录"}, format="json").json()["id"]

    response = client.post(f"/api/revocations/{revocation_id}/decision/", {"approve": True}, format="json")

    assert response.status_code == 400
    assert "本人" in response.json()["errors"]["revocation"][0]
    assert EventRevocation.objects.get().status == RevocationStatus.PENDING
    assert CreditEvent.objects.get().status == EventStatus.IN_FORCE


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"approve": False}, "note"), ({"note": "同意"}, "approve"), ({"approve": "perhaps"}, "approve")],
    ids=["refusal-without-note", "missing-decision", "not-a-boolean"],
)
def test_a_bad_decision_names_the_field_and_changes_nothing(
    api_client_for, staff, supervisor, applicant_customer, payload, field
):
    event = EventFactory(customer=applicant_customer)
    revocation = EventRevocation.objects.create(event=event, reason="误录", requested_by=staff)

    response = api_client_for(supervisor).post(f"/api/revocations/{revocation.pk}/decision/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    revocation.refresh_from_db()
    assert revocation.status == RevocationStatus.PENDING
    assert revocation.decided_by is None


@pytest.mark.parametrize(("payload", "field"), [({}, "reason"), ({"reason": "  "}, "reason")], ids=["missing", "blank"])
def test_a_revocation_request_needs_a_reason(api_client_for, staff, applicant_customer, payload, field):
    event = EventFactory(customer=applicant_customer)

    response = api_client_for(staff).post(f"/api/events/{event.pk}/revocation/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not EventRevocation.objects.exists()


def test_a_second_pending_revocation_is_refused_as_a_conflict(api_client_for, staff, applicant_customer):
    event = EventFactory(customer=applicant_customer)
    EventRevocation.objects.create(event=event, reason="误录", requested_by=staff)

    response = api_client_for(staff).post(f"/api/events/{event.pk}/revocation/", {"reason": "再申请"}, format="json")

    assert response.status_code == 409
    assert "待审批" in response.json()["errors"]["event"][0]
    assert EventRevocation.objects.count() == 1


def test_revoking_an_unknown_event_answers_404(api_client_for, staff):
    response = api_client_for(staff).post("/api/events/987654/revocation/", {"reason": "误录"}, format="json")

    assert response.status_code == 404
    assert not EventRevocation.objects.exists()


# --------------------------------------------------------------------------------------------
# Public credit reports
# --------------------------------------------------------------------------------------------


def _report(owner, **fields) -> dict:
    return {
        "customer": owner.uscc,
        "issued_on": "2025-05-20",
        "file": SimpleUploadedFile("report.pdf", PDF_BYTES, content_type="application/pdf"),
        **fields,
    }


def test_staff_upload_a_report_that_awaits_verification(api_client_for, staff, applicant_customer):
    response = api_client_for(staff).post("/api/reports/", _report(applicant_customer))

    assert response.status_code == 201, response.json()
    report = PublicCreditReport.objects.get()
    assert report.status == ReportStatus.PENDING
    assert report.shows_dishonesty is None
    assert report.uploaded_by == staff
    assert report.file.name.startswith("publiccreditreport/")
    assert response.json()["file_url"] == f"/archives/files/report/{report.pk}/"


def test_staff_who_state_the_finding_verify_the_report_at_once(
    api_client_for, staff, applicant_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(staff).post("/api/reports/", _report(applicant_customer, shows_dishonesty="false"))

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "verified"
    assert response.json()["shows_dishonesty"] is False
    assert CustomerRating.objects.filter(customer=applicant_customer).exists()


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"file": SimpleUploadedFile("report.pdf", EXE_BYTES, content_type="application/pdf")}, "file", "PDF"),
        ({"file": SimpleUploadedFile("report.pdf", b"plain text, not a pdf")}, "file", "PDF"),
        ({"file": SimpleUploadedFile("report.pdf", b"")}, "file", ""),
        ({"file": ""}, "file", ""),
        ({"issued_on": "2025-06-03"}, "issued_on", "晚于今天"),
        ({"issued_on": "yesterday"}, "issued_on", ""),
        ({"customer": make_uscc(999)}, "customer", "没有找到"),
        ({"shows_dishonesty": "maybe"}, "shows_dishonesty", ""),
    ],
    ids=[
        "renamed-executable",
        "text-as-pdf",
        "empty-file",
        "missing-file",
        "future-date",
        "malformed-date",
        "unknown-customer",
        "bad-boolean",
    ],
)
def test_a_bad_report_upload_names_the_field_and_stores_nothing(
    api_client_for, staff, applicant_customer, fields, field, reason
):
    before = _stored_files()

    response = api_client_for(staff).post("/api/reports/", _report(applicant_customer, **fields))

    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"], body
    assert reason in body["errors"][field][0]
    assert not PublicCreditReport.objects.exists()
    assert _stored_files() == before


@override_settings(UPLOAD_MAX_BYTES=1024)
def test_an_oversized_report_is_refused(api_client_for, staff, applicant_customer):
    big = SimpleUploadedFile("report.pdf", PDF_BYTES + b"0" * 2048, content_type="application/pdf")
    before = _stored_files()

    response = api_client_for(staff).post("/api/reports/", _report(applicant_customer, file=big))

    assert response.status_code == 400
    assert "文件过大" in response.json()["errors"]["file"][0]
    assert not PublicCreditReport.objects.exists()
    assert _stored_files() == before


def test_the_report_list_shows_only_visible_customers_and_filters(
    api_client_for, staff, applicant, applicant_customer, other_customer
):
    own = ReportFactory(customer=applicant_customer)
    other = ReportFactory(customer=other_customer, status=ReportStatus.VERIFIED, shows_dishonesty=False)

    def ids(client, **params) -> set[int]:
        return {row["id"] for row in client.get("/api/reports/", params).json()["results"]}

    assert ids(api_client_for(applicant)) == {own.pk}
    assert ids(api_client_for(applicant), customer=other_customer.uscc) == set()
    assert ids(api_client_for(staff)) == {own.pk, other.pk}
    assert ids(api_client_for(staff), customer=other_customer.uscc.lower()) == {other.pk}
    assert ids(api_client_for(staff), status="pending") == {own.pk}
