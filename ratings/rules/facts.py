"""What the rules read and what they return: a customer's facts in, findings and a result out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# --------------------------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Event:
    """An in-force dishonest act; ``ref`` is the caller's own id for it.

    ``repaired_on``: the date of an approved credit repair (信用修复); from that date on the event counts
    in no evaluation (RATING_RULES.md "Decision — what a repair does").
    """

    type: str
    occurred_on: date
    amount_yuan: Decimal | None = None
    voltage_kv: Decimal | None = None
    severity: str | None = None
    repaired_on: date | None = None
    ref: object = None


@dataclass(frozen=True, slots=True)
class Report:
    """A public credit report (江苏省法人公共信用信息查询报告)."""

    issued_on: date
    shows_dishonesty: bool
    ref: object = None


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything known about one customer on ``as_of``."""

    as_of: date
    payment_method: str
    arrears_since: date | None = None
    account_opened_on: date | None = None
    reports: tuple[Report, ...] = ()
    events: tuple[Event, ...] = ()


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """A fact behind a finding: an event, the arrears, the payment method or a report."""

    kind: str  # "event" | "arrears" | "payment_method" | "report"
    ref: object
    on: date | None
    text: str


@dataclass(frozen=True)
class Finding:
    """Whether one criterion holds, and the facts behind it."""

    rule: str
    holds: bool
    evidence: tuple[Evidence, ...]
    text: str


@dataclass(frozen=True)
class Result:
    """A rating with its explanation.

    ``unmet`` lists the unmet conditions of the next honest level (green for blue, blue for the
    others, empty for green).
    """

    level: str
    honest: bool
    rules: tuple[str, ...]
    explanation: str
    findings: tuple[Finding, ...]
    unmet: tuple[str, ...]
    improvements: tuple[str, ...]
