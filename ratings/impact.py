"""Impact of a rule set before it applies: every customer evaluated under two rule sets, nothing rated.

``impact_start`` plans the customer-id ranges of the nightly run (``bulk.plan_ranges``) and queues one
``impact_range_task`` per range after commit (in-process without a broker). Each range reads the
facts once (``bulk.facts_stream``), evaluates them with both books on the fast path, and stores its
counts, a row for each customer whose level moves (``ImpactMove``) and, per level, the ids of those
whose level stays (a compact list on the range: every cell of the matrix opens its customers, and a
million customers do not make a million rows); the range that completes the run folds the counts
into the report (transition matrix, criteria caught before and after, and what the moves mean
through ``ratings.consequences``). The ratings and their history are never written.

The matrix is the rules' effect: computed levels. A customer under an active manual override on the
report's date (read once per range, as the nightly run does) keeps its overridden level, so the
report counts them per cell and leaves their moves out of what the moves mean.

"Caught" counts a warning criterion (black/red/yellow) when it decides a customer's level: the rule
ids the fast path returns, as stored with every rating.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from archives.models import Customer
from credit_portal.errors import ApplicationError
from credit_portal.queueing import enqueue_after_commit

from . import consequences, rules
from .bulk import DEFAULT_RANGE_SIZE, facts_stream, plan_ranges
from .dispatch import impact_ranges_queue
from .facts import facts_of_customers
from .models import (
    ImpactMove,
    ImpactRange,
    ImpactReport,
    ImpactStatus,
    LevelOverride,
    OverrideStatus,
    RuleSet,
    RuleSetStatus,
)
from .rulesets import book_of, ruleset_for, ruleset_plan

#: Levels in the matrix's order, from the best to the worst.
MATRIX_LEVELS: tuple[str, ...] = (rules.GREEN, rules.BLUE, rules.UNRATED, rules.YELLOW, rules.RED, rules.BLACK)
_WARNING_LEVELS = frozenset(rules.NEGATIVE_LEVELS)
MOVE_BATCH = 5_000


@transaction.atomic
def impact_start(
    *,
    proposed: RuleSet,
    as_of: date,
    actor,
    baseline: RuleSet | None = None,
    range_size: int = DEFAULT_RANGE_SIZE,
) -> ImpactReport:
    """Start an impact run of ``proposed`` against ``baseline`` (default: the rule set applying on ``as_of``)."""
    if not actor.has_perm("ratings.draft_ruleset"):
        raise ApplicationError("只有班组长可以发起规则影响评估", field="proposed")
    baseline = baseline or ruleset_for(as_of=as_of) or ruleset_plan()
    if baseline.pk == proposed.pk:
        raise ApplicationError("请选择两个不同的规则集进行对比", field="baseline")
    if proposed.status == RuleSetStatus.RETIRED:
        raise ApplicationError("已废止的规则集不能评估", field="proposed")
    if baseline.status == RuleSetStatus.RETIRED and baseline != (ruleset_for(as_of=as_of) or ruleset_plan()):
        # The page offers no retired set to compare with, except the one that applied on the date.
        raise ApplicationError("已废止的规则集不能作为对比基准", field="baseline")
    ranges = plan_ranges(size=range_size)
    report = ImpactReport.objects.create(
        proposed=proposed,
        baseline=baseline,
        as_of=as_of,
        requested_by=actor,
        ranges_total=len(ranges),
    )
    rows = ImpactRange.objects.bulk_create(ImpactRange(report=report, start_id=s, end_id=e) for s, e in ranges)
    if not ranges:
        _finish(report, [])
    ids = [row.pk for row in rows]

    def enqueue() -> None:
        from django.conf import settings

        if settings.CELERY_TASK_ALWAYS_EAGER:
            # No broker (the embedded default): the ranges run here, as the nightly run's do.
            for pk in ids:
                impact_range_run(range_id=pk)
            return
        impact_ranges_queue(ids)

    # A broker outage after commit must not turn the saved report into an error page; beat's
    # impact_rerun_pending queues the ranges of a report that makes no progress.
    enqueue_after_commit(enqueue, what=f"the ranges of impact report {report.pk}")
    return report


def impact_range_run(*, range_id: int) -> bool:
    """Evaluate one range under both rule sets and store its counts; False if it was done already."""
    part = ImpactRange.objects.select_related("report__proposed", "report__baseline").filter(pk=range_id).first()
    if part is None or part.done:
        return False
    report = part.report
    before_book, after_book = book_of(report.baseline), book_of(report.proposed)
    started, cpu_started = time.perf_counter(), time.process_time()
    matrix: Counter[tuple[str, str]] = Counter()
    held: Counter[tuple[str, str]] = Counter()
    caught_before: Counter[str] = Counter()
    caught_after: Counter[str] = Counter()
    # The customers who stay, per level, as plain ids (a diagonal cell opens from them): no row each.
    unmoved: dict[str, list[int]] = {}
    unmoved_overridden: list[int] = []
    moves: list[ImpactMove] = []
    evaluate_level = rules.evaluate_level
    with transaction.atomic():
        # Claimed with a conditional update: a redelivered task finds the range done and writes nothing.
        if not ImpactRange.objects.filter(pk=part.pk, done=False).update(done=True):
            return False
        scope = {"customer_id__gte": part.start_id, "customer_id__lt": part.end_id}
        # Read once per range, as the nightly run does: an active override keeps the level in force.
        overridden = set(
            LevelOverride.objects.filter(**scope, status=OverrideStatus.ACTIVE, ends_on__gte=report.as_of).values_list(
                "customer_id", flat=True
            )
        )
        for customer_id, facts, _, _ in facts_stream(scope, as_of=report.as_of, books=(before_book, after_book)):
            before, before_rules = evaluate_level(facts, before_book)
            after, after_rules = evaluate_level(facts, after_book)
            matrix[before, after] += 1
            is_overridden = customer_id in overridden
            if is_overridden:
                held[before, after] += 1
            if before in _WARNING_LEVELS:
                caught_before.update(before_rules)
            if after in _WARNING_LEVELS:
                caught_after.update(after_rules)
            if before == after:
                unmoved.setdefault(before, []).append(customer_id)
                if is_overridden:
                    unmoved_overridden.append(customer_id)
            else:
                moves.append(
                    ImpactMove(
                        report=report,
                        customer_id=customer_id,
                        from_level=before,
                        to_level=after,
                        from_rules=list(before_rules),
                        to_rules=list(after_rules),
                        overridden=is_overridden,
                    )
                )
                if len(moves) >= MOVE_BATCH:
                    ImpactMove.objects.bulk_create(moves, batch_size=1000)
                    moves = []
        ImpactMove.objects.bulk_create(moves, batch_size=1000)
        part.result = {
            "matrix": [[a, b, n] for (a, b), n in matrix.items()],
            "overridden": [[a, b, n] for (a, b), n in held.items()],
            "unmoved_overridden": unmoved_overridden,
            "before": dict(caught_before),
            "after": dict(caught_after),
            "seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - cpu_started,
        }
        part.unmoved = unmoved
        part.save(update_fields=["result", "unmoved"])
        ImpactReport.objects.filter(pk=report.pk).update(ranges_done=F("ranges_done") + 1, active_at=timezone.now())
        report.refresh_from_db(fields=["ranges_done", "ranges_total", "status"])
        if report.ranges_done >= report.ranges_total and report.status == ImpactStatus.RUNNING:
            _finish(report, list(ImpactRange.objects.filter(report=report).values_list("result", flat=True)))
    return True


def _finish(report: ImpactReport, results: list[dict[str, Any]]) -> None:
    """Fold the ranges' counts into the report (once: a conditional update claims it)."""
    matrix: Counter[tuple[str, str]] = Counter()
    held: Counter[tuple[str, str]] = Counter()
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    seconds = cpu = 0.0
    for result in results:
        for a, b, n in result.get("matrix", ()):
            matrix[a, b] += n
        for a, b, n in result.get("overridden", ()):
            held[a, b] += n
        before.update(result.get("before", {}))
        after.update(result.get("after", {}))
        seconds += result.get("seconds", 0.0)
        cpu += result.get("cpu_seconds", 0.0)
    customers = sum(matrix.values())
    criteria = {
        c.id: [before.get(c.id, 0), after.get(c.id, 0)]
        for c in book_of(report.proposed).criteria
        if c.level in _WARNING_LEVELS
    }
    ImpactReport.objects.filter(pk=report.pk, status=ImpactStatus.RUNNING).update(
        status=ImpactStatus.DONE,
        customers=customers,
        matrix=_nested(matrix),
        overridden=_nested(held),
        criteria=criteria,
        consequences={**move_consequences(matrix, overridden=held), "seconds": seconds, "cpu_seconds": cpu},
        finished_at=timezone.now(),
    )


