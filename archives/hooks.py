"""What the archive asks of the apps above it (``credit_portal.hooks``: one answer each, registered in
the answering app's ``AppConfig.ready()``, verified at start-up; an unanswered call raises).

- ``credit_information_allowed(customer=, kind=)``: before other credit information is recorded;
  refuses by raising ``ApplicationError`` (ratings: a commendation only for an honest customer).
- ``customers_with_level(customers=)``: the customers, each with ``level`` (None: not rated yet),
  ``level_as_of`` and ``level_changed_on``, in the same query (ratings: the level in force).
- ``customers_of_level(customers=, level=)``: those at that level in force (ratings).
- ``class_thresholds(on=)``: the numbers a record's class depends on, of the rule set in force on the
  date (ratings: black.3's theft amount, black.7's voltages).
- ``objected_events()``: a query of the ids of the events an open objection disputes (commitments).
"""

from credit_portal.hooks import Hook

credit_information_allowed = Hook(
    "archives.credit_information_allowed",
    "Before other credit information (kind) is recorded for a customer; refuses by raising ApplicationError.",
)
customers_with_level = Hook(
    "archives.customers_with_level",
    "The customers queryset annotated with level, level_as_of and level_changed_on.",
)
customers_of_level = Hook("archives.customers_of_level", "The customers queryset kept to one level in force.")
class_thresholds = Hook(
    "archives.class_thresholds", "The vocabulary.ClassThresholds of the rule set in force on a date (on=)."
)
objected_events = Hook("archives.objected_events", "A query of the ids of the events with an open objection.")
