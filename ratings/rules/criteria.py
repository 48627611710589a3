"""The criteria table (信用等级评定要素) as data: decisions, criteria built from clauses, the rules version.

Every criterion is one row of ``CRITERIA``; the evaluation, the explanations and the public
standards page all read it.

Over 500 lines: the criteria table is data, one row per criterion of the plan and one per decision,
kept whole beside the types and helpers its rows are built from.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from archives.vocabulary import (
    BLACK,
    BLUE,
    EVENT_TYPES,
    GREEN,
    LEVEL_LABELS,
    PREPAID,
    RED,
    YELLOW,
    EventType,
    number_label,
    yuan_label,
)

from .clauses import (
    SINCE_OPENED,
    WINDOW_1Y,
    WINDOW_3Y,
    WINDOWS,
    ArrearsMonths,
    Clause,
    EventCount,
    NotInArrears,
    PaymentMethodIs,
    ReportShowsNoDishonesty,
    Where,
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


# --------------------------------------------------------------------------------------------
# Rule ids in words
# --------------------------------------------------------------------------------------------

_RULE_ID = re.compile(r"\b(green|blue|yellow|red|black)\.(\d{1,2})\b")


def rule_words(rule_id: str) -> str:
    """A rule id as a person reads it ("blue.3" → "蓝色等级评定要素第3条"); anything else as it is."""
    found = _RULE_ID.fullmatch(rule_id or "")
    return f"{LEVEL_LABELS[found[1]]}等级评定要素第{int(found[2])}条" if found else rule_id


def rule_ids_in_words(text: str) -> str:
    """Every rule id inside a text in words: advice stored before it was written in words reads the same."""
    return _RULE_ID.sub(lambda found: rule_words(found[0]), text or "")


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
    #: (window code, label) as the rule set names its windows, e.g. ("1y", "两年内"); empty: the plan's.
    #: Left out of repr and comparison, so that the rules version of the plan's table stays what it was.
    window_labels: tuple[tuple[str, str], ...] = field(default=(), repr=False, compare=False)

    @property
    def number(self) -> int:
        """The plan's own number of the criterion within its level."""
        return int(self.id.split(".")[1])

    @property
    def words(self) -> str:
        """The criterion named as a person reads it: "黄色等级评定要素第2条", not "yellow.2"."""
        return rule_words(self.id)

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
        labels = dict(self.window_labels)
        return "；或".join(
            "，且".join(c.describe(labels) if isinstance(c, EventCount) else c.describe() for c in alt)
            for alt in self.any_of
        )

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


_NO_BREACH = ("unauthorized_use", "theft")

_LATE = "未按合同、协议约定的方式和期限交付电费"
_METER = "计量装置故障，拒不整改、拒不补缴电费"
_OUTAGE = "因内部故障（不可抗力除外）或违章施工，造成"

#: The plan's numbers (version 1 of the rule set): per criterion, the thresholds a rule set may
#: change. Upper bounds are not parameters: a band ends where the next graver level's begins
#: (yellow.1 is ``yellow.1.arrears_months ≤ m < red.1.arrears_months``), so bands never overlap.
V1_PARAMETERS: dict[str, dict[str, object]] = {
    "windows": {"short_years": 1, "long_years": 3, "report_valid_years": 1},
    "black.1": {"arrears_months": 6},
    "black.2": {"count": 5},
    "black.3": {"unauthorized_use_count": 3, "theft_count": 2, "theft_amount_yuan": 500000},
    "black.4": {"count": 2, "severities": ["serious"]},
    "black.5": {"count": 4},
    "black.6": {"count": 3},
    "black.7": {
        "high_voltage_kv": 35,
        "high_voltage_count": 1,
        "medium_voltages_kv": [10, 20],
        "medium_voltage_count": 2,
    },
    "black.8": {"count": 1},
    "black.9": {"count": 1},
    "black.10": {"count": 1},
    "black.11": {"count": 1},
    "red.1": {"arrears_months": 3},
    "red.2": {"count": 3},
    "red.3": {"unauthorized_use_count": 2, "theft_count": 1},
    "red.4": {"count": 2, "severities": ["general", "serious"]},
    "red.5": {"count": 3},
    "red.6": {"count": 2},
    "red.7": {"count": 1},
    "red.8": {"count": 1},
    "red.9": {"count": 1},
    "yellow.1": {"arrears_months": 2},
    "yellow.2": {"count": 2},
    "yellow.3": {"count": 2},
    "yellow.4": {"count": 1},
}


def _severity_where(severities: Sequence[str], labels: Mapping[str, str]) -> Where | None:
    """A filter on the severities counted (None when every severity counts)."""
    chosen = tuple(s for s in labels if s in severities)
    if len(chosen) == len(labels):
        return None
    if len(chosen) == 1:
        return Where("severity", "==", chosen[0], labels[chosen[0]])
    return Where("severity", "in", chosen, "或".join(labels[s] for s in chosen))


