"""Celery tasks of the bottom layer: thin, they call a service."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def idempotent_requests_forget_task() -> None:
    """Forget the idempotency keys and form tokens kept longer than a day; running it twice is harmless."""
    from .idempotency import requests_forget

    requests_forget()


@shared_task(acks_late=True, ignore_result=True)
def personal_data_retention_task() -> None:
    """Remove or anonymise the personal information past its retention period (beat, nightly); idempotent."""
    import logging

    from .retention import retention_run

    logging.getLogger(__name__).info("personal data retention: %s", retention_run())
