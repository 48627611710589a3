"""Every CSV and XLSX the portal writes holds text that looks like a formula as text, never a formula."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from archives.models import ImportJob, ImportKind, ImportStatus
from credit_portal.spreadsheets import FORMULA_PREFIXES, safe_cell
from notifications.drc.storage import report_folder
from tests.drc.conftest import build_report
from tests.factories import CustomerFactory, make_uscc

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://evil.example","x")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def _is_live_formula(value) -> bool:
    return isinstance(value, str) and value[:1] in FORMULA_PREFIXES


def _customers_with_payloads():
    for n, payload in enumerate(PAYLOADS):
        CustomerFactory(
            uscc=make_uscc(77_000 + n),
            name=payload,
            legal_representative=payload,
            contact_person=payload,
            address=payload,
            industry=payload,
        )


def test_the_helper_marks_every_formula_trigger_and_leaves_other_values_alone():
    for payload in PAYLOADS:
        assert safe_cell(payload) == "'" + payload
    assert safe_cell("淮阴-电器") == "淮阴-电器"
    assert safe_cell("") == ""
    assert safe_cell(None) is None
    assert safe_cell(-5) == -5


def test_the_customer_export_writes_formula_payloads_as_text(client, staff, django_capture_on_commit_callbacks):
    _customers_with_payloads()
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/archives/customers/export.xlsx")  # the export runs as a file job
    response = client.get(started["Location"] + "download/")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["电力用户"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert cells
    assert not [cell.value for cell in cells if cell.data_type == "f" or _is_live_formula(cell.value)]
    names = {row[1].value for row in sheet.iter_rows(min_row=2)}
    assert "'" + PAYLOADS[0] in names


def test_the_import_error_file_writes_formula_payloads_as_text(client, staff):
    job = ImportJob.objects.create(
        kind=ImportKind.CUSTOMERS,
        original_name="export.csv",
        status=ImportStatus.INVALID,
        errors=[{"line": 2, "field": payload, "message": payload} for payload in PAYLOADS],
        created_by=staff,
    )
    client.force_login(staff)

    response = client.get(f"/archives/imports/{job.pk}/?download=errors")

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) == len(PAYLOADS) + 1
    assert not [cell for cell in cells if _is_live_formula(cell)]
    assert "'" + PAYLOADS[1] in cells


def test_the_drc_report_writes_formula_payloads_as_text_in_its_csvs_and_workbook(settings, tmp_path, time_machine):
    time_machine.move_to(datetime(2026, 11, 28, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    settings.DRC_REPORT_ROOT = str(tmp_path / "drc-reports")
    settings.DRC_ACCEPTING_UNIT_CODE = make_uscc(424242, prefix="91320800")
    settings.DRC_PUSH_URL = ""
    _customers_with_payloads()

    folder = report_folder(build_report(report_date=date(2026, 11, 28)).report)

    names = set()
    for path in sorted(folder.glob("*.csv")):
        rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
        assert not [cell for row in rows for cell in row if _is_live_formula(cell)], path.name
        names.update(cell for row in rows for cell in row)
    book = load_workbook(folder / "report.xlsx")
    for sheet in book.worksheets:
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert not [cell.value for cell in cells if cell.data_type == "f" or _is_live_formula(cell.value)]
    assert "'" + PAYLOADS[0] in names