_DISHONESTY_LABELS = {"general": "一般", "serious": "较重"}


_CHINESE_NUMBERS = dict(enumerate("一两三四五六七八九十", start=1))


def years_text(years: int) -> str:
    """``1`` → ``一年``, ``2`` → ``两年``; larger numbers in digits."""
    return f"{_CHINESE_NUMBERS.get(years, str(years))}年"


def build_criteria(
    parameters: Mapping[str, Mapping[str, object]], wordings: Mapping[str, str] | None = None
) -> tuple[Criterion, ...]:
    """The criteria table with a rule set's numbers (and the drafter's wording where given).

    The structure (ids, levels, kinds of clause, event types) is fixed here; ``parameters``
    has the shape of ``V1_PARAMETERS`` and is assumed valid (``ratings.rules.parameters``)."""
    p = parameters
    wordings = wordings or {}

    def n(rule: str, name: str = "count") -> int:
        return p[rule][name]  # type: ignore[return-value]

    amount = n("black.3", "theft_amount_yuan")
    big_theft = Where("amount_yuan", ">=", amount, f"金额{yuan_label(amount)}及以上")
    small_theft = Where("amount_yuan", "<", amount, f"金额{yuan_label(amount)}以下")
    high_kv = p["black.7"]["high_voltage_kv"]
    medium_kv = tuple(p["black.7"]["medium_voltages_kv"])  # type: ignore[arg-type]
    high_voltage = Where("voltage_kv", ">=", high_kv, f"{number_label(high_kv)}千伏及以上")
    medium_voltage = Where("voltage_kv", "in", medium_kv, "/".join(f"{number_label(v)}千伏" for v in medium_kv))
    damage_serious = Where("severity", "==", "serious", "情节较重")
    damage_minor = Where("severity", "==", "minor", "情节较轻")

    def band(rule: str, graver: str, name: str = "count", graver_name: str | None = None) -> tuple[int, int]:
        return n(rule, name), n(graver, graver_name or name) - 1

    windows = p["windows"]
    window_labels = (
        (WINDOW_1Y, f"{years_text(windows['short_years'])}内"),  # type: ignore[arg-type]
        (WINDOW_3Y, f"{years_text(windows['long_years'])}内"),  # type: ignore[arg-type]
    )

    def row(id_: str, level: str, plan_text: str, any_of, decisions: tuple[str, ...] = ()) -> Criterion:
        return Criterion(id_, level, wordings.get(id_) or plan_text, any_of, decisions, window_labels)

    return (
        row(
            "black.1",
            BLACK,
            "拖欠电费6个月及以上",
            _one(ArrearsMonths(n("black.1", "arrears_months"))),
            ("arrears_months",),
        ),
        row("black.2", BLACK, f"一年内发生5次及以上{_LATE}的行为", _one(_in_1y("late_payment", n("black.2")))),
        row(
            "black.3",
            BLACK,
            "一年内发生3次及以上违约用电行为或2次及以上窃电行为或1次窃电金额50万元及以上的",
            _any(
                _in_1y("unauthorized_use", n("black.3", "unauthorized_use_count")),
                _in_1y("theft", n("black.3", "theft_count")),
                _in_1y("theft", 1, where=big_theft),
            ),
        ),
        row(
            "black.4",
            BLACK,
            "一年内发生2次及以上较重失信行为",
            _one(
                _in_1y(
                    "dishonesty", n("black.4"), where=_severity_where(p["black.4"]["severities"], _DISHONESTY_LABELS)
                )
            ),
        ),
        row(
            "black.5",
            BLACK,
            "一年内发生4次及以上未及时整改用电安全隐患的行为",
            _one(_in_1y("safety_hazard_unrectified", n("black.5"))),
        ),
        row("black.6", BLACK, f"一年内发生3次及以上{_METER}的行为", _one(_in_1y("meter_fault_refusal", n("black.6")))),
        row(
            "black.7",
            BLACK,
            f"一年内发生1次及以上{_OUTAGE}35千伏及以上电压等级公用电网停电的行为，或一年内发生2次及"
            f"以上{_OUTAGE}10千伏/20千伏电压等级公用电网停电的行为",
            _any(
                _in_1y("grid_outage", n("black.7", "high_voltage_count"), where=high_voltage),
                _in_1y("grid_outage", n("black.7", "medium_voltage_count"), where=medium_voltage),
            ),
        ),
        row(
            "black.8",
            BLACK,
            "故意破坏电力设施，情节较重，造成较大损失或较坏影响的行为",
            _one(_in_1y("facility_damage", n("black.8"), where=damage_serious)),
            ("windows",),
        ),
        row(
            "black.9",
            BLACK,
            "在电力设施保护范围内违章作业，拒不接受劝阻和处理的行为",
            _one(_in_1y("protection_zone_violation", n("black.9"))),
            ("windows",),
        ),
        row(
            "black.10",
            BLACK,
            "拒不依法履行有序用电方案、客户负荷互动避让协议的行为",
            _one(_in_1y("orderly_use_refusal", n("black.10"))),
            ("windows",),
        ),
        row(
            "black.11",
            BLACK,
            "扰乱供电企业秩序，致使生产、工作和营业不能正常进行的行为",
            _one(_in_1y("order_disruption", n("black.11"))),
            ("windows",),
        ),
        row(
            "red.1",
            RED,
            "拖欠电费3个月及以上6个月以内",
            _one(ArrearsMonths(*band("red.1", "black.1", "arrears_months"))),
            ("arrears_months",),
        ),
        row(
            "red.2",
            RED,
            f"一年内发生3次及以上5次以下{_LATE}的行为",
            _one(_in_1y("late_payment", *band("red.2", "black.2"))),
        ),
        row(
            "red.3",
            RED,
            "一年内发生2次违约用电或1次窃电的行为（窃电金额50万元以下的）",
            (
                (_in_1y("unauthorized_use", *band("red.3", "black.3", "unauthorized_use_count")),),
                (
                    _in_1y("theft", *band("red.3", "black.3", "theft_count")),
                    _in_1y("theft", *band("red.3", "black.3", "theft_count"), where=small_theft),
                ),
            ),
        ),
        row(
            "red.4",
            RED,
            "一年内发生2次及以上一般失信行为",
            _one(_in_1y("dishonesty", n("red.4"), where=_severity_where(p["red.4"]["severities"], _DISHONESTY_LABELS))),
            ("red4",),
        ),
        row(
            "red.5",
            RED,
            "一年内发生3次未及时整改用电安全隐患的行为",
            _one(_in_1y("safety_hazard_unrectified", *band("red.5", "black.5"))),
        ),
        row(
            "red.6", RED, f"一年内发生2次{_METER}的行为", _one(_in_1y("meter_fault_refusal", *band("red.6", "black.6")))
        ),
        row(
            "red.7",
            RED,
            f"一年内发生1次{_OUTAGE}10千伏/20千伏电压等级公用电网停电的行为",
            _one(
                _in_1y("grid_outage", *band("red.7", "black.7", "count", "medium_voltage_count"), where=medium_voltage)
            ),
        ),
        row(
            "red.8",
            RED,
            "故意破坏电力设施，情节较轻，且能主动赔偿由此造成损失的行为",
            _one(_in_1y("facility_damage", n("red.8"), where=damage_minor)),
            ("windows",),
        ),
        row(
            "red.9",
            RED,
            "歪曲用电量事实或用电行为，企图通过恶意投诉取得不正当得益的行为",
            _one(_in_1y("malicious_complaint", n("red.9"))),
            ("windows",),
        ),
        row(
            "yellow.1",
            YELLOW,
            "拖欠电费2个月及以上3个月以内",
            _one(ArrearsMonths(*band("yellow.1", "red.1", "arrears_months"))),
            ("arrears_months",),
        ),
        row(
            "yellow.2", YELLOW, f"一年内发生2次{_LATE}的行为", _one(_in_1y("late_payment", *band("yellow.2", "red.2")))
        ),
        row(
            "yellow.3",
            YELLOW,
            "一年内发生2次未及时整改用电安全隐患的行为",
            _one(_in_1y("safety_hazard_unrectified", *band("yellow.3", "red.5"))),
        ),
        row(
            "yellow.4",
            YELLOW,
            f"一年内发生1次{_METER}的行为",
            _one(_in_1y("meter_fault_refusal", *band("yellow.4", "red.6"))),
        ),
        row(
            "green.1",
            GREEN,
            "采用预存方式交付电费，电费账户无实时欠费行为",
            _one(PaymentMethodIs(PREPAID), NotInArrears()),
            ("arrears_months",),
        ),
        row(
            "green.2",
            GREEN,
            "三年内未发生未按合同、协议约定的方式和期限交电费的行为",
            _one(EventCount(("late_payment",), WINDOW_3Y, at_most=0)),
        ),
        row(
            "green.3",
            GREEN,
            "自立户起无违约用电行为",
            _one(EventCount(_NO_BREACH, SINCE_OPENED, at_most=0)),
            ("green3_blue2",),
        ),
        row(
            "green.4",
            GREEN,
            "江苏省法人公共信用信息查询报告显示无失信行为",
            _one(ReportShowsNoDishonesty()),
            ("report_validity",),
        ),
        row(
            "blue.1",
            BLUE,
            "一年内未发生未按合同、协议约定的方式和期限交电费的行为",
            _one(EventCount(("late_payment",), WINDOW_1Y, at_most=0)),
        ),
        row(
            "blue.2",
            BLUE,
            "三年内无违约用电行为",
            _one(EventCount(_NO_BREACH, WINDOW_3Y, at_most=0)),
            ("green3_blue2",),
        ),
        row(
            "blue.3",
            BLUE,
            "江苏省法人公共信用信息查询报告显示无失信行为",
            _one(ReportShowsNoDishonesty()),
            ("report_validity",),
        ),
    )


