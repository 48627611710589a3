"""Which notices a level change writes, and that they are written once, with the change, and sent once."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from notifications import services
from notifications.models import Channel, Notice, NoticeStatus
from notifications.services import sending
from ratings.models import RatingCause, RatingHistory
from ratings.services import rating_refresh

from .conftest import AS_OF, late_payer

pytestmark = pytest.mark.django_db


def _channels(customer) -> set[str]:
    return set(Notice.objects.filter(customer=customer).values_list("channel", flat=True))


def _refresh(customer):
    return rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)


def test_a_change_to_yellow_writes_an_sms_a_wechat_message_and_a_phone_call_task(pinned):
    customer = late_payer(late_payments=2)

    rating = _refresh(customer)

    assert rating.level == "yellow"
    assert _channels(customer) == {"sms", "wechat", "call"}
    assert set(Notice.objects.filter(customer=customer).values_list("status", flat=True)) == {"pending"}


def test_a_change_to_red_writes_a_letter_and_an_sms_announcing_it(pinned):
    customer = late_payer(late_payments=3)

    assert _refresh(customer).level == "red"

    assert _channels(customer) == {"letter", "sms"}


def test_a_change_to_green_or_blue_sends_the_honest_customer_sms(pinned):
    customer = late_payer(late_payments=0)
    change = RatingHistory.objects.create(
        customer=customer,
        level="green",
        previous_level="unrated",
        computed_level="green",
        rules=["green.1"],
        explanation="",
        as_of=AS_OF,
        rules_version="t",
        cause=RatingCause.REPORT,
    )

    services.notices_for_rating_changes(history_rows=[change])

    assert _channels(customer) == {"sms"}


def test_unrated_and_an_unchanged_level_call_for_no_notice(pinned):
    customer = late_payer(late_payments=0)

    _refresh(customer)  # first rating: unrated
    _refresh(customer)  # no change, no history row

    assert not Notice.objects.exists()


def test_the_same_change_processed_twice_makes_one_notice_per_channel(pinned):
    customer = late_payer(late_payments=2)
    _refresh(customer)
    change = RatingHistory.objects.get(customer=customer)

    with transaction.atomic():
        services.notices_for_rating_changes(history_rows=[change])
    with transaction.atomic():
        services.notices_for_rating_changes(
            changes=[(change.pk, change.customer_id, change.level, change.previous_level, change.as_of)]
        )

    assert Notice.objects.filter(rating_change=change).count() == 3


def test_notices_roll_back_with_the_rating_change_that_called_for_them(pinned):
    customer = late_payer(late_payments=3)

    with pytest.raises(RuntimeError), transaction.atomic():
        _refresh(customer)
        assert Notice.objects.filter(customer=customer).count() == 2
        raise RuntimeError("the request failed after rating")

    assert not Notice.objects.exists()
    assert not RatingHistory.objects.exists()


def test_notices_are_queued_only_when_the_change_commits_and_then_sent(
    pinned, outbox, django_capture_on_commit_callbacks
):
    customer = late_payer(late_payments=2, name="淮阴黄色提醒有限公司")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _refresh(customer)
    assert callbacks  # the notices' queueing (and the dashboard's recount) wait for the commit
    assert outbox("sms") == []  # nothing is sent before commit

    for callback in callbacks:
        callback()  # the commit (tasks run in-process in the tests)

    statuses = dict(Notice.objects.filter(customer=customer).values_list("channel", "status"))
    assert statuses == {"sms": "sent", "wechat": "sent", "call": "sent"}
    [sms] = outbox("sms")
    assert sms["to"] == customer.contact_phone
    assert "淮阴黄色提醒有限公司" in sms["text"] and "黄色" in sms["text"] and "黄色等级评定要素第2条" in sms["text"]
    assert len(outbox("wechat")) == 1


def test_a_notice_is_sent_once_however_often_it_is_handed_to_workers(pinned, outbox):
    customer = late_payer(late_payments=2)
    _refresh(customer)
    ids = list(Notice.objects.values_list("pk", flat=True))

    first = services.notices_send(notice_ids=ids)
    second = services.notices_send(notice_ids=ids)

    assert set(first.values()) == {"sent"}
    assert set(second.values()) == {"skipped"}
    assert len(outbox("sms")) == 1 and len(outbox("wechat")) == 1


def test_a_notice_another_worker_is_sending_is_left_alone_until_its_lease_expires(pinned, outbox):
    customer = late_payer(late_payments=2)
    _refresh(customer)
    sms = Notice.objects.get(channel=Channel.SMS)
    Notice.objects.filter(pk=sms.pk).update(
        status=NoticeStatus.SENDING, lease_until=timezone.now() + timedelta(minutes=5), attempts=1
    )

    assert services.notice_send(notice_id=sms.pk) == "skipped"

    Notice.objects.filter(pk=sms.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert services.notice_send(notice_id=sms.pk) == "sent"
    sms.refresh_from_db()
    assert sms.attempts == 2 and len(outbox("sms")) == 1


def test_a_missing_notice_is_a_no_op(db):
    assert services.notices_send(notice_ids=[987654]) == {987654: "skipped"}


def test_a_customer_without_a_phone_number_fails_at_once_and_shows_the_reason(pinned, outbox):
    customer = late_payer(late_payments=2, contact_phone="")
    _refresh(customer)
    sms = Notice.objects.get(channel=Channel.SMS)

    assert services.notice_send(notice_id=sms.pk) == "failed"

    sms.refresh_from_db()
    assert sms.status == "failed" and sms.attempts == 1
    assert "联系电话" in sms.last_error
    assert outbox("sms") == []


def test_the_sweeper_requeues_forgotten_notices_but_not_fresh_or_busy_ones(pinned, settings, monkeypatch):
    settings.RETRY = {**settings.RETRY, "notice": {**settings.RETRY["notice"], "SWEEP_AFTER_SECONDS": 60}}
    customer = late_payer(late_payments=2)
    _refresh(customer)
    sms, wechat, call = (Notice.objects.get(channel=c) for c in ("sms", "wechat", "call"))
    now = timezone.now()
    Notice.objects.filter(pk=sms.pk).update(created_at=now - timedelta(minutes=5))  # broker was down
    Notice.objects.filter(pk=wechat.pk).update(  # worker killed mid-send
        status=NoticeStatus.SENDING, lease_until=now - timedelta(seconds=1), created_at=now - timedelta(minutes=5)
    )
    # call: created just now, its own task is on its way
    queued = []
    monkeypatch.setattr(sending, "notices_enqueue", lambda *, notice_ids, countdown=None: queued.extend(notice_ids))

    sending.notices_sweep(now=now)

    assert queued == sorted([sms.pk, wechat.pk])
    assert call.pk not in queued


def test_a_first_rating_warns_but_does_not_announce_an_honest_customer_by_default(pinned):
    warned, honest = late_payer(late_payments=2), late_payer(late_payments=0)
    rows = [
        RatingHistory.objects.create(
            customer=customer,
            level=level,
            previous_level="",
            computed_level=level,
            rules=[],
            explanation="",
            as_of=AS_OF,
            rules_version="t",
            cause=RatingCause.IMPORT,
        )
        for customer, level in ((warned, "yellow"), (honest, "green"))
    ]

    services.notices_for_rating_changes(history_rows=rows)

    assert _channels(warned) == {"sms", "wechat", "call"}
    assert _channels(honest) == set()


def test_a_batch_of_changes_written_by_copy_is_the_same_notices_once_and_queued_on_commit(
    pinned, outbox, monkeypatch, django_capture_on_commit_callbacks
):
    from notifications.services import inserting

    monkeypatch.setattr(inserting, "COPY_FROM", 1)  # PostgreSQL takes the COPY path; SQLite bulk_create
    yellow, red = late_payer(late_payments=2), late_payer(late_payments=3)
    with django_capture_on_commit_callbacks(execute=False):
        _refresh(yellow)
        _refresh(red)
    changes = list(RatingHistory.objects.order_by("pk"))

    with django_capture_on_commit_callbacks(execute=True):
        services.notices_for_rating_changes(history_rows=changes)

    assert _channels(yellow) == {"sms", "wechat", "call"} and _channels(red) == {"letter", "sms"}
    notices = Notice.objects.filter(rating_change__in=changes)
    assert notices.count() == 5
    assert len(set(notices.values_list("idempotency_key", flat=True))) == 5
    assert set(notices.values_list("status", flat=True)) == {"sent"}
    assert set(notices.values_list("attempts", flat=True)) == {1}
