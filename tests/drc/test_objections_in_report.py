"""The DRC report shares what open objections dispute (format 4): the level in force 异议中 in
archives.csv with the subjects disputed, and the events a level objection names 异议中 in events.csv;
once decided the marks go."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commitments import services
from tests.factories import PDF_BYTES

from .conftest import REPORT_DATE, build_report, read_csv

pytestmark = pytest.mark.django_db


def _rows(result, name: str) -> list[list[str]]:
    from notifications.drc.storage import report_folder

    return read_csv(report_folder(result.report) / f"{name}.csv")


def test_a_level_objection_marks_the_level_and_its_named_event_until_a_supervisor_decides(dataset, staff, supervisor):
    late_payment = dataset.events[0]  # in force, the plain customer's
    objection = services.objection_submit(
        customer=dataset.plain, subject="level", disputed_events=[late_payment], actor=staff,
        reason="企业书面异议：3月逾期记录有误", letter=SimpleUploadedFile("异议.pdf", PDF_BYTES, "application/pdf"),
    )  # fmt: skip

    result = build_report(report_date=REPORT_DATE)
    archives = {row[0]: row for row in _rows(result, "archives")}
    events = {(row[1], row[4]): row for row in _rows(result, "events")}
    assert archives[dataset.plain.uscc][-2:] == ["异议中", "信用等级;失信行为记录"]
    assert archives[dataset.tricky.uscc][-2:] == ["有效", ""]
    assert events[(dataset.plain.uscc, "2026-03-15")][6] == "异议中"

    objection = services.objection_review(objection=objection, actor=staff, recommendation="refuse", note="属实")
    services.objection_decide(objection=objection, actor=supervisor, uphold=False, note="逾期属实")

    result = build_report(report_date=REPORT_DATE, rebuild=True)
    archives = {row[0]: row for row in _rows(result, "archives")}
    events = {(row[1], row[4]): row for row in _rows(result, "events")}
    # The damage's own objection (conftest) is still open; the level's is decided.
    assert archives[dataset.plain.uscc][-2:] == ["有效", "失信行为记录"]
    assert events[(dataset.plain.uscc, "2026-03-15")][6] == "公示期满"  # 轻微: its longest period has ended
