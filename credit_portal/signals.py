"""Signals that cross between the top apps, declared in the lowest one so neither imports the other.

`enterprise_message`: a text for an enterprise (an objection's decision, a password-reset code) to be
sent by SMS; the notifications app connects a receiver in its AppConfig.ready() that records and
sends it through the configured SMS backend.
Arguments: kind (str), recipient (phone), text (str), customer_id (int | None), stored_text (str | None:
what the portal keeps and shows, when the text itself must not be stored, e.g. a code).
"""

from django.dispatch import Signal

enterprise_message = Signal()
