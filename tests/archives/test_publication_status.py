"""A record's publication status (有效/异议中/已修复/公示期满/已撤销), computed in one place and shown on the
archive page, the enterprise's home page and the standards page; the nightly expiry tells an enterprise once."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from archives import services
from archives.models import CreditEvent, EventStatus
from archives.selectors import events_with_publication_status
from archives.services.events import events_publication_expire
from archives.tasks import publication_expiry_task
from commitments.services.objections import objection_submit
from notifications.models import DirectMessage
from ratings.selectors import rating_what_if
from tests.factories import AccountFactory
from tests.ratings.drafts import customer_with_clean_report

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _on(time_machine, day: date) -> None:
    time_machine.move_to(datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def records(staff, applicant, applicant_customer, time_machine):
    """Five late payments of the applicant's enterprise found on 2026-03-01 (轻微: longest to 2026-05-31)."""
    _on(time_machine, date(2026, 3, 1))
    applicant_customer.contact_phone = "13812345678"
    applicant_customer.save()
    AccountFactory(customer=applicant_customer, opened_on=date(2015, 3, 1))
    events = [
        services.event_record(
            customer=applicant_customer, type="late_payment", occurred_on=date(2026, 2, day), actor=staff
        )
        for day in (1, 2, 3, 4, 5)
    ]
    return events


def _statuses(customer, on: date) -> list[str]:
    events = events_with_publication_status(CreditEvent.objects.filter(customer=customer), on=on)
    return [e.publication_status for e in events.order_by("occurred_on")]


def test_each_record_has_one_of_the_five_statuses(records, applicant, supervisor, time_machine):
    revoked, repaired, objected, expired, in_force = records
    CreditEvent.objects.filter(pk=revoked.pk).update(status=EventStatus.REVOKED)
    services.event_repair_record(event=repaired, repaired_on=date(2026, 3, 1), actor=supervisor, ref="修复申请#1")
    objection_submit(event=objected, actor=applicant, reason="已按期交费，有银行回单")
    CreditEvent.objects.filter(pk=in_force.pk).update(publication_longest_until=date(2026, 6, 30))

    assert _statuses(records[0].customer, date(2026, 6, 1)) == [
        "revoked",
        "repaired",
        "objected",
        "expired",
        "in_force",
    ]
    # On the day of the longest period's end it is still published; before its repair, not yet repaired.
    assert _statuses(records[0].customer, date(2026, 5, 31))[3] == "in_force"
    assert _statuses(records[0].customer, date(2026, 2, 28))[1] == "in_force"


def test_the_archive_page_shows_class_periods_and_status(client, staff, records, supervisor):
    services.event_repair_record(event=records[1], repaired_on=date(2026, 3, 1), actor=supervisor, ref="修复申请#1")
    client.force_login(staff)

    page = client.get(reverse("archives:customer_detail", args=[records[0].customer.uscc])).content.decode()

    assert "失信信息类别：轻微 · 认定日期 2026-03-01 · 无最短公示期 · 最长公示期至 2026-05-31" in page
    assert "已修复（2026-03-01）" in page
    assert "已于 2026-03-01 信用修复" in page


def test_the_enterprise_sees_its_records_status_and_periods(client, applicant, records, time_machine):
    objection_submit(event=records[2], actor=applicant, reason="已按期交费")
    _on(time_machine, date(2026, 6, 1))
    client.force_login(applicant)

    page = client.get(reverse("commitments:enterprise_home")).content.decode()

    assert page.count(">公示期满</span>") == 4
    assert ">异议中</span>" in page
    assert "最长公示期至 2026-05-31" in page


def test_the_standards_page_shows_the_class_table_and_the_measures_wording(client):
    page = client.get(reverse("ratings:standards")).content.decode()

    assert "《信用修复管理办法》" in page
    assert "<td>窃电</td><td>窃电金额50万元及以上（黑色第3项）</td><td>严重</td><td>最短1年，最长3年</td>" in page
    assert "<td>违约用电</td><td>—</td><td>一般</td><td>最短3个月，最长1年</td>" in page
    assert "一般失信信息公示期最短为3个月，最长为1年" in page
    assert "<td>失信行为（公共信用信息）</td><td>其他机关认定的公共信用信息</td><td>来源认定</td>" in page


