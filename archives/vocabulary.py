"""The words the archive and the rating rules share: levels, payment methods, event types and their
attributes and severities, and the class and publication periods of each record (RATING_RULES.md).

Pure Python, no Django: the archive's models, forms and imports describe the facts with it, and the
rules module (``ratings.rules``), which judges them, reads the same definitions. The level names live
here, below ratings, because the archive lists, filters and exports customers by their level.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

# --------------------------------------------------------------------------------------------
# Levels
# --------------------------------------------------------------------------------------------

GREEN, BLUE, YELLOW, RED, BLACK = "green", "blue", "yellow", "red", "black"
UNRATED = "unrated"

#: The five levels of the plan, from high to low.
LEVELS: dict[str, str] = {
    GREEN: "绿色",
    BLUE: "蓝色",
    YELLOW: "黄色",
    RED: "红色",
    BLACK: "黑色",
}
#: Every state a rating can have, with its Chinese label (the five levels plus 未定级).
LEVEL_LABELS: dict[str, str] = {**LEVELS, UNRATED: "未定级"}
#: Green and blue customers are honest customers (诚信客户).
HONEST_LEVELS: frozenset[str] = frozenset({GREEN, BLUE})
#: The warning levels, in the order they are evaluated.
NEGATIVE_LEVELS: tuple[str, ...] = (BLACK, RED, YELLOW)

PREPAID, POSTPAID = "prepaid", "postpaid"
PAYMENT_METHODS: dict[str, str] = {PREPAID: "预存", POSTPAID: "非预存（后付费）"}

# --------------------------------------------------------------------------------------------
# Event types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attribute:
    """The one attribute an event type carries (amount, voltage or severity)."""

    name: str
    label: str
    unit: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    strictly_positive: bool = False  # voltage must be > 0; an amount may be 0

    @property
    def choice_labels(self) -> dict[str, str]:
        """Allowed values of a choice attribute, with their Chinese labels."""
        return dict(self.choices)


@dataclass(frozen=True)
class EventType:
    """One kind of dishonest act (失信行为) that staff can record."""

    code: str
    label: str
    short_label: str
    attribute: Attribute | None = None


AMOUNT = Attribute("amount_yuan", "窃电金额", unit="元")
VOLTAGE = Attribute("voltage_kv", "电压等级", unit="千伏", strictly_positive=True)
DAMAGE_SEVERITY = Attribute(
    "severity",
    "情节",
    choices=(
        ("minor", "情节较轻，且能主动赔偿"),
        ("serious", "情节较重，造成较大损失或较坏影响"),
    ),
)
DISHONESTY_SEVERITY = Attribute("severity", "严重程度", choices=(("general", "一般"), ("serious", "较重")))

#: The twelve event types, keyed by code, in the order of RATING_RULES.md.
EVENT_TYPES: dict[str, EventType] = {
    t.code: t
    for t in (
        EventType("late_payment", "未按合同、协议约定的方式和期限交付电费", "未按期交付电费"),
        EventType("unauthorized_use", "违约用电", "违约用电"),
        EventType("theft", "窃电", "窃电", AMOUNT),
        EventType("safety_hazard_unrectified", "未及时整改用电安全隐患", "未及时整改安全隐患"),
        EventType(
            "meter_fault_refusal",
            "计量装置故障，拒不整改、拒不补缴电费",
            "计量装置故障拒不整改",
        ),
        EventType(
            "grid_outage",
            "因内部故障（不可抗力除外）或违章施工造成公用电网停电",
            "造成公用电网停电",
            VOLTAGE,
        ),
        EventType("facility_damage", "故意破坏电力设施", "故意破坏电力设施", DAMAGE_SEVERITY),
        EventType(
            "malicious_complaint",
            "歪曲用电量事实或用电行为，企图通过恶意投诉取得不正当得益",
            "恶意投诉",
        ),
        EventType("dishonesty", "失信行为（公共信用信息）", "失信行为", DISHONESTY_SEVERITY),
        EventType(
            "protection_zone_violation",
            "在电力设施保护范围内违章作业，拒不接受劝阻和处理",
            "保护范围内违章作业",
        ),
        EventType(
            "orderly_use_refusal",
            "拒不依法履行有序用电方案、客户负荷互动避让协议",
            "拒不履行有序用电方案",
        ),
        EventType(
            "order_disruption",
            "扰乱供电企业秩序，致使生产、工作和营业不能正常进行",
            "扰乱供电企业秩序",
        ),
    )
}


# --------------------------------------------------------------------------------------------
# Calendar and number wording shared with the rules
# --------------------------------------------------------------------------------------------


def add_months(d: date, months: int) -> date:
    """``d`` moved by calendar months, keeping the day or taking the month's last day."""
    years, month0 = divmod(d.month - 1 + months, 12)
    year = d.year + years
    return date(year, month0 + 1, min(d.day, calendar.monthrange(year, month0 + 1)[1]))


