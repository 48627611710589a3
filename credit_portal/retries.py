"""Retries and back-off, read from one place: the ``RETRY`` setting, one entry per kind of work.

Every retry in the portal reads it through here: the Celery options of the tasks that retry
(`task_retry_options`), the services that count attempts in their rows (notices, the DRC push:
`retry_settings`, `backoff_seconds`), and the publish policy of whatever queues a task
(`publish_policy`, which Celery's own ``task_publish_retry_policy`` also is).
"""

from __future__ import annotations

import random

from django.conf import settings


def retry_settings(kind: str) -> dict:
    """The settings of one kind of work (``settings.RETRY[kind]``): MAX_ATTEMPTS, BACKOFF_*, LEASE_SECONDS…"""
    return settings.RETRY[kind]


def backoff_seconds(*, attempt: int, base: float, cap: float) -> float:
    """Seconds to wait after `attempt` failed tries: base·2^(attempt−1), capped; half fixed, half random.

    The jitter spreads the retries of workers that failed together.
    """
    ceiling = min(float(cap), float(base) * 2 ** max(0, attempt - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not security


def backoff_for(kind: str, *, attempt: int) -> float:
    """The back-off of a kind of work after `attempt` failed tries, with its settings."""
    config = retry_settings(kind)
    return backoff_seconds(attempt=attempt, base=config["BACKOFF_BASE"], cap=config["BACKOFF_MAX"])


def task_retry_options(kind: str, *, autoretry_for: tuple[type[BaseException], ...]) -> dict:
    """Celery task options retrying `autoretry_for` with the kind's attempts and back-off (jittered)."""
    config = retry_settings(kind)
    return {
        "autoretry_for": autoretry_for,
        # Celery's back-off factor must be a whole number of seconds (it draws the jitter with randrange).
        "retry_backoff": max(1, int(config["BACKOFF_BASE"])),
        "retry_backoff_max": int(config["BACKOFF_MAX"]),
        "retry_jitter": True,
        "max_retries": config["MAX_ATTEMPTS"] - 1,
    }


def publish_policy() -> dict:
    """How long queueing a task waits for a dead broker (Celery's retry_policy): about a second."""
    return settings.RETRY["publish"]
