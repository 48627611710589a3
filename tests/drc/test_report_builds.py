"""Exactly one report per date: double builds, rebuilds, a build in progress, failed builds, the command,
the daily task and its beat entry."""

import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.utils import timezone

from notifications.drc import build
from notifications.drc.models import DrcReport
from notifications.drc.storage import report_folder
from notifications.drc.tasks import drc_report_daily_task
from tests.factories import CustomerFactory, EventFactory

from .conftest import NOW, REPORT_DATE, build_report

pytestmark = pytest.mark.django_db

CSV_NAMES = ("commitments.csv", "archives.csv", "events.csv", "credit_information.csv")


def _files(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _visible(root) -> list[str]:
    """Every file under the report root, hidden staging folders included."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_a_second_build_of_the_same_date_does_nothing(dataset, report_root):
    first = build_report(report_date=REPORT_DATE)
    before = _visible(report_root)

    second = build_report(report_date=REPORT_DATE)

    assert (first.outcome, second.outcome) == ("built", "exists")
    assert DrcReport.objects.count() == 1
    assert DrcReport.objects.get().builds == 1
    assert _visible(report_root) == before
    assert len(before) == 6


def test_the_daily_task_fired_twice_makes_one_report(dataset, report_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        drc_report_daily_task.delay()
        drc_report_daily_task.delay()

    report = DrcReport.objects.get()
    assert report.report_date == REPORT_DATE and report.status == "ready" and report.builds == 1
    assert len(_visible(report_root)) == 6


def test_a_build_while_another_holds_the_date_does_nothing(dataset, report_root):
    DrcReport.objects.create(
        report_date=REPORT_DATE, claim_token="6f1c0b7e-8d4e-4c55-9a39-2f0f7d5d6a11",
        lease_until=timezone.now() + timedelta(minutes=5), build_started_at=timezone.now(),
    )  # fmt: skip

    result = build_report(report_date=REPORT_DATE, rebuild=True)

    assert result.outcome == "busy"
    assert DrcReport.objects.get().status == "building"
    assert not report_root.exists() or _visible(report_root) == []


def test_a_build_whose_worker_died_is_taken_over_once_its_lease_ran_out(dataset, report_root):
    DrcReport.objects.create(
        report_date=REPORT_DATE, claim_token="6f1c0b7e-8d4e-4c55-9a39-2f0f7d5d6a11",
        lease_until=timezone.now() - timedelta(seconds=1), build_started_at=timezone.now() - timedelta(hours=1),
    )  # fmt: skip
    leftover = report_root / f".building-{REPORT_DATE}-6f1c0b7e8d4e4c559a392f0f7d5d6a11"
    leftover.mkdir(parents=True)
    (leftover / "archives.csv").write_text("half", encoding="utf-8")

    result = build_report(report_date=REPORT_DATE)

    assert result.outcome == "built"
    assert not leftover.exists()
    assert len(_visible(report_root)) == 6


def test_a_rebuild_replaces_the_report_with_byte_identical_csvs(dataset, report_root, time_machine):
    first = build_report(report_date=REPORT_DATE).report
    old_folder = report_folder(first)
    old = _files(old_folder)
    time_machine.move_to(NOW + timedelta(hours=3), tick=False)

    second = build_report(report_date=REPORT_DATE, rebuild=True).report

    new_folder = report_folder(second)
    new = _files(new_folder)
    assert new_folder != old_folder and not old_folder.exists()
    assert second.builds == 2 and DrcReport.objects.count() == 1
    for name in CSV_NAMES:
        assert new[name] == old[name], name
        assert second.checksums[name] == first.checksums[name]
    assert new["report.xlsx"] == old["report.xlsx"]  # fixed zip timestamps: the workbook too
    assert new["manifest.json"] != old["manifest.json"]  # only the generation time moved
    assert '"generated_at": "2026-11-28T13:00:00+08:00"' in new["manifest.json"].decode()
    assert len(_visible(report_root)) == 6


def test_a_rebuild_after_a_change_reports_the_change(dataset):
    first = build_report(report_date=REPORT_DATE).report
    EventFactory(customer=CustomerFactory(name="淮阴新企业有限公司"), type="unauthorized_use")

    second = build_report(report_date=REPORT_DATE, rebuild=True).report

    assert second.counts == {**first.counts, "archives": 4, "events": 6}
    assert second.checksums["events.csv"] != first.checksums["events.csv"]
    assert second.checksums["commitments.csv"] == first.checksums["commitments.csv"]


def _failing_events_source(report_date):
    raise DatabaseError("server closed the connection unexpectedly")


def test_a_failed_build_leaves_no_report_and_no_files(dataset, report_root, monkeypatch, client, drc):
    monkeypatch.setitem(build.ROW_SOURCES, "events", _failing_events_source)

    with pytest.raises(DatabaseError):
        build_report(report_date=REPORT_DATE)

    report = DrcReport.objects.get()
    assert report.status == "failed" and report.folder == "" and report.claim_token is None
    assert "server closed the connection" in report.last_error
    assert _visible(report_root) == []  # the CSVs written before the failure are gone too
    client.force_login(drc)
    assert client.get(f"/drc/reports/{REPORT_DATE}/files/archives.csv").status_code == 404
    assert client.get(f"/drc/reports/{REPORT_DATE}/download.zip").status_code == 404
    assert "生成失败" in client.get(f"/drc/reports/{REPORT_DATE}/").content.decode()


def test_a_build_after_a_failed_one_succeeds(dataset, monkeypatch):
    monkeypatch.setitem(build.ROW_SOURCES, "events", _failing_events_source)
    with pytest.raises(DatabaseError):
        build_report(report_date=REPORT_DATE)
    monkeypatch.undo()

    result = build_report(report_date=REPORT_DATE)

    assert result.built and result.report.status == "ready" and result.report.last_error == ""


def test_a_failed_rebuild_keeps_the_previous_report_whole(dataset, report_root, monkeypatch):
    report = build_report(report_date=REPORT_DATE).report
    before = _files(report_folder(report))
    monkeypatch.setitem(build.ROW_SOURCES, "events", _failing_events_source)

    with pytest.raises(DatabaseError):
        build_report(report_date=REPORT_DATE, rebuild=True)

    report.refresh_from_db()
    assert report.status == "ready" and report.builds == 1 and report.last_error
    assert _files(report_folder(report)) == before
    assert len(_visible(report_root)) == 6


def test_a_build_for_a_future_date_is_refused(db):
    with pytest.raises(CommandError) as refused:
        call_command("build_drc_report", "--date", "2026-11-29")

    assert refused.value.returncode == 2
    assert "晚于今天" in str(refused.value)
    assert not DrcReport.objects.exists()


def test_the_command_builds_and_prints_counts_and_folder(dataset):
    out = StringIO()

    call_command("build_drc_report", "--date", "2026-11-28", stdout=out)

    report = DrcReport.objects.get()
    assert "commitments.csv 2 行" in out.getvalue()
    assert "archives.csv 3 行" in out.getvalue() and "events.csv 5 行" in out.getvalue()
    assert str(report_folder(report)) in out.getvalue()


def test_the_command_says_when_the_report_already_exists_and_rebuilds_on_request(dataset):
    call_command("build_drc_report", stdout=StringIO())
    again, rebuilt = StringIO(), StringIO()

    call_command("build_drc_report", stdout=again)
    call_command("build_drc_report", "--rebuild", stdout=rebuilt)

    assert "已存在，未重新生成" in again.getvalue()
    assert "已生成" in rebuilt.getvalue()
    assert DrcReport.objects.get().builds == 2


def test_a_malformed_date_exits_2_with_one_clear_line():
    completed = subprocess.run(
        [sys.executable, "manage.py", "build_drc_report", "--date", "2026-02-30"],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "credit_portal.test_settings", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )

    assert completed.returncode == 2
    assert completed.stderr.strip() == "CommandError: 日期应为 YYYY-MM-DD 格式的有效日期：2026-02-30"


def test_the_report_is_built_every_day_at_one_in_the_morning_shanghai_time():
    entry = settings.CELERY_BEAT_SCHEDULE["drc-daily-report"]

    assert entry["task"] == "notifications.tasks_report.drc_report_daily_task"
    assert entry["schedule"] == crontab(hour=1, minute=0)
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    assert entry["task"] == drc_report_daily_task.name


def test_the_files_do_not_depend_on_how_many_rows_are_fetched_at_a_time(dataset):
    whole = build_report(report_date=REPORT_DATE).report.checksums

    by_two = build_report(report_date=REPORT_DATE, rebuild=True, chunk_size=2).report.checksums

    assert {name: by_two[name] for name in CSV_NAMES} == {name: whole[name] for name in CSV_NAMES}
    assert by_two["report.xlsx"] == whole["report.xlsx"]