def number_label(value: object) -> str:
    """``35.0`` → ``35``: a number as the plan writes it."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}"
    return str(value)


def yuan_label(amount: int | Decimal) -> str:
    """``500000`` → ``50万元`` as the plan writes amounts."""
    if amount >= 10000 and amount % 10000 == 0:
        return f"{int(amount) // 10000}万元"
    return f"{number_label(amount)}元"


# --------------------------------------------------------------------------------------------
# Classes of dishonesty information and their publication periods (信用修复管理办法, 2025)
# --------------------------------------------------------------------------------------------

MINOR_CLASS, GENERAL_CLASS, SERIOUS_CLASS, SOURCE_CLASS = "minor", "general", "serious", "source"


@dataclass(frozen=True)
class PublicationClass:
    """A class of dishonesty information (失信信息类别) and its publication periods, counted from the finding.

    ``shortest_months`` None: no shortest period (轻微: repairable once the obligation is fulfilled;
    来源认定: the source decides). ``longest_months`` None: the source decides.
    """

    code: str
    label: str
    shortest_months: int | None
    longest_months: int | None
    #: The measure's wording (国家发展改革委令第36号), quoted on the standards page.
    wording: str
    #: The portal decides the repair (谁认定、谁修复); False: the source does, the portal records it.
    repaired_here: bool = True

    @property
    def periods_label(self) -> str:
        """``最短3个月，最长1年`` as the standards page shows it."""
        if self.longest_months is None:
            return "由认定机关确定"
        shortest = "无最短公示期" if not self.shortest_months else f"最短{months_label(self.shortest_months)}"
        return f"{shortest}，最长{months_label(self.longest_months)}"


def months_label(months: int) -> str:
    """``12`` → ``1年``, ``3`` → ``3个月``."""
    return f"{months // 12}年" if months % 12 == 0 else f"{months}个月"


#: The four classes, from mild to grave, then the source's (RATING_RULES.md "Credit repair").
PUBLICATION_CLASSES: dict[str, PublicationClass] = {
    c.code: c
    for c in (
        PublicationClass(
            MINOR_CLASS,
            "轻微",
            None,
            3,
            "轻微失信信息原则上不予公示，确需公示的，公示期最长为3个月；失信主体履行相关义务后即可申请信用修复",
        ),
        PublicationClass(GENERAL_CLASS, "一般", 3, 12, "一般失信信息公示期最短为3个月，最长为1年"),
        PublicationClass(SERIOUS_CLASS, "严重", 12, 36, "严重失信信息公示期最短为1年，最长为3年"),
        PublicationClass(
            SOURCE_CLASS,
            "来源认定",
            None,
            None,
            "谁认定、谁修复：其他机关认定的失信信息由认定机关修复，本门户记录认定机关的修复结果及其依据",
            repaired_here=False,
        ),
    )
}
DISHONESTY_CLASS_LABELS: dict[str, str] = {code: c.label for code, c in PUBLICATION_CLASSES.items()}


@dataclass(frozen=True)
class ClassThresholds:
    """The rule set's numbers a class depends on: black.3's theft amount and black.7's voltages.

    Owned by the rule set in force (ratings); the plan's numbers are ``PLAN_THRESHOLDS``.
    """

    theft_amount_yuan: int | Decimal = 500000
    high_voltage_kv: int | float | Decimal = 35
    medium_voltages_kv: tuple[int | float | Decimal, ...] = (10, 20)


PLAN_THRESHOLDS = ClassThresholds()

_Attributes = Mapping[str, object]


@dataclass(frozen=True)
class ClassRow:
    """One row of the class table: an event type, the condition on its attribute (or none) and its class.

    ``condition`` is Chinese text with ``{theft_amount}``, ``{high_voltage}``, ``{medium_voltages}``
    filled from the thresholds; ``applies`` None means every remaining event of the type.
    """

    event_type: str
    dishonesty_class: str
    condition: str = ""
    applies: Callable[[_Attributes, ClassThresholds], bool] | None = None

    def condition_text(self, thresholds: ClassThresholds = PLAN_THRESHOLDS) -> str:
        return self.condition.format(
            theft_amount=yuan_label(thresholds.theft_amount_yuan),
            high_voltage=f"{number_label(thresholds.high_voltage_kv)}千伏",
            medium_voltages="/".join(f"{number_label(v)}千伏" for v in thresholds.medium_voltages_kv),
        )


def _big_theft(a: _Attributes, t: ClassThresholds) -> bool:
    return a.get("amount_yuan") is not None and a["amount_yuan"] >= t.theft_amount_yuan  # type: ignore[operator]


def _high_voltage(a: _Attributes, t: ClassThresholds) -> bool:
    return a.get("voltage_kv") is not None and a["voltage_kv"] >= t.high_voltage_kv  # type: ignore[operator]


def _medium_voltage(a: _Attributes, t: ClassThresholds) -> bool:
    return a.get("voltage_kv") is not None and a["voltage_kv"] in t.medium_voltages_kv


def _severity(value: str) -> Callable[[_Attributes, ClassThresholds], bool]:
    return lambda a, t: a.get("severity") == value


#: The declared class table: a record's class follows the gravest level one such event brings on its
#: own (RATING_RULES.md "Decision — classes"). The first row of an event type that applies decides.
CLASS_TABLE: tuple[ClassRow, ...] = (
    ClassRow("theft", SERIOUS_CLASS, "窃电金额{theft_amount}及以上（黑色第3项）", _big_theft),
    ClassRow("theft", GENERAL_CLASS, "窃电金额{theft_amount}以下"),
    ClassRow("grid_outage", SERIOUS_CLASS, "{high_voltage}及以上（高压）", _high_voltage),
    ClassRow("grid_outage", GENERAL_CLASS, "{medium_voltages}（中压）", _medium_voltage),
    ClassRow("grid_outage", MINOR_CLASS, "其他电压等级"),
    ClassRow("facility_damage", SERIOUS_CLASS, "情节较重", _severity("serious")),
    ClassRow("facility_damage", GENERAL_CLASS, "情节较轻，且能主动赔偿", _severity("minor")),
    ClassRow("protection_zone_violation", SERIOUS_CLASS),
    ClassRow("orderly_use_refusal", SERIOUS_CLASS),
    ClassRow("order_disruption", SERIOUS_CLASS),
    ClassRow("malicious_complaint", GENERAL_CLASS),
    ClassRow("unauthorized_use", GENERAL_CLASS),
    ClassRow("late_payment", MINOR_CLASS),
    ClassRow("safety_hazard_unrectified", MINOR_CLASS),
    ClassRow("meter_fault_refusal", MINOR_CLASS),
    ClassRow("dishonesty", SOURCE_CLASS, "其他机关认定的公共信用信息"),
)


def dishonesty_class(
    type: str,
    *,
    amount_yuan: object = None,
    voltage_kv: object = None,
    severity: object = None,
    thresholds: ClassThresholds = PLAN_THRESHOLDS,
) -> str:
    """The class (code of ``PUBLICATION_CLASSES``) of an event of ``type`` with its attribute."""
    attributes = {"amount_yuan": amount_yuan, "voltage_kv": voltage_kv, "severity": severity}
    for row in CLASS_TABLE:
        if row.event_type == type and (row.applies is None or row.applies(attributes, thresholds)):
            return row.dishonesty_class
    raise ValueError(f"no class for event type {type!r} with {attributes!r}")


def publication_period(dishonesty_class: str, found_on: date) -> tuple[date | None, date | None]:
    """The last day of the shortest and of the longest publication period of a record found on ``found_on``.

    Counted from the finding (认定之日) as the rating windows count: a period of m months from 10 Jan
    ends on the day before 10 Jan + m months. None where the class has no such period.
    """
    cls = PUBLICATION_CLASSES[dishonesty_class]

    def last_day(months: int | None) -> date | None:
        return add_months(found_on, months) - timedelta(days=1) if months else None

    return last_day(cls.shortest_months), last_day(cls.longest_months)


def repair_open_on(dishonesty_class: str, found_on: date) -> date | None:
    """The first day an enterprise may apply to the portal for a repair; None: repaired at the source."""
    cls = PUBLICATION_CLASSES[dishonesty_class]
    if not cls.repaired_here:
        return None
    return add_months(found_on, cls.shortest_months) if cls.shortest_months else found_on


# --------------------------------------------------------------------------------------------
# A record's publication status (公示状态), as shown and shared (DRC report format 3)
# --------------------------------------------------------------------------------------------

IN_FORCE_STATUS, OBJECTED_STATUS, REPAIRED_STATUS, EXPIRED_STATUS, REVOKED_STATUS = (
    "in_force",
    "objected",
    "repaired",
    "expired",
    "revoked",
)
#: The five statuses; computed in one place, ``archives.selectors.events_with_publication_status``.
PUBLICATION_STATUS_LABELS: dict[str, str] = {
    IN_FORCE_STATUS: "有效",
    OBJECTED_STATUS: "异议中",
    REPAIRED_STATUS: "已修复",
    EXPIRED_STATUS: "公示期满",
    REVOKED_STATUS: "已撤销",
}
