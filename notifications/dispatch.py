"""Queueing the notifications' Celery tasks by their registered names: the services call these, and
only `tasks` imports the services (credit_portal.queueing.task_send finds the task in the registry)."""

from credit_portal.queueing import task_send

NOTICES_SEND = "notifications.tasks.notices_send_task"
DIRECT_MESSAGE_SEND = "notifications.tasks.direct_message_send_task"


def notices_send_queue(notice_ids: list[int], **options) -> None:
    """Queue the sending of a batch of notices (Celery's apply_async options: queue, countdown…)."""
    task_send(NOTICES_SEND, notice_ids, **options)


def direct_message_send_queue(message_id: int, text: str | None = None) -> None:
    """Queue the sending of one enterprise text; `text` is what to send when the row keeps it masked."""
    task_send(DIRECT_MESSAGE_SEND, message_id, text)
