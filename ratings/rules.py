"""Electricity credit rating rules (信用等级评定要素) as declared data, and a pure evaluator.

The binding reading is ``shared/RATING_RULES.md`` (Annex 3 of 淮信用办〔2021〕7号). This module
imports nothing from Django: facts in, level + rule ids + explanation out. Every criterion is one
row of ``CRITERIA``; the evaluation, the explanations and the public standards page all read it.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from archives.vocabulary import (  # noqa: F401 (the vocabulary is part of the rules' public names)
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

# --------------------------------------------------------------------------------------------
# Decisions (where the plan is silent or ambiguous)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """A documented reading of the plan, shown on the public standards page."""

    id: str
    title: str
    text: str


DECISIONS: tuple[Decision, ...] = (
    Decision(
        "unrated",
        "未定级",
        "未触发黄色、红色、黑色信用等级评定要素，但未满足蓝色信用等级全部条件的客户（如一年内有"
        "1次未按期交付电费，或无有效的公共信用信息查询报告）为“未定级”：不享受诚信客户待遇，也不"
        "发送预警。评定说明列出未满足的蓝色条件，便于告知客户如何改进（最常见的是通过发改委查询渠道"
        "获取公共信用信息查询报告，见附件1）。",
    ),
    Decision(
        "windows",
        "统计期",
        "“一年内”指评定日前一年（不含）至评定日（含），按日历年计算（2月29日减一年为2月28日），"
        "“三年内”同理。评定方案要求动态分类管理，因此黄色、红色、黑色的全部评定要素（包括原文未写"
        "统计期的红色第8、9项和黑色第8至11项）均只统计一年内的记录，任何失信行为都不会永久影响"
        "信用等级。晚于评定日的记录不参与评定。",
    ),
    Decision(
        "red4",
        "红色第4项",
        "较重失信行为也是失信行为，因此红色第4项“2次及以上一般失信行为”统计一般和较重两种失信"
        "行为，即“至少2次、至少为一般程度”。",
    ),
    Decision(
        "green3_blue2",
        "绿色第3项、蓝色第2项",
        "窃电是比违约用电更严重的违约行为，因此窃电同样使“无违约用电行为”的条件不成立。",
    ),
    Decision(
        "report_validity",
        "公共信用报告有效期",
        "以评定日及之前出具的最近一份江苏省法人公共信用信息查询报告为准，有效期一年（出具日晚于"
        "评定日前一年）。无有效报告时，绿色第4项、蓝色第3项不满足。同一日出具多份报告的，任一份"
        "显示失信行为即视为显示失信行为。",
    ),
    Decision(
        "arrears_months",
        "欠费月数",
        "欠费月数为自欠费起始日（最早一笔未缴电费的逾期首日）起至评定日已满的整月数，按日历月计算"
        "（当月无对应日期的取月末，如8月31日加一个月为9月30日）；欠费起始日为空或晚于评定日的视为"
        "无欠费。",
    ),
)
DECISIONS_BY_ID: dict[str, Decision] = {d.id: d for d in DECISIONS}

# --------------------------------------------------------------------------------------------
# Clauses: the building blocks of a criterion row
# --------------------------------------------------------------------------------------------

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

    def describe(self) -> str:
        """The condition in Chinese, e.g. ``一年内违约用电3次及以上``."""
        window = WINDOWS[self.window][0]
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


# --------------------------------------------------------------------------------------------
# Criteria
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One criterion of Annex 3: holds when all clauses of any one alternative hold."""

    id: str
    level: str
    plan_text: str
    any_of: tuple[tuple[Clause, ...], ...]
    decisions: tuple[str, ...] = ()

    @property
    def number(self) -> int:
        """The plan's own number of the criterion within its level."""
        return int(self.id.split(".")[1])

    @property
    def clauses(self) -> tuple[Clause, ...]:
        """Every clause of every alternative."""
        return tuple(c for alternative in self.any_of for c in alternative)

    @property
    def event_types(self) -> tuple[str, ...]:
        """The event types the criterion counts, in table order."""
        seen: dict[str, None] = {}
        for clause in self.clauses:
            if isinstance(clause, EventCount):
                seen.update(dict.fromkeys(clause.event_types))
        return tuple(seen)

    @property
    def windows(self) -> tuple[str, ...]:
        """The windows the criterion's event counts use."""
        found = {c.window for c in self.clauses if isinstance(c, EventCount)}
        return tuple(w for w in WINDOWS if w in found)

    @property
    def condition(self) -> str:
        """The condition in Chinese, derived from the clauses."""
        return "；或".join("，且".join(c.describe() for c in alt) for alt in self.any_of)

    @property
    def decision_notes(self) -> tuple[Decision, ...]:
        """The documented decisions that shape this criterion."""
        return tuple(DECISIONS_BY_ID[d] for d in self.decisions)


def _one(*clauses: Clause) -> tuple[tuple[Clause, ...], ...]:
    return (clauses,)


def _any(*clauses: Clause) -> tuple[tuple[Clause, ...], ...]:
    return tuple((c,) for c in clauses)


