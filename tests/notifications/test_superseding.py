"""A notice or letter whose level is no longer in force is superseded: kept, never sent, printed or mailed."""

import subprocess
from datetime import date

import pytest
from django.urls import reverse

from archives import services as archives
from archives.models import CreditEvent
from notifications import services
from notifications.models import Channel, DeliveryStatus, Notice, NoticeKind, NoticeStatus
from ratings.models import RatingCause
from ratings.services import rating_refresh
from tests.factories import AccountFactory, CustomerFactory

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def _thief(name="淮阴窃电示例有限公司"):
    customer = CustomerFactory(name=name)
    AccountFactory(customer=customer, opened_on=date(2015, 3, 1), payment_method="prepaid")
    return customer


def _black_letter(customer, staff) -> tuple[CreditEvent, Notice]:
    theft = archives.event_record(
        customer=customer, type="theft", occurred_on=date(2026, 11, 20), amount_yuan=600000, actor=staff
    )
    letter = Notice.objects.get(customer=customer, channel=Channel.LETTER, level="black")
    assert services.notice_send(notice_id=letter.pk) == "sent"
    letter.refresh_from_db()
    return theft, letter


def _revoke(event, staff, supervisor):
    request = archives.revocation_request(event=event, reason="经核实系误录", actor=staff)
    archives.revocation_decide(revocation=request, approve=True, actor=supervisor)


def test_a_newer_level_supersedes_the_notices_not_yet_sent_and_says_why(pinned, staff):
    customer = _thief()
    archives.event_record(customer=customer, type="late_payment", occurred_on=date(2026, 5, 1), actor=staff)
    archives.event_record(customer=customer, type="late_payment", occurred_on=date(2026, 6, 1), actor=staff)
    yellow = list(Notice.objects.filter(customer=customer, level="yellow"))
    assert {n.channel for n in yellow} == {"sms", "wechat", "call"}

    archives.event_record(customer=customer, type="late_payment", occurred_on=date(2026, 7, 1), actor=staff)

    for notice in yellow:
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.SUPERSEDED
        assert notice.superseded_level == "red"
        assert "变更为红色" in notice.superseded_reason
    assert set(Notice.objects.filter(customer=customer, level="red").values_list("status", flat=True)) == {"pending"}
    # Kept, and never sent by a worker that still had it in a batch.
    assert services.notice_send(notice_id=yellow[0].pk) == "skipped"


def test_a_worker_about_to_send_an_outdated_notice_supersedes_it_instead(pinned, outbox):
    customer = _thief()
    first = rating_refresh(customer=customer, cause=RatingCause.MANUAL, as_of=AS_OF)
    assert first.level == "unrated"
    CreditEvent.objects.create(customer=customer, type="theft", occurred_on=date(2026, 11, 1), amount_yuan=1)
    rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)  # red: letter + sms
    sms = Notice.objects.get(customer=customer, level="red", channel="sms")
    # A newer level written by a path that left this notice pending (e.g. broker down, then a revocation).
    Notice.objects.filter(pk=sms.pk).update(status=NoticeStatus.PENDING)
    CreditEvent.objects.filter(customer=customer).update(status="revoked")
    rating_refresh(customer=customer, cause=RatingCause.REVOCATION, as_of=AS_OF)
    Notice.objects.filter(pk=sms.pk).update(status=NoticeStatus.PENDING, superseded_reason="")

    assert services.notice_send(notice_id=sms.pk) == "superseded"

    sms.refresh_from_db()
    assert (sms.status, sms.superseded_level) == (NoticeStatus.SUPERSEDED, "unrated")
    assert outbox("sms") == []


