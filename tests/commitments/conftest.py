"""Fixtures of the enterprise-side tests: a pinned today, uploads, and the state of every table they write."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from archives.models import (
    CreditEvent,
    Customer,
    ElectricityAccount,
    EventRevocation,
    Membership,
    PublicCreditReport,
)
from archives.services import event_record
from commitments.models import (
    CommitmentLetter,
    EnterpriseRegistration,
    MeasureTask,
    Objection,
    PowerApplication,
    RepairApplication,
    RepairProposal,
    ValueAddedServiceRequest,
)
from ratings.models import CustomerRating
from tests.factories import PDF_BYTES, PNG_BYTES, AccountFactory, ReportFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime(2025, 6, 16, 10, 0, tzinfo=SHANGHAI)
# The PNG signature and an IHDR chunk: enough for content sniffing to say image/png.


@pytest.fixture(autouse=True)
def _today(time_machine):
    """Every test of the enterprise side runs on 2025-06-16 at 10:00 in Asia/Shanghai."""
    time_machine.move_to(TODAY, tick=False)


def pdf(name: str = "file.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def png(name: str = "scan.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def fake_pdf(name: str = "letter.pdf") -> SimpleUploadedFile:
    """A text file dressed up as a PDF: its name and content type lie, its content does not."""
    return SimpleUploadedFile(name, "这不是PDF文件".encode(), content_type="application/pdf")


def database_state() -> dict:
    """Every row the enterprise side can write, with the fields that change."""
    return {
        "customers": list(Customer.objects.order_by("pk").values_list("pk", "uscc", "name")),
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", "customer_id", "confirmed_at")),
        "registrations": list(EnterpriseRegistration.objects.order_by("pk").values_list("pk", "status")),
        "letters": list(CommitmentLetter.objects.order_by("pk").values_list("pk", "status", "code", "fulfilment")),
        "reports": list(PublicCreditReport.objects.order_by("pk").values_list("pk", "status", "shows_dishonesty")),
        "applications": list(PowerApplication.objects.order_by("pk").values_list("pk", "status", "rejection_reason")),
        "services": list(ValueAddedServiceRequest.objects.order_by("pk").values_list("pk", "status")),
        "objections": list(
            Objection.objects.order_by("pk").values_list(
                "pk", "status", "revocation_id", "subject", "channel", "corrected_arrears_since"
            )
        ),
        "disputed_events": Objection.disputed_events.through.objects.count(),
        "arrears": list(ElectricityAccount.objects.order_by("pk").values_list("pk", "arrears_since")),
        "events": list(CreditEvent.objects.order_by("pk").values_list("pk", "status")),
        "revocations": list(EventRevocation.objects.order_by("pk").values_list("pk", "status")),
        "ratings": list(CustomerRating.objects.order_by("customer_id").values_list("customer_id", "level")),
        "repairs": list(RepairApplication.objects.order_by("pk").values_list("pk", "status", "repaired_on")),
        "repair_proposals": list(RepairProposal.objects.order_by("pk").values_list("pk", "status")),
        "repaired_events": list(CreditEvent.objects.order_by("pk").values_list("pk", "repaired_on")),
        "measures": list(MeasureTask.objects.order_by("pk").values_list("pk", "status", "outcome_note")),
    }


# --------------------------------------------------------------------------------------------
# Credit repair: events recorded on a past day (认定日期), and an archive that is otherwise clean
# --------------------------------------------------------------------------------------------


def record(customer, *, found_on: date, time_machine, **fields) -> CreditEvent:
    """Record an event as staff would have on ``found_on`` (认定日期), then come back to today."""
    time_machine.move_to(datetime(found_on.year, found_on.month, found_on.day, 9, 0, tzinfo=SHANGHAI), tick=False)
    event = event_record(customer=customer, actor=UserFactory(), **{"occurred_on": found_on, **fields})
    time_machine.move_to(TODAY, tick=False)
    return event


@pytest.fixture
def honest_archive(applicant_customer):
    """An account with no arrears and a verified clean report: only the events below keep it from blue."""
    AccountFactory(customer=applicant_customer, opened_on=date(2018, 1, 1), payment_method="prepaid")
    ReportFactory(customer=applicant_customer, issued_on=date(2025, 6, 1), status="verified", shows_dishonesty=False)
    return applicant_customer


@pytest.fixture
def theft(honest_archive, time_machine):
    """A 一般 theft (20,000 yuan, below black.3's amount) found on 2025-01-10: red.3; repairable from 2025-04-10."""
    return record(
        honest_archive, found_on=date(2025, 1, 10), type="theft", amount_yuan=20000, time_machine=time_machine
    )
