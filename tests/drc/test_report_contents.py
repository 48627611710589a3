"""What the daily DRC report holds, against a known data set: every column of every file, the counts,
the BOM, the XLSX sheets, and the manifest's checksums (DESIGN.md, "DRC report format")."""

import hashlib
import json

import pytest
from openpyxl import load_workbook

from commitments import plan_text
from notifications.drc import columns
from notifications.drc.models import DrcReport
from notifications.drc.storage import report_folder
from tests.factories import CustomerFactory, make_uscc

from .conftest import REPORT_DATE, TRICKY_NAME, UNIT, UNIT_CODE, build_report, read_csv

pytestmark = pytest.mark.django_db

COMMITMENT_HEADERS = [
    "承诺编码", "承诺人名称", "承诺人类别", "承诺人代码", "承诺类型", "承诺事由", "承诺内容", "违诺责任",
    "承诺作出日期", "承诺有效期", "承诺履行状态", "未履行的承诺内容", "违诺责任追究内容", "承诺受理单位",
    "承诺受理单位代码", "公开类型", "备注",
]  # fmt: skip
ARCHIVE_HEADERS = [
    "统一社会信用代码", "名称", "信用等级", "规则评定等级", "人工调整", "评定日期", "依据条款", "公共信用报告日期",
    "最近变更日期", "信用等级状态", "异议中事项",
]  # fmt: skip
EVENT_HEADERS = [
    "主体名称", "统一社会信用代码", "失信行为类型", "失信严重程度", "发生日期", "认定日期", "状态", "撤销原因",
    "数据来源单位", "失信信息类别", "最短公示期至", "最长公示期至", "修复日期",
]  # fmt: skip


def _letter_row(code, name, uscc, committed_on, validity, fulfilment, unfulfilled, pursued):
    return [
        code, name, "法人及非法人组织", uscc, "证明事项型", plan_text.COMMITMENT_REASON, plan_text.COMMITMENT_CONTENT,
        plan_text.COMMITMENT_LIABILITY, committed_on, validity, fulfilment, unfulfilled, pursued, UNIT, UNIT_CODE,
        "可向社会公开", "",
    ]  # fmt: skip


@pytest.fixture
def built(dataset):
    result = build_report(report_date=REPORT_DATE)
    assert result.built
    return result.report, report_folder(result.report), dataset


def test_the_report_folder_holds_exactly_the_six_files(built):
    report, folder, _ = built

    assert sorted(path.name for path in folder.iterdir()) == sorted(
        ["commitments.csv", "archives.csv", "events.csv", "credit_information.csv", "report.xlsx", "manifest.json"]
    )
    assert report.status == "ready"


def test_commitments_csv_lists_the_accepted_letters_with_every_data_item(built):
    _, folder, data = built

    rows = read_csv(folder / "commitments.csv")

    assert rows[0] == COMMITMENT_HEADERS
    assert rows[1:] == [
        _letter_row(
            "32080420260601000001", "淮阴乙机械有限公司", data.plain.uscc, "2026-06-01", "长期", "全部履行", "", ""
        ),
        _letter_row(
            "32080420260701000001", TRICKY_NAME, data.tricky.uscc, "2026-07-01", "2027-06-30", "部分履行",
            '未按期整改"隐患",\n见整改通知', "'-约谈法定代表人",
        ),
    ]  # fmt: skip


def test_the_commitment_code_is_the_division_code_the_date_and_a_serial(built):
    _, folder, _ = built

    codes = [row[0] for row in read_csv(folder / "commitments.csv")[1:]]
    committed = [row[8].replace("-", "") for row in read_csv(folder / "commitments.csv")[1:]]

    for code, day in zip(codes, committed, strict=True):
        assert len(code) == 20 and code.isdigit()
        assert code[:6] == "320804" and code[6:14] == day


def test_archives_csv_has_every_customer_with_its_level_rules_and_dates(built):
    _, folder, data = built

    rows = read_csv(folder / "archives.csv")

    assert rows == [
        ARCHIVE_HEADERS,
        [
            data.plain.uscc,
            "淮阴乙机械有限公司",
            "黄色",
            "黄色",
            "否",
            "2026-11-28",
            "yellow.1;yellow.2",
            "2026-05-01",
            "2026-10-01",
            "有效",
            "失信行为记录",  # the damage's objection (conftest)
        ],
        [data.unrated.uscc, "淮阴丙商贸有限公司", "", "", "否", "", "", "", "", "有效", ""],
        [
            data.tricky.uscc,
            TRICKY_NAME,
            "绿色",
            "绿色",
            "否",
            "2026-11-28",
            "green.1;green.2",
            "2026-09-09",
            "2026-01-05",
            "有效",
            "",
        ],
    ]