def _in_1y(event_type: str, at_least: int, at_most: int | None = None, where=None) -> EventCount:
    return EventCount((event_type,), WINDOW_1Y, at_least, at_most, where)


_BIG_THEFT = Where("amount_yuan", ">=", 500000, "金额50万元及以上")
_SMALL_THEFT = Where("amount_yuan", "<", 500000, "金额50万元以下")
_HIGH_VOLTAGE = Where("voltage_kv", ">=", 35, "35千伏及以上")
_MEDIUM_VOLTAGE = Where("voltage_kv", "in", (10, 20), "10千伏/20千伏")
_SERIOUS = Where("severity", "==", "serious", "较重")
_DAMAGE_SERIOUS = Where("severity", "==", "serious", "情节较重")
_DAMAGE_MINOR = Where("severity", "==", "minor", "情节较轻")
_NO_BREACH = ("unauthorized_use", "theft")

_LATE = "未按合同、协议约定的方式和期限交付电费"
_METER = "计量装置故障，拒不整改、拒不补缴电费"
_OUTAGE = "因内部故障（不可抗力除外）或违章施工，造成"

#: Every criterion of Annex 3, one row each, in the plan's order within each level.
CRITERIA: tuple[Criterion, ...] = (
    Criterion("black.1", BLACK, "拖欠电费6个月及以上", _one(ArrearsMonths(6)), ("arrears_months",)),
    Criterion(
        "black.2",
        BLACK,
        f"一年内发生5次及以上{_LATE}的行为",
        _one(_in_1y("late_payment", 5)),
    ),
    Criterion(
        "black.3",
        BLACK,
        "一年内发生3次及以上违约用电行为或2次及以上窃电行为或1次窃电金额50万元及以上的",
        _any(
            _in_1y("unauthorized_use", 3),
            _in_1y("theft", 2),
            _in_1y("theft", 1, where=_BIG_THEFT),
        ),
    ),
    Criterion(
        "black.4",
        BLACK,
        "一年内发生2次及以上较重失信行为",
        _one(_in_1y("dishonesty", 2, where=_SERIOUS)),
    ),
    Criterion(
        "black.5",
        BLACK,
        "一年内发生4次及以上未及时整改用电安全隐患的行为",
        _one(_in_1y("safety_hazard_unrectified", 4)),
    ),
    Criterion(
        "black.6",
        BLACK,
        f"一年内发生3次及以上{_METER}的行为",
        _one(_in_1y("meter_fault_refusal", 3)),
    ),
    Criterion(
        "black.7",
        BLACK,
        f"一年内发生1次及以上{_OUTAGE}35千伏及以上电压等级公用电网停电的行为，或一年内发生2次及"
        f"以上{_OUTAGE}10千伏/20千伏电压等级公用电网停电的行为",
        _any(
            _in_1y("grid_outage", 1, where=_HIGH_VOLTAGE),
            _in_1y("grid_outage", 2, where=_MEDIUM_VOLTAGE),
        ),
    ),
    Criterion(
        "black.8",
        BLACK,
        "故意破坏电力设施，情节较重，造成较大损失或较坏影响的行为",
        _one(_in_1y("facility_damage", 1, where=_DAMAGE_SERIOUS)),
        ("windows",),
    ),
    Criterion(
        "black.9",
        BLACK,
        "在电力设施保护范围内违章作业，拒不接受劝阻和处理的行为",
        _one(_in_1y("protection_zone_violation", 1)),
        ("windows",),
    ),
    Criterion(
        "black.10",
        BLACK,
        "拒不依法履行有序用电方案、客户负荷互动避让协议的行为",
        _one(_in_1y("orderly_use_refusal", 1)),
        ("windows",),
    ),
    Criterion(
        "black.11",
        BLACK,
        "扰乱供电企业秩序，致使生产、工作和营业不能正常进行的行为",
        _one(_in_1y("order_disruption", 1)),
        ("windows",),
    ),
    Criterion("red.1", RED, "拖欠电费3个月及以上6个月以内", _one(ArrearsMonths(3, 5)), ("arrears_months",)),
    Criterion(
        "red.2",
        RED,
        f"一年内发生3次及以上5次以下{_LATE}的行为",
        _one(_in_1y("late_payment", 3, 4)),
    ),
    Criterion(
        "red.3",
        RED,
        "一年内发生2次违约用电或1次窃电的行为（窃电金额50万元以下的）",
        (
            (_in_1y("unauthorized_use", 2, 2),),
            (_in_1y("theft", 1, 1), _in_1y("theft", 1, 1, where=_SMALL_THEFT)),
        ),
    ),
    Criterion(
        "red.4",
        RED,
        "一年内发生2次及以上一般失信行为",
        _one(_in_1y("dishonesty", 2)),
        ("red4",),
    ),
    Criterion(
        "red.5",
        RED,
        "一年内发生3次未及时整改用电安全隐患的行为",
        _one(_in_1y("safety_hazard_unrectified", 3, 3)),
    ),
    Criterion(
        "red.6",
        RED,
        f"一年内发生2次{_METER}的行为",
        _one(_in_1y("meter_fault_refusal", 2, 2)),
    ),
    Criterion(
        "red.7",
        RED,
        f"一年内发生1次{_OUTAGE}10千伏/20千伏电压等级公用电网停电的行为",
        _one(_in_1y("grid_outage", 1, 1, where=_MEDIUM_VOLTAGE)),
    ),
    Criterion(
        "red.8",
        RED,
        "故意破坏电力设施，情节较轻，且能主动赔偿由此造成损失的行为",
        _one(_in_1y("facility_damage", 1, where=_DAMAGE_MINOR)),
        ("windows",),
    ),
    Criterion(
        "red.9",
        RED,
        "歪曲用电量事实或用电行为，企图通过恶意投诉取得不正当得益的行为",
        _one(_in_1y("malicious_complaint", 1)),
        ("windows",),
    ),
    Criterion(
        "yellow.1",
        YELLOW,
        "拖欠电费2个月及以上3个月以内",
        _one(ArrearsMonths(2, 2)),
        ("arrears_months",),
    ),
    Criterion(
        "yellow.2",
        YELLOW,
        f"一年内发生2次{_LATE}的行为",
        _one(_in_1y("late_payment", 2, 2)),
    ),
    Criterion(
        "yellow.3",
        YELLOW,
        "一年内发生2次未及时整改用电安全隐患的行为",
        _one(_in_1y("safety_hazard_unrectified", 2, 2)),
    ),
    Criterion(
        "yellow.4",
        YELLOW,
        f"一年内发生1次{_METER}的行为",
        _one(_in_1y("meter_fault_refusal", 1, 1)),
    ),
    Criterion(
        "green.1",
        GREEN,
        "采用预存方式交付电费，电费账户无实时欠费行为",
        _one(PaymentMethodIs(PREPAID), NotInArrears()),
        ("arrears_months",),
    ),
    Criterion(
        "green.2",
        GREEN,
        "三年内未发生未按合同、协议约定的方式和期限交电费的行为",
        _one(EventCount(("late_payment",), WINDOW_3Y, at_most=0)),
    ),
    Criterion(
        "green.3",
        GREEN,
        "自立户起无违约用电行为",
        _one(EventCount(_NO_BREACH, SINCE_OPENED, at_most=0)),
        ("green3_blue2",),
    ),
    Criterion(
        "green.4",
        GREEN,
        "江苏省法人公共信用信息查询报告显示无失信行为",
        _one(ReportShowsNoDishonesty()),
        ("report_validity",),
    ),
    Criterion(
        "blue.1",
        BLUE,
        "一年内未发生未按合同、协议约定的方式和期限交电费的行为",
        _one(EventCount(("late_payment",), WINDOW_1Y, at_most=0)),
    ),
    Criterion(
        "blue.2",
        BLUE,
        "三年内无违约用电行为",
        _one(EventCount(_NO_BREACH, WINDOW_3Y, at_most=0)),
        ("green3_blue2",),
    ),
    Criterion(
        "blue.3",
        BLUE,
        "江苏省法人公共信用信息查询报告显示无失信行为",
        _one(ReportShowsNoDishonesty()),
        ("report_validity",),
    ),
)
CRITERIA_BY_ID: dict[str, Criterion] = {c.id: c for c in CRITERIA}


