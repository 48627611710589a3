"""Reads of the ratings for pages and the API, one module per page (what the pages import is re-exported here).

- `in_force`: the level in force and the change in force — the one answer every reader uses;
- `panel`: the archive page's rating panel, what a revocation would do;
- `standards`: the public standards page, the enterprise's credit services page;
- `what_if`: the what-if bench;
- `dashboard`: the dashboard;
- `words`: rule ids in words where a person reads them;
- `requests`: overrides pending and active, staff's requests and the decisions taken.
"""

from .dashboard import (
    CHANGE_WINDOW_DAYS,
    DASHBOARD_LEVELS,
    DASHBOARD_REFRESH_SECONDS,
    NOT_RATED,
    Dashboard,
    LevelCount,
    Transition,
    dashboard_outdated,
    dashboard_refresh,
    rating_dashboard,
    rating_dashboard_cached,
)
from .in_force import (
    ChangeInForce,
    active_override,
    change_in_force,
    changes_at_level,
    changes_in_force,
    level_in_force,
    levels_in_force,
)
from .panel import (
    RatingPanel,
    RevocationOutcome,
    panel_reads,
    rating_panel,
    rating_panel_of,
    revocation_outcome,
)
from .requests import (
    RequestRow,
    decisions_taken,
    open_override,
    overrides_active,
    overrides_pending,
    requests_of,
)
from .standards import (
    LEVEL_CONSEQUENCES,
    PLAN_DATE,
    PLAN_ISSUERS,
    PLAN_NUMBER,
    PLAN_TITLE,
    STANDARDS_ORDER,
    ComingRuleSet,
    CreditServicesPage,
    RatingStandards,
    StandardsLevel,
    TermsRow,
    credit_services_page,
    level_terms_table,
    optional_measures,
    rating_standards,
    report_validity,
)
from .what_if import (
    WhatIf,
    event_text,
    rating_what_if,
)
from .words import rule_words, with_rule_words

__all__ = [
    "active_override",
    "CHANGE_WINDOW_DAYS",
    "ChangeInForce",
    "ComingRuleSet",
    "CreditServicesPage",
    "DASHBOARD_LEVELS",
    "DASHBOARD_REFRESH_SECONDS",
    "Dashboard",
    "LEVEL_CONSEQUENCES",
    "LevelCount",
    "NOT_RATED",
    "PLAN_DATE",
    "PLAN_ISSUERS",
    "PLAN_NUMBER",
    "PLAN_TITLE",
    "RatingPanel",
    "RatingStandards",
    "RequestRow",
    "RevocationOutcome",
    "STANDARDS_ORDER",
    "StandardsLevel",
    "TermsRow",
    "Transition",
    "WhatIf",
    "change_in_force",
    "changes_at_level",
    "changes_in_force",
    "credit_services_page",
    "dashboard_outdated",
    "dashboard_refresh",
    "decisions_taken",
    "event_text",
    "level_in_force",
    "level_terms_table",
    "levels_in_force",
    "open_override",
    "optional_measures",
    "overrides_active",
    "overrides_pending",
    "panel_reads",
    "rating_dashboard",
    "rating_dashboard_cached",
    "rating_panel",
    "rating_panel_of",
    "rating_standards",
    "rating_what_if",
    "report_validity",
    "requests_of",
    "revocation_outcome",
    "rule_words",
    "with_rule_words",
]
