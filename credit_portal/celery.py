"""The Celery app. Without a broker (the embedded default) tasks run in-process."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credit_portal.settings")

app = Celery("credit_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _hooks_verify(**kwargs) -> None:
    """A worker whose apps leave a declared hook unanswered does not start (``credit_portal.hooks``)."""
    from credit_portal.hooks import hooks_verify

    hooks_verify()
