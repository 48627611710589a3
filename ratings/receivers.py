"""Receivers of what the archive announces: each one line calling a service of this app."""

from .services import rating_refresh_by_id


def rerate_customer(*, customer_id: int, cause: str, ref: str = "", **_kwargs) -> None:
    """A customer's facts changed: re-rate it now, in the transaction that changed them."""
    rating_refresh_by_id(customer_id=customer_id, cause=cause, cause_ref=ref)