def test_the_nightly_run_tells_an_enterprise_once_of_its_expired_records(records, time_machine, applicant):
    objection_submit(event=records[4], actor=applicant, reason="已按期交费")
    _on(time_machine, date(2026, 5, 31))
    assert events_publication_expire(today=date(2026, 5, 31)) == 0  # the last day of the period

    _on(time_machine, date(2026, 6, 1))
    publication_expiry_task()
    publication_expiry_task()  # the nightly run twice: nothing told twice

    message = DirectMessage.objects.get()
    assert (message.kind, message.recipient, message.customer_id) == (
        "publication_expired",
        "13812345678",
        records[0].customer_id,
    )
    assert message.get_kind_display() == "公示期满告知"
    assert "2026-02-01“未按合同、协议约定的方式和期限交付电费”（最长公示期至2026-05-31）" in message.text
    assert "2026-02-05" not in message.text  # 异议中: not expired while the objection is open
    told = CreditEvent.objects.filter(publication_expiry_told_on=date(2026, 6, 1)).count()
    assert told == 4


def test_records_whose_period_ended_long_before_are_not_all_texted_in_one_night(records, time_machine, settings):
    """The go-live: a record whose longest period ended more than PUBLICATION_EXPIRY_TELL_DAYS ago is not
    told (its status shows all the same); one that ended within them is told once."""
    settings.PUBLICATION_EXPIRY_TELL_DAYS = 30
    CreditEvent.objects.filter(pk=records[0].pk).update(publication_longest_until=date(2026, 4, 30))
    _on(time_machine, date(2026, 6, 1))

    assert events_publication_expire(today=date(2026, 6, 1)) == 4  # ended 2026-05-31: told
    assert CreditEvent.objects.get(pk=records[0].pk).publication_expiry_told_on is None  # ended 32 days before
    assert _statuses(records[0].customer, date(2026, 6, 1))[0] == "expired"
    assert "2026-02-01" not in DirectMessage.objects.get().text


def test_an_enterprise_with_no_phone_is_not_texted_and_the_message_says_why(records, time_machine):
    customer = records[0].customer
    customer.contact_phone = ""
    customer.save()
    _on(time_machine, date(2026, 6, 1))

    assert events_publication_expire(today=date(2026, 6, 1)) == 5

    message = DirectMessage.objects.get()
    assert (message.status, message.recipient, message.error) == ("failed", "", "未登记联系手机号码，短信未发送")


def test_a_repaired_or_revoked_record_is_never_told_expired(records, supervisor, time_machine):
    services.event_repair_record(event=records[0], repaired_on=date(2026, 3, 1), actor=supervisor, ref="修复申请#1")
    CreditEvent.objects.filter(pk=records[1].pk).update(status=EventStatus.REVOKED)
    _on(time_machine, date(2026, 6, 1))

    assert events_publication_expire(today=date(2026, 6, 1)) == 3
    assert set(CreditEvent.objects.filter(publication_expiry_told_on__isnull=True).values_list("pk", flat=True)) == {
        records[0].pk,
        records[1].pk,
    }


def test_the_what_if_bench_follows_a_repair(staff, supervisor, time_machine):
    _on(time_machine, date(2026, 2, 10))
    customer = customer_with_clean_report("淮阴假设有限公司")
    theft = services.event_record(
        customer=customer, type="theft", occurred_on=date(2026, 2, 10), amount_yuan=Decimal("120000"), actor=staff
    )
    _on(time_machine, date(2026, 6, 15))
    services.event_repair_record(event=theft, repaired_on=date(2026, 6, 15), actor=supervisor, ref="修复申请#2")

    assert rating_what_if(customer=customer, as_of=date(2026, 6, 15)).actual.level == "green"
    assert rating_what_if(customer=customer, as_of=date(2026, 6, 14)).actual.rules == ("red.3",)


def test_the_expiry_runs_every_night_before_the_drc_report(settings):
    from django_celery_beat.models import CrontabSchedule

    entry = settings.CELERY_BEAT_SCHEDULE["archives-publication-expiry"]
    schedule = CrontabSchedule.from_schedule(entry["schedule"])

    assert entry["task"] == publication_expiry_task.name
    assert (str(schedule.minute), str(schedule.hour)) == ("25", "0")


def test_the_hooks_the_archive_relies_on_are_registered_at_start_up():
    from archives.publication import class_thresholds, objected_events
    from archives.vocabulary import PLAN_THRESHOLDS

    assert class_thresholds(on=date(2026, 11, 28)) == PLAN_THRESHOLDS
    assert "event_id" in str(objected_events().query)
