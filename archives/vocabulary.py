"""The words the archive and the rating rules share: levels, payment methods, event types and their
attributes and severities (RATING_RULES.md).

Pure Python, no Django: the archive's models, forms and imports describe the facts with it, and the
rules module (``ratings.rules``), which judges them, reads the same definitions. The level names live
here, below ratings, because the archive lists, filters and exports customers by their level.
"""

from __future__ import annotations

from dataclasses import dataclass

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