def test_revoking_the_theft_supersedes_the_black_letter_and_the_queue_shows_the_level_now(
    pinned, client, staff, supervisor, other_supervisor
):
    customer = _thief()
    theft, letter = _black_letter(customer, staff)
    assert letter.payload["event_ids"] == [theft.pk]

    _revoke(theft, staff, supervisor)

    letter.refresh_from_db()
    assert letter.status == NoticeStatus.SUPERSEDED
    assert letter.superseded_level == "unrated"
    client.force_login(supervisor)
    to_print = client.get(reverse("notifications:letter_list")).content.decode()
    assert letter.reference not in to_print
    page = client.get(reverse("notifications:letter_list") + "?state=superseded").content.decode()
    assert letter.reference in page and "已作废" in page and "变更为未定级" in page
    # Neither printable nor mailable any more.
    response = client.post(reverse("notifications:letters_print"), {"notice": [letter.pk]}, follow=True)
    assert "没有可打印的告知函" in response.content.decode()
    letter.refresh_from_db()
    assert (letter.status, letter.delivery_status) == (NoticeStatus.SUPERSEDED, "")


def test_a_revoked_event_supersedes_the_letter_that_quoted_it_even_when_the_level_stays(pinned, staff, supervisor):
    customer = _thief()
    theft, letter = _black_letter(customer, staff)
    archives.event_record(customer=customer, type="order_disruption", occurred_on=date(2026, 11, 21), actor=staff)
    assert letter.payload["event_ids"] == [theft.pk]

    _revoke(theft, staff, supervisor)

    letter.refresh_from_db()
    assert letter.status == NoticeStatus.SUPERSEDED
    assert "已撤销" in letter.superseded_reason and letter.superseded_level == "black"


