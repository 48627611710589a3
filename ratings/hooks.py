"""What ratings asks of the apps above it (``credit_portal.hooks``: one answer each, registered in the
answering app's ``AppConfig.ready()``, verified at start-up; an unanswered call raises).

- ``override_basis(customer_id=, kind=, ref=)``: an override that raises a level names the objection
  or credit repair it rests on by number; the app that keeps them (commitments) answers the record in
  words, or refuses by raising ``ApplicationError`` (unknown, another enterprise's, refused).
"""

from credit_portal.hooks import Hook

override_basis = Hook(
    "ratings.override_basis",
    "The customer's objection or credit repair (kind) numbered ref, in words; refuses by raising ApplicationError.",
)
