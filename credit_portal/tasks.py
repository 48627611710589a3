"""Celery tasks of the bottom layer: thin, they call a service."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def idempotent_requests_forget_task() -> None:
    """Forget the idempotency keys and form tokens kept longer than a day; running it twice is harmless."""
    from .idempotency import requests_forget

    requests_forget()
