"""The report's streaming XLSX writer, read back with openpyxl: escaping, limits, determinism."""

from openpyxl import load_workbook

from notifications.drc import xlsx
from notifications.drc.xlsx import XlsxWriter


def _read(path) -> dict[str, list[list[str]]]:
    book = load_workbook(path, read_only=True)
    sheets = {
        name: [["" if v is None else v for v in row] for row in book[name].iter_rows(values_only=True)]
        for name in book.sheetnames
    }
    book.close()
    return sheets


def test_markup_quotes_newlines_and_spaces_come_back_as_written(tmp_path):
    rows = [
        ["<b>&amp;</b>", 'say "hi", ok', "line one\nline two", "  padded  "],
        ["", "淮阴\t公司", "=1+1", "'quoted"],
        ["a␂b", "\u3000全角空格", "end ", " "],
    ]
    with XlsxWriter(tmp_path / "t.xlsx") as book:
        book.write_sheet("测试", ["a", "b", "c", "d"], rows)

    assert _read(tmp_path / "t.xlsx") == {"测试": [["a", "b", "c", "d"], *rows]}


def test_characters_xml_forbids_are_dropped_and_the_cells_stay_in_place(tmp_path):
    with XlsxWriter(tmp_path / "t.xlsx") as book:
        book.write_sheet("s", ["a", "b", "c"], [["x\x00y", "p\x01q", "\x0bz"]])

    assert _read(tmp_path / "t.xlsx")["s"][1] == ["xy", "pq", "z"]


def test_a_value_longer_than_excel_allows_is_cut_at_its_limit(tmp_path):
    with XlsxWriter(tmp_path / "t.xlsx") as book:
        book.write_sheet("s", ["a", "b"], [["甲" * 40_000, "next"]])

    assert _read(tmp_path / "t.xlsx")["s"][1] == ["甲" * xlsx.MAX_CELL_CHARS, "next"]


def test_rows_beyond_a_sheets_limit_continue_on_numbered_sheets(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 4)  # three data rows under the header
    with XlsxWriter(tmp_path / "seven.xlsx") as book:
        written = book.write_sheet("事件", ["n"], ([str(i)] for i in range(7)))
    with XlsxWriter(tmp_path / "six.xlsx") as book:
        book.write_sheet("事件", ["n"], ([str(i)] for i in range(6)))

    assert written == 7
    assert _read(tmp_path / "seven.xlsx") == {
        "事件": [["n"], ["0"], ["1"], ["2"]],
        "事件(2)": [["n"], ["3"], ["4"], ["5"]],
        "事件(3)": [["n"], ["6"]],
    }
    assert list(_read(tmp_path / "six.xlsx")) == ["事件", "事件(2)"]  # no empty third sheet


def test_the_same_rows_give_the_same_bytes(tmp_path):
    for name in ("one.xlsx", "two.xlsx"):
        with XlsxWriter(tmp_path / name) as book:
            book.write_sheet("s", ["a"], [["1"], ["2"]])
            book.write_sheet("t", ["b"], [])

    assert (tmp_path / "one.xlsx").read_bytes() == (tmp_path / "two.xlsx").read_bytes()
    assert _read(tmp_path / "one.xlsx") == {"s": [["a"], ["1"], ["2"]], "t": [["b"]]}
