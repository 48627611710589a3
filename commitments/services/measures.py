"""The measures for red and black customers as work items of the business hall (issue 22): opened when a
customer enters a level that calls them, lifted when it leaves it, their outcome recorded by staff.

Which measures a level calls is ``ratings.consequences`` (the ones with ``staff_work``, switched on in
``CREDIT_OPTIONAL_MEASURES``); the level changes come from ratings' announcement (``level_changed``),
one or a batch of the nightly run, inside the transaction that recorded them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from archives.services.common import audited_save
from credit_portal.errors import ApplicationError, Conflict
from ratings import consequences, rules
from ratings.selectors import changes_at_level

from ..models import MeasureLift, MeasureStatus, MeasureTask

_IN_FORCE = (MeasureStatus.OPEN, MeasureStatus.DONE)
_CHUNK = 5000


@dataclass(frozen=True)
class LevelMove:
    """One level change as ratings announced it: the history row's id, the customer, the level it
    entered, and the cause (empty when a batch announced it without one)."""

    change_id: int
    customer_id: int
    level: str
    cause: str = ""


#: The levels whose measures staff carry out, with every optional measure switched on: only a move into or
#: out of one of these (or a first rating) can open or lift a measure.
_MEASURE_LEVELS = frozenset(
    level for level in rules.LEVELS if consequences.work_measures_for(level, enabled=set(consequences.MEASURES))
)


def level_move_matters(*, level: str, previous_level: str) -> bool:
    """Whether measures may follow this move (pure): not between two levels that never call one."""
    return not previous_level or level in _MEASURE_LEVELS or previous_level in _MEASURE_LEVELS


def measures_follow_levels(*, moves: Iterable[LevelMove]) -> tuple[int, int]:
    """Open the measures the new levels call (one in force per customer and measure) and lift those they
    no longer call; set-based, a few statements per thousands of customers. Returns (opened, lifted)."""
    latest = {move.customer_id: move for move in moves}  # a customer's last move in the batch decides
    ids = list(latest)
    opened = lifted = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = {customer_id: latest[customer_id] for customer_id in ids[start : start + _CHUNK]}
        done = _follow(chunk)
        opened, lifted = opened + done[0], lifted + done[1]
    return opened, lifted


def _follow(moves: dict[int, LevelMove]) -> tuple[int, int]:
    enabled = set(settings.CREDIT_OPTIONAL_MEASURES)
    by_level = {
        level: {m.code for m in consequences.work_measures_for(level, enabled=enabled)}
        for level in {move.level for move in moves.values()}
    }
    wanted = {customer_id: by_level[move.level] for customer_id, move in moves.items()}
    # The measures in force of these customers, locked. Found between the batch's lowest and highest id,
    # then locked by their own (few) ids: the ORM prepares every id of an IN list, which took 0.8 s per
    # 25,000-customer range of the go-live run (bench/rerate.py, run A).
    found = MeasureTask.objects.filter(
        customer_id__gte=min(moves), customer_id__lte=max(moves), status__in=_IN_FORCE
    ).values_list("pk", "customer_id")
    ids = [pk for pk, customer_id in found if customer_id in moves]
    in_force = list(MeasureTask.objects.select_for_update().filter(pk__in=ids, status__in=_IN_FORCE)) if ids else []
    now = timezone.now()
    to_lift, kept = [], {(task.customer_id, task.measure) for task in in_force}
    for task in in_force:
        if task.measure not in wanted[task.customer_id]:
            repaired = moves[task.customer_id].cause == "repair"
            task.status = MeasureStatus.LIFTED
            task.lifted_at = now
            task.lift_reason = MeasureLift.REPAIRED if repaired else MeasureLift.LEVEL_RECOVERED
            to_lift.append(task)
    to_open = [
        MeasureTask(customer_id=customer_id, measure=code, level=moves[customer_id].level,
                    change_ref=str(moves[customer_id].change_id))
        for customer_id, codes in wanted.items()
        for code in sorted(codes)
        if (customer_id, code) not in kept
    ]  # fmt: skip
    if to_lift:
        bulk_update_with_history(
            to_lift, MeasureTask, ["status", "lifted_at", "lift_reason"], default_change_reason="信用等级变更，措施解除"
        )
    if to_open:
        bulk_create_with_history(to_open, MeasureTask, default_change_reason="进入红色/黑色等级，启用措施")
    return len(to_open), len(to_lift)


def measures_backfill() -> int:
    """Open the measures the levels in force call that a customer has not in force: an optional measure
    switched on (``CREDIT_OPTIONAL_MEASURES``) after customers entered red or black, which no level change
    of theirs has opened yet. The nightly run calls it after the re-rating. Idempotent.

    A chunk of customers at a time, each in a short transaction of its own (a read and a bulk insert), so
    that a staff member's re-rating meanwhile never waits on it; a chunk that meets a measure opened
    meanwhile by such a re-rating is left to the next night. Returns how many were opened."""
    enabled = set(settings.CREDIT_OPTIONAL_MEASURES)
    opened = 0
    for level in sorted(_MEASURE_LEVELS):
        for measure in consequences.work_measures_for(level, enabled=enabled):
            missing = _without(changes_at_level(level), measure.code)
            customers = list(missing.values_list("customer_id", flat=True))
            for start in range(0, len(customers), _CHUNK):
                try:
                    with transaction.atomic():
                        chunk = _without(changes_at_level(level), measure.code).filter(
                            customer_id__in=customers[start : start + _CHUNK]
                        )
                        tasks = [
                            MeasureTask(customer_id=customer_id, measure=measure.code, level=level,
                                        change_ref=str(change_id or ""))
                            for customer_id, change_id in chunk
                        ]  # fmt: skip
                        bulk_create_with_history(tasks, MeasureTask, default_change_reason=BACKFILLED)
                except IntegrityError:
                    continue
                opened += len(tasks)
    return opened


def _without(changes, code: str):
    """Of a level's customers (``changes_at_level``), those with no measure ``code`` in force."""
    return changes.exclude(
        customer_id__in=MeasureTask.objects.filter(measure=code, status__in=_IN_FORCE).values("customer_id")
    )


#: The audit trail's reason for a measure opened by ``measures_backfill``.
BACKFILLED = "措施启用后补开（该等级现行措施）"


@transaction.atomic
def measure_record(*, task: MeasureTask, outcome: str, note: str, actor) -> MeasureTask:
    """Staff record what became of an open measure: done (已落实), or not applicable (不适用) with a reason."""
    if not actor.has_perm("commitments.handle_measuretask"):
        raise ApplicationError("无权办理警示惩戒措施", field="outcome")
    task = MeasureTask.objects.select_for_update().get(pk=task.pk)
    if task.status != MeasureStatus.OPEN:
        raise Conflict(f"该措施已{task.get_status_display()}，不能再次办理", field="outcome")
    note = (note or "").strip()
    if outcome not in (MeasureStatus.DONE, MeasureStatus.NOT_APPLICABLE):
        raise ApplicationError("请选择办理结果：已落实或不适用", field="outcome")
    if outcome == MeasureStatus.NOT_APPLICABLE and not note:
        raise ApplicationError("选择“不适用”时请填写理由", field="note")
    task.status = outcome
    task.outcome_note = note
    task.handled_by = actor
    task.handled_at = timezone.now()
    audited_save(task, actor=actor, reason=f"办理措施：{task.get_status_display()}")
    return task
