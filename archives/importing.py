"""Reading files exported by the marketing system (营销系统): CSV or XLSX, one header row, then data.

The column sets of the three kinds are declared once, in `COLUMNS`; the upload page, the sample
file and the header check all read them. Rows come out as `(line, {code: text})`, where `line` is
the row number a spreadsheet user sees (the header is line 1) and every value is a stripped string
(dates from XLSX cells as ISO `YYYY-MM-DD`).
"""

import codecs
import contextlib
import csv
import io
import itertools
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import filetype
from django.conf import settings

from credit_portal.errors import ApplicationError

CSV, XLSX = "csv", "xlsx"


@dataclass(frozen=True)
class Column:
    """One column of an import file: its English code, Chinese label, and the other names accepted."""

    code: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    note: str = ""


_USCC = Column("uscc", "统一社会信用代码", True, note="18位，含校验码")

COLUMNS: dict[str, tuple[Column, ...]] = {
    "customers": (
        _USCC,
        Column("name", "名称", True),
        Column("legal_representative", "法定代表人"),
        Column("contact_person", "联系人"),
        Column("contact_phone", "联系电话", note="数字和“-”"),
        Column("address", "地址"),
        Column("industry", "行业"),
    ),
    "accounts": (
        _USCC,
        Column("number", "户号", True, note="数字"),
        Column("opened_on", "立户日期", True, note="YYYY-MM-DD"),
        Column("payment_method", "交费方式", True, note="prepaid/预存 或 postpaid/后付费"),
        Column("arrears_since", "欠费起始日", True, note="YYYY-MM-DD；无欠费留空"),
        Column("voltage_level", "电压等级", True, note="0.22kV、0.4kV、10kV、20kV、35kV、110kV、220kV"),
        Column("capacity_kva", "容量", True, aliases=("容量（千伏安）", "容量(千伏安)", "容量(kva)"), note="千伏安"),
    ),
    "events": (
        _USCC,
        Column("type", "失信行为类型", True, note="类型代码或中文名称"),
        Column("occurred_on", "发生日期", True, note="YYYY-MM-DD，不晚于今天"),
        Column("amount_yuan", "窃电金额", aliases=("窃电金额（元）", "窃电金额(元)"), note="窃电必填，元"),
        Column("voltage_kv", "电压", aliases=("电压等级（千伏）", "停电电压等级（千伏）"), note="造成停电必填，千伏"),
        Column("severity", "情节", aliases=("严重程度", "情节/严重程度"), note="破坏电力设施、失信行为必填"),
        Column("description", "情况说明"),
    ),
}


def column_labels(kind: str) -> dict[str, str]:
    """Column code → Chinese label, for showing errors."""
    return {column.code: column.label for column in COLUMNS[kind]}


def _header_key(text: str) -> str:
    return "".join(str(text).split()).lower().replace("\ufeff", "")


def _header_names(kind: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for column in COLUMNS[kind]:
        for name in (column.code, column.label, *column.aliases):
            names[_header_key(name)] = column.code
    return names


# --- What the upload is ------------------------------------------------------------------------


def _raw(fileobj):
    """The underlying binary file of a Django File/UploadedFile, rewound."""
    raw = fileobj
    while hasattr(raw, "file") and not isinstance(raw, io.IOBase):
        raw = raw.file
    raw.seek(0)
    return raw


def _text_encoding(raw) -> str | None:
    """UTF-8 (with or without BOM), else GB18030 as Chinese Excel saves it; None when not text."""
    for encoding in ("utf-8-sig", "gb18030"):
        raw.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := raw.read(1 << 20):
                if "\x00" in decoder.decode(chunk):
                    return None  # NUL never occurs in a text export; this is a binary file
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            raw.seek(0)
        return encoding
    return None


def detect_format(upload) -> str:
    """CSV or XLSX, judged by the content (not the name) and within IMPORT_MAX_BYTES."""
    if upload is None:
        raise ApplicationError("请选择要导入的文件", field="file")
    limit = settings.IMPORT_MAX_BYTES
    if upload.size > limit:
        raise ApplicationError(
            f"文件过大：{upload.size / 1048576:.1f} MB，上限为 {limit / 1048576:.0f} MB", field="file"
        )
    if upload.size == 0:
        raise ApplicationError("文件为空", field="file")
    raw = _raw(upload)
    head = raw.read(8192)
    raw.seek(0)
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(raw).namelist())
        except zipfile.BadZipFile:
            names = set()
        raw.seek(0)
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return XLSX
        raise ApplicationError("该压缩文件不是 Excel 工作簿（.xlsx），请上传 CSV 或 XLSX 文件", field="file")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ApplicationError("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV", field="file")
    guessed = filetype.guess(head)
    if guessed is not None or _text_encoding(raw) is None:
        found = guessed.mime if guessed else "二进制文件"
        raise ApplicationError(f"只接受 CSV 或 XLSX 文件（按文件内容识别为：{found}）", field="file")
    return CSV


# --- Reading rows ------------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Excel keeps every number as a float: 3208040001.0 is the account number 3208040001.
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    return str(value).strip()


def _csv_lines(raw) -> Iterator[list[str]]:
    encoding = _text_encoding(raw)
    if encoding is None:  # checked by detect_format; a file changed on disk since is refused here too
        raise ApplicationError("文件不是 UTF-8 或 GB18030 编码的文本", field="file")
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    try:
        first = text.readline()
        # Some exports separate with tabs or semicolons; the header line tells which.
        delimiter = max((",", "\t", ";"), key=first.count)
        reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
        try:
            yield from reader
        except csv.Error as error:
            raise ApplicationError(f"CSV 第 {reader.line_num} 行格式错误：{error}", field="file") from None
    finally:
        with contextlib.suppress(ValueError):  # already closed by the caller: nothing to protect
            text.detach()  # the wrapper would otherwise close the caller's file when it is collected


