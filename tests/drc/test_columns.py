"""The column sets are declared once; the builder's compiled row function must say exactly what they say."""

from datetime import date
from decimal import Decimal
from itertools import product

from notifications.drc import columns
from notifications.drc.build import _renderer

SAMPLES = {
    "text": [None, "", "淮阴甲电器有限公司", "=cmd|' /C calc'!A0", "-约谈", "@SUM(1)", "\t制表", "'引号"],
    "date": [None, date(2026, 11, 28)],
    "choice": [None, "", "accepted", "late_payment", "theft", "revoked", "in_force", "green", "full", "unknown"],
    "json": [None, [], ["green.1", "green.2"]],
    "number": [None, Decimal("12345.6"), Decimal("10.00")],
}


def _samples_for(field: str) -> list:
    if field in (
        "committed_on",
        "valid_until",
        "occurred_on",
        "rating__as_of",
        "report_issued_on",
        "rating__changed_on",
        "publication_shortest_until",
        "publication_longest_until",
        "repaired_on",
        "repair_application__event__occurred_on",
        "repair_application__repaired_on",
    ):
        return SAMPLES["date"]
    if field == "rating__override":
        return [None, 7]
    if field == "rating__rules":
        return SAMPLES["json"]
    if field in ("amount_yuan", "voltage_kv"):
        return SAMPLES["number"]
    if field in (
        "commitment_type", "fulfilment", "rating__level", "rating__computed_level", "type", "status", "severity",
        "kind", "publication_status", "dishonesty_class", "repair_application__event__type",
    ):  # fmt: skip
        return SAMPLES["choice"] + ["minor", "serious", "general", "source", "objected", "repaired", "expired"]
    return SAMPLES["text"]


def _by_declaration(sheet, row: tuple) -> list[str]:
    position = {field: index for index, field in enumerate(sheet.fields)}
    return [column.render(*(row[position[field]] for field in column.fields)) for column in sheet.columns]


def test_the_compiled_row_function_renders_every_column_as_declared():
    for sheet in columns.SHEETS:
        render = _renderer(sheet)
        choices = [_samples_for(field) for field in sheet.fields]
        # Every sample of every field at least once, cycling through the others.
        longest = max(len(values) for values in choices)
        rows = [tuple(values[i % len(values)] for values in choices) for i in range(longest * 3)]
        rows += list(product(*[values[:2] for values in choices]))[:500]
        for row in rows:
            assert render(row) == _by_declaration(sheet, row), (sheet.name, row)


def test_free_text_that_looks_like_a_formula_gets_an_apostrophe_and_nothing_else_does():
    assert columns.free_text("=1+1") == "'=1+1"
    assert columns.free_text("-约谈") == "'-约谈"
    assert columns.free_text("淮阴-电器") == "淮阴-电器"
    assert columns.free_text("") == "" and columns.free_text(None) == ""


def test_each_file_has_its_declared_headers_in_the_design_order():
    assert [sheet.file_name for sheet in columns.SHEETS] == [
        "commitments.csv", "archives.csv", "events.csv", "credit_information.csv",
    ]  # fmt: skip
    assert columns.ARCHIVES.headers == [
        "统一社会信用代码", "名称", "信用等级", "规则评定等级", "人工调整", "评定日期", "依据条款", "公共信用报告日期",
        "最近变更日期", "信用等级状态", "异议中事项",
    ]  # fmt: skip
    assert columns.CREDIT_INFORMATION.headers == [
        "统一社会信用代码",
        "名称",
        "信息类别",
        "内容",
        "记录单位",
        "记录日期",
    ]
    assert len(columns.COMMITMENTS.headers) == 17 and len(columns.EVENTS.headers) == 13  # format 3: +4
