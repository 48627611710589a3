"""What the archive announces to the apps above it (connected in their ``AppConfig.ready()``).

The archive holds the facts and does not know who judges them: it says that a customer's facts
changed, and the apps above decide what follows (a re-rating, a breached commitment). Receivers run
synchronously, inside the sender's transaction, so what follows is committed, or rolled back, with
the facts; nothing here needs the broker.
"""

from django.dispatch import Signal

#: Sent inside the transaction that changed one customer's rating facts; kwargs ``customer_id``,
#: ``cause`` (opened, event, revocation, repair, report, account), ``ref``.
facts_changed = Signal()

#: Sent by an import job after it wrote the facts of many customers (and committed them);
#: kwargs ``customer_ids`` (a set), ``cause`` ("import") and ``ref`` ("import:<job id>").
facts_imported = Signal()

#: Sent inside the transaction that recorded, revoked or repaired an event; kwargs ``event`` (the
#: CreditEvent), ``revoked`` (bool) and, for a credit repair (信用修复), ``repaired=True``.
credit_event_changed = Signal()

#: Sent before other credit information is recorded; kwargs ``customer`` and ``kind``. A receiver
#: refuses it by raising ``ApplicationError`` (ratings: a commendation only for an honest customer).
credit_information_checking = Signal()
