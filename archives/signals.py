"""What the archive announces to the apps above it (connected in their ``AppConfig.ready()``).

The archive never imports the apps that rate or notify: it sends these signals, and each receiver is
one line calling a service of its own app. Receivers run synchronously, inside the sender's
transaction, so what follows from a fact is committed, or rolled back, with the fact.
"""

from django.dispatch import Signal

#: A customer's rating facts changed (event recorded or revoked, account, verified report).
#: Arguments: ``customer_id``, ``cause`` (a RatingCause value), ``ref`` (the changed row).
customer_facts_changed = Signal()

#: An event was recorded or revoked. Arguments: ``event`` (the CreditEvent), ``revoked`` (bool).
credit_event_changed = Signal()