def criteria_for(level: str) -> tuple[Criterion, ...]:
    """The criteria (or conditions) of one level, in the plan's order."""
    return tuple(c for c in CRITERIA if c.level == level)


def rule_sort_key(rule_id: str) -> tuple[int, int]:
    """Sort key putting rule ids in table order (``black.2`` before ``black.10``)."""
    level, number = rule_id.split(".")
    return (_LEVEL_ORDER[level], int(number))


_LEVEL_ORDER = {level: i for i, level in enumerate((BLACK, RED, YELLOW, GREEN, BLUE))}


def compute_rules_version(
    criteria: Sequence[Criterion], decisions: Sequence[Decision], event_types: Mapping[str, EventType]
) -> str:
    """First 12 hex digits of the SHA-256 of the rows' canonical repr."""
    canonical = repr((tuple(criteria), tuple(decisions), tuple(event_types.values())))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


#: Changes whenever a criterion, a decision or an event type changes (stored with each rating).
RULES_VERSION: str = compute_rules_version(CRITERIA, DECISIONS, EVENT_TYPES)

# --------------------------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Event:
    """An in-force dishonest act; ``ref`` is the caller's own id for it."""

    type: str
    occurred_on: date
    amount_yuan: Decimal | None = None
    voltage_kv: Decimal | None = None
    severity: str | None = None
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
# Calendar helpers
# --------------------------------------------------------------------------------------------


