"""Two builds of the same date at the same moment, on PostgreSQL (marked `services`).

The claim is a row lock on the report's unique date; SQLite has no row locks to speak of, so these
tests need `DATABASE_URL=postgres://…` and are skipped without one (and fail with another database).
"""

import os
import threading
import time

import pytest
from django.db import connection

from notifications.drc import build
from notifications.drc.build import drc_report_build
from notifications.drc.models import DrcReport
from notifications.drc.storage import report_folder

from .conftest import REPORT_DATE

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgresql():
    if connection.vendor != "postgresql":
        reason = "needs PostgreSQL for row locks: set DATABASE_URL=postgres://… (.ci/run does)"
        if os.environ.get("DATABASE_URL"):
            pytest.fail(reason)
        pytest.skip(reason)


def _race(count: int, **kwargs) -> list[str]:
    """Start `count` builds of the report date together; their outcomes (or errors), in any order."""
    start = threading.Barrier(count)
    outcomes: list[str] = []

    def one() -> None:
        from django.db import connection as own

        try:
            start.wait()
            outcomes.append(drc_report_build(report_date=REPORT_DATE, **kwargs).outcome)
        except Exception as error:  # reported, so that the test says what went wrong
            outcomes.append(f"error: {error!r}")
        finally:
            own.close()

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return sorted(outcomes)


def _slow_writes(monkeypatch) -> None:
    """Make a build take long enough that the others surely arrive while it runs."""
    write_report = build.write_report

    def slow(**kwargs):
        time.sleep(1.0)
        return write_report(**kwargs)

    monkeypatch.setattr(build, "write_report", slow)


def test_of_builds_started_together_exactly_one_builds(dataset, report_root, monkeypatch):
    _slow_writes(monkeypatch)

    outcomes = _race(3)

    assert outcomes == ["built", "busy", "busy"]
    report = DrcReport.objects.get()
    assert report.status == "ready" and report.builds == 1
    assert sorted(p.name for p in report_folder(report).iterdir()) == sorted(
        ["archives.csv", "commitments.csv", "credit_information.csv", "events.csv", "manifest.json", "report.xlsx"]
    )
    assert [p.name for p in report_root.iterdir()] == [REPORT_DATE.isoformat()]  # no second folder, no staging


def test_rebuilds_requested_together_replace_the_report_once(dataset, report_root, monkeypatch):
    drc_report_build(report_date=REPORT_DATE)
    _slow_writes(monkeypatch)

    outcomes = _race(2, rebuild=True)

    assert outcomes == ["built", "busy"]
    assert DrcReport.objects.get().builds == 2
    assert len(list((report_root / REPORT_DATE.isoformat()).iterdir())) == 1
