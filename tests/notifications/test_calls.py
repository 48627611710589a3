"""An unanswered reminder call comes back the next working day; after N tries, a letter or SMS instead."""

import pytest
from django.test import override_settings
from django.urls import reverse

from notifications import services
from notifications.models import CallAttempt, Channel, Notice
from ratings.models import RatingCause
from ratings.services import rating_refresh

from .conftest import AS_OF, late_payer

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(pinned, outbox):
    customer = late_payer(late_payments=2)
    rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)
    notice = Notice.objects.get(channel=Channel.CALL)
    services.notice_send(notice_id=notice.pk)
    return notice


@override_settings(NOTIFICATION_CALL_ATTEMPTS=3)
def test_an_unanswered_call_returns_to_the_queue_with_the_next_working_days_date(client, staff, call):
    client.force_login(staff)

    answer = client.post(reverse("notifications:call_record", args=[call.pk]), {"outcome": "not_reached"}, follow=True)

    call.refresh_from_db()
    assert call.call_outcome == "" and call.call_attempts == 1
    assert call.next_call_on is not None and call.next_call_on > AS_OF
    page = answer.content.decode()
    assert "已放回队列" in page and f"{call.next_call_on:%Y-%m-%d} 再拨" in page
    assert call.customer.name in client.get(reverse("notifications:call_list")).content.decode()


def test_the_call_list_names_the_criteria_in_words(client, staff, call):
    client.force_login(staff)

    page = client.get(reverse("notifications:call_list")).content.decode()

    assert call.customer.name in page
    assert "黄色等级评定要素第2条" in page and "yellow.2" not in page


@override_settings(NOTIFICATION_CALL_ATTEMPTS=3)
def test_after_three_unanswered_calls_staff_are_asked_for_a_letter_or_sms_and_every_try_is_kept(client, staff, call):
    client.force_login(staff)
    url = reverse("notifications:call_record", args=[call.pk])

    for _ in range(2):
        client.post(url, {"outcome": "not_reached"})
    third = client.get(url).content.decode()
    assert "第 3 次拨打" in third
    client.post(url, {"outcome": "not_reached", "note": "无人接听"})

    call.refresh_from_db()
    assert call.call_outcome == "not_reached" and call.next_call_on is None
    assert list(CallAttempt.objects.filter(notice=call).values_list("outcome", flat=True)) == ["not_reached"] * 3
    done = client.get(reverse("notifications:call_list") + "?done=1").content.decode()
    assert "请改发书面告知函或短信" in done
    record = client.get(url).content.decode()
    assert record.count("未接通") >= 3 and "无人接听" in record
    assert client.post(url, {"outcome": "reached"}).status_code == 200  # closed: refused, not recorded again
    assert CallAttempt.objects.filter(notice=call).count() == 3


def test_the_next_working_day_skips_the_national_day_holiday():
    from datetime import date

    from credit_portal.workdays import add_working_days, working_days_between

    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)  # a make-up Saturday
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
