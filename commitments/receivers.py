"""What commitments does when the archive announces news; connected in ``CommitmentsConfig.ready``."""

from .services.letters import letters_breach_refresh


def letters_when_event_changed(*, event, revoked: bool, **kwargs) -> None:
    """An event recorded breaks an accepted letter's promise (违诺); revoked, it no longer does."""
    letters_breach_refresh(customer_id=event.customer_id)
