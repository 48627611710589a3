"""Celery tasks of the enterprise side: thin, they call a service."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def measures_backfill_task() -> None:
    """Nightly, after the re-rating: open the measures the levels in force call that nobody opened yet
    (an optional measure switched on later); see ``services.measures.measures_backfill``."""
    import logging

    from .services.measures import measures_backfill

    opened = measures_backfill()
    if opened:
        logging.getLogger(__name__).info("measures opened for the levels in force: %d", opened)
