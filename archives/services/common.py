import threading
from functools import partial

from django.db import models, transaction

from archives.signals import facts_changed


def audited_save(instance: models.Model, *, actor, reason: str = "") -> None:
    """Save and attribute the history row to the acting user (also outside a web request)."""
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.save()


# The customers whose facts the current thread's open transaction changed, with the cause and ref
# of the latest change; connections are per thread, so this is per connection. An entry is taken by
# the first of its on-commit callbacks to run; the others find nothing. Entries of a rolled-back
# transaction stay until the customer is changed again, and are overwritten then.
_changed = threading.local()


def _pending() -> dict[int, tuple[str, str]]:
    if not hasattr(_changed, "customers"):
        _changed.customers = {}
    return _changed.customers


def _announce(customer_id: int) -> None:
    change = _pending().pop(customer_id, None)
    if change is not None:
        cause, ref = change
        facts_changed.send(sender=None, customer_id=customer_id, cause=cause, ref=ref)


def customer_facts_changed(*, customer_id: int, cause: str, ref: str = "") -> None:
    """Announce (``archives.signals.facts_changed``) that the customer's facts changed, on commit.

    Several changes to one customer in one transaction (an import, a revocation that touches the
    event and its request) make one announcement, named by the latest change: the facts are read at
    commit.
    """
    _pending()[customer_id] = (cause, ref)
    transaction.on_commit(partial(_announce, customer_id))
