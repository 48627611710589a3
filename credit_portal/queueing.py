"""Handing work to the broker after commit, surviving a broker outage.

The committed rows are the record of the work (a pending file job, an impact report's ranges); the
message only wakes a worker. So a broker that does not answer when the transaction commits is
logged, never raised into the request that already committed: the work's sweeper (a beat task)
queues it again once the broker is back, and its claim makes a message delivered twice harmless.
"""

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_after_commit(publish: Callable[[], object], *, what: str) -> None:
    """Call ``publish`` (which queues tasks) once the current transaction commits; a failure is only logged."""

    def run() -> None:
        try:
            publish()
        except Exception:  # noqa: BLE001 - a broker outage must not break the committed caller
            logger.warning("Could not queue %s; the sweeper will queue it when the broker is back", what, exc_info=True)

    transaction.on_commit(run)


def task_send(name: str, *args, **options) -> object:
    """Queue the task registered under `name` with `args` (Celery's apply_async options, and the shared
    publish policy unless given): how an app's dispatch module queues its own tasks without importing
    them, so that tasks import services and never the other way.

    The task is looked up by name in this process's registry (so in-process, eager runs still run it);
    a process that has not loaded the apps' task modules yet loads them first, as a worker does at start.
    """
    from celery import current_app

    from .retries import publish_policy

    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    options.setdefault("retry_policy", publish_policy())
    options.setdefault("argsrepr", args_repr(args))
    return current_app.tasks[name].apply_async(args, **options)


def args_repr(args: tuple) -> str:
    """What the broker message and a worker's log show of a task's arguments (Celery's ``argsrepr``).

    A list of ids as its length and ends, a text as its length: Celery's own ``saferepr`` of every id of
    a batch cost 3 % of a go-live range's CPU (``bench/rerate.py``, run A), and a message's text may hold
    personal information, which has no place in a log."""

    def one(value) -> str:
        if isinstance(value, list | tuple) and len(value) > 10:
            return f"[{len(value)} items: {value[0]!r} … {value[-1]!r}]"
        if isinstance(value, str):
            return f"<text of {len(value)} characters>"
        return repr(value)

    return "(" + ", ".join(one(value) for value in args) + ")"