def test_a_letter_superseded_while_the_level_stays_is_reissued_with_the_basis_in_force(
    pinned, staff, supervisor, django_capture_on_commit_callbacks
):
    customer = _thief()
    theft, letter = _black_letter(customer, staff)
    disruption = archives.event_record(
        customer=customer, type="order_disruption", occurred_on=date(2026, 11, 21), actor=staff
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _revoke(theft, staff, supervisor)

    reissued = Notice.objects.get(customer=customer, kind=NoticeKind.LETTER_REISSUE)
    assert (reissued.channel, reissued.level, reissued.status) == (Channel.LETTER, "black", NoticeStatus.PENDING)
    assert reissued.rating_change_id == letter.rating_change_id
    assert callbacks  # queued for the workers once the revocation commits
    assert services.notice_send(notice_id=reissued.pk) == "sent"
    reissued.refresh_from_db()
    content = reissued.payload
    assert content["event_ids"] == [disruption.pk] and theft.pk not in content["event_ids"]
    assert content["rules"] and "black.3" not in [rule["id"] for rule in content["rules"]]  # the theft's rule
    assert "已撤销" in content["reissue_reason"] and content["level"] == "black"
    assert content["reference"] != letter.payload["reference"]  # a letter of its own number
    assert services.letter_pdf(notice=reissued).startswith(b"%PDF")
    # Revoking again (a redelivered signal) issues no second letter for the same event.
    services.letter_reissue(customer_id=customer.pk, event_id=theft.pk, event_label=str(theft))
    assert Notice.objects.filter(customer=customer, kind=NoticeKind.LETTER_REISSUE).count() == 1


def test_no_letter_is_reissued_when_the_revocation_changes_the_level(pinned, staff, supervisor):
    customer = _thief()
    theft, _letter = _black_letter(customer, staff)

    _revoke(theft, staff, supervisor)

    assert not Notice.objects.filter(customer=customer, kind=NoticeKind.LETTER_REISSUE).exists()


def test_the_letter_queue_shows_each_customers_current_level(pinned, client, staff, supervisor):
    customer = _thief()
    _theft, letter = _black_letter(customer, staff)
    client.force_login(staff)

    page = client.get(reverse("notifications:letter_list")).content.decode()

    assert letter.reference in page
    assert 'class="level-now"><span class="badge black">黑色</span>' in page


def test_printing_a_letter_whose_level_changed_supersedes_it_instead(pinned, staff):
    customer = _thief()
    _theft, letter = _black_letter(customer, staff)
    other = _thief("淮阴仍为黑色有限公司")
    _t2, kept = _black_letter(other, staff)
    # The level moved on without passing through the notices (a path that bypassed them).
    Notice.objects.filter(pk=letter.pk).update(status=NoticeStatus.SENT)
    rating_refresh(customer=customer, cause=RatingCause.MANUAL, as_of=date(2028, 1, 1))
    Notice.objects.filter(pk=letter.pk).update(status=NoticeStatus.SENT, delivery_status="")

    content = services.letters_print(notices=[letter, kept], actor=staff)

    assert content.startswith(b"%PDF")
    letter.refresh_from_db()
    kept.refresh_from_db()
    assert letter.status == NoticeStatus.SUPERSEDED
    assert (kept.status, kept.delivery_status) == (NoticeStatus.SENT, DeliveryStatus.PRINTED)


def test_printing_only_letters_whose_level_changed_prints_nothing_and_says_so(
    pinned, client, staff, django_capture_on_commit_callbacks
):
    customer = _thief()
    _theft, letter = _black_letter(customer, staff)
    rating_refresh(customer=customer, cause=RatingCause.MANUAL, as_of=date(2028, 1, 1))
    Notice.objects.filter(pk=letter.pk).update(status=NoticeStatus.SENT, delivery_status="")
    client.force_login(staff)

    # The print job starts on commit and runs in-process here; its page then says why nothing was printed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:letters_print"), {"notice": [letter.pk]}, follow=True)
    response = client.get(response.request["PATH_INFO"])

    assert "已作废，未打印" in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == NoticeStatus.SUPERSEDED


def _pdf_text(content: bytes, tmp_path) -> str:
    assert content.startswith(b"%PDF")
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_superseded_letter_says_so_to_the_enterprise_and_to_staff_when_and_by_what(
    pinned, client, staff, supervisor, applicant, other_applicant, applicant_customer, tmp_path
):
    AccountFactory(customer=applicant_customer, opened_on=date(2015, 3, 1), payment_method="prepaid")
    theft, letter = _black_letter(applicant_customer, staff)
    archives.event_record(
        customer=applicant_customer, type="order_disruption", occurred_on=date(2026, 11, 21), actor=staff
    )
    _revoke(theft, staff, supervisor)
    reissued = Notice.objects.get(customer=applicant_customer, kind=NoticeKind.LETTER_REISSUE)
    assert services.notice_send(notice_id=reissued.pk) == "sent"
    reissued.refresh_from_db()
    letter.refresh_from_db()
    assert letter.status == NoticeStatus.SUPERSEDED
    pdf_url = reverse("notifications:letter_pdf", args=[letter.pk])

    client.force_login(applicant)
    listing = client.get(reverse("notifications:my_notices")).content.decode()
    row = listing.split(letter.reference, 1)[1].split("</tr>", 1)[0]
    assert "已作废" in row and "已撤销" in row and f"{letter.superseded_at:%Y}" in row
    home = client.get(reverse("commitments:enterprise_home")).content.decode()
    assert "已作废" in home.split(letter.reference, 1)[1].split("</li>", 1)[0]
    for reader in (applicant, staff):
        client.force_login(reader)
        response = client.get(pdf_url)
        assert response.status_code == 200
        text = "".join(_pdf_text(response.content, tmp_path).split())
        assert "本告知函已作废" in text and "已撤销" in text
        assert f"以{reissued.reference}告知函为准" in text
    # The letter that replaced it carries no stamp; another enterprise still cannot open either.
    client.force_login(applicant)
    replaced = "".join(
        _pdf_text(client.get(reverse("notifications:letter_pdf", args=[reissued.pk])).content, tmp_path).split()
    )
    assert "本告知函已作废" not in replaced
    client.force_login(other_applicant)
    assert client.get(pdf_url).status_code == 404
    assert letter.reference not in client.get(reverse("notifications:my_notices")).content.decode()