def _nested(cells: Counter[tuple[str, str]]) -> dict[str, dict[str, int]]:
    return {a: {b: cells[a, b] for b in MATRIX_LEVELS if cells[a, b]} for a in MATRIX_LEVELS}


def move_consequences(
    matrix: Counter[tuple[str, str]] | dict[tuple[str, str], int],
    *,
    overridden: Counter[tuple[str, str]] | dict[tuple[str, str], int] | None = None,
) -> dict[str, int]:
    """What the moves mean, read from the table of what each level brings (``ratings.consequences``).

    A move is counted by its computed levels; a customer under an active override keeps its
    overridden level, so its move changes nothing for it: counted in ``moved`` and
    ``moved_overridden``, never in the green channel, letters, reminders or honesty."""
    overridden = overridden or {}
    found = Counter()
    for (a, b), total in matrix.items():
        if a == b:
            continue
        found["moved"] += total
        held = min(overridden.get((a, b), 0), total)
        found["moved_overridden"] += held
        n = total - held
        if not n:
            continue
        had, has = (
            consequences.grants(a, consequences.GREEN_CHANNEL),
            consequences.grants(b, consequences.GREEN_CHANNEL),
        )
        if had and not has:
            found["green_channel_lost"] += n
        if has and not had:
            found["green_channel_gained"] += n
        kind = consequences.notice_kind(level=b, previous_level=a)
        if kind == consequences.LETTER:
            found["letters"] += n
        elif kind == consequences.REMINDER:
            found["reminders"] += n
        honest_before, honest_after = a in rules.HONEST_LEVELS, b in rules.HONEST_LEVELS
        if honest_after and not honest_before:
            found["become_honest"] += n
        if honest_before and not honest_after:
            found["honest_lost"] += n
    return dict(found)


