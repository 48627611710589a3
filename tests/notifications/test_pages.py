"""The staff queues and the enterprise's own notices, as the roles see them."""

from datetime import date

import pytest
from django.urls import reverse

from notifications import services
from notifications.models import Channel, Notice, NoticeStatus
from ratings.models import RatingCause
from ratings.services import rating_refresh
from tests.factories import AccountFactory, EventFactory

from .conftest import AS_OF, late_payer

pytestmark = pytest.mark.django_db


def _make(customer, late_payments: int) -> None:
    AccountFactory(customer=customer)
    for month in range(1, late_payments + 1):
        EventFactory(customer=customer, type="late_payment", occurred_on=date(2026, month, 15))
    rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)
    services.notices_send(notice_ids=Notice.objects.filter(customer=customer).values_list("pk", flat=True))


@pytest.fixture
def red_enterprise(applicant_customer, outbox):
    _make(applicant_customer, 3)
    return applicant_customer


def test_staff_see_the_queues_in_the_navigation_and_their_counts(client, staff, pinned, outbox):
    for customer in (late_payer(late_payments=2), late_payer(late_payments=3)):
        rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)
        services.notices_send(notice_ids=Notice.objects.filter(customer=customer).values_list("pk", flat=True))
    client.force_login(staff)

    page = client.get(reverse("notifications:queues")).content.decode()

    assert 'href="/notifications/"' in client.get(reverse("notifications:call_list")).content.decode()
    assert "待拨打 <strong>1</strong>" in page and "待打印 <strong>1</strong>" in page


def test_an_applicant_sees_its_own_notices_and_letter_but_no_staff_queue(client, applicant, red_enterprise, pinned):
    client.force_login(applicant)

    page = client.get(reverse("notifications:my_notices")).content.decode()
    letter = Notice.objects.get(customer=red_enterprise, channel=Channel.LETTER)

    assert red_enterprise.name in page and letter.reference in page and "红色" in page
    assert client.get(reverse("notifications:letter_pdf", args=[letter.pk]))["Content-Type"] == "application/pdf"
    assert client.get(reverse("notifications:queues")).status_code == 403
    assert client.get(reverse("notifications:letter_list")).status_code == 403


def test_an_applicant_cannot_open_another_enterprises_letter_or_see_its_notices(
    client, other_applicant, red_enterprise, pinned
):
    letter = Notice.objects.get(customer=red_enterprise, channel=Channel.LETTER)
    client.force_login(other_applicant)

    assert client.get(reverse("notifications:letter_pdf", args=[letter.pk])).status_code == 404
    page = client.get(reverse("notifications:my_notices")).content.decode()
    assert red_enterprise.name not in page and letter.reference not in page


def test_an_unconfirmed_enterprise_account_sees_no_notices(client, applicant, red_enterprise, pinned):
    applicant.membership.confirmed_at = None
    applicant.membership.save()
    client.force_login(applicant)

    response = client.get(reverse("notifications:my_notices"))

    assert response.status_code == 403 and red_enterprise.name not in response.content.decode()


def test_the_drc_cannot_work_the_queues(client, drc):
    client.force_login(drc)

    assert client.get(reverse("notifications:queues")).status_code == 403


def test_staff_record_a_calls_outcome_and_a_missing_note_changes_nothing(client, staff, pinned, outbox):
    customer = late_payer(late_payments=2)
    rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)
    call = Notice.objects.get(channel=Channel.CALL)
    services.notice_send(notice_id=call.pk)
    client.force_login(staff)
    url = reverse("notifications:call_record", args=[call.pk])

    refused = client.post(url, {"outcome": "wrong_number", "note": ""})
    call.refresh_from_db()
    assert refused.status_code == 200 and "请填写备注" in refused.content.decode() and call.call_outcome == ""

    done = client.post(url, {"outcome": "reached", "note": "已告知财务负责人"}, follow=True)
    assert "已记录通话结果" in done.content.decode()
    call.refresh_from_db()
    assert (call.call_outcome, call.note, call.handled_by) == ("reached", "已告知财务负责人", staff)
    assert customer.name not in client.get(reverse("notifications:call_list")).content.decode()
    assert customer.name in client.get(reverse("notifications:call_list") + "?done=1").content.decode()


def test_staff_see_a_failed_notice_with_its_error_and_send_it_again(
    client, staff, pinned, outbox, django_capture_on_commit_callbacks
):
    customer = late_payer(late_payments=2, contact_phone="")
    rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)
    sms = Notice.objects.get(channel=Channel.SMS)
    services.notice_send(notice_id=sms.pk)
    client.force_login(staff)
    assert "没有联系电话" in client.get(reverse("notifications:failed_list")).content.decode()

    customer.contact_phone = "13912345678"
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notifications:notice_retry", args=[sms.pk]))

    sms.refresh_from_db()
    assert sms.status == NoticeStatus.SENT and sms.recipient == "13912345678"
    assert [m["to"] for m in outbox("sms")] == ["13912345678"]
    assert sms.history.filter(history_user=staff, history_change_reason="手工重新发送").exists()


def test_staff_print_selected_letters_as_one_pdf(client, staff, pinned, outbox, django_capture_on_commit_callbacks):
    for _ in range(2):
        customer = late_payer(late_payments=3)
        rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)
    letters = Notice.objects.filter(channel=Channel.LETTER)
    services.notices_send(notice_ids=letters.values_list("pk", flat=True))
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("notifications:letters_print"), {"notice": [n.pk for n in letters]})
    job_page = client.get(started["Location"]).content.decode()
    assert "下载 letters-" in job_page
    response = client.get(started["Location"] + "download/")

    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf" and content.startswith(b"%PDF")
    assert set(letters.values_list("delivery_status", flat=True)) == {"printed"}
    assert "没有告知函" in client.get(reverse("notifications:letter_list")).content.decode()


def test_the_message_templates_page_shows_every_text_with_a_sample(client, staff):
    client.force_login(staff)

    page = client.get(reverse("notifications:message_templates")).content.decode()

    for title in (
        "黄色等级提醒短信",
        "黄色等级提醒微信消息",
        "黄色等级电话提醒话术",
        "红色/黑色等级告知函寄送短信",
        "诚信客户告知短信",
    ):
        assert title in page
    assert "淮阴示例电子有限公司" in page


def test_printing_with_a_malformed_letter_id_says_so_and_starts_nothing(client, staff):
    from archives.models import FileJob

    client.force_login(staff)

    response = client.post(reverse("notifications:letters_print"), {"notice": ["²", "x1"]}, follow=True)

    assert response.status_code == 200 and "请选择要打印的告知函" in response.content.decode()
    assert not FileJob.objects.exists()
