"""The clauses a criterion row is made of, and the windows that event counts look back over.

Each kind (an event count, months in arrears, the payment method, no arrears, a clean credit report) is
data; the table (``criteria``) builds its rows from them, and both evaluators (``fast``, ``explain``)
turn each kind into a test."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from archives.vocabulary import EVENT_TYPES, PAYMENT_METHODS

from .facts import Event

WINDOW_1Y, WINDOW_3Y, SINCE_OPENED = "1y", "3y", "since_opened"
#: Window code → (Chinese label, length in years or None for "since the account was opened").
WINDOWS: dict[str, tuple[str, int | None]] = {
    WINDOW_1Y: ("一年内", 1),
    WINDOW_3Y: ("三年内", 3),
    SINCE_OPENED: ("自立户起", None),
}

_OPERATORS: dict[str, Callable[[object, object], bool]] = {
    ">=": operator.ge,
    "<": operator.lt,
    "==": operator.eq,
    "in": lambda value, allowed: value in allowed,
}


@dataclass(frozen=True)
class Where:
    """A filter on an event's attribute, e.g. ``amount_yuan >= 500000``."""

    attribute: str
    op: str
    value: object
    label: str

    def matches(self, event: Event) -> bool:
        """True when the event's attribute passes the filter (a missing value never does)."""
        value = getattr(event, self.attribute)
        return value is not None and _OPERATORS[self.op](value, self.value)


@dataclass(frozen=True)
class EventCount:
    """The number of in-force events of the given types (and filter) within a window."""

    event_types: tuple[str, ...]
    window: str
    at_least: int = 0
    at_most: int | None = None
    where: Where | None = None

    def accepts(self, count: int) -> bool:
        """True when ``count`` is within the clause's bounds."""
        return count >= self.at_least and (self.at_most is None or count <= self.at_most)

    @property
    def subject(self) -> str:
        """Chinese name of what is counted, e.g. ``违约用电或窃电（金额50万元以下）``."""
        names = "或".join(EVENT_TYPES[t].short_label for t in self.event_types)
        return names + (f"（{self.where.label}）" if self.where else "")

    def describe(self, window_labels: Mapping[str, str] | None = None) -> str:
        """The condition in Chinese, e.g. ``一年内违约用电3次及以上`` (windows named as the rule set's)."""
        window = (window_labels or {}).get(self.window) or WINDOWS[self.window][0]
        if self.at_most == 0:
            return f"{window}无{self.subject}行为"
        return f"{window}{self.subject}{_count_bounds(self.at_least, self.at_most)}"


@dataclass(frozen=True)
class ArrearsMonths:
    """Months in arrears as of the evaluation date within [at_least, at_most]."""

    at_least: int
    at_most: int | None = None

    def accepts(self, months: int) -> bool:
        """True when ``months`` is within the clause's bounds."""
        return months >= self.at_least and (self.at_most is None or months <= self.at_most)

    def describe(self) -> str:
        """The condition in Chinese, e.g. ``拖欠电费3个月及以上6个月以内``."""
        if self.at_most is None:
            return f"拖欠电费{self.at_least}个月及以上"
        # Whole months: "2 months" means 2 ≤ m < 3, worded as the plan does.
        return f"拖欠电费{self.at_least}个月及以上{self.at_most + 1}个月以内"


@dataclass(frozen=True)
class PaymentMethodIs:
    """The customer pays electricity bills in the given way."""

    method: str

    def describe(self) -> str:
        """The condition in Chinese."""
        return f"采用{PAYMENT_METHODS[self.method]}方式交付电费"


@dataclass(frozen=True)
class NotInArrears:
    """No unpaid overdue bill on the evaluation date (实时欠费)."""

    def describe(self) -> str:
        """The condition in Chinese."""
        return "电费账户无实时欠费"


@dataclass(frozen=True)
class ReportShowsNoDishonesty:
    """A valid public credit report exists and shows no dishonesty."""

    def describe(self) -> str:
        """The condition in Chinese."""
        return "有效的江苏省法人公共信用信息查询报告显示无失信行为"


Clause = EventCount | ArrearsMonths | PaymentMethodIs | NotInArrears | ReportShowsNoDishonesty


def _count_bounds(at_least: int, at_most: int | None) -> str:
    """Chinese wording of a count range in the plan's style (``3次及以上5次以下``)."""
    if at_most is None:
        return f"{at_least}次及以上"
    if at_least == at_most:
        return f"{at_least}次"
    return f"{at_least}次及以上{at_most + 1}次以下"