CONSEQUENCE_LABELS: dict[str, str] = {
    "moved": "等级变化的用户",
    "moved_overridden": "其中处于人工调整期、调整期内等级不变的用户（不计入以下各项）",
    "green_channel_lost": "失去绿色通道",
    "green_channel_gained": "获得绿色通道",
    "letters": "将收到书面告知函",
    "reminders": "将收到提醒（电话、短信、微信）",
    "become_honest": "成为诚信客户",
    "honest_lost": "不再是诚信客户",
}


#: A running report with no range finished for this long has lost a task (a worker died, the broker
#: lost the message): its unfinished ranges are queued again. Ranges take seconds each.
RERUN_AFTER = timedelta(minutes=10)


def impact_rerun_pending(*, now: datetime | None = None, quiet_for: timedelta = RERUN_AFTER) -> int:
    """Re-queue the unfinished ranges of running reports quiet for ``quiet_for``; returns how many.

    A report making progress is left alone (its tasks are in flight). Re-queuing moves the report's
    clock with a conditional update, so a report is re-queued once per quiet period, and a range
    delivered twice is claimed once (``impact_range_run``)."""
    now = now or timezone.now()
    cutoff = now - quiet_for
    ids: list[int] = []
    quiet = ImpactReport.objects.filter(status=ImpactStatus.RUNNING, active_at__lt=cutoff)
    for report_id in quiet.values_list("pk", flat=True):
        if ImpactReport.objects.filter(pk=report_id, status=ImpactStatus.RUNNING, active_at__lt=cutoff).update(
            active_at=now
        ):
            ids.extend(
                ImpactRange.objects.filter(report_id=report_id, done=False)
                .order_by("start_id")
                .values_list("pk", flat=True)
            )
    impact_ranges_queue(ids)
    return len(ids)