def add_years(d: date, years: int) -> date:
    """``d`` moved by whole calendar years; 29 Feb becomes 28 Feb in a common year."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def add_months(d: date, months: int) -> date:
    """``d`` moved by calendar months, keeping the day or taking the month's last day."""
    years, month0 = divmod(d.month - 1 + months, 12)
    year = d.year + years
    return date(year, month0 + 1, min(d.day, calendar.monthrange(year, month0 + 1)[1]))


def months_in_arrears(arrears_since: date | None, as_of: date) -> int:
    """Largest m with ``arrears_since + m months <= as_of``; 0 when not in arrears."""
    if arrears_since is None or arrears_since > as_of:
        return 0
    months = (as_of.year - arrears_since.year) * 12 + as_of.month - arrears_since.month
    if add_months(arrears_since, months) > as_of:
        months -= 1
    return months


def within(occurred_on: date, as_of: date, years: int) -> bool:
    """True when ``as_of - years < occurred_on <= as_of``."""
    return add_years(as_of, -years) < occurred_on <= as_of


def window_exit(occurred_on: date, years: int) -> date:
    """The first evaluation date on which ``occurred_on`` is no longer within ``years``."""
    exit_on = add_years(occurred_on, years)
    # An event on 29 Feb still counts on 28 Feb n years later (28 Feb − n years < 29 Feb).
    if add_years(exit_on, -years) < occurred_on:
        exit_on += timedelta(days=1)
    return exit_on


@functools.lru_cache(maxsize=256)
def _window_starts(as_of: date) -> tuple[date, date]:
    # Bulk re-rating evaluates a million customers at one as_of: compute the bounds once.
    return add_years(as_of, -1), add_years(as_of, -3)


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


# --------------------------------------------------------------------------------------------
# Tallying: one pass over the events, shared by both evaluators
# --------------------------------------------------------------------------------------------

# Distinct (event types, filter) pairs counted by some clause; each gets a counter per band.
_COUNTERS: tuple[tuple[tuple[str, ...], Where | None], ...] = tuple(
    dict.fromkeys(
        (c.event_types, c.where) for c in (cl for cr in CRITERIA for cl in cr.clauses) if isinstance(c, EventCount)
    )
)
_N = len(_COUNTERS)
# Bands: 0 = within one year, 1 = within three years but not one, 2 = older (but ≤ as_of).
_BANDS: dict[str, tuple[int, ...]] = {WINDOW_1Y: (0,), WINDOW_3Y: (0, 1), SINCE_OPENED: (0, 1, 2)}
_ARREARS_BIT = 1 << (3 * _N)
# Always set in a tally's mask: the trigger of criteria that could hold with nothing counted.
_ALWAYS_BIT = 1 << (3 * _N + 1)
_COUNTERS_BY_TYPE: dict[str, tuple[tuple[int, Callable[[Event], bool] | None], ...]] = {
    code: tuple((i, where.matches if where else None) for i, (types, where) in enumerate(_COUNTERS) if code in types)
    for code in EVENT_TYPES
}


class _Tally:
    """Counts per counter and band for one evaluation; ``matched`` only when explaining."""

    __slots__ = ("facts", "counts", "mask", "months", "in_arrears", "report", "matched", "evidence")

    def __init__(self, facts: Facts, explain: bool) -> None:
        as_of = facts.as_of
        one_year, three_years = _window_starts(as_of)
        counts = [0] * (3 * _N)
        matched: list[list[Event]] | None = [[] for _ in counts] if explain else None
        mask = _ALWAYS_BIT
        by_type = _COUNTERS_BY_TYPE
        for event in facts.events:
            occurred_on = event.occurred_on
            if occurred_on > as_of:
                continue
            if occurred_on > one_year:
                base = 0
            elif occurred_on > three_years:
                base = _N
            else:
                base = 2 * _N
            for index, test in by_type[event.type]:
                if test is None or test(event):
                    k = base + index
                    counts[k] += 1
                    mask |= 1 << k
                    if matched is not None:
                        matched[k].append(event)
        arrears_since = facts.arrears_since
        in_arrears = arrears_since is not None and arrears_since <= as_of
        months = months_in_arrears(arrears_since, as_of) if in_arrears else 0
        if months:
            mask |= _ARREARS_BIT
        self.facts = facts
        self.counts = counts
        self.mask = mask
        self.months = months
        self.in_arrears = in_arrears
        self.report = _valid_reports(facts.reports, as_of) if facts.reports else None
        self.matched = matched
        self.evidence: dict[int, Evidence] = {}

    def events_for(self, clause: EventCount) -> list[Event]:
        """The counted events behind an event-count clause, oldest first."""
        assert self.matched is not None
        index = _COUNTERS.index((clause.event_types, clause.where))
        found = [e for band in _BANDS[clause.window] for e in self.matched[band * _N + index]]
        return sorted(found, key=lambda e: e.occurred_on)


def _valid_reports(reports: Sequence[Report], as_of: date) -> tuple[Report, ...] | None:
    """The reports of the latest issue date ≤ as_of, if that date is within one year."""
    latest: date | None = None
    for report in reports:
        issued_on = report.issued_on
        if issued_on <= as_of and (latest is None or issued_on > latest):
            latest = issued_on
    if latest is None or not add_years(as_of, -1) < latest:
        return None
    return tuple(r for r in reports if r.issued_on == latest)


