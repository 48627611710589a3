from django.db import models, transaction


def audited_save(instance: models.Model, *, actor, reason: str = "") -> None:
    """Save and attribute the history row to the acting user (also outside a web request)."""
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.save()


class _RefreshOnCommit:
    """The on-commit re-rating of one customer; the latest change of the transaction names the cause."""

    def __init__(self, customer_id: int, cause: str, ref: str) -> None:
        self.customer_id, self.cause, self.ref = customer_id, cause, ref
        self.queued = False

    def __call__(self) -> None:
        from ratings.tasks import rating_refresh_task

        self.queued = True
        rating_refresh_task.delay(self.customer_id, self.cause, self.ref)


def customer_facts_changed(*, customer_id: int, cause: str, ref: str = "") -> None:
    """Re-rate the customer once the transaction that changed its rating facts has committed.

    Several changes to one customer in one transaction (an import, a revocation that touches the
    event and its request) queue one re-rating, not one per change: the facts are read at commit.
    """
    pending = transaction.get_connection().run_on_commit  # (savepoint ids, callback, robust)
    for _sids, callback, _robust in pending:
        if isinstance(callback, _RefreshOnCommit) and callback.customer_id == customer_id and not callback.queued:
            callback.cause, callback.ref = cause, ref
            return
    transaction.on_commit(_RefreshOnCommit(customer_id, cause, ref))
