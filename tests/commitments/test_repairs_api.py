"""Credit repair through the API, with the pages' permissions (an applicant only for its own enterprise),
and the pre-filled 信用修复承诺书 PDF."""

import re
import subprocess
from datetime import date

import pytest
from django.urls import reverse

from commitments.models import RepairApplication, RepairStatus
from ratings.models import CustomerRating

from .conftest import database_state, pdf, record

pytestmark = pytest.mark.django_db


def _apply_body(event, **extra):
    return {
        "event": event.pk,
        "evidence": pdf("r.pdf"),
        "commitment_file": pdf("c.pdf"),
        "committed_on": "2025-06-15",
        **extra,
    }


def test_the_flow_through_the_api(api_client_for, theft, applicant, staff, supervisor, other_applicant, drc):
    created = api_client_for(applicant).post("/api/repairs/", _apply_body(theft), format="multipart")
    assert created.status_code == 201, created.json()
    repair = created.json()
    assert (repair["status"], repair["event"], repair["decision_due_on"]) == ("submitted", theft.pk, "2025-06-30")

    assert api_client_for(other_applicant).get(f"/api/repairs/{repair['id']}/").status_code == 404
    assert api_client_for(other_applicant).get("/api/repairs/").json()["results"] == []
    assert api_client_for(applicant).post(f"/api/repairs/{repair['id']}/proposal/", {}).status_code == 403
    proposed = api_client_for(staff).post(
        f"/api/repairs/{repair['id']}/proposal/",
        {"recommendation": "approve", "correction_confirmed": True, "note": "收据属实"},
        format="json",
    )
    assert proposed.status_code == 200 and proposed.json()["status"] == "proposed"
    assert api_client_for(staff).post(f"/api/repairs/{repair['id']}/decision/", {"approve": True}).status_code == 403
    assert api_client_for(drc).post(f"/api/repairs/{repair['id']}/decision/", {"approve": True}).status_code == 403

    decided = api_client_for(supervisor).post(
        f"/api/repairs/{repair['id']}/decision/", {"approve": True, "note": "同意"}, format="json"
    )
    assert decided.status_code == 200, decided.json()
    body = decided.json()
    assert (body["status"], body["repaired_on"], body["decided_by"]) == ("approved", "2025-06-16", "supervisor")
    assert body["letter_code"].startswith("320804")
    assert CustomerRating.objects.get(customer=theft.customer).level in ("blue", "green")
    counts = api_client_for(drc).get("/api/repairs/counts/").json()
    assert (counts["approved"], counts["total"]) == (1, 1)
    assert api_client_for(applicant).get("/api/repairs/counts/").status_code == 403


def test_an_applicant_cannot_apply_for_another_enterprises_record_and_drc_cannot_apply(
    api_client_for,
    theft,
    other_applicant,
    drc,
):
    before = database_state()
    assert (
        api_client_for(other_applicant).post("/api/repairs/", _apply_body(theft), format="multipart").status_code == 404
    )
    assert api_client_for(drc).post("/api/repairs/", _apply_body(theft), format="multipart").status_code == 403
    assert database_state() == before and not RepairApplication.objects.exists()


def test_an_early_application_through_the_api_is_refused_naming_the_date(
    api_client_for,
    honest_archive,
    applicant,
    time_machine,
):
    recent = record(
        honest_archive, found_on=date(2025, 5, 6), type="theft", amount_yuan=9000, time_machine=time_machine
    )

    answer = api_client_for(applicant).post("/api/repairs/", _apply_body(recent), format="multipart")

    assert answer.status_code == 409
    assert "自 2025-08-06 起方可申请信用修复" in answer.json()["message"]
    assert not RepairApplication.objects.exists()


def test_the_drafter_of_a_proposal_cannot_decide_it_through_the_api(api_client_for, theft, applicant, supervisor):
    repair = api_client_for(applicant).post("/api/repairs/", _apply_body(theft), format="multipart").json()
    api_client_for(supervisor).post(
        f"/api/repairs/{repair['id']}/proposal/",
        {"recommendation": "approve", "correction_confirmed": True, "note": "属实"},
        format="json",
    )

    answer = api_client_for(supervisor).post(f"/api/repairs/{repair['id']}/decision/", {"approve": True}, format="json")

    assert answer.status_code == 400 and "另一名班组长" in answer.json()["message"]
    assert RepairApplication.objects.get().status == RepairStatus.PROPOSED


def test_the_pre_filled_repair_commitment_names_the_enterprise_the_record_and_the_obligations(
    client,
    theft,
    applicant,
    tmp_path,
):
    client.force_login(applicant)
    response = client.get(reverse("commitments:repair_pdf", args=[theft.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "repair.pdf"
    path.write_bytes(response.content)

    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout)

    customer = theft.customer
    assert f"我单位/公司（名称）{customer.name}，统一社会信用代码为{customer.uscc}" in text
    assert "于2025-01-10发生“窃电”失信行为（认定日期2025-01-10）" in text
    assert "已停止窃电行为，补交电费并承担违约使用电费" in text
    assert "五、本《信用修复承诺书》同意向社会公开。" in text
    assert "信用主体依法享有信用修复的权利" in text