def _latest_report(reports: Sequence[Report], as_of: date) -> Report | None:
    """The latest report issued on or before ``as_of``, valid or not."""
    issued = [r for r in reports if r.issued_on <= as_of]
    return max(issued, key=lambda r: r.issued_on) if issued else None


# --------------------------------------------------------------------------------------------
# Fast path: the table compiled into small closures
# --------------------------------------------------------------------------------------------

_Test = Callable[[_Tally], bool]


def _compile_clause(clause: Clause) -> tuple[_Test, int]:
    """A test for one clause, and the tally bits without which it cannot hold (0 = none)."""
    if isinstance(clause, EventCount):
        counter = _COUNTERS.index((clause.event_types, clause.where))
        keys = tuple(band * _N + counter for band in _BANDS[clause.window])
        low = clause.at_least
        high = clause.at_most if clause.at_most is not None else 1 << 62
        trigger = sum(1 << k for k in keys) if low >= 1 else 0
        if len(keys) == 1:
            (k,) = keys
            return (lambda t: low <= t.counts[k] <= high), trigger
        return (lambda t: low <= sum([t.counts[k] for k in keys]) <= high), trigger
    if isinstance(clause, ArrearsMonths):
        low = clause.at_least
        high = clause.at_most if clause.at_most is not None else 1 << 62
        return (lambda t: low <= t.months <= high), (_ARREARS_BIT if low >= 1 else 0)
    if isinstance(clause, PaymentMethodIs):
        method = clause.method
        return (lambda t: t.facts.payment_method == method), 0
    if isinstance(clause, NotInArrears):
        return (lambda t: not t.in_arrears), 0
    if isinstance(clause, ReportShowsNoDishonesty):
        return (lambda t: t.report is not None and not any(r.shows_dishonesty for r in t.report)), 0
    raise TypeError(f"unknown clause {clause!r}")


def _compile_criterion(criterion: Criterion) -> tuple[str, tuple[tuple[_Test, ...], ...], int]:
    """(id, alternatives of tests, trigger mask): the criterion cannot hold without a mask bit."""
    alternatives = []
    mask = 0
    for alternative in criterion.any_of:
        compiled = [_compile_clause(c) for c in alternative]
        alternatives.append(tuple(test for test, _ in compiled))
        # An alternative needs at least one of its clauses' triggers; pick any non-zero one.
        triggers = [bits for _, bits in compiled if bits]
        mask |= triggers[0] if triggers else _ALWAYS_BIT
    return criterion.id, tuple(alternatives), mask


def _holds(alternatives: tuple[tuple[_Test, ...], ...], tally: _Tally) -> bool:
    for alternative in alternatives:
        for test in alternative:
            if not test(tally):
                break
        else:
            return True
    return False


_COMPILED: dict[str, tuple[tuple[str, tuple[tuple[_Test, ...], ...], int], ...]] = {
    level: tuple(_compile_criterion(c) for c in criteria_for(level)) for level in (*NEGATIVE_LEVELS, GREEN, BLUE)
}
_LEVEL_MASKS: dict[str, int] = {
    level: functools.reduce(operator.or_, (m for _, _, m in rows), 0) for level, rows in _COMPILED.items()
}
_GREEN_RULES = tuple(c.id for c in criteria_for(GREEN))
_BLUE_RULES = tuple(c.id for c in criteria_for(BLUE))


def evaluate_level(facts: Facts) -> tuple[str, tuple[str, ...]]:
    """The level and its rule ids only: the fast path for bulk re-rating."""
    tally = _Tally(facts, explain=False)
    mask = tally.mask
    for level in NEGATIVE_LEVELS:
        if not mask & _LEVEL_MASKS[level]:
            continue  # nothing this level counts was seen
        hits = tuple(
            rule for rule, alternatives, trigger in _COMPILED[level] if mask & trigger and _holds(alternatives, tally)
        )
        if hits:
            return level, hits
    if all(_holds(alternatives, tally) for _, alternatives, _ in _COMPILED[GREEN]):
        return GREEN, _GREEN_RULES
    unmet = tuple(rule for rule, alts, _ in _COMPILED[BLUE] if not _holds(alts, tally))
    return (UNRATED, unmet) if unmet else (BLUE, _BLUE_RULES)


# --------------------------------------------------------------------------------------------
# Full evaluation with findings, explanation and improvements
# --------------------------------------------------------------------------------------------


def _number_text(value: Decimal | float | int) -> str:
    # normalize() drops trailing zeros; "f" keeps 120000 from turning into 1.2E+5.
    return format(Decimal(str(value)).normalize(), "f")


