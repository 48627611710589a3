"""Tasks are queued by name through each app's dispatch module, and every retry reads the one RETRY setting."""

import pytest
from django.conf import settings

import archives.dispatch
import notifications.dispatch
import notifications.drc.dispatch
from credit_portal.celery import app
from credit_portal.queueing import task_send

DISPATCH_MODULES = (archives.dispatch, notifications.dispatch, notifications.drc.dispatch)


def _names(module) -> list[str]:
    return [value for name, value in vars(module).items() if name.isupper() and not name.startswith("_")]


def test_every_name_a_dispatch_module_queues_is_a_registered_task():
    app.loader.import_default_modules()
    names = [name for module in DISPATCH_MODULES for name in _names(module)]

    assert len(names) == 7
    assert [name for name in names if name not in app.tasks] == []


def test_queueing_an_unknown_task_name_fails_loudly():
    with pytest.raises(KeyError):
        task_send("archives.tasks.no_such_task", 1)


def test_the_tasks_that_retry_take_attempts_and_back_off_from_the_retry_setting():
    from notifications.drc.tasks import drc_report_daily_task
    from notifications.tasks import direct_message_send_task, notices_send_task

    for task, kind in (
        (notices_send_task, "notice"),
        (direct_message_send_task, "direct_message"),
        (drc_report_daily_task, "drc_report_build"),
    ):
        config = settings.RETRY[kind]
        assert task.max_retries == config["MAX_ATTEMPTS"] - 1, kind
        assert task.retry_backoff == max(1, int(config["BACKOFF_BASE"])), kind
        assert task.retry_backoff_max == int(config["BACKOFF_MAX"]), kind


def test_celery_publishes_with_the_retry_settings_publish_policy():
    assert app.conf.task_publish_retry_policy == settings.RETRY["publish"]


def test_a_queued_tasks_arguments_show_a_batch_by_its_ends_and_a_text_by_its_length(monkeypatch):
    """The message's ``argsrepr`` (what a worker logs): no repr of thousands of ids, no message text."""
    from credit_portal.queueing import args_repr

    sent = {}
    task = app.tasks["notifications.tasks.direct_message_send_task"]
    monkeypatch.setattr(task, "apply_async", lambda args, **options: sent.update(options, args=args))

    task_send("notifications.tasks.direct_message_send_task", 42, "王五 13951230022 您好")

    assert sent["args"] == (42, "王五 13951230022 您好")  # the task itself gets everything
    assert sent["argsrepr"] == "(42, <text of 17 characters>)"
    assert "13951230022" not in sent["argsrepr"]
    assert args_repr((list(range(1, 5001)),)) == "([5000 items: 1 … 5000])"
    assert args_repr(([1, 2, 3], None)) == "([1, 2, 3], None)"
