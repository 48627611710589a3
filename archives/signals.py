"""What the archive announces to the apps above it (connected in their ``AppConfig.ready()``).

The archive holds the facts and does not know who judges them: it says that a customer's facts
changed, and the apps above decide what follows (a re-rating, a breached commitment). Receivers run
synchronously, inside the sender's transaction, so what follows is committed, or rolled back, with
the facts; nothing here needs the broker.
"""

from django.dispatch import Signal

#: Sent inside the transaction that changed one customer's rating facts; kwargs ``customer_id``,
#: ``cause`` (opened, event, revocation, repair, report, account) and ``ref`` (for an event,
#: its revocation or its repair: the event's id). The one message of a change: every receiver reads
#: what it needs from it, so the order in which they run does not matter (what depends on the
#: re-rating listens to ratings instead).
facts_changed = Signal()

#: Sent by an import job after it wrote the facts of many customers (and committed them);
#: kwargs ``customer_ids`` (a set), ``cause`` ("import") and ``ref`` ("import:<job id>").
facts_imported = Signal()
