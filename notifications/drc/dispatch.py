"""Queueing the DRC's Celery tasks by their registered names (the historical ``notifications.tasks_report.*``,
which beat schedules and queued messages hold): the services and views call these, and only `tasks`
imports the services (credit_portal.queueing.task_send finds the task in the registry)."""

from datetime import date

from credit_portal.queueing import task_send

_MODULE = "notifications.tasks_report"
DAILY = f"{_MODULE}.drc_report_daily_task"
PUSH = f"{_MODULE}.drc_report_push_task"
PUSH_SWEEP = f"{_MODULE}.drc_report_push_sweep_task"


def drc_report_build_queue(report_date: date) -> None:
    """Queue the build of a date's report, as the 01:00 job does (once per date)."""
    task_send(DAILY, report_date.isoformat())


def drc_report_push_queue(report_id: int) -> None:
    """Queue an attempt to upload a ready report."""
    task_send(PUSH, report_id)