def _xlsx_lines(raw) -> Iterator[list[str]]:
    """The first sheet's rows from A1 (python-calamine: a Rust reader, the cached values of formulas)."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(raw)
        sheet = workbook.get_sheet_by_index(0)
    except Exception as error:  # a damaged or empty workbook: calamine's own errors, or an IndexError
        raise ApplicationError(f"无法读取 Excel 文件：{error}", field="file") from None
    try:
        # Its rows start at row 1 but at the first used column: pad back to column A, so that the
        # header's positions and the line numbers are the sheet's.
        pad = [""] * (sheet.start[1] if sheet.start else 0)
        for values in sheet.iter_rows():
            yield pad + [_cell_text(value) for value in values]
    except Exception as error:
        raise ApplicationError(f"无法读取 Excel 文件：{error}", field="file") from None
    finally:
        workbook.close()


@contextlib.contextmanager
def as_csv(fileobj, fmt: str) -> Iterator[tuple[object, str]]:
    """The file as CSV, for reading more than once: an XLSX sheet is converted once to a temporary
    UTF-8 CSV (cheaper to read twice than the workbook). Row numbers are kept, blank rows included."""
    if fmt == CSV:
        yield fileobj, CSV
        return
    with tempfile.TemporaryFile() as spool:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        csv.writer(text).writerows(_xlsx_lines(_raw(fileobj)))
        text.flush()
        text.detach()
        spool.seek(0)
        yield spool, CSV


@dataclass
class Table:
    """The header of an import file, checked, and an iterator over its data rows."""

    codes: list[str | None]
    errors: list[dict] = field(default_factory=list)
    rows: Iterator[tuple[int, dict[str, str]]] = field(default_factory=lambda: iter(()))


def _data_rows(
    lines: Iterator[list[str]], codes: list[str | None], unnamed: list[int]
) -> Iterator[tuple[int, dict[str, str]]]:
    width = len(codes)
    for line, cells in enumerate(lines, start=2):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue  # blank rows, typically at the end of an Excel export
        row = {code: cells[index] if index < len(cells) else "" for index, code in enumerate(codes) if code}
        # A value under no column name would otherwise be dropped without a word.
        if any(cells[width:]) or any(cells[index] for index in unnamed if index < len(cells)):
            row["__extra__"] = "该行有数据位于没有列名的列中（多于表头的列）"
        yield line, row


def open_table(*, kind: str, fileobj, fmt: str) -> Table:
    """Read the header and check it against the columns of `kind`; the rows are read lazily."""
    raw = _raw(fileobj)
    lines = _xlsx_lines(raw) if fmt == XLSX else _csv_lines(raw)
    header = next(lines, None)
    if header is None or not any(cell.strip() for cell in header):
        return Table(codes=[], errors=[{"line": 1, "field": None, "message": "文件为空，缺少表头行"}])
    names = _header_names(kind)
    codes: list[str | None] = []
    errors = []
    for cell in header:
        code = names.get(_header_key(cell))
        if code is None and cell.strip():
            errors.append({"line": 1, "field": None, "message": f"未知的列“{cell.strip()}”"})
        elif code in codes:
            errors.append({"line": 1, "field": code, "message": f"列“{cell.strip()}”重复"})
            code = None
        codes.append(code)
    labels = column_labels(kind)
    for column in COLUMNS[kind]:
        if column.required and column.code not in codes:
            errors.append({"line": 1, "field": column.code, "message": f"缺少必填列“{labels[column.code]}”"})
    unnamed = [index for index, cell in enumerate(header) if not cell.strip()]
    return Table(codes=codes, errors=errors, rows=_data_rows(lines, codes, unnamed))


# Two example rows per kind, in the column order of COLUMNS: what a filled-in file looks like.
SAMPLE_ROWS: dict[str, tuple[dict[str, str], ...]] = {
    "customers": (
        {"uscc": "91320804000000119M", "name": "淮阴示例机械有限公司", "legal_representative": "张三",
         "contact_person": "李四", "contact_phone": "0517-84000001", "address": "淮安市淮阴区长江东路1号",
         "industry": "制造业"},
        {"uscc": "9132080400000011AQ", "name": "淮阴示例食品有限公司", "legal_representative": "王五",
         "contact_person": "赵六", "contact_phone": "13800000002", "address": "淮安市淮阴区北京西路2号",
         "industry": "食品加工"},
    ),
    "accounts": (
        {"uscc": "91320804000000119M", "number": "3200000001", "opened_on": "2018-03-01",
         "payment_method": "postpaid", "arrears_since": "", "voltage_level": "10kV", "capacity_kva": "400"},
        {"uscc": "9132080400000011AQ", "number": "3200000002", "opened_on": "2020-07-15",
         "payment_method": "预存", "arrears_since": "2026-10-10", "voltage_level": "0.4kV", "capacity_kva": "80"},
    ),
    "events": (
        {"uscc": "91320804000000119M", "type": "late_payment", "occurred_on": "2026-03-15",
         "description": "3月电费逾期未缴"},
        {"uscc": "9132080400000011AQ", "type": "窃电", "occurred_on": "2026-05-20", "amount_yuan": "1200",
         "description": "绕越计量装置用电"},
    ),
}  # fmt: skip


def sample_csv(kind: str) -> str:
    """A file of `kind` to start from: the header row and two example rows, with a BOM for Excel."""
    codes = [column.code for column in COLUMNS[kind]]
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(codes)
    for row in SAMPLE_ROWS[kind]:
        writer.writerow([row.get(code, "") for code in codes])
    return buffer.getvalue()
