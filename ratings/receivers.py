"""What ratings does when the archive announces news; connected in ``RatingsConfig.ready``."""

from .bulk import rerate_customers
from .tasks import rating_refresh_task


def refresh_when_facts_changed(*, customer_id: int, cause: str, ref: str, **kwargs) -> None:
    rating_refresh_task.delay(customer_id, cause, ref)


def rerate_when_facts_imported(*, customer_ids: set[int], cause: str, ref: str, **kwargs) -> None:
    rerate_customers(customer_ids=customer_ids, cause=cause, cause_ref=ref)
