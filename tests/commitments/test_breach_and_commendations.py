"""A letter's fulfilment follows the events (违诺 and its revocation); commendations only for honest customers."""

import csv
from datetime import date

import pytest
from django.urls import reverse

from archives import services as archives
from archives.models import CreditInformation
from commitments import services
from commitments.models import Fulfilment
from credit_portal.errors import ApplicationError
from notifications.drc.build import drc_report_build
from notifications.drc.storage import report_folder
from tests.factories import AccountFactory, CommitmentLetterFactory, rate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _report_root(settings, tmp_path):
    settings.DRC_REPORT_ROOT = str(tmp_path / "drc")
    settings.DRC_PUSH_URL = ""


def _csv(report, name):
    with (report_folder(report) / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_a_letter_under_review_has_no_fulfilment_and_an_accepted_one_is_kept_in_full(staff, applicant_customer):
    letter = CommitmentLetterFactory(customer=applicant_customer)
    assert letter.fulfilment == ""

    services.letter_decide(letter=letter, accept=True, actor=staff)

    letter.refresh_from_db()
    assert letter.fulfilment == Fulfilment.FULL


def test_an_event_imported_from_the_marketing_system_breaches_the_letter_too(staff, applicant_customer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archives.services import imports

    AccountFactory(customer=applicant_customer, opened_on=date(2015, 3, 1))
    letter = services.letter_decide(
        letter=CommitmentLetterFactory(customer=applicant_customer), accept=True, actor=staff
    )
    upload = SimpleUploadedFile(
        "events.csv", f"uscc,type,occurred_on\n{applicant_customer.uscc},unauthorized_use,2025-06-10\n".encode()
    )
    job = imports.import_preview(kind="events", upload=upload, actor=staff)

    imports.import_run(job_id=job.pk)

    letter.refresh_from_db()
    assert letter.fulfilment == Fulfilment.PARTIAL and letter.breach_event is not None
    assert letter.history.filter(history_change_reason__startswith="违诺").exists()


def test_an_event_recorded_while_the_letter_is_in_force_breaches_it_and_revoking_it_restores_it(
    client, staff, supervisor, applicant_customer
):
    AccountFactory(customer=applicant_customer, opened_on=date(2015, 3, 1))
    letter = services.letter_decide(
        letter=CommitmentLetterFactory(customer=applicant_customer), accept=True, actor=staff
    )

    event = archives.event_record(
        customer=applicant_customer, type="unauthorized_use", occurred_on=date(2025, 6, 10), actor=staff
    )

    letter.refresh_from_db()
    assert (letter.fulfilment, letter.breach_event) == (Fulfilment.PARTIAL, event)
    assert (
        "三、若发生违法失信、违约用电等行为" in letter.unfulfilled_content and "违约用电" in letter.unfulfilled_content
    )
    public = client.get(reverse("commitments:public_letters")).content.decode()
    assert "违诺" in public and "部分履行" in public
    row = _csv(drc_report_build(report_date=date(2025, 6, 16)).report, "commitments.csv")[1]
    assert row[10] == "部分履行" and "违约用电" in row[11]
    # Manual notes stay possible on a breached letter.
    services.letter_record_fulfilment(
        letter=letter, actor=staff, fulfilment=Fulfilment.PARTIAL, unfulfilled_content=letter.unfulfilled_content,
        liability_pursued="已约谈法定代表人",
    )  # fmt: skip

    request = archives.revocation_request(event=event, reason="经核实系误录", actor=staff)
    archives.revocation_decide(revocation=request, approve=True, actor=supervisor)

    letter.refresh_from_db()
    assert (letter.fulfilment, letter.breach_event, letter.unfulfilled_content) == (Fulfilment.FULL, None, "")
    assert letter.liability_pursued == "已约谈法定代表人"


def test_a_breached_letter_no_longer_stands_in_for_property_documents_even_once_the_level_recovers(
    staff, supervisor, applicant_customer
):
    from commitments.eligibility_selectors import no_property_documents

    AccountFactory(customer=applicant_customer, opened_on=date(2015, 3, 1))
    letter = services.letter_decide(
        letter=CommitmentLetterFactory(customer=applicant_customer), accept=True, actor=staff
    )
    event = archives.event_record(
        customer=applicant_customer, type="unauthorized_use", occurred_on=date(2025, 6, 10), actor=staff
    )
    rate(applicant_customer, "green")  # the level recovered (here: set directly); the promise stays broken
    today = date(2025, 7, 1)

    documents = no_property_documents(applicant_customer, today=today)

    assert documents.letter is None and documents.breached_letter == letter
    refusal = "；".join(documents.missing)
    assert f"承诺编码 {letter.code} 的承诺书已违诺" in refusal and "请重新签署信用承诺书" in refusal

    request = archives.revocation_request(event=event, reason="经核实系误录", actor=staff)
    archives.revocation_decide(revocation=request, approve=True, actor=supervisor)

    restored = no_property_documents(applicant_customer, today=today)
    assert restored.letter == letter and restored.breached_letter is None


def test_a_commendation_is_refused_for_a_customer_that_is_not_honest(drc, applicant_customer):
    rate(applicant_customer, "black")

    with pytest.raises(ApplicationError, match="表彰评优仅限诚信客户.*当前信用等级为黑色"):
        archives.credit_information_record(
            customer=applicant_customer, kind="commendation", title="诚信用电示范企业", occurred_on=date(2025, 6, 1),
            actor=drc,
        )  # fmt: skip

    assert not CreditInformation.objects.exists()


def test_an_honest_customer_is_commended_sees_it_on_its_home_page_and_the_drc_report_carries_it(
    client, drc, applicant, applicant_customer
):
    rate(applicant_customer, "green")
    archives.credit_information_record(
        customer=applicant_customer, kind="commendation", title="2025年度诚信用电示范企业", description="区发改委表彰",
        occurred_on=date(2025, 6, 1), issuing_body="淮阴区发展和改革委员会", actor=drc,
    )  # fmt: skip
    client.force_login(applicant)

    home = client.get(reverse("commitments:enterprise_home")).content.decode()

    assert "2025年度诚信用电示范企业" in home and "淮阴区发展和改革委员会" in home
    rows = _csv(drc_report_build(report_date=date(2025, 6, 16)).report, "credit_information.csv")
    assert rows[1] == [
        applicant_customer.uscc, applicant_customer.name, "表彰评优", "2025年度诚信用电示范企业：区发改委表彰",
        "淮阴区发展和改革委员会", "2025-06-01",
    ]  # fmt: skip
