"""`make run`'s demo data of the enterprise side: an accepted letter and an application, once."""

import io

import pytest
from django.core.management import CommandError, call_command

from commitments.models import CommitmentLetter, LetterStatus, PowerApplication, RepairApplication

pytestmark = pytest.mark.django_db


def test_the_demo_applicant_gets_an_accepted_letter_and_an_application_once(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", customers=24, stdout=io.StringIO())
    out = io.StringIO()

    call_command("seed_demo_commitments", stdout=out)
    call_command("seed_demo_commitments", stdout=io.StringIO())

    letter = CommitmentLetter.objects.get()
    assert letter.status == LetterStatus.ACCEPTED and letter.code
    application = PowerApplication.objects.get()
    assert application.customer == letter.customer and application.submitted_by.username == "applicant"
    if application.route == "no_property":
        assert application.letter == letter and application.report is not None
    assert letter.code in out.getvalue()
    repair = RepairApplication.objects.get()  # one repairable record, filed at the counter, to check
    assert (repair.status, repair.filed_at_counter, repair.event.dishonesty_class) == ("submitted", True, "minor")
    assert repair.customer != letter.customer and "信用修复申请已由营业厅代为登记" in out.getvalue()


def test_it_needs_the_demo_logins_and_demo_mode(settings):
    settings.DEMO_MODE = True
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_commitments", stdout=io.StringIO())
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="演示模式"):
        call_command("seed_demo_commitments", stdout=io.StringIO())
    assert not CommitmentLetter.objects.exists()
