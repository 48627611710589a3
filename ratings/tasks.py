"""Celery tasks of the ratings: thin, they take ids and call a service."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def rating_refresh_task(customer_id: int, cause: str, ref: str = "") -> None:
    """Re-rate one customer as of today after its facts changed; a vanished customer is a no-op."""
    from archives.models import Customer

    from .services import rating_refresh

    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is not None:
        rating_refresh(customer=customer, cause=cause, cause_ref=ref)
