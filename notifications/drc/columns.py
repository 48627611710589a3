"""The column sets of the DRC report, declared once (DESIGN.md, "DRC report format").

The sets were read from the public credit platforms' code and exports, not from the DRC's own
template: when the DRC's template differs, this file is the one to change. Each column names the
fields of its row source it is made from (see `build.py`) and how they become the cell's text; a
column without fields is a constant of the whole report (the utility's name, the plan's wording).

Every cell is text: dates ISO `YYYY-MM-DD`, choices by their Chinese label, nothing locale-dependent,
so that a rebuild over unchanged data gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from archives import vocabulary
from archives.models import CreditInformationKind
from commitments import plan_text, repair_text
from commitments.models import CommitmentType, Fulfilment
from credit_portal import spreadsheets
from ratings import rules

# --------------------------------------------------------------------------------------------
# How values become text
# --------------------------------------------------------------------------------------------

# Free text typed by users is never a formula (credit_portal.spreadsheets); codes and dates never start like one.
FORMULA_PREFIXES = spreadsheets.FORMULA_PREFIXES


def plain(value: str | None) -> str:
    """A text column as stored; empty when null. (The builder inlines it: it is the most common.)"""
    return value or ""


def text(value) -> str:
    return "" if value is None else str(value)


def free_text(value: str | None) -> str:
    """Names, reasons, content typed by people: kept as typed, but never a spreadsheet formula."""
    return spreadsheets.safe_cell(value or "")


def iso_date(value) -> str:
    return value.isoformat() if value else ""


def labelled(labels: dict[str, str]) -> Callable[[str | None], str]:
    """A choice shown by its Chinese label (an unknown code as it is)."""

    def render(value: str | None) -> str:
        return labels.get(value, value or "") if value else ""

    render.labels = labels  # lets the builder inline the look-up
    return render


def rule_ids(value) -> str:
    return ";".join(value) if value else ""


def yes_no(value) -> str:
    """是 when the field holds anything (an override's id), 否 when it is empty."""
    return "否" if value in (None, "") else "是"


#: 信用等级状态: the level in force is 异议中 while an objection to it is open (format 4).
LEVEL_OBJECTED = "异议中"
LEVEL_UNDISPUTED = "有效"
#: 异议中事项: the subjects of a customer's open objections, in this order (format 4).
OBJECTION_SUBJECT_WORDS = ("信用等级", "欠费起始日", "公共信用报告", "失信行为记录")


def level_status(objected_level) -> str:
    return LEVEL_OBJECTED if objected_level else LEVEL_UNDISPUTED


def objected_subjects(level, arrears, report, events) -> str:
    """异议中事项: what of the archive an open objection disputes, e.g. 信用等级;欠费起始日 (empty: nothing)."""
    flags = (level, arrears, report, events)
    return ";".join(word for word, flag in zip(OBJECTION_SUBJECT_WORDS, flags, strict=True) if flag)


def information_content(title: str | None, description: str | None) -> str:
    """内容 of other credit information: its title, and its description after a colon when there is one."""
    return free_text(f"{title or ''}：{description}" if description else title)


def validity(value) -> str:
    return value.isoformat() if value else "长期"


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def event_severity(event_type: str, severity: str, amount_yuan: Decimal | None, voltage_kv: Decimal | None) -> str:
    """失信严重程度: the event's one attribute (severity, amount or voltage) as the standards word it."""
    spec = rules.EVENT_TYPES.get(event_type)
    attribute = spec.attribute if spec else None
    if attribute is None:
        return ""
    if attribute.choices:
        return attribute.choice_labels.get(severity, severity or "")
    value = amount_yuan if attribute.name == "amount_yuan" else voltage_kv
    if value is None:
        return ""
    shown = f"{value:.2f}" if attribute.name == "amount_yuan" else _number(value)
    return f"{attribute.label}{shown}{attribute.unit}"


def by_commitment_type(letter: str, repair: str) -> Callable[[str | None], str]:
    """承诺事由/承诺内容/违诺责任: the wording of the commitment's type (the letter's, or the repair's)."""
    return labelled({CommitmentType.CERTIFICATION: letter, CommitmentType.REPAIR: repair})


def repaired_record(event_type: str | None, occurred_on, repaired_on) -> str:
    """备注 of a 信用修复型 commitment: the record it repaired and the repair date; empty for a letter."""
    if not event_type:
        return ""
    label = rules.EVENT_TYPES[event_type].label if event_type in rules.EVENT_TYPES else event_type
    return f"修复的失信行为：{label}（发生日期 {iso_date(occurred_on)}），修复日期 {iso_date(repaired_on)}"


# --------------------------------------------------------------------------------------------
# Constants of the report
# --------------------------------------------------------------------------------------------


def reporting_unit_name() -> str:
    """承诺受理单位 and 数据来源单位: the utility, as the plan names it unless configured."""
    return settings.DRC_ACCEPTING_UNIT_NAME or plan_text.ACCEPTING_UNIT


def reporting_unit_code() -> str:
    """承诺受理单位代码: the utility's USCC; not in the plan, so it comes from the settings."""
    return settings.DRC_ACCEPTING_UNIT_CODE


def constant(value: str) -> Callable[[], str]:
    return lambda: value


# --------------------------------------------------------------------------------------------
# The declaration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    #: Fields of the row source the value is made from; empty: a constant of the report.
    fields: tuple[str, ...]
    render: Callable[..., str]


def col(header: str, *fields: str, render: Callable[..., str] = plain) -> Column:
    return Column(header, fields, render)


@dataclass(frozen=True)
class Sheet:
    """One file of the report (`<name>.csv`) and its sheet in report.xlsx."""

    name: str
    title: str
    columns: tuple[Column, ...]

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field the columns read, each once, in order of first use."""
        return tuple(dict.fromkeys(field for column in self.columns for field in column.fields))


COMMITMENTS = Sheet(
    name="commitments",
    title="信用承诺",
    columns=(
        col("承诺编码", "code"),
        col("承诺人名称", "customer__name", render=free_text),
        col("承诺人类别", render=constant(plan_text.COMMITTER_CATEGORY)),
        col("承诺人代码", "customer__uscc"),
        col("承诺类型", "commitment_type", render=labelled(dict(CommitmentType.choices))),
        # The letter of plan Annex 2 (证明事项型) or the 信用修复承诺书 of an approved repair (信用修复型).
        col(
            "承诺事由",
            "commitment_type",
            render=by_commitment_type(plan_text.COMMITMENT_REASON, repair_text.COMMITMENT_REASON),
        ),
        col(
            "承诺内容",
            "commitment_type",
            render=by_commitment_type(plan_text.COMMITMENT_CONTENT, repair_text.COMMITMENT_CONTENT),
        ),
        col(
            "违诺责任",
            "commitment_type",
            render=by_commitment_type(plan_text.COMMITMENT_LIABILITY, repair_text.COMMITMENT_LIABILITY),
        ),
        col("承诺作出日期", "committed_on", render=iso_date),
        col("承诺有效期", "valid_until", render=validity),
        col("承诺履行状态", "fulfilment", render=labelled(dict(Fulfilment.choices))),
        col("未履行的承诺内容", "unfulfilled_content", render=free_text),
        col("违诺责任追究内容", "liability_pursued", render=free_text),
        col("承诺受理单位", render=reporting_unit_name),
        col("承诺受理单位代码", render=reporting_unit_code),
        col("公开类型", render=constant(plan_text.DISCLOSURE)),
        col(
            "备注",
            "repair_application__event__type",
            "repair_application__event__occurred_on",
            "repair_application__repaired_on",
            render=repaired_record,
        ),
    ),
)

ARCHIVES = Sheet(
    name="archives",
    title="信用档案",
    columns=(
        col("统一社会信用代码", "uscc"),
        col("名称", "name", render=free_text),
        col("信用等级", "rating__level", render=labelled(rules.LEVEL_LABELS)),  # the level in force
        col("规则评定等级", "rating__computed_level", render=labelled(rules.LEVEL_LABELS)),
        col("人工调整", "rating__override", render=yes_no),  # whether an override is in force
        col("评定日期", "rating__as_of", render=iso_date),
        col("依据条款", "rating__rules", render=rule_ids),
        col("公共信用报告日期", "report_issued_on", render=iso_date),
        col("最近变更日期", "rating__changed_on", render=iso_date),
        # Format 4: an open objection to the level in force marks it 异议中 (it still counts), and what
        # of the archive open objections dispute (the events' own 状态 is in events.csv).
        col("信用等级状态", "objected_level", render=level_status),
        col(
            "异议中事项",
            "objected_level",
            "objected_arrears",
            "objected_report",
            "objected_events",
            render=objected_subjects,
        ),
    ),
)

EVENTS = Sheet(
    name="events",
    title="失信行为信息",
    columns=(
        col("主体名称", "customer__name", render=free_text),
        col("统一社会信用代码", "customer__uscc"),
        col("失信行为类型", "type", render=labelled({code: t.label for code, t in rules.EVENT_TYPES.items()})),
        col("失信严重程度", "type", "severity", "amount_yuan", "voltage_kv", render=event_severity),
        col("发生日期", "occurred_on", render=iso_date),
        col("认定日期", "recognised_on"),  # the local date of recorded_at, as text (see build.py)
        # 有效/异议中/已修复/公示期满/已撤销 on the report date (archives.selectors.events_with_publication_status):
        # the DRC's platform stops showing and sharing a repaired or expired record.
        col("状态", "publication_status", render=labelled(vocabulary.PUBLICATION_STATUS_LABELS)),
        col("撤销原因", "revocation_reason", render=free_text),
        col("数据来源单位", render=reporting_unit_name),
        # Format 3 (信用修复管理办法): the record's class and publication periods, fixed at the finding.
        col("失信信息类别", "dishonesty_class", render=labelled(vocabulary.DISHONESTY_CLASS_LABELS)),
        col("最短公示期至", "publication_shortest_until", render=iso_date),
        col("最长公示期至", "publication_longest_until", render=iso_date),
        col("修复日期", "repaired_on", render=iso_date),
    ),
)

CREDIT_INFORMATION = Sheet(
    name="credit_information",
    title="其他信用信息",
    columns=(
        col("统一社会信用代码", "customer__uscc"),
        col("名称", "customer__name", render=free_text),
        col("信息类别", "kind", render=labelled(dict(CreditInformationKind.choices))),
        col("内容", "title", "description", render=information_content),
        col("记录单位", "issuing_body", render=free_text),
        col("记录日期", "occurred_on", render=iso_date),
    ),
)

#: The report's files in the order they are written, listed in the manifest and in report.xlsx.
SHEETS: tuple[Sheet, ...] = (COMMITMENTS, ARCHIVES, EVENTS, CREDIT_INFORMATION)
XLSX_NAME = "report.xlsx"
MANIFEST_NAME = "manifest.json"
#: Every file of a report folder, in the order they are offered and zipped.
FILE_NAMES: tuple[str, ...] = (*(sheet.file_name for sheet in SHEETS), XLSX_NAME, MANIFEST_NAME)
#: 2: archives.csv gained 规则评定等级 and 人工调整; credit_information.csv was added.
#: 3: events.csv gained 失信信息类别, 最短公示期至, 最长公示期至, 修复日期; its 状态 has five values;
#:    commitments.csv lists the 信用修复承诺书 of approved repairs (承诺类型 信用修复型, its own 承诺事由,
#:    承诺内容 and 违诺责任, and in 备注 the record it repaired).
#: 4: archives.csv gained 信用等级状态 (有效/异议中: an objection to the level in force is open) and
#:    异议中事项 (信用等级;欠费起始日;公共信用报告;失信行为记录: what open objections dispute); an event
#:    named by an open objection to the level is 异议中 in events.csv too.
FORMAT_VERSION = 4
