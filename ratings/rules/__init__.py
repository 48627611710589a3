"""Electricity credit rating rules (信用等级评定要素) as declared data, and a pure evaluator.

The binding reading is ``shared/RATING_RULES.md`` (Annex 3 of 淮信用办〔2021〕7号). The package
imports nothing from Django (an import-linter contract says so): facts in, level + rule ids +
explanation out. One module per job:

- `clauses`: the kinds of condition a criterion row is made of, and the windows events are counted in;
- `criteria`: the table: decisions, the criteria rows built from a rule set's numbers
  (``V1_PARAMETERS`` = the plan's), the rules version;
- `book`: a rule set's table compiled once (``RuleBook``; ``V1`` is the plan's);
- `parameters`: the validation of a rule set's numbers and wording;
- `facts`: the facts read (events, reports, accounts) and the findings and result returned;
- `dates`: the calendar: whole years and months, windows, when an event leaves one;
- `tally`: one pass over the events, shared by the two evaluators;
- `fast`: ``evaluate_level``, the table compiled into closures (bulk re-rating);
- `stability`: ``stable_until``, the last date on which an evaluation still holds (the nightly skip);
- `explain`: ``evaluate``, ``explain`` and ``explain_decided``, with findings, explanation text and improvements;
- `facts_file`: the facts file of the rating test bench.

The words shared with the archive (levels, event types, attributes) are ``archives.vocabulary``;
every public name is importable from ``ratings.rules`` as before.
"""

from archives.vocabulary import (
    AMOUNT,
    BLACK,
    BLUE,
    DAMAGE_SEVERITY,
    DISHONESTY_SEVERITY,
    EVENT_TYPES,
    GREEN,
    HONEST_LEVELS,
    LEVEL_LABELS,
    LEVELS,
    NEGATIVE_LEVELS,
    PAYMENT_METHODS,
    POSTPAID,
    PREPAID,
    RED,
    UNRATED,
    VOLTAGE,
    YELLOW,
    Attribute,
    EventType,
)

from .book import V1, RuleBook, years_label
from .criteria import (
    CRITERIA,
    CRITERIA_BY_ID,
    DECISIONS,
    DECISIONS_BY_ID,
    RULES_VERSION,
    SINCE_OPENED,
    V1_PARAMETERS,
    WINDOW_1Y,
    WINDOW_3Y,
    WINDOWS,
    ArrearsMonths,
    Clause,
    Criterion,
    Decision,
    EventCount,
    NotInArrears,
    PaymentMethodIs,
    ReportShowsNoDishonesty,
    Where,
    build_criteria,
    build_decisions,
    compute_rules_version,
    rule_ids_in_words,
    rule_sort_key,
    rule_words,
    years_text,
)
from .dates import (
    add_months,
    add_years,
    months_in_arrears,
    window_exit,
    within,
)
from .explain import (
    evaluate,
    events_read,
    explain,
    explain_decided,
    explained_events,
)
from .facts import (
    Event,
    Evidence,
    Facts,
    Finding,
    Report,
    Result,
)
from .facts_file import (
    FactsError,
    parse_facts,
    result_to_json,
)
from .fast import (
    evaluate_level,
)
from .parameters import (
    GROUP_NAMES,
    PARAMETER_LABELS,
    PARAMETER_READERS,
    ParameterError,
    changed_criteria,
    shared_groups,
    validate_parameters,
    wording_reasons,
)
from .stability import (
    stable_until,
)

__all__ = [
    "AMOUNT",
    "BLACK",
    "BLUE",
    "DAMAGE_SEVERITY",
    "DISHONESTY_SEVERITY",
    "EVENT_TYPES",
    "GREEN",
    "HONEST_LEVELS",
    "LEVEL_LABELS",
    "LEVELS",
    "NEGATIVE_LEVELS",
    "PAYMENT_METHODS",
    "POSTPAID",
    "PREPAID",
    "RED",
    "UNRATED",
    "VOLTAGE",
    "YELLOW",
    "Attribute",
    "EventType",
    "Decision",
    "DECISIONS",
    "DECISIONS_BY_ID",
    "WINDOW_1Y",
    "WINDOW_3Y",
    "SINCE_OPENED",
    "WINDOWS",
    "Where",
    "EventCount",
    "ArrearsMonths",
    "PaymentMethodIs",
    "NotInArrears",
    "ReportShowsNoDishonesty",
    "Clause",
    "Criterion",
    "CRITERIA",
    "CRITERIA_BY_ID",
    "rule_sort_key",
    "compute_rules_version",
    "RULES_VERSION",
    "V1_PARAMETERS",
    "build_criteria",
    "build_decisions",
    "RuleBook",
    "V1",
    "years_label",
    "years_text",
    "rule_ids_in_words",
    "rule_words",
    "GROUP_NAMES",
    "PARAMETER_LABELS",
    "PARAMETER_READERS",
    "ParameterError",
    "changed_criteria",
    "shared_groups",
    "validate_parameters",
    "wording_reasons",
    "Event",
    "Report",
    "Facts",
    "add_years",
    "stable_until",
    "add_months",
    "months_in_arrears",
    "within",
    "window_exit",
    "Evidence",
    "Finding",
    "Result",
    "evaluate_level",
    "events_read",
    "explain",
    "explain_decided",
    "explained_events",
    "evaluate",
    "FactsError",
    "parse_facts",
    "result_to_json",
]
