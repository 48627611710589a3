from contextlib import contextmanager

from django.db import models

from archives.signals import facts_changed


def audited_save(instance: models.Model, *, actor, reason: str = "") -> None:
    """Save and attribute the history row to the acting user (also outside a web request)."""
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.save()


@contextmanager
def history_paused(instance: models.Model):
    """Saves of ``instance`` and changes of its many-to-many fields inside the block write no history row of
    their own: the next audited write records their outcome in one row (simple-history would write one per
    step, so one act would show twice in the trail)."""
    instance.skip_history_when_saving = True
    try:
        yield instance
    finally:
        del instance.skip_history_when_saving


def customer_facts_changed(*, customer_id: int, cause: str, ref: str = "") -> None:
    """Announce (``archives.signals.facts_changed``) that a customer's facts changed, inside the transaction.

    The ratings app re-rates the customer at once (milliseconds, no broker involved), so the level
    in force is committed with the facts; the notices it calls for are outbox rows of the same
    transaction, handed to the broker only after commit.
    """
    facts_changed.send(sender=None, customer_id=customer_id, cause=cause, ref=ref)