# --------------------------------------------------------------------------------------------
# Reading a report: the matrix with shares, a cell's customers with both explanations, the export
# --------------------------------------------------------------------------------------------


def impact_matrix(report: ImpactReport) -> list[dict[str, Any]]:
    """One row per level before: its customers and, per level after, count, share of all customers
    and how many of them are under an active override (their level in force stays)."""
    total = report.customers or 0
    held = report.overridden or {}
    rows = []
    for a in MATRIX_LEVELS:
        cells = []
        row_total = 0
        for b in MATRIX_LEVELS:
            n = report.matrix.get(a, {}).get(b, 0)
            row_total += n
            cells.append(
                {
                    "to": b,
                    "count": n,
                    "share": (n / total) if total else 0.0,
                    "moved": a != b,
                    "overridden": held.get(a, {}).get(b, 0),
                }
            )
        rows.append({"from": a, "cells": cells, "total": row_total})
    return rows


def impact_overridden_total(report: ImpactReport) -> int:
    """Customers under an active override on the report's date, in every cell."""
    return sum(n for row in (report.overridden or {}).values() for n in row.values())


def impact_column_totals(report: ImpactReport) -> list[int]:
    return [sum(report.matrix.get(a, {}).get(b, 0) for a in MATRIX_LEVELS) for b in MATRIX_LEVELS]


def impact_criteria(report: ImpactReport) -> list[dict[str, Any]]:
    """Per warning criterion: customers caught before and after, with the wording of both rule sets."""
    before_book, after_book = book_of(report.baseline), book_of(report.proposed)
    return [
        {
            "id": rule,
            "before": before,
            "after": after,
            "delta": after - before,
            "text_before": before_book.by_id[rule].plan_text,
            "text_after": after_book.by_id[rule].plan_text,
        }
        for rule, (before, after) in report.criteria.items()
    ]


def _in_words(rule_ids) -> str:
    return "、".join(rules.rule_words(rule_id) for rule_id in rule_ids)


def impact_consequences(report: ImpactReport) -> list[tuple[str, int]]:
    return [(label, report.consequences.get(code, 0)) for code, label in CONSEQUENCE_LABELS.items()]


def impact_cell(report: ImpactReport, *, from_level: str, to_level: str, limit: int = 50, offset: int = 0):
    """The customers of one cell with both explanations (evaluated now from their facts), and how many.

    A moved cell reads its ``ImpactMove`` rows; a diagonal one pages through the ranges' unmoved ids
    in range order, reading the ids of only the ranges the page falls in. Each row says whether the
    customer was under an active override on the report's date."""
    count = report.matrix.get(from_level, {}).get(to_level, 0)
    found = impact_cell_members(report, from_level=from_level, to_level=to_level, limit=limit, offset=offset)
    customers = Customer.objects.in_bulk([customer_id for customer_id, _ in found])
    facts_of = facts_of_customers(customers, as_of=report.as_of)  # the page's facts in three queries
    before_book, after_book = book_of(report.baseline), book_of(report.proposed)
    rows = []
    for customer_id, overridden in found:
        customer = customers.get(customer_id)
        if customer is None:  # deleted since the run
            continue
        facts = facts_of[customer_id]
        rows.append(
            {
                "customer": customer,
                "overridden": overridden,
                "before": rules.evaluate(facts, before_book),
                "after": rules.evaluate(facts, after_book),
            }
        )
    return rows, count


