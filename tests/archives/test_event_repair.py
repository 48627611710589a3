"""Recording a credit repair (信用修复) on an event: it stays in force, counts no more, the customer is re-rated."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from archives import services
from archives.models import CreditEvent, EventStatus
from credit_portal.errors import ApplicationError
from ratings.models import CustomerRating, RatingHistory
from ratings.services import rating_refresh
from tests.ratings.drafts import customer_with_clean_report

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _on(time_machine, day: date) -> None:
    time_machine.move_to(datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def theft(staff, time_machine):
    """A 一般 theft recorded on 2026-02-10 (shortest period to 2026-05-09), the customer's only record."""
    _on(time_machine, date(2026, 2, 10))
    customer = customer_with_clean_report("淮阴修复测试有限公司")
    event = services.event_record(
        customer=customer, type="theft", occurred_on=date(2026, 2, 10), amount_yuan="120000", actor=staff
    )
    _on(time_machine, date(2026, 6, 15))
    rating_refresh(customer=customer, cause="manual")
    assert CustomerRating.objects.get(customer=customer).level == "red"
    return event


def _snapshot(event: CreditEvent) -> tuple:
    event.refresh_from_db()
    rating = CustomerRating.objects.get(customer=event.customer_id)
    return (event.status, event.repaired_on, event.repair_ref, event.history.count(), rating.level, rating.rules)


def test_a_repair_keeps_the_event_in_force_and_the_customer_leaves_red_at_once(theft, supervisor):
    services.event_repair_record(event=theft, repaired_on=date(2026, 6, 15), actor=supervisor, ref="修复申请#7")

    theft.refresh_from_db()
    assert theft.status == EventStatus.IN_FORCE
    assert (theft.repaired_on, theft.repair_ref) == (date(2026, 6, 15), "修复申请#7")
    rating = CustomerRating.objects.get(customer=theft.customer_id)
    assert rating.level == "green"
    change = RatingHistory.objects.filter(customer=theft.customer_id).latest("pk")
    assert (change.level, change.cause, change.cause_ref) == ("green", "repair", "修复申请#7")
    assert change.get_cause_display() == "信用修复"


def test_a_repair_is_in_the_events_history_in_users_words(theft, supervisor):
    services.event_repair_record(
        event=theft, repaired_on=date(2026, 6, 15), actor=supervisor, ref="修复申请#7", note="已补缴电费及违约使用电费"
    )

    record = theft.history.latest("history_date")
    assert record.history_user == supervisor
    assert record.history_change_reason == (
        "信用修复（修复申请#7）：自 2026-06-15 起不再计入信用评定。已补缴电费及违约使用电费"
    )


def test_a_repaired_event_still_counts_when_the_past_before_its_repair_is_rated(theft, supervisor):
    services.event_repair_record(event=theft, repaired_on=date(2026, 6, 15), actor=supervisor, ref="修复申请#7")

    before = rating_refresh(customer=theft.customer, cause="manual", as_of=date(2026, 6, 14))

    assert (before.computed_level, before.rules) == ("red", ["red.3"])


@pytest.mark.parametrize(
    ("prepare", "kwargs", "field", "message"),
    [
        ("revoked", {}, "event", "该记录已撤销，不能再修复"),
        ("repaired", {}, "event", "该记录已于 2026-06-01 修复，不能重复修复"),
        (None, {"repaired_on": date(2026, 6, 16)}, "repaired_on", "修复日期 2026-06-16 晚于今天"),
        (
            None,
            {"repaired_on": date(2026, 5, 9)},
            "repaired_on",
            "该记录最短公示期至 2026-05-09，2026-05-10 起方可修复",
        ),
        (None, {"repaired_on": "2026-06-15"}, "repaired_on", "修复日期格式应为 YYYY-MM-DD"),
        (None, {"ref": "  "}, "ref", "请注明修复决定"),
    ],
)
def test_a_repair_is_refused_with_a_clear_message_and_changes_nothing(
    theft, supervisor, prepare, kwargs, field, message
):
    if prepare == "revoked":
        CreditEvent.objects.filter(pk=theft.pk).update(status=EventStatus.REVOKED)
    elif prepare == "repaired":
        CreditEvent.objects.filter(pk=theft.pk).update(repaired_on=date(2026, 6, 1), repair_ref="修复申请#1")
    before = _snapshot(theft)

    with pytest.raises(ApplicationError) as error:
        services.event_repair_record(
            event=theft, actor=supervisor, **{"repaired_on": date(2026, 6, 15), "ref": "修复申请#7", **kwargs}
        )

    assert (error.value.field, error.value.message) == (field, message)
    assert _snapshot(theft) == before


def test_a_minor_record_may_be_repaired_from_the_day_it_was_found(staff, supervisor, time_machine):
    _on(time_machine, date(2026, 6, 15))
    customer = customer_with_clean_report("淮阴轻微有限公司")
    event = services.event_record(customer=customer, type="late_payment", occurred_on=date(2026, 6, 1), actor=staff)

    services.event_repair_record(event=event, repaired_on=date(2026, 6, 15), actor=supervisor, ref="修复申请#8")

    assert CreditEvent.objects.get(pk=event.pk).repaired_on == date(2026, 6, 15)


def test_the_portal_records_the_sources_repair_of_public_credit_information_at_the_sources_date(
    staff, supervisor, time_machine
):
    _on(time_machine, date(2026, 6, 15))
    customer = customer_with_clean_report("淮阴来源有限公司")
    event = services.event_record(
        customer=customer, type="dishonesty", occurred_on=date(2026, 3, 1), severity="general", actor=staff
    )
    assert event.dishonesty_class == "source"

    services.event_repair_record(event=event, repaired_on=date(2026, 4, 1), actor=supervisor, ref="信用中国修复决定")

    assert CreditEvent.objects.get(pk=event.pk).repaired_on == date(2026, 4, 1)
    other = services.event_record(
        customer=customer, type="dishonesty", occurred_on=date(2026, 3, 1), severity="serious", actor=staff
    )
    with pytest.raises(ApplicationError, match="早于发生日期"):
        services.event_repair_record(event=other, repaired_on=date(2026, 2, 1), actor=supervisor, ref="x")
