"""A rule set's numbers checked before anyone may approve them: every error names the criterion and field.

``validate_parameters`` returns every problem at once (an empty list: valid). The checks are those
of issue 15: a value of the wrong kind or out of range, a window of zero, thresholds that would make
a level unreachable or put a milder level's band above a graver one's, and a criterion whose numbers
changed without the drafter's new wording.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .criteria import CRITERIA_BY_ID, V1_PARAMETERS, build_criteria

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


@dataclass(frozen=True)
class ParameterError:
    """One problem: the criterion (or ``windows``), the field and a Chinese message naming both."""

    criterion: str
    field: str
    message: str

    def __str__(self) -> str:
        return self.message


def _name(criterion: str) -> str:
    if criterion == "windows":
        return "统计期"
    level, number = criterion.split(".")
    return f"{criterion}（{_LEVEL_NAMES.get(level, level)}第{number}项）"


def _field_name(criterion: str, field: str) -> str:
    return f"{_name(criterion)}的{PARAMETER_LABELS.get(field, field)}（{field}）"


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
            errors.append(ParameterError(criterion, "", f"未知的评定要素“{criterion}”"))
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
                    add(criterion, field, "应为“general”（一般）、“serious”（较重）中的一项或两项")
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

    changed = changed_criteria(parameters)
    for criterion in changed:
        if not (wordings.get(criterion) or "").strip():
            errors.append(
                ParameterError(criterion, "wording", f"{_name(criterion)}的数值已改变，请填写新的条款原文（wording）")
            )
    for criterion, text in wordings.items():
        if criterion not in changed and (text or "").strip():
            errors.append(ParameterError(criterion, "wording", f"{_name(criterion)}的数值未改变，应沿用方案原文"))
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