#: Every criterion of Annex 3 with the plan's numbers, one row each, in the plan's order within each level.
CRITERIA: tuple[Criterion, ...] = build_criteria(V1_PARAMETERS)
CRITERIA_BY_ID: dict[str, Criterion] = {c.id: c for c in CRITERIA}


def build_decisions(parameters: Mapping[str, Mapping[str, object]]) -> tuple[Decision, ...]:
    """The documented readings of the plan, every number in them taken from a rule set's parameters.

    With the plan's numbers (``V1_PARAMETERS``) the texts are those published with version 1."""
    p = parameters
    windows = p["windows"]
    short, long_, valid = (
        years_text(windows["short_years"]),  # type: ignore[arg-type]
        years_text(windows["long_years"]),  # type: ignore[arg-type]
        years_text(windows["report_valid_years"]),  # type: ignore[arg-type]
    )
    # Late payments within the short window that break blue.1 but are too few for yellow.2.
    late = p["yellow.2"]["count"] - 1  # type: ignore[operator]
    if late < 1:
        unrated_example = "如无有效的公共信用信息查询报告"
    else:
        times = "1次" if late == 1 else f"1至{late}次"
        unrated_example = f"如{short}内有{times}未按期交付电费，或无有效的公共信用信息查询报告"
    red4 = p["red.4"]["count"]
    red4_severities = [s for s in _DISHONESTY_LABELS if s in p["red.4"]["severities"]]  # type: ignore[operator]
    if red4_severities == list(_DISHONESTY_LABELS):
        red4_text = (
            f"较重失信行为也是失信行为，因此红色第4项“{red4}次及以上一般失信行为”统计一般和较重两种失信"
            f"行为，即“至少{red4}次、至少为一般程度”。"
        )
    else:
        chosen = "或".join(_DISHONESTY_LABELS[s] for s in red4_severities)
        red4_text = f"红色第4项只统计{chosen}失信行为，即“至少{red4}次、程度为{chosen}”。"
    return (
        Decision(
            "unrated",
            "未定级",
            f"未触发黄色、红色、黑色信用等级评定要素，但未满足蓝色信用等级全部条件的客户（{unrated_example}）"
            "为“未定级”：不享受诚信客户待遇，也不发送预警。评定说明列出未满足的蓝色条件，便于告知客户如何改进"
            "（最常见的是通过发改委查询渠道获取公共信用信息查询报告，见附件1）。",
        ),
        Decision(
            "windows",
            "统计期",
            f"“{short}内”指评定日前{short}（不含）至评定日（含），按日历年计算（2月29日减一年为2月28日），"
            f"“{long_}内”同理。评定方案要求动态分类管理，因此黄色、红色、黑色的全部评定要素（包括原文未写"
            f"统计期的红色第8、9项和黑色第8至11项）均只统计{short}内的记录，任何失信行为都不会使客户永久处于"
            "黄色、红色或黑色。唯一按原文统计全部历史的是绿色第3项“自立户起无违约用电行为”：发生过违约用电"
            f"（或窃电）的客户此后不能评为绿色，但{long_}内无违约用电即可满足蓝色第2项。晚于评定日的记录不参与评定。",
        ),
        Decision("red4", "红色第4项", red4_text),
        Decision(
            "green3_blue2",
            "绿色第3项、蓝色第2项",
            "窃电是比违约用电更严重的违约行为，因此窃电同样使“无违约用电行为”的条件不成立。",
        ),
        Decision(
            "report_validity",
            "公共信用报告有效期",
            f"以评定日及之前出具的最近一份江苏省法人公共信用信息查询报告为准，有效期{valid}（出具日晚于"
            f"评定日前{valid}）。无有效报告时，绿色第4项、蓝色第3项不满足。同一日出具多份报告的，任一份"
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


#: The decisions with the plan's numbers (version 1), as published with it.
DECISIONS: tuple[Decision, ...] = build_decisions(V1_PARAMETERS)
DECISIONS_BY_ID: dict[str, Decision] = {d.id: d for d in DECISIONS}


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
