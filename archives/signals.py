"""What the archive announces to the apps above it (ratings connects to these in its AppConfig).

The archive holds the facts and does not know who judges them: it says that a customer's facts
changed, and the apps above decide what follows (a re-rating).
"""

from django.dispatch import Signal

#: Sent once a transaction that changed one customer's rating facts has committed, once per customer
#: per transaction; kwargs ``customer_id``, ``cause`` (event, revocation, report, account), ``ref``.
facts_changed = Signal()

#: Sent by an import job after it wrote the facts of many customers (and committed them);
#: kwargs ``customer_ids`` (a set), ``cause`` ("import") and ``ref`` ("import:<job id>").
facts_imported = Signal()