def test_events_csv_has_one_row_per_event_ordered_by_uscc_then_event(built):
    _, folder, data = built
    plain, tricky = ("淮阴乙机械有限公司", data.plain.uscc), (TRICKY_NAME, data.tricky.uscc)

    rows = read_csv(folder / "events.csv")

    assert rows == [
        EVENT_HEADERS,
        # A 轻微 record found on 2026-03-16: its longest period (3 months) ended on 2026-06-15.
        [*plain, "未按合同、协议约定的方式和期限交付电费", "", "2026-03-15", "2026-03-16", "公示期满", "", UNIT,
         "轻微", "", "2026-06-15", ""],
        [*plain, "窃电", "窃电金额12345.60元", "2026-04-02", "2026-04-03", "已撤销", '当事人提供了缴费凭证, "已核实"',
         UNIT, "一般", "2026-07-02", "2027-04-02", ""],
        [*plain, "故意破坏电力设施", "情节较轻，且能主动赔偿", "2026-06-01", "2026-11-28", "异议中", "", UNIT,
         "一般", "2027-02-27", "2027-11-27", ""],
        [*tricky, "失信行为（公共信用信息）", "较重", "2026-02-01", "2026-02-03", "有效", "", UNIT,
         "来源认定", "", "", ""],
        [*tricky, "因内部故障（不可抗力除外）或违章施工造成公用电网停电", "电压等级10千伏", "2026-07-07",
         "2026-07-08", "已修复", "", UNIT, "一般", "2026-10-07", "2027-07-07", "2026-11-01"],
    ]  # fmt: skip


def test_the_csv_files_are_utf8_with_bom_and_crlf_rows(built):
    _, folder, _ = built

    for sheet in columns.SHEETS:
        raw = (folder / sheet.file_name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), sheet.file_name
        assert not raw.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
        assert raw.endswith(b"\r\n")
        assert raw[3:].decode("utf-8").split("\r\n")[0] == ",".join(sheet.headers)


def test_a_name_with_commas_quotes_and_a_newline_is_quoted_and_reads_back_whole(built):
    _, folder, data = built

    raw = (folder / "archives.csv").read_bytes().decode("utf-8-sig")

    # RFC 4180: the field is quoted, its quotes doubled, the newline kept inside the quotes.
    assert f'{data.tricky.uscc},"淮阴""星光"",电器\n有限公司",绿色' in raw
    assert read_csv(folder / "archives.csv")[3][1] == TRICKY_NAME
    assert read_csv(folder / "events.csv")[4][0] == TRICKY_NAME


def test_a_name_that_looks_like_a_formula_is_neutralised(dataset):
    CustomerFactory(uscc=make_uscc(9), name='=HYPERLINK("http://evil.example","点击")')

    folder = report_folder(build_report(report_date=REPORT_DATE).report)

    row = read_csv(folder / "archives.csv")[-1]
    assert row[1] == '\'=HYPERLINK("http://evil.example","点击")'


def test_the_xlsx_has_the_same_three_sheets_as_the_csvs(built):
    _, folder, _ = built

    book = load_workbook(folder / "report.xlsx", read_only=True)

    assert book.sheetnames == ["信用承诺", "信用档案", "失信行为信息", "其他信用信息"]
    for sheet in columns.SHEETS:
        cells = [["" if v is None else v for v in row] for row in book[sheet.title].iter_rows(values_only=True)]
        assert cells == read_csv(folder / sheet.file_name), sheet.name
    book.close()


def test_the_manifest_gives_date_counts_and_the_sha256_of_every_file(built):
    report, folder, _ = built

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))

    assert manifest["report_date"] == "2026-11-28"
    assert manifest["format_version"] == 4  # archives.csv: 信用等级状态, 异议中事项
    assert manifest["generated_at"] == "2026-11-28T10:00:00+08:00"
    assert manifest["counts"] == {"commitments": 2, "archives": 3, "events": 5, "credit_information": 0}
    assert manifest["reporting_unit"] == {"name": UNIT, "code": UNIT_CODE}
    assert set(manifest["files"]) == {
        "commitments.csv", "archives.csv", "events.csv", "credit_information.csv", "report.xlsx",
    }  # fmt: skip
    for name, entry in manifest["files"].items():
        content = (folder / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(content).hexdigest(), name
        assert entry["bytes"] == len(content), name
    assert manifest["files"]["archives.csv"]["columns"] == ARCHIVE_HEADERS
    assert manifest["files"]["report.xlsx"]["sheets"] == ["信用承诺", "信用档案", "失信行为信息", "其他信用信息"]
    # The row remembers the same figures, the manifest's own checksum included.
    assert report.counts == manifest["counts"]
    assert report.checksums["manifest.json"] == hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    assert {name: report.checksums[name] for name in manifest["files"]} == {
        name: entry["sha256"] for name, entry in manifest["files"].items()
    }


def test_the_generation_time_appears_only_in_the_manifest(built):
    _, folder, _ = built

    for name in ("commitments.csv", "archives.csv", "events.csv"):
        assert "10:00" not in (folder / name).read_text(encoding="utf-8-sig"), name


def test_a_report_of_an_earlier_day_leaves_out_what_was_recorded_after_it(dataset):
    result = build_report(report_date=REPORT_DATE.replace(day=27))

    folder = report_folder(result.report)
    assert result.report.counts == {"commitments": 2, "archives": 3, "events": 4, "credit_information": 0}
    assert "故意破坏电力设施" not in (folder / "events.csv").read_text(encoding="utf-8-sig")


def test_an_empty_archive_gives_files_with_only_their_headers(db):
    result = build_report(report_date=REPORT_DATE)

    folder = report_folder(result.report)
    assert result.report.counts == {"commitments": 0, "archives": 0, "events": 0, "credit_information": 0}
    for sheet in columns.SHEETS:
        assert read_csv(folder / sheet.file_name) == [sheet.headers]
    assert DrcReport.objects.count() == 1
