"""A streaming XLSX writer for the DRC report: text cells only, rows written as they come.

openpyxl's write-only mode writes about 8,000 rows a second on this machine without lxml, which
would take two minutes for the archives alone; the report needs only text cells in plain sheets,
so this writer emits the SpreadsheetML (ECMA-376) parts itself, ~20x faster, in constant memory.
The output is read back with openpyxl by the tests. Entries carry a fixed timestamp, so the same
rows give the same bytes.

A sheet holds at most 1,048,576 rows: longer data continues on a sheet named "<title>(2)", and so on.
"""

from __future__ import annotations

import queue
import re
import threading
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from pathlib import Path
from xml.sax.saxutils import quoteattr

MAX_ROWS = 1_048_576  # Excel's limit per sheet, the header row included
MAX_CELL_CHARS = 32_767  # Excel's limit per cell
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# Characters XML 1.0 forbids (tab, newline and carriage return are allowed), and lone surrogates.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CELL = '<c t="inlineStr"><is><t>%s</t></is></c>'
# Spreadsheet programs trim a cell's leading and trailing white space unless told not to.
_KEPT_CELL = '<c t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'
_HEADER_CELL = '<c t="inlineStr" s="1"><is><t>%s</t></is></c>'
# The fast path escapes a whole row at once: its values joined by a rare printable character, the
# join checked (printable throughout, the right number of joints, no space at a value's edge),
# escaped, and the joints replaced by cell boundaries. Anything else goes cell by cell.
_JOINT = "\u2402"  # ␂, SYMBOL FOR START OF TEXT
_BETWEEN_CELLS = "</t></is></c>" + _CELL.split("%s")[0]
_ROW_START = '<row r="%d">' + _CELL.split("%s")[0]
_ROW_END = "</t></is></c></row>"
_SPACE_BEFORE_JOINT, _SPACE_AFTER_JOINT = " " + _JOINT, _JOINT + " "
_BUFFER_ROWS = 2000


def _escape(value: str) -> str:
    if not value.isprintable():  # rare: newlines, tabs, control characters
        value = _NOT_XML.sub("", value)
    if len(value) > MAX_CELL_CHARS:
        value = value[:MAX_CELL_CHARS]
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(value: str) -> str:
    value = _escape(value)
    kept = value[:1].isspace() or value[-1:].isspace()
    return (_KEPT_CELL if kept else _CELL) % value


def _entry(name: str, level: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    # The level of a streamed entry opened from a ZipInfo (the fixed date keeps the zip reproducible)
    # is only public from Python 3.13 on (ZipInfo.compress_level); before, it is the private
    # attribute, which tests/test_private_apis.py pins.
    if hasattr(zipfile.ZipInfo, "compress_level"):
        info.compress_level = level
    else:
        info._compresslevel = level
    info.external_attr = 0o644 << 16
    return info


class _BackgroundWriter:
    """Feeds a zip entry from a thread: deflate and CRC release the GIL, so compressing one chunk runs
    beside the formatting of the next (the report's second core), with a few chunks in flight at most."""

    def __init__(self, target) -> None:
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(target,), name="xlsx-deflate", daemon=True)
        self._thread.start()

    def _run(self, target) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._error is None:
                try:
                    target.write(chunk)
                except BaseException as error:  # handed to the writing thread
                    self._error = error

    def write(self, chunk: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(chunk)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


class XlsxWriter:
    """`with XlsxWriter(path) as book: book.write_sheet(title, headers, rows)`, sheet after sheet."""

    def __init__(self, path: Path, *, compress_level: int = 1) -> None:
        self._zip = zipfile.ZipFile(path, "w")
        self._level = compress_level
        self.sheet_titles: list[str] = []

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self._zip.close()

    def write_sheet(self, title: str, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
        """Write the rows under the header (continuing on further sheets past the row limit); returns their count."""
        remaining: Iterator[Sequence[str]] | None = iter(rows)
        written = 0
        part = 1
        while remaining is not None:
            sheet_title = title if part == 1 else f"{title}({part})"
            count, remaining = self._write_part(sheet_title, headers, remaining)
            written += count
            part += 1
        return written

    def _write_part(
        self, title: str, headers: Sequence[str], rows: Iterator[Sequence[str]]
    ) -> tuple[int, Iterator[Sequence[str]] | None]:
        """One worksheet of at most MAX_ROWS rows; returns the rows written and what is left, if anything."""
        self.sheet_titles.append(title)
        name = f"xl/worksheets/sheet{len(self.sheet_titles)}.xml"
        limit = MAX_ROWS - 1
        count = 0
        full = False
        last_joint = len(headers) - 1
        with self._zip.open(_entry(name, self._level), "w", force_zip64=True) as entry:
            part = _BackgroundWriter(entry)
            try:
                header = "".join(_HEADER_CELL % _escape(h) for h in headers)
                part.write(
                    (
                        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                        f'<sheetData><row r="1">{header}</row>'
                    ).encode()
                )
                buffer: list[str] = []
                for row in rows:
                    count += 1
                    joined = _JOINT.join(row)
                    if (
                        joined.isprintable()  # no control character, no white space but U+0020
                        and joined.count(_JOINT) == last_joint
                        and len(joined) <= MAX_CELL_CHARS
                        and joined[:1] != " "
                        and joined[-1:] != " "
                        and _SPACE_BEFORE_JOINT not in joined
                        and _SPACE_AFTER_JOINT not in joined
                    ):
                        escaped = joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                        buffer.append(_ROW_START % (count + 1) + escaped.replace(_JOINT, _BETWEEN_CELLS) + _ROW_END)
                    else:  # a character to drop, white space to keep, a very long value: cell by cell
                        buffer.append(f'<row r="{count + 1}">' + "".join(map(_cell, row)) + "</row>")
                    if len(buffer) >= _BUFFER_ROWS:
                        part.write("".join(buffer).encode())
                        buffer.clear()
                    if count >= limit:
                        full = True
                        break
                part.write(("".join(buffer) + "</sheetData></worksheet>").encode())
            finally:
                part.close()
        if not full:
            return count, None
        following = next(rows, None)
        return count, (None if following is None else chain([following], rows))

    def close(self) -> None:
        titles = self.sheet_titles
        sheets = "".join(
            f'<sheet name={quoteattr(t)} sheetId="{i}" r:id="rId{i}"/>' for i, t in enumerate(titles, start=1)
        )
        workbook_rels = "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(titles) + 1)
        )
        n = len(titles) + 1
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(titles) + 1)
        )
        parts = {
            "[Content_Types].xml": (
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/styles.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                f"{overrides}</Types>"
            ),
            "_rels/.rels": (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                'officeDocument" Target="xl/workbook.xml"/></Relationships>'
            ),
            "xl/workbook.xml": (
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                f"<sheets>{sheets}</sheets></workbook>"
            ),
            "xl/_rels/workbook.xml.rels": (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'{workbook_rels}<Relationship Id="rId{n}" '
                'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
                'Target="styles.xml"/></Relationships>'
            ),
            "xl/styles.xml": (
                '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
                '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
                '<fills count="2"><fill><patternFill patternType="none"/></fill>'
                '<fill><patternFill patternType="gray125"/></fill></fills>'
                '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
                '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                "</styleSheet>"
            ),
        }
        header = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        for name, body in parts.items():
            self._zip.writestr(_entry(name, self._level), (header + body).encode())
        self._zip.close()