def _event_text(event: Event) -> str:
    event_type = EVENT_TYPES[event.type]
    text = f"{event.occurred_on.isoformat()} {event_type.short_label}"
    if event.type == "theft" and event.amount_yuan is not None:
        text += f"（金额{_number_text(event.amount_yuan)}元）"
    elif event.type == "grid_outage" and event.voltage_kv is not None:
        text += f"（{_number_text(event.voltage_kv)}千伏）"
    elif event_type.attribute is not None and event.severity is not None:
        text += f"（{event_type.attribute.choice_labels.get(event.severity, event.severity)}）"
    return text


def _event_evidence(event: Event, tally: _Tally) -> Evidence:
    # One Evidence object per event, so that findings can de-duplicate by identity: two
    # identical events without refs are still two events, and refs need not be hashable.
    found = tally.evidence.get(id(event))
    if found is None:
        found = tally.evidence[id(event)] = Evidence("event", event.ref, event.occurred_on, _event_text(event))
    return found


def _report_text(tally: _Tally) -> str:
    if tally.report is not None:
        issued_on = tally.report[0].issued_on.isoformat()
        shows = any(r.shows_dishonesty for r in tally.report)
        return f"公共信用报告出具于{issued_on}，{'显示有' if shows else '显示无'}失信行为"
    latest = _latest_report(tally.facts.reports, tally.facts.as_of)
    if latest is None:
        return "无公共信用报告"
    expired_on = window_exit(latest.issued_on, 1).isoformat()
    return f"无有效的公共信用报告（最近一份出具于{latest.issued_on}，已于{expired_on}失效）"


def _check_clause(clause: Clause, tally: _Tally) -> tuple[bool, tuple[Evidence, ...], str]:
    """Whether a clause holds, its evidence and a Chinese sentence about the facts."""
    facts = tally.facts
    if isinstance(clause, EventCount):
        events = tally.events_for(clause)
        text = f"{WINDOWS[clause.window][0]}{clause.subject}{len(events)}次"
        if events:
            text += "（" + "、".join(_event_text(e) for e in events) + "）"
        return clause.accepts(len(events)), tuple(_event_evidence(e, tally) for e in events), text
    arrears = ()
    if tally.in_arrears:
        arrears_text = f"欠费起始日{facts.arrears_since}，已拖欠电费{tally.months}个月"
        arrears = (Evidence("arrears", None, facts.arrears_since, arrears_text),)
    else:
        arrears_text = "无欠费"
    if isinstance(clause, ArrearsMonths):
        return clause.accepts(tally.months), arrears, arrears_text
    if isinstance(clause, NotInArrears):
        return not tally.in_arrears, arrears, arrears_text
    if isinstance(clause, PaymentMethodIs):
        label = PAYMENT_METHODS.get(facts.payment_method, facts.payment_method)
        text = f"交费方式为{label}"
        evidence = (Evidence("payment_method", None, None, text),)
        return facts.payment_method == clause.method, evidence, text
    if isinstance(clause, ReportShowsNoDishonesty):
        text = _report_text(tally)
        if tally.report is None:
            return False, (), text
        evidence = tuple(Evidence("report", r.ref, r.issued_on, text) for r in tally.report)
        return not any(r.shows_dishonesty for r in tally.report), evidence, text
    raise TypeError(f"unknown clause {clause!r}")


def _finding(criterion: Criterion, tally: _Tally) -> Finding:
    checked = [[_check_clause(c, tally) for c in alt] for alt in criterion.any_of]
    holding = [alt for alt in checked if all(ok for ok, _, _ in alt)]
    holds = bool(holding)
    # A holding criterion is explained by the alternatives that hold; otherwise by all of them.
    shown = holding or checked
    evidence: dict[int, Evidence] = {}
    for alt in shown:
        for _, found, _ in alt:
            evidence.update((id(e), e) for e in found)
    facts_text = "；".join(dict.fromkeys(text for alt in shown for _, _, text in alt))
    if criterion.level in HONEST_LEVELS:
        verdict = "满足" if holds else "未满足"
    else:
        verdict = "成立" if holds else "不成立"
    text = f"{criterion.id}「{criterion.plan_text}」{verdict}：{facts_text}"
    return Finding(criterion.id, holds, tuple(evidence.values()), text)


def _decide(holds: Mapping[str, bool]) -> tuple[str, tuple[str, ...]]:
    """The evaluation order of RATING_RULES.md applied to every criterion's outcome."""
    for level in NEGATIVE_LEVELS:
        hits = tuple(c.id for c in criteria_for(level) if holds[c.id])
        if hits:
            return level, hits
    for level in (GREEN, BLUE):
        ids = tuple(c.id for c in criteria_for(level))
        if all(holds[i] for i in ids):
            return level, ids
    return UNRATED, tuple(c.id for c in criteria_for(BLUE) if not holds[c.id])