def impact_cell_members(
    report: ImpactReport, *, from_level: str, to_level: str, limit: int = 50, offset: int = 0
) -> list[tuple[int, bool]]:
    """(customer id, under an active override) of one page of a cell, in customer-id order."""
    if from_level != to_level:
        return list(
            ImpactMove.objects.filter(report=report, from_level=from_level, to_level=to_level)
            .order_by("customer_id")
            .values_list("customer_id", "overridden")[offset : offset + limit]
        )
    return _unmoved_page(report, level=from_level, limit=limit, offset=offset)


def _unmoved_page(report: ImpactReport, *, level: str, limit: int, offset: int) -> list[tuple[int, bool]]:
    if level not in MATRIX_LEVELS:
        return []
    wanted: list[tuple[int, int, int, set[int]]] = []  # (range, first index, end index, overridden ids)
    seen = 0
    end = offset + limit
    for pk, result in report.ranges.order_by("start_id").values_list("pk", "result"):
        n = sum(count for a, b, count in result.get("matrix", ()) if a == b == level)
        if n and seen + n > offset:
            wanted.append((pk, max(0, offset - seen), min(n, end - seen), set(result.get("unmoved_overridden", ()))))
        seen += n
        if seen >= end:
            break
    found: list[tuple[int, bool]] = []
    # Only the page's ranges, and of each only this level's list (a JSON key, not the whole field).
    ids_of = dict(ImpactRange.objects.filter(pk__in=[pk for pk, *_ in wanted]).values_list("pk", f"unmoved__{level}"))
    for pk, first, last, overridden in wanted:
        found.extend((customer_id, customer_id in overridden) for customer_id in (ids_of.get(pk) or [])[first:last])
    return found


def impact_workbook(report: ImpactReport):
    """The report as an XLSX workbook (write-only, streamed rows; every text cell formula-safe)."""
    from openpyxl import Workbook

    from credit_portal.spreadsheets import safe_row

    label = rules.LEVEL_LABELS
    book = Workbook(write_only=True)
    sheet = book.create_sheet("等级迁移矩阵")
    sheet.append(safe_row([f"第{report.proposed.version}版对第{report.baseline.version}版，评定日期{report.as_of}"]))
    sheet.append(safe_row(["原等级 \\ 新等级", *(label[b] for b in MATRIX_LEVELS), "合计"]))
    for row in impact_matrix(report):
        sheet.append(safe_row([label[row["from"]], *(c["count"] for c in row["cells"]), row["total"]]))
    sheet.append(safe_row(["合计", *impact_column_totals(report), report.customers]))
    sheet.append(safe_row([]))
    sheet.append(safe_row(["其中处于人工调整期的用户（调整期内等级不变）"]))
    sheet.append(safe_row(["原等级 \\ 新等级", *(label[b] for b in MATRIX_LEVELS)]))
    for row in impact_matrix(report):
        sheet.append(safe_row([label[row["from"]], *(c["overridden"] for c in row["cells"])]))
    sheet = book.create_sheet("各评定要素")
    sheet.append(safe_row(["条款", "原触发用户数", "新触发用户数", "变化", "原条款原文", "新条款原文"]))
    for row in impact_criteria(report):
        sheet.append(
            safe_row(
                [
                    rules.rule_words(row["id"]),
                    *(row["before"], row["after"], row["delta"], row["text_before"], row["text_after"]),
                ]
            )
        )
    sheet = book.create_sheet("影响")
    for name, n in impact_consequences(report):
        sheet.append(safe_row([name, n]))
    sheet = book.create_sheet("等级变化的用户")
    sheet.append(safe_row(["统一社会信用代码", "名称", "原等级", "原依据条款", "新等级", "新依据条款", "人工调整期内"]))
    moves = (
        ImpactMove.objects.filter(report=report)
        .order_by("customer_id")
        .values_list(
            "customer__uscc", "customer__name", "from_level", "from_rules", "to_level", "to_rules", "overridden"
        )
    )
    for uscc, name, a, a_rules, b, b_rules, held in moves.iterator(chunk_size=2000):
        sheet.append(
            safe_row([uscc, name, label[a], _in_words(a_rules), label[b], _in_words(b_rules), "是" if held else "否"])
        )
    return book
