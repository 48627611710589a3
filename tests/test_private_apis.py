"""The private attributes of libraries the portal relies on, pinned: an upgrade that moves them fails here.

- ``credit_portal.pdf._StreamedPdf`` paints letter batches page by page with WeasyPrint's internals
  (``weasyprint.pdf._use_references``, ``weasyprint.pdf.stream.Stream``, ``pydyf._to_bytes``);
- the DRC report's XLSX writer sets the deflate level of a streamed entry with ``ZipInfo._compresslevel``
  (public as ``ZipInfo.compress_level`` only from Python 3.13 on).
"""

import shutil
import subprocess
import zipfile

import pytest

from credit_portal import pdf
from notifications.drc.xlsx import XlsxWriter


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo (poppler-utils) is not installed")
def test_a_batch_pdf_is_painted_page_by_page_not_in_memory(settings, tmp_path, monkeypatch):
    (tmp_path / "batch.html").write_text(
        "<html><head><style>@page { size: A5 } body { font-family: serif }</style></head>"
        "<body><p>第{{ n }}封告知函</p></body></html>",
        encoding="utf-8",
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]

    def in_memory(*args, **kwargs):
        raise AssertionError("WeasyPrint's internals moved: the batch fell back to rendering in memory")

    monkeypatch.setattr(pdf, "_render_batch_in_memory", in_memory)
    content = pdf.render_pdf_batch("batch.html", [{"n": n} for n in range(3)])

    (tmp_path / "batch.pdf").write_bytes(content)
    info = subprocess.run(["pdfinfo", str(tmp_path / "batch.pdf")], capture_output=True, text=True).stdout
    assert "Pages:           3" in info
    text = subprocess.run(["pdftotext", str(tmp_path / "batch.pdf"), "-"], capture_output=True, text=True).stdout
    assert all(f"第{n}封告知函" in text for n in range(3))


def test_the_xlsx_entries_are_deflated_at_the_level_asked_for_with_a_fixed_date(tmp_path):
    rows = [[f"第{i}行", str(i * 7919 % 100_003), "淮阴区" * (i % 5)] for i in range(20_000)]
    sizes = {}
    for level in (1, 9):
        path = tmp_path / f"level{level}.xlsx"
        with XlsxWriter(path, compress_level=level) as book:
            book.write_sheet("表", ["名称", "数值", "地区"], rows)
        with zipfile.ZipFile(path) as archive:
            sheet = archive.getinfo("xl/worksheets/sheet1.xml")
            assert sheet.compress_type == zipfile.ZIP_DEFLATED and sheet.date_time == (1980, 1, 1, 0, 0, 0)
            sizes[level] = (sheet.compress_size, sheet.file_size)

    assert sizes[1][1] == sizes[9][1]  # the same sheet
    assert sizes[9][0] < sizes[1][0]  # each written at its own level
