"""Enterprise texts outside the level-change notices (an objection's decision, a reset code, a reset at the
hall) are sent once: claimed with a lease, given back on a transient failure, swept when stuck."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.backends import TransientSendError
from notifications.models import DirectMessage
from notifications.services import direct
from notifications.tasks import direct_message_send_task

pytestmark = pytest.mark.django_db


def _message(kind="objection", text="【淮阴供电营业部】您的异议已处理。") -> DirectMessage:
    return DirectMessage.objects.create(kind=kind, recipient="13900000001", text=text)


def test_a_redelivered_send_sends_nothing_more(outbox):
    message = _message()

    assert direct.direct_message_send(message_id=message.pk) == "sent"
    assert direct.direct_message_send(message_id=message.pk) == "skipped"

    assert [m["text"] for m in outbox("sms")] == [message.text]
    message.refresh_from_db()
    assert (message.status, message.lease_until) == ("sent", None)


def test_a_message_claimed_by_a_live_worker_is_not_sent_by_another(outbox):
    message = _message()
    DirectMessage.objects.filter(pk=message.pk).update(
        status="sending", lease_until=timezone.now() + timedelta(minutes=5)
    )

    assert direct.direct_message_send(message_id=message.pk) == "skipped"
    assert outbox("sms") == []


def test_a_transient_failure_gives_the_message_back_for_the_retry(monkeypatch, outbox):
    message = _message()

    def refuse(self, outgoing):
        raise TransientSendError("网关超时")

    monkeypatch.setattr("notifications.backends.console.FileBackend.send", refuse)
    with pytest.raises(TransientSendError):
        direct.direct_message_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.lease_until) == ("pending", None)


def test_the_sweeper_requeues_stuck_texts_but_never_a_masked_code(settings, outbox):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    long_ago = timezone.now() - timedelta(hours=2)
    decision = _message()
    code = _message(kind="password_code", text="验证码 ******")
    DirectMessage.objects.filter(pk__in=[decision.pk, code.pk]).update(created_at=long_ago)
    fresh = _message()  # just recorded: its own task is on the way

    assert direct.direct_messages_sweep() == 1

    assert [m["text"] for m in outbox("sms")] == [decision.text]
    statuses = dict(DirectMessage.objects.values_list("pk", "status"))
    assert (statuses[decision.pk], statuses[code.pk], statuses[fresh.pk]) == ("sent", "failed", "pending")
    direct_message_send_task(decision.pk)  # a late duplicate of the sweep's task
    assert len(outbox("sms")) == 1
