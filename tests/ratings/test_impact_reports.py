"""Impact reports: every cell of the transition matrix opens its customers (the unmoved ones too,
without a row each), and customers under an active override are counted apart from the moves."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ratings.impact import impact_cell, impact_cell_members, impact_start
from ratings.models import ImpactMove, ImpactReport, ImpactStatus, LevelOverride, OverrideStatus, RuleSet

from .drafts import YELLOW1_WORDING, customer_with_clean_report, yellow1_draft

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 28)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(f"{TODAY.isoformat()} 09:00 +0800", tick=False):
        yield


def _customer(name: str, *, payment_method: str = "prepaid", arrears_days: int | None = None):
    """Green when prepaid and paid up, blue when postpaid; 40 days of arrears: blue now, yellow under the draft."""
    arrears_since = TODAY - timedelta(days=arrears_days) if arrears_days is not None else None
    return customer_with_clean_report(name, payment_method=payment_method, arrears_since=arrears_since)


def _draft(supervisor) -> RuleSet:
    return yellow1_draft(supervisor)


def _override(customer, *, level: str, ends_on: date, requested_by, decided_by, status=OverrideStatus.ACTIVE):
    decided = status != OverrideStatus.PENDING
    return LevelOverride.objects.create(
        customer=customer,
        level=level,
        reason="测试",
        ends_on=ends_on,
        status=status,
        requested_by=requested_by,
        decided_by=decided_by if decided else None,
        decided_at=datetime(2026, 10, 1, tzinfo=ZoneInfo("Asia/Shanghai")) if decided else None,
    )


def _run(supervisor, django_capture_on_commit_callbacks, *, range_size: int) -> ImpactReport:
    draft = _draft(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        report = impact_start(proposed=draft, as_of=TODAY, actor=supervisor, range_size=range_size)
    report.refresh_from_db()
    assert report.status == ImpactStatus.DONE
    return report


# --------------------------------------------------------------------------------------------
# Every cell opens its customers
# --------------------------------------------------------------------------------------------


def test_an_unmoved_cell_pages_through_its_customers_across_ranges_in_id_order(
    supervisor, django_capture_on_commit_callbacks
) -> None:
    # Greens, blues and movers interleaved, so that the greens spread unevenly over the ranges
    # (and one range holds none of them).
    kinds = ["green", "blue", "green", "moved", "blue", "blue", "green", "green", "moved", "green", "green", "blue"]
    customers = []
    for i, kind in enumerate(kinds):
        if kind == "green":
            customers.append((kind, _customer(f"绿{i}")))
        elif kind == "blue":
            customers.append((kind, _customer(f"蓝{i}", payment_method="postpaid")))
        else:
            customers.append((kind, _customer(f"欠{i}", payment_method="postpaid", arrears_days=40)))
    report = _run(supervisor, django_capture_on_commit_callbacks, range_size=3)
    greens = [c.pk for kind, c in customers if kind == "green"]
    blues = [c.pk for kind, c in customers if kind == "blue"]

    assert report.matrix["green"] == {"green": len(greens)}
    assert report.matrix["blue"] == {"blue": len(blues), "yellow": 2}
    # Only the moved customers have a row; the unmoved are ids in their ranges.
    assert ImpactMove.objects.filter(report=report).count() == 2
    for level, expected in (("green", greens), ("blue", blues)):
        for limit in (1, 2, 4, 50):
            for offset in range(len(expected) + 1):
                page = impact_cell_members(report, from_level=level, to_level=level, limit=limit, offset=offset)
                assert page == [(pk, False) for pk in expected[offset : offset + limit]], (level, limit, offset)
    assert impact_cell_members(report, from_level="red", to_level="red") == []


def test_every_non_empty_cell_of_the_page_opens_its_customers_with_both_explanations(
    client, supervisor, django_capture_on_commit_callbacks
) -> None:
    green = _customer("淮阴绿色电器有限公司")
    moved = _customer("淮阴欠费机械有限公司", payment_method="postpaid", arrears_days=40)
    report = _run(supervisor, django_capture_on_commit_callbacks, range_size=1)
    client.force_login(supervisor)

    page = client.get(f"/ratings/impacts/{report.pk}/").content.decode()
    assert f"/ratings/impacts/{report.pk}/cells/green/green/" in page
    assert f"/ratings/impacts/{report.pk}/cells/blue/yellow/" in page
    assert f"/ratings/impacts/{report.pk}/cells/blue/blue/" not in page  # an empty cell opens nothing

    cell = client.get(f"/ratings/impacts/{report.pk}/cells/green/green/")
    assert cell.status_code == 200
    html = cell.content.decode()
    assert "绿色（等级不变）：1 户" in html
    assert green.uscc in html and moved.uscc not in html
    assert html.count("满足绿色信用等级全部条件") == 2  # the same explanation under both versions
    moved_cell = client.get(f"/ratings/impacts/{report.pk}/cells/blue/yellow/").content.decode()
    assert moved.uscc in moved_cell and green.uscc not in moved_cell
    assert "满足蓝色信用等级全部条件" in moved_cell and YELLOW1_WORDING in moved_cell
    assert client.get(f"/ratings/impacts/{report.pk}/cells/blue/blue/").status_code == 200
    assert client.get(f"/ratings/impacts/{report.pk}/cells/blue/purple/").status_code == 404


def test_a_diagonal_page_evaluates_only_its_own_customers(supervisor, django_capture_on_commit_callbacks) -> None:
    greens = [_customer(f"绿{i}").pk for i in range(5)]
    report = _run(supervisor, django_capture_on_commit_callbacks, range_size=2)
    rows, count = impact_cell(report, from_level="green", to_level="green", limit=2, offset=2)
    assert count == 5
    assert [row["customer"].pk for row in rows] == greens[2:4]
    assert {(row["before"].level, row["after"].level) for row in rows} == {("green", "green")}


# --------------------------------------------------------------------------------------------
# Overrides: counted apart, their moves change nothing for the customer
# --------------------------------------------------------------------------------------------


def test_customers_under_an_active_override_are_counted_per_cell_and_left_out_of_the_consequences(
    client, supervisor, other_supervisor, django_capture_on_commit_callbacks
) -> None:
    held_mover = _customer("调整期内欠费", payment_method="postpaid", arrears_days=40)
    free_mover = _customer("无调整欠费", payment_method="postpaid", arrears_days=40)
    expired_mover = _customer("调整已到期欠费", payment_method="postpaid", arrears_days=40)
    pending_mover = _customer("调整待审批欠费", payment_method="postpaid", arrears_days=40)
    held_green = _customer("调整期内绿色")
    _customer("无调整绿色")
    people = {"requested_by": supervisor, "decided_by": other_supervisor}
    _override(held_mover, level="green", ends_on=TODAY, **people)  # its last day: still active
    _override(held_green, level="blue", ends_on=TODAY + timedelta(days=30), **people)
    _override(expired_mover, level="green", ends_on=TODAY - timedelta(days=1), **people)
    _override(pending_mover, level="green", ends_on=TODAY + timedelta(days=30), status=OverrideStatus.PENDING, **people)

    report = _run(supervisor, django_capture_on_commit_callbacks, range_size=2)

    # The matrix is the rules' effect: computed levels, overrides or not.
    assert report.matrix["blue"] == {"yellow": 4}
    assert report.matrix["green"] == {"green": 2}
    assert report.overridden["blue"] == {"yellow": 1}
    assert report.overridden["green"] == {"green": 1}
    assert dict(ImpactMove.objects.filter(report=report).values_list("customer_id", "overridden")) == {
        held_mover.pk: True,
        free_mover.pk: False,
        expired_mover.pk: False,
        pending_mover.pk: False,
    }
    # What the moves mean: only the three without an active override feel them.
    consequences = report.consequences
    assert (consequences["moved"], consequences["moved_overridden"]) == (4, 1)
    assert consequences["reminders"] == 3
    assert consequences["green_channel_lost"] == 3
    assert consequences["honest_lost"] == 3

    client.force_login(supervisor)
    page = client.get(f"/ratings/impacts/{report.pk}/").content.decode()
    assert "其中 2 户处于人工调整期，调整期内等级不变" in page
    assert page.count("其中 1 户处于人工调整期</div>") == 2
    moved_cell = client.get(f"/ratings/impacts/{report.pk}/cells/blue/yellow/").content.decode()
    assert "其中 1 户处于人工调整期，调整期内等级不变" in moved_cell
    assert moved_cell.count('<span class="held">人工调整期内</span>') == 1
    held_row = moved_cell.split(held_mover.uscc)[-1].split("</tr>")[0]
    assert "人工调整期内" in held_row
    diagonal = client.get(f"/ratings/impacts/{report.pk}/cells/green/green/").content.decode()
    assert diagonal.count('<span class="held">人工调整期内</span>') == 1
    assert "人工调整期内" in diagonal.split(held_green.uscc)[-1].split("</tr>")[0]


def test_the_export_marks_the_moves_under_an_override(
    client, supervisor, other_supervisor, django_capture_on_commit_callbacks
) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    held = _customer("调整期内欠费", payment_method="postpaid", arrears_days=40)
    _customer("无调整欠费", payment_method="postpaid", arrears_days=40)
    people = {"requested_by": supervisor, "decided_by": other_supervisor}
    _override(held, level="green", ends_on=TODAY + timedelta(days=5), **people)
    report = _run(supervisor, django_capture_on_commit_callbacks, range_size=10)
    client.force_login(supervisor)
    book = load_workbook(BytesIO(client.get(f"/ratings/impacts/{report.pk}/export.xlsx").content))
    moves = list(book["等级变化的用户"].values)
    assert moves[0][-1] == "人工调整期内"
    assert sorted(row[-1] for row in moves[1:]) == ["否", "是"]
    assert next(row for row in moves[1:] if row[0] == held.uscc)[-1] == "是"
    matrix = list(book["等级迁移矩阵"].values)
    assert any(row and row[0] == "其中处于人工调整期的用户（调整期内等级不变）" for row in matrix)


# --------------------------------------------------------------------------------------------
# With a broker: one range task per range, each claimed once, the last folding the report once
# --------------------------------------------------------------------------------------------


@pytest.fixture
def queued(settings, monkeypatch) -> list:
    """``impact_start`` takes the broker's branch; the tasks it queues (``ratings.dispatch``) are kept
    as signatures instead of sent, for the test to deliver as workers would (in any order, twice, or
    not at all); once a test sets eagerness back on, they run at once."""
    from celery import current_app

    from ratings import dispatch

    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent: list = []

    send = dispatch.task_send

    def keep(name, *args, **options) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:  # a test that turns a worker on: what is queued runs at once
            send(name, *args, **options)
        else:
            sent.append(current_app.tasks[name].s(*args, **options.get("kwargs", {})))

    monkeypatch.setattr(dispatch, "task_send", keep)
    return sent


@pytest.fixture
def finishes(monkeypatch) -> list[int]:
    """The report ids ``_finish`` folded, once per call."""
    from ratings import impact

    calls: list[int] = []
    fold = impact._finish

    def counted(report, results):
        calls.append(report.pk)
        return fold(report, results)

    monkeypatch.setattr(impact, "_finish", counted)
    return calls


def test_range_tasks_claim_their_range_once_and_the_last_one_folds_the_report_once(
    supervisor, queued, finishes, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from ratings import impact, tasks

    # Ranges of two: [mover, green], [green, mover], [green].
    moved = []
    for i in range(5):
        if i in (0, 3):
            moved.append(_customer(f"欠{i}", payment_method="postpaid", arrears_days=40))
        else:
            _customer(f"绿{i}")
    draft = _draft(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        report = impact_start(proposed=draft, as_of=TODAY, actor=supervisor, range_size=2)

    ranges = list(report.ranges.order_by("start_id"))
    assert len(queued) == len(ranges) == 3
    assert {s.task for s in queued} == {tasks.impact_range_task.name}
    assert [tuple(s.args) for s in queued] == [(r.pk,) for r in ranges]
    report.refresh_from_db()
    assert (report.status, report.ranges_done) == (ImpactStatus.RUNNING, 0)  # nothing ran in-process

    def state():
        report.refresh_from_db()
        return report.status, report.ranges_done, ImpactMove.objects.filter(report=report).count()

    first, second, third = queued
    second.apply()
    assert state() == (ImpactStatus.RUNNING, 1, 1)
    second.apply()  # redelivered: the range is claimed already, nothing is written again
    assert state() == (ImpactStatus.RUNNING, 1, 1)

    # A worker dies in the middle of the first range: its claim is rolled back with its work.
    stream = impact.facts_stream

    def broken(*args, **kwargs):
        yield from list(stream(*args, **kwargs))[:1]
        raise RuntimeError("worker lost")

    monkeypatch.setattr(impact, "facts_stream", broken)
    with pytest.raises(RuntimeError):
        first.apply(throw=True)
    monkeypatch.setattr(impact, "facts_stream", stream)
    assert state() == (ImpactStatus.RUNNING, 1, 1)
    assert not report.ranges.get(pk=ranges[0].pk).done
    first.apply()  # the broker delivers it again
    assert state() == (ImpactStatus.RUNNING, 2, 2)
    assert finishes == []

    third.apply()
    assert state() == (ImpactStatus.DONE, 3, 2)
    assert finishes == [report.pk]
    assert {a: row for a, row in report.matrix.items() if row} == {"green": {"green": 3}, "blue": {"yellow": 2}}
    assert report.customers == 5
    assert sorted(ImpactMove.objects.filter(report=report).values_list("customer_id", flat=True)) == [
        c.pk for c in moved
    ]
    finished_at = report.finished_at

    for signature in queued:  # every task delivered once more: no range, count or fold again
        signature.apply()
    impact._finish(report, [])  # and a late fold finds the report done: it changes nothing
    assert state() == (ImpactStatus.DONE, 3, 2)
    assert report.finished_at == finished_at and report.customers == 5
    assert finishes == [report.pk, report.pk]  # the direct call above; no task folded again


def test_unfinished_ranges_are_queued_again_only_once_a_report_has_been_quiet_for_ten_minutes(
    supervisor, queued, settings, django_capture_on_commit_callbacks
) -> None:
    from ratings import tasks

    for i in range(3):
        _customer(f"绿{i}")
    draft = _draft(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        report = impact_start(proposed=draft, as_of=TODAY, actor=supervisor, range_size=1)
    with time_machine.travel(f"{TODAY.isoformat()} 09:04 +0800", tick=False):
        queued[0].apply()  # the other two tasks are lost
    settings.CELERY_TASK_ALWAYS_EAGER = True  # from here on, what is queued runs at once (a worker)
    with time_machine.travel(f"{TODAY.isoformat()} 09:13 +0800", tick=False):
        tasks.impact_rerun_pending_task.apply()  # nine minutes since the last range: still in flight
    report.refresh_from_db()
    assert (report.status, report.ranges_done) == (ImpactStatus.RUNNING, 1)

    with time_machine.travel(f"{TODAY.isoformat()} 09:15 +0800", tick=False):
        tasks.impact_rerun_pending_task.apply()
    report.refresh_from_db()
    assert (report.status, report.ranges_done, report.customers) == (ImpactStatus.DONE, 3, 3)


def test_a_report_whose_ranges_are_lost_again_is_queued_again_once_per_quiet_period(
    supervisor, queued, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from ratings.impact import impact_rerun_pending

    _customer("绿")
    _customer("蓝", payment_method="postpaid")
    with django_capture_on_commit_callbacks(execute=True):
        report = impact_start(proposed=_draft(supervisor), as_of=TODAY, actor=supervisor, range_size=1)
    done = ImpactReport.objects.create(
        proposed=report.proposed, baseline=report.baseline, as_of=TODAY, status=ImpactStatus.DONE
    )
    done.ranges.create(start_id=1, end_id=2)  # a finished report's range is never queued again

    queued.clear()
    start = datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    pending = sorted(report.ranges.values_list("pk", flat=True))
    assert impact_rerun_pending(now=start + timedelta(minutes=9, seconds=59)) == 0
    assert impact_rerun_pending(now=start + timedelta(minutes=10, seconds=1)) == 2
    assert sorted(s.args[0] for s in queued) == pending
    assert impact_rerun_pending(now=start + timedelta(minutes=15)) == 0  # re-queued five minutes ago
    assert impact_rerun_pending(now=start + timedelta(minutes=20, seconds=2)) == 2
    assert [s.args[0] for s in queued] == pending + pending  # in range order, each time


def test_the_lost_impact_ranges_are_looked_for_every_five_minutes() -> None:
    from django.conf import settings

    from ratings import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["impact-rerun-pending"]
    assert entry["task"] == tasks.impact_rerun_pending_task.name
    assert entry["schedule"] == 300.0


def test_a_cell_page_reads_its_customers_facts_in_a_fixed_number_of_queries(
    supervisor, django_capture_on_commit_callbacks
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(6):
        _customer(f"淮阴欠费{n}号有限公司", payment_method="postpaid", arrears_days=40)
    report = _run(supervisor, django_capture_on_commit_callbacks, range_size=100)
    impact_cell(report, from_level="blue", to_level="yellow", limit=1)  # the report's rule sets, read once
    counts = []
    for limit in (1, 6):
        with CaptureQueriesContext(connection) as queries:
            rows, count = impact_cell(report, from_level="blue", to_level="yellow", limit=limit)
        assert count == 6 and len(rows) == limit
        counts.append(len(queries))

    assert counts[0] == counts[1]  # no query per customer
    assert all(row["before"].level == "blue" and row["after"].level == "yellow" for row in rows)
