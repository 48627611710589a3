"""An honest customer's public credit report running out: reminded 30 days before and on the day, once each;
staff have a worklist; losing honest status on the day says why and what to do."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from notifications.models import Notice, NoticeKind, NoticeStatus
from notifications.services import notice_send
from notifications.services.reminders import report_expiry_reminders
from ratings.models import CustomerRating, RatingCause
from ratings.services import rating_refresh
from tests.factories import AccountFactory, CustomerFactory, ReportFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _green(name="淮阴报告将到期有限公司", issued_on=date(2025, 12, 28), **report):
    customer = CustomerFactory(name=name)
    AccountFactory(customer=customer, opened_on=date(2015, 3, 1), payment_method="prepaid")
    ReportFactory(customer=customer, issued_on=issued_on, status="verified", shows_dishonesty=False, **report)
    rating_refresh(customer=customer, cause=RatingCause.REPORT, as_of=date(2026, 11, 1))
    assert CustomerRating.objects.get(customer=customer).level == "green"
    return customer


def test_thirty_days_before_the_report_reaches_one_year_the_enterprise_is_reminded_once(time_machine, outbox):
    time_machine.move_to(datetime(2026, 11, 28, 0, 20, tzinfo=SHANGHAI), tick=False)
    customer = _green()

    assert report_expiry_reminders(today=date(2026, 11, 28)) == 2
    assert report_expiry_reminders(today=date(2026, 11, 28)) == 0
    assert report_expiry_reminders(today=date(2026, 11, 29)) == 0

    notices = Notice.objects.filter(customer=customer)
    assert sorted(notices.values_list("kind", "channel")) == [
        (NoticeKind.REPORT_EXPIRING, "sms"), (NoticeKind.REPORT_EXPIRING, "wechat"),
    ]  # fmt: skip
    for notice in notices:
        assert notice_send(notice_id=notice.pk) == "sent"
    [sms] = outbox("sms")
    assert "2025-12-28出具" in sms["text"] and "将于2026-12-28满一年失效" in sms["text"]
    assert "0517-84997781" in sms["text"]  # plan Annex 1: where to renew it
    assert Notice.objects.filter(customer=customer, status=NoticeStatus.SENT).count() == 2


def test_on_the_day_the_report_reaches_one_year_the_reminder_goes_once_and_losing_green_is_explained(
    time_machine, outbox
):
    time_machine.move_to(datetime(2026, 12, 28, 0, 20, tzinfo=SHANGHAI), tick=False)
    customer = _green()
    report_expiry_reminders(today=date(2026, 11, 28))  # the 30-day reminder, a month ago

    # The nightly re-rating of the day: the report no longer counts, the customer is unrated.
    rating_refresh(customer=customer, cause=RatingCause.NIGHTLY, as_of=date(2026, 12, 28))
    assert report_expiry_reminders(today=date(2026, 12, 28)) == 2
    assert report_expiry_reminders(today=date(2026, 12, 28)) == 0

    kinds = sorted(Notice.objects.filter(customer=customer).values_list("kind", "channel"))
    assert kinds == sorted(
        [
            ("report_expiring", "sms"), ("report_expiring", "wechat"),
            ("report_expired", "sms"), ("report_expired", "wechat"),
            ("level_change", "sms"), ("level_change", "wechat"),  # 不再享受诚信客户待遇: why, and what to do
        ]
    )  # fmt: skip
    lost = Notice.objects.get(customer=customer, kind="level_change", channel="sms")
    notice_send(notice_id=lost.pk)
    [sms] = outbox("sms")
    assert "已不再是诚信客户" in sms["text"] and "blue.3" in sms["text"] and "0517-84997781" in sms["text"]


def test_no_reminder_for_a_renewed_report_a_dishonest_report_or_a_customer_that_is_not_honest(time_machine):
    time_machine.move_to(datetime(2026, 11, 28, 0, 20, tzinfo=SHANGHAI), tick=False)
    renewed = _green(name="淮阴已续办有限公司")
    ReportFactory(customer=renewed, issued_on=date(2026, 11, 20), status="verified", shows_dishonesty=False)
    yellow = CustomerFactory(name="淮阴黄色有限公司")
    ReportFactory(customer=yellow, issued_on=date(2025, 12, 28), status="verified", shows_dishonesty=False)

    assert report_expiry_reminders(today=date(2026, 11, 28)) == 0
    assert not Notice.objects.exists()


def test_staff_see_the_reports_running_out_with_the_reminders_sent(client, staff, time_machine):
    time_machine.move_to(datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI), tick=False)
    customer = _green()
    _green(name="淮阴还早有限公司", issued_on=date(2026, 6, 1))
    report_expiry_reminders(today=date(2026, 11, 28))
    client.force_login(staff)

    page = client.get(reverse("notifications:reports_running_out")).content.decode()

    assert customer.name in page and "2026-12-28" in page and "30 天" in page
    assert "淮阴还早有限公司" not in page
    assert "公共信用报告即将满一年·短信" in page
    assert "30日内到期 <strong>1</strong> 户" in client.get(reverse("notifications:queues")).content.decode()


def test_the_worklist_is_for_staff_only(client, drc, applicant):
    for user in (drc, applicant):
        client.force_login(user)
        assert client.get(reverse("notifications:reports_running_out")).status_code == 403
