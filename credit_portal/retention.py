"""Personal information kept no longer than its retention period (PERSONAL_DATA_RETENTION_DAYS).

Each app registers, in AppConfig.ready(), the steps that remove or anonymise what it holds once
expired; the nightly task runs them all. A step is idempotent (it selects only what is expired and
not yet done, and changes it in one statement or one transaction per record), so a run repeated,
or one that died half-way and runs again, changes nothing twice. Credit records (customers, events,
ratings, letters) are the enterprise's, not a person's: no step touches them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

# step(now) -> how many records it removed or anonymised
Step = Callable[[datetime], int]
_STEPS: dict[str, Step] = {}


def register_retention(name: str, step: Step) -> None:
    """Declare a step of the nightly retention job (by a stable name, so re-registering replaces it)."""
    _STEPS[name] = step


def retention_cutoff(period: str, *, now: datetime) -> datetime:
    """The moment before which a record of this kind has outlived its period."""
    return now - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS[period])


def retention_run(*, now: datetime | None = None) -> dict[str, int]:
    """Run every registered step; returns what each one changed. One failing step does not stop the others."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for name, step in sorted(_STEPS.items()):
        try:
            done[name] = step(now)
        except Exception:
            logger.exception("Personal data retention step %s failed; the others ran", name)
            done[name] = -1
    return done


def login_records_forget(now: datetime) -> int:
    """Sign-in records past their period: django-axes attempts and logs (usernames are mobiles, with
    addresses), and sessions that have expired."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session

    cutoff = retention_cutoff("login_logs", now=now)
    removed = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    removed += AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    removed += AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()[0]
    removed += Session.objects.filter(expire_date__lt=now).delete()[0]
    return removed