def _stops_holding_on(criterion: Criterion, tally: _Tally) -> date | None:
    """When a holding warning criterion stops holding if nothing new happens (None: pay)."""
    dates: list[date] = []
    for alternative in criterion.any_of:
        checks = [(c, _check_clause(c, tally)[0]) for c in alternative]
        if not all(ok for _, ok in checks):
            continue
        ends = []
        for clause in alternative:
            if isinstance(clause, EventCount) and clause.at_least >= 1:
                years = WINDOWS[clause.window][1]
                if years is None:
                    continue
                events = tally.events_for(clause)
                # Below the threshold once the (n − at_least + 1) oldest events have left.
                ends.append(window_exit(events[len(events) - clause.at_least].occurred_on, years))
        if not ends:
            return None  # arrears: only paying ends it
        dates.append(min(ends))
    return max(dates) if dates else None


def _remedies(criterion: Criterion, tally: _Tally) -> list[str]:
    """What would make an unmet honest condition hold."""
    found = []
    for clause in criterion.clauses:
        ok, _, _ = _check_clause(clause, tally)
        if ok:
            continue
        if isinstance(clause, EventCount):
            window, years = WINDOWS[clause.window]
            events = tally.events_for(clause)
            if years is None:
                found.append(f"{criterion.id}：{window}的{clause.subject}记录不随时间消除，该条件无法满足。")
            else:
                last = events[len(events) - (clause.at_most or 0) - 1]
                found.append(
                    f"{criterion.id}：若无新的{clause.subject}记录，{last.occurred_on}的记录将于"
                    f"{window_exit(last.occurred_on, years)}起超出{window}统计期，届时满足该条件。"
                )
        elif isinstance(clause, PaymentMethodIs):
            label = PAYMENT_METHODS[clause.method]
            found.append(f"{criterion.id}：改用{label}方式交付电费。")
        elif isinstance(clause, NotInArrears):
            found.append(f"{criterion.id}：结清所欠电费（欠费起始日{tally.facts.arrears_since}）。")
        elif isinstance(clause, ReportShowsNoDishonesty):
            if tally.report is None:
                found.append(f"{criterion.id}：通过发改委查询渠道（附件1）获取江苏省法人公共信用信息查询报告。")
            else:
                found.append(f"{criterion.id}：完成信用修复后，重新获取显示无失信行为的公共信用信息查询报告。")
    return found


def _improvements(level: str, rules: tuple[str, ...], unmet: tuple[str, ...], t: _Tally) -> tuple[str, ...]:
    lines: list[str] = []
    if level in NEGATIVE_LEVELS:
        counted: dict[int, tuple[Event, date, str]] = {}  # by identity, like the evidence
        for rule in rules:
            criterion = CRITERIA_BY_ID[rule]
            stop = _stops_holding_on(criterion, t)
            if stop is None:
                since = t.facts.arrears_since
                line = f"{rule}：结清所欠电费（欠费起始日{since}）后不再成立"
                # Arrears age: tell staff when the next, graver threshold is reached.
                limits = [c.at_most for c in criterion.clauses if isinstance(c, ArrearsMonths) and c.at_most]
                if since is not None and limits:
                    line += f"；若仍未结清，将于{add_months(since, limits[0] + 1)}起欠费满{limits[0] + 1}个月"
                lines.append(line + "。")
            else:
                lines.append(f"{rule}：若无新的记录，将于{stop}起不再成立。")
            for clause in criterion.clauses:
                if isinstance(clause, EventCount) and clause.at_least >= 1:
                    window, years = WINDOWS[clause.window]
                    if years is None:
                        continue
                    for event in t.events_for(clause):
                        counted[id(event)] = (event, window_exit(event.occurred_on, years), window)
        for event, exit_on, window in sorted(counted.values(), key=lambda item: item[0].occurred_on):
            lines.append(f"{_event_text(event)}：将于{exit_on}起不再计入{window}的统计。")
    for rule in unmet:
        lines.extend(_remedies(CRITERIA_BY_ID[rule], t))
    if t.report is not None and not any(r.shows_dishonesty for r in t.report):
        issued_on = t.report[0].issued_on
        lines.append(f"当前公共信用报告（{issued_on}出具）将于{window_exit(issued_on, 1)}起失效，请在此之前重新获取。")
    return tuple(dict.fromkeys(lines))


def _explanation_text(as_of: date, level: str, texts: Sequence[str]) -> str:
    label = LEVEL_LABELS[level]
    if level in NEGATIVE_LEVELS:
        intro = f"触发{label}信用等级评定要素："
    elif level in HONEST_LEVELS:
        intro = f"满足{label}信用等级全部条件（诚信客户）："
    else:
        intro = "未触发黄色、红色、黑色信用等级评定要素，但未满足以下蓝色信用等级条件："
    return f"截至{as_of.isoformat()}，信用等级：{label}。{intro}" + "；".join(texts) + "。"


def explain(facts: Facts) -> tuple[str, tuple[str, ...], str]:
    """Level, rule ids and explanation exactly as ``evaluate`` gives them, finding only the decided rules.

    Several times faster than ``evaluate``: for bulk re-rating, which explains every rating it writes.
    """
    level, rules = evaluate_level(facts)
    tally = _Tally(facts, explain=True)
    texts = [_finding(CRITERIA_BY_ID[rule], tally).text for rule in rules]
    return level, rules, _explanation_text(facts.as_of, level, texts)


