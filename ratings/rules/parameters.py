"""A rule set's numbers checked before anyone may approve them: every error names the criterion and field.

``validate_parameters`` returns every problem at once (an empty list: valid). The checks are those
of issue 15: a value of the wrong kind or out of range, a window of zero, thresholds that would make
a level unreachable or put a milder level's band above a graver one's, and a criterion whose numbers
changed without the drafter's new wording.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .clauses import WINDOW_1Y, WINDOW_3Y, EventCount
from .criteria import CRITERIA, CRITERIA_BY_ID, V1_PARAMETERS, build_criteria

#: Field → (Chinese label, lowest allowed, highest allowed).
_INTEGER_FIELDS: dict[str, tuple[str, int, int]] = {
    "count": ("次数", 1, 100),
    "arrears_months": ("欠费月数", 1, 120),
    "unauthorized_use_count": ("违约用电次数", 1, 100),
    "theft_count": ("窃电次数", 1, 100),
    "theft_amount_yuan": ("窃电金额（元）", 1, 1_000_000_000),
    "high_voltage_count": ("高压停电次数", 1, 100),
    "medium_voltage_count": ("中压停电次数", 1, 100),
    "high_voltage_kv": ("高压电压等级（千伏）", 1, 1000),
    "short_years": ("短统计期（年）", 1, 10),
    "long_years": ("长统计期（年）", 1, 10),
    "report_valid_years": ("公共信用报告有效期（年）", 1, 10),
}
_SEVERITIES = {"general": "一般", "serious": "较重"}

#: Every field's Chinese label, for forms and messages.
PARAMETER_LABELS: dict[str, str] = {
    **{name: label for name, (label, _, _) in _INTEGER_FIELDS.items()},
    "severities": "计入的失信程度",
    "medium_voltages_kv": "中压电压等级（千伏）",
}

#: Thresholds that must rise strictly from the milder level to the graver one: (field, chain of criteria).
_ORDERED: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("拖欠电费月数", (("yellow.1", "arrears_months"), ("red.1", "arrears_months"), ("black.1", "arrears_months"))),
    ("未按期交费次数", (("yellow.2", "count"), ("red.2", "count"), ("black.2", "count"))),
    ("未整改安全隐患次数", (("yellow.3", "count"), ("red.5", "count"), ("black.5", "count"))),
    ("计量装置故障次数", (("yellow.4", "count"), ("red.6", "count"), ("black.6", "count"))),
    ("违约用电次数", (("red.3", "unauthorized_use_count"), ("black.3", "unauthorized_use_count"))),
    ("窃电次数", (("red.3", "theft_count"), ("black.3", "theft_count"))),
    ("中压停电次数", (("red.7", "count"), ("black.7", "medium_voltage_count"))),
)
_LEVEL_NAMES = {"black": "黑色", "red": "红色", "yellow": "黄色"}

#: The one table of the names a person reads for each group of a rule set's numbers: the windows,
#: and each criterion in words ("黄色等级评定要素第1条"), never its id or a parameter key.
GROUP_NAMES: dict[str, str] = {"windows": "统计期与报告有效期", **{c.id: c.words for c in CRITERIA}}


@dataclass(frozen=True)
class ParameterError:
    """One problem: the criterion (or ``windows``), the field and a Chinese message naming both in words."""

    criterion: str
    field: str
    message: str

    def __str__(self) -> str:
        return self.message


def _name(criterion: str) -> str:
    return GROUP_NAMES.get(criterion, criterion)


def _field_name(criterion: str, field: str) -> str:
    return f"{_name(criterion)}的{PARAMETER_LABELS.get(field, field)}"


def _changed_value(value: Any, field: str) -> Any:
    """Another valid-looking value of a number, to see which criteria read it."""
    if field == "severities":
        return ["general"] if value != ["general"] else ["serious"]
    if isinstance(value, list):
        return [*value, max(value) + 1]
    return value + 1


def _readers() -> dict[tuple[str, str], tuple[str, ...]]:
    """Each number of a rule set → the criteria whose conditions read it (black.3's theft amount is
    read by black.3 and red.3; black.1's months end red.1's band), worked out from the criteria table."""
    plan = {c.id: c for c in build_criteria(V1_PARAMETERS)}
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for criterion, fields in V1_PARAMETERS.items():
        for field, value in fields.items():
            if criterion == "windows":
                continue
            changed = copy.deepcopy(V1_PARAMETERS)
            changed[criterion][field] = _changed_value(value, field)
            found[(criterion, field)] = tuple(c.id for c in build_criteria(changed) if c.any_of != plan[c.id].any_of)
    windows = {"short_years": WINDOW_1Y, "long_years": WINDOW_3Y}
    for field, window in windows.items():
        found[("windows", field)] = tuple(
            c.id for c in plan.values() if any(isinstance(k, EventCount) and k.window == window for k in c.clauses)
        )
    found[("windows", "report_valid_years")] = tuple(c.id for c in plan.values() if "report_validity" in c.decisions)
    return found


#: (criterion, field) → the criteria that read that number (the windows' are read by many).
PARAMETER_READERS: dict[tuple[str, str], tuple[str, ...]] = _readers()


def shared_groups() -> tuple[tuple[str, ...], ...]:
    """The criteria that share a number, together (in the order of ``V1_PARAMETERS``); the windows alone.

    Connected through ``PARAMETER_READERS``: black.1, red.1 and yellow.1 form one group (each band ends
    where the graver one begins), black.3 and red.3 another (the theft amount)."""
    group_of: dict[str, set[str]] = {criterion: {criterion} for criterion in V1_PARAMETERS}
    for (criterion, _field), readers in PARAMETER_READERS.items():
        if criterion == "windows":
            continue
        merged = set().union(*(group_of[c] for c in (criterion, *readers) if c in group_of))
        for member in merged:
            group_of[member] = merged
    groups: list[tuple[str, ...]] = []
    for criterion in V1_PARAMETERS:
        group = tuple(c for c in V1_PARAMETERS if c in group_of[criterion])
        if group not in groups:
            groups.append(group)
    return tuple(groups)


def _changed_numbers(parameters: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (criterion, field)
        for criterion, fields in V1_PARAMETERS.items()
        for field, plan_value in fields.items()
        if parameters[criterion][field] != plan_value
    ]


def wording_reasons(parameters: Mapping[str, Any]) -> dict[str, list[str]]:
    """Each criterion that needs new wording → the changed numbers it reads, in words (its own or
    another criterion's, e.g. red.3: "黑色等级评定要素第3条的窃电金额（元）"); ``parameters`` valid."""
    changed = changed_criteria(parameters)
    numbers = _changed_numbers(parameters)
    return {
        criterion: [
            f"本条的{PARAMETER_LABELS[f]}" if c == criterion else _field_name(c, f)
            for c, f in numbers
            if criterion in PARAMETER_READERS.get((c, f), ())
        ]
        for criterion in changed
    }


def validate_parameters(
    parameters: Mapping[str, Any], wordings: Mapping[str, str] | None = None
) -> list[ParameterError]:
    """Every problem with a rule set's numbers and wording; an empty list when it may be used."""
    errors: list[ParameterError] = []
    wordings = wordings or {}

    def add(criterion: str, field: str, text: str) -> None:
        errors.append(ParameterError(criterion, field, f"{_field_name(criterion, field)}{text}"))

    if not isinstance(parameters, Mapping):
        return [ParameterError("", "", "参数应为对象")]
    for criterion in parameters:
        if criterion not in V1_PARAMETERS:
            errors.append(ParameterError(criterion, "", f"未知的评定要素“{criterion}”"))  # a key the API caller sent
    for criterion, fields in V1_PARAMETERS.items():
        given = parameters.get(criterion)
        if not isinstance(given, Mapping):
            errors.append(ParameterError(criterion, "", f"缺少{_name(criterion)}的参数"))
            continue
        for field in given:
            if field not in fields:
                add(criterion, field, "不是该要素的参数")
        for field in fields:
            value = given.get(field)
            if field in _INTEGER_FIELDS:
                _, low, high = _INTEGER_FIELDS[field]
                if isinstance(value, bool) or not isinstance(value, int):
                    add(criterion, field, "应为整数")
                elif value == 0 and field.endswith("_years"):
                    add(criterion, field, "不能为0：统计期为0时任何记录都不计入")
                elif not low <= value <= high:
                    add(criterion, field, f"应在{low}至{high}之间，现为{value}")
            elif field == "severities":
                if not isinstance(value, list) or not value or any(v not in _SEVERITIES for v in value):
                    add(criterion, field, "应为“一般”“较重”中的一项或两项")
                elif len(set(value)) != len(value):
                    add(criterion, field, "有重复的失信程度")
            elif field == "medium_voltages_kv":
                if (
                    not isinstance(value, list)
                    or not value
                    or any(
                        isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v <= 0
                        for v in value
                    )
                ):
                    add(criterion, field, "应为一个或多个大于0的电压等级")
                elif len(set(value)) != len(value):
                    add(criterion, field, "有重复的电压等级")
    if errors:
        return errors

    windows = parameters["windows"]
    if windows["short_years"] > windows["long_years"]:
        add("windows", "short_years", f"（{windows['short_years']}）不能长于长统计期（{windows['long_years']}）")
    high_kv = parameters["black.7"]["high_voltage_kv"]
    if max(parameters["black.7"]["medium_voltages_kv"]) >= high_kv:
        add("black.7", "medium_voltages_kv", f"应低于高压电压等级（{high_kv}千伏），否则两档电压重叠")
    for what, chain in _ORDERED:
        for (milder, milder_field), (graver, graver_field) in zip(chain, chain[1:], strict=False):
            low, high = parameters[milder][milder_field], parameters[graver][graver_field]
            if low >= high:
                add(
                    milder,
                    milder_field,
                    f"（{low}）应小于{_field_name(graver, graver_field)}（{high}）："
                    f"{what}的门槛须从{_LEVEL_NAMES[milder.split('.')[0]]}到{_LEVEL_NAMES[graver.split('.')[0]]}"
                    "逐级升高，否则较轻的等级无法达到或与较重的等级重叠",
                )
    if errors:
        return errors

    changed = wording_reasons(parameters)
    for criterion, reasons in changed.items():
        if not (wordings.get(criterion) or "").strip():
            read = f"所依据的{'、'.join(reasons)}" if reasons else "所依据的数值"
            errors.append(
                ParameterError(criterion, "wording", f"{_name(criterion)}{read}已改变，请填写本条新的条款原文")
            )
    for criterion, text in wordings.items():
        if criterion not in changed and (text or "").strip():
            errors.append(
                ParameterError(criterion, "wording", f"{_name(criterion)}所依据的数值均未改变，应沿用方案原文")
            )
    return errors


def changed_criteria(parameters: Mapping[str, Any]) -> tuple[str, ...]:
    """The criteria whose conditions differ from the plan's under these numbers (they need new wording)."""
    plan = CRITERIA_BY_ID  # the plan's (version 1)
    windows_changed = {
        code
        for code, field in (("1y", "short_years"), ("3y", "long_years"))
        if parameters["windows"][field] != V1_PARAMETERS["windows"][field]
    }
    report_changed = parameters["windows"]["report_valid_years"] != V1_PARAMETERS["windows"]["report_valid_years"]
    changed = []
    for criterion in build_criteria(parameters):
        before = plan[criterion.id]
        if (
            criterion.any_of != before.any_of
            or any(getattr(c, "window", None) in windows_changed for c in criterion.clauses)
            or report_changed
            and "report_validity" in criterion.decisions
        ):
            changed.append(criterion.id)
    return tuple(changed)
