"""What ratings does when the archive announces news; connected in ``RatingsConfig.ready``."""

from django.db import transaction

from .bulk import rerate_customers
from .selectors import dashboard_outdated
from .services import commendation_check, rating_refresh_by_id


def refresh_when_facts_changed(*, customer_id: int, cause: str, ref: str, **kwargs) -> None:
    """Re-rate the customer now, in the transaction that changed its facts (milliseconds, no broker)."""
    rating_refresh_by_id(customer_id=customer_id, cause=cause, cause_ref=ref)


def rerate_when_facts_imported(*, customer_ids: set[int], cause: str, ref: str, **kwargs) -> None:
    rerate_customers(customer_ids=customer_ids, cause=cause, cause_ref=ref)


def commendation_only_for_honest_customers(*, customer, kind: str) -> None:
    """表彰评优 is for honest customers (plan §三(四)): refused for any other level in force now."""
    commendation_check(customer_id=customer.pk, kind=kind)


def dashboard_outdated_when_level_changed(**kwargs) -> None:
    """Figures counted before a level change are not served once it is committed (with or without a beat)."""
    transaction.on_commit(dashboard_outdated)