def evaluate(facts: Facts) -> Result:
    """The level with its rule ids, every criterion's finding, an explanation and advice."""
    tally = _Tally(facts, explain=True)
    findings = tuple(_finding(c, tally) for c in CRITERIA)
    holds = {f.rule: f.holds for f in findings}
    level, rules = _decide(holds)
    by_rule = {f.rule: f for f in findings}
    target = GREEN if level == BLUE else BLUE
    unmet = () if level == GREEN else tuple(c.id for c in criteria_for(target) if not holds[c.id])
    explanation = _explanation_text(facts.as_of, level, [by_rule[r].text for r in rules])
    return Result(
        level=level,
        honest=level in HONEST_LEVELS,
        rules=rules,
        explanation=explanation,
        findings=findings,
        unmet=unmet,
        improvements=_improvements(level, rules, unmet, tally),
    )


# --------------------------------------------------------------------------------------------
# The facts file (rating test bench)
# --------------------------------------------------------------------------------------------


class FactsError(ValueError):
    """Invalid facts input; ``message`` is one line naming the bad field."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field  # "" for the facts object itself
        self.problem = problem
        self.message = f"{field or 'facts'}: {problem}"
        super().__init__(self.message)

    def at_index(self, index: int) -> FactsError:
        """The same error for the facts object at ``index`` of an array."""
        separator = "." if self.field and not self.field.startswith("[") else ""
        return FactsError(f"[{index}]{separator}{self.field}", self.problem)


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(value: object, field: str) -> date:
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise FactsError(field, "must be a date YYYY-MM-DD")


def _optional_date(value: object, field: str) -> date | None:
    return None if value is None else _date(value, field)


def _number(value: object, field: str, strictly_positive: bool) -> Decimal:
    problem = "must be a number > 0" if strictly_positive else "must be a number ≥ 0"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise FactsError(field, f"{problem}")
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    if not number.is_finite() or number < 0 or (strictly_positive and number == 0):
        raise FactsError(field, f"{problem}")
    return number


def _object(value: object, field: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise FactsError(field, "must be an object")
    return value


def _array(value: object, field: str) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FactsError(field, "must be an array")
    return value


def _parse_event(obj: object, index: int) -> Event:
    field = f"events[{index}]"
    data = _object(obj, field)
    code = data.get("type")
    if code is None:
        raise FactsError(f"{field}.type", "required")
    if not isinstance(code, str) or code not in EVENT_TYPES:
        shown = f'"{code}"' if isinstance(code, str) else "(not a string)"
        raise FactsError(f"{field}.type", f"unknown event type {shown}")
    attribute = EVENT_TYPES[code].attribute
    values: dict[str, object] = {}
    if attribute is not None:
        name = f"{field}.{attribute.name}"
        raw = data.get(attribute.name)
        if attribute.choices:
            if not isinstance(raw, str) or raw not in attribute.choice_labels:
                allowed = ", ".join(f'"{value}"' for value, _ in attribute.choices)
                raise FactsError(name, f"must be one of {allowed}")
            values[attribute.name] = raw
        else:
            values[attribute.name] = _number(raw, name, attribute.strictly_positive)
    occurred_on = _date(data.get("occurred_on"), f"{field}.occurred_on")
    return Event(type=code, occurred_on=occurred_on, ref=index, **values)


def _parse_report(obj: object, index: int) -> Report:
    field = f"public_credit_reports[{index}]"
    data = _object(obj, field)
    issued_on = _date(data.get("issued_on"), f"{field}.issued_on")
    shows = data.get("shows_dishonesty")
    if not isinstance(shows, bool):
        raise FactsError(f"{field}.shows_dishonesty", "must be true or false")
    return Report(issued_on=issued_on, shows_dishonesty=shows, ref=index)


def parse_facts(obj: object) -> Facts:
    """Facts from one decoded facts-file object; raises FactsError naming the bad field."""
    data = _object(obj, "")
    as_of = _date(data.get("as_of"), "as_of")
    customer = _object(data.get("customer"), "customer")
    method = customer.get("payment_method")
    if not isinstance(method, str) or method not in PAYMENT_METHODS:
        raise FactsError("customer.payment_method", 'must be "prepaid" or "postpaid"')
    return Facts(
        as_of=as_of,
        payment_method=method,
        arrears_since=_optional_date(customer.get("arrears_since"), "customer.arrears_since"),
        account_opened_on=_optional_date(customer.get("account_opened_on"), "customer.account_opened_on"),
        reports=tuple(
            _parse_report(r, i)
            for i, r in enumerate(_array(data.get("public_credit_reports"), "public_credit_reports"))
        ),
        events=tuple(_parse_event(e, i) for i, e in enumerate(_array(data.get("events"), "events"))),
    )


def result_to_json(result: Result) -> dict[str, object]:
    """The facts-file result object: level, honest, rules and explanation."""
    return {
        "level": result.level,
        "honest": result.honest,
        "rules": list(result.rules),
        "explanation": result.explanation,
    }
