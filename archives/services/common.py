from django.db import models, transaction


def audited_save(instance: models.Model, *, actor, reason: str = "") -> None:
    """Save and attribute the history row to the acting user (also outside a web request)."""
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.save()


def customer_facts_changed(*, customer_id: int, cause: str, ref: str = "") -> None:
    """Re-rate the customer once the transaction that changed its rating facts has committed."""
    from ratings.tasks import rating_refresh_task

    transaction.on_commit(lambda: rating_refresh_task.delay(customer_id, cause, ref))
