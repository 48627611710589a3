"""Staff work on notices: phone-call outcomes, letter printing and delivery, retrying a failed notice.

Each is one audited transaction (django-simple-history records who changed what and why).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from archives.services.common import audited_save
from archives.services.jobs import file_job_params_pin
from credit_portal.errors import ApplicationError
from credit_portal.workdays import add_working_days
from ratings.selectors import changes_in_force

from ..models import CallAttempt, CallOutcome, Channel, DeliveryStatus, Notice, NoticeStatus
from .letters import letters_pdf
from .sending import notices_enqueue
from .superseding import stale_reason


def _require(actor, *, field: str | None = None) -> None:
    if not actor.has_perm("notifications.work_notices"):
        raise ApplicationError("无权处理提醒与告知", field=field)


def _locked(notice: Notice) -> Notice:
    return Notice.objects.select_for_update().select_related("customer").get(pk=notice.pk)


@transaction.atomic
def notice_retry(*, notice: Notice, actor) -> Notice:
    """Send a failed notice again (after staff fixed the contact details): a fresh set of attempts."""
    _require(actor)
    notice = _locked(notice)
    if notice.status != NoticeStatus.FAILED:
        raise ApplicationError("只有发送失败的提醒可以重新发送")
    notice.status = NoticeStatus.PENDING
    notice.attempts = 0
    notice.next_attempt_at = None
    notice.handled_by = actor
    notice.handled_at = timezone.now()
    audited_save(notice, actor=actor, reason="手工重新发送")
    notice_id = notice.pk
    transaction.on_commit(lambda: notices_enqueue(notice_ids=[notice_id]))
    return notice


@transaction.atomic
def call_outcome_record(*, notice: Notice, outcome: str, note: str = "", actor) -> Notice:
    """Record how the reminder call went; an unanswered call comes back on the next working day.

    After NOTIFICATION_CALL_ATTEMPTS unanswered calls the task closes as 未接通 and asks staff for a
    letter or an SMS instead. Every try is kept (CallAttempt).
    """
    _require(actor, field="outcome")
    notice = _locked(notice)
    if notice.channel != Channel.CALL or notice.status != NoticeStatus.SENT or notice.call_outcome:
        raise ApplicationError("这不是待处理的电话提醒任务")
    if outcome not in CallOutcome.values:
        raise ApplicationError("请选择通话结果", field="outcome")
    note = (note or "").strip()
    if outcome == CallOutcome.WRONG_NUMBER and not note:
        raise ApplicationError("号码错误时请填写备注（如改用其他联系方式）", field="note")
    CallAttempt.objects.create(notice=notice, outcome=outcome, note=note, made_by=actor)
    notice.call_attempts += 1
    notice.note = note
    notice.handled_by = actor
    notice.handled_at = timezone.now()
    retry = outcome == CallOutcome.NOT_REACHED and notice.call_attempts < settings.NOTIFICATION_CALL_ATTEMPTS
    if retry:
        notice.next_call_on = add_working_days(timezone.localdate(), 1)
        reason = f"电话提醒：第{notice.call_attempts}次未接通，{notice.next_call_on:%Y-%m-%d}再拨"
    else:
        notice.call_outcome = outcome
        notice.next_call_on = None
        reason = f"电话提醒：{CallOutcome(outcome).label}"
    audited_save(notice, actor=actor, reason=reason)
    return notice


def call_needs_other_channel(notice: Notice) -> bool:
    """Closed without reaching anyone: staff should send a letter or an SMS instead."""
    return notice.call_outcome in (CallOutcome.NOT_REACHED, CallOutcome.WRONG_NUMBER)


# The delivery steps of a letter and the steps each may follow.
_DELIVERY_AFTER = {
    DeliveryStatus.PRINTED: {""},
    DeliveryStatus.MAILED: {"", DeliveryStatus.PRINTED},
    DeliveryStatus.RECEIVED: {DeliveryStatus.MAILED},
    DeliveryStatus.RETURNED: {DeliveryStatus.MAILED},
}


@transaction.atomic
def letter_delivery_record(
    *,
    notice: Notice,
    status: str,
    actor,
    tracking_number: str = "",
    received_on: date | None = None,
    note: str = "",
) -> Notice:
    """Record a letter's delivery: printed, mailed (tracking number), received (date), returned."""
    _require(actor, field="status")
    notice = _locked(notice)
    if notice.channel != Channel.LETTER or notice.status != NoticeStatus.SENT:
        raise ApplicationError("这不是已生成的书面告知函")
    if status not in DeliveryStatus.values:
        raise ApplicationError("请选择送达情况", field="status")
    if notice.delivery_status not in _DELIVERY_AFTER[status]:
        current = DeliveryStatus(notice.delivery_status).label if notice.delivery_status else "未打印"
        raise ApplicationError(f"告知函当前为“{current}”，不能登记为“{DeliveryStatus(status).label}”", field="status")
    if status in (DeliveryStatus.PRINTED, DeliveryStatus.MAILED):
        stale = stale_reason(notice, changes_in_force([notice.customer_id]))
        if stale is not None:
            # Kept, never mailed: the caller sees the status and says why.
            notice.status = NoticeStatus.SUPERSEDED
            notice.superseded_at = timezone.now()
            notice.superseded_reason, notice.superseded_level = stale
            audited_save(notice, actor=actor, reason="告知函作废：等级已变更")
            return notice
    tracking_number = (tracking_number or "").strip()
    note = (note or "").strip()
    if status == DeliveryStatus.MAILED:
        if not tracking_number:
            raise ApplicationError("寄出时请填写邮件单号", field="tracking_number")
        notice.tracking_number = tracking_number
    if status == DeliveryStatus.RECEIVED:
        if received_on is None:
            raise ApplicationError("请填写签收日期", field="received_on")
        if received_on > timezone.localdate():
            raise ApplicationError("签收日期不能晚于今天", field="received_on")
        if notice.sent_at and received_on < timezone.localtime(notice.sent_at).date():
            raise ApplicationError("签收日期不能早于告知函生成日期", field="received_on")
        notice.received_on = received_on
    if status == DeliveryStatus.RETURNED and not note:
        raise ApplicationError("退回时请填写退回原因", field="note")
    notice.delivery_status = status
    if note:
        notice.note = note
    notice.handled_by = actor
    notice.handled_at = timezone.now()
    audited_save(notice, actor=actor, reason=f"告知函：{DeliveryStatus(status).label}")
    return notice


def letters_print(*, notices: Sequence[Notice], actor) -> bytes | None:
    """One PDF of the given letters for printing; those not yet printed are marked printed.

    A letter whose level is no longer in force is superseded instead; None when that left nothing to print.
    As the print job does: stale letters superseded, then the PDF rendered outside any transaction (no
    row locks held while it renders), then the marking in one audited transaction.
    """
    _require(actor)
    printable = letters_supersede_stale(ids=[n.pk for n in notices], actor=actor)
    if not printable:
        return None  # everything selected was superseded: kept so, nothing printed
    content = letters_pdf(notices=Notice.objects.filter(pk__in=printable).order_by("pk").only("payload"))
    _letters_mark_printed(ids=printable, actor=actor)
    return content


@transaction.atomic
def letters_supersede_stale(*, ids: Sequence[int], actor) -> list[int]:
    """About to print: a letter whose level is no longer in force is superseded, not printed.

    Returns the ids of the letters still printable, in order.
    """
    letters = list(
        Notice.objects.select_for_update()
        .filter(pk__in=list(ids), channel=Channel.LETTER, status=NoticeStatus.SENT)
        .order_by("pk")
    )
    latest = changes_in_force(letter.customer_id for letter in letters)
    printable = []
    for letter in letters:
        stale = stale_reason(letter, latest) if letter.delivery_status in ("", DeliveryStatus.PRINTED) else None
        if stale is None:
            printable.append(letter.pk)
            continue
        letter.status = NoticeStatus.SUPERSEDED
        letter.superseded_at = timezone.now()
        letter.superseded_reason, letter.superseded_level = stale
        audited_save(letter, actor=actor, reason="告知函作废：等级已变更")
    return printable


NOTHING_TO_PRINT = "所选告知函所依据的信用等级已不再有效，已作废，未打印"


def letters_to_print(*, notice_ids: Sequence[int] = (), state: str = "") -> list[int]:
    """The ids of the letters a print job covers: those chosen, or every letter in a queue state."""
    letters = Notice.objects.filter(channel=Channel.LETTER, status=NoticeStatus.SENT)
    if state:
        from ..selectors import LETTER_FILTERS

        _, lookup = LETTER_FILTERS.get(state, LETTER_FILTERS["to_print"])
        letters = letters.filter(**lookup)
    else:
        letters = letters.filter(pk__in=list(notice_ids))
    return list(letters.order_by("pk").values_list("pk", flat=True))


def letters_print_build(job, path, progress) -> None:
    """The file job "letters": one PDF of the letters, any number; those not yet printed are marked printed.

    Runs in the worker. The letters are rendered outside any transaction (minutes for thousands);
    the marking is one audited transaction at the end.
    """
    actor = job.created_by
    _require(actor)
    if "notice_ids" in job.params:
        ids = letters_to_print(notice_ids=job.params["notice_ids"])
    else:
        ids = letters_to_print(state=job.params.get("state", ""))
        # Pinned before anything is marked printed: a build started again (its worker died after the
        # marking) prints the same letters, not the then empty "to print" queue.
        if ids:
            file_job_params_pin(job=job, notice_ids=ids)
    if not ids:
        raise ApplicationError("没有可打印的告知函")
    ids = letters_supersede_stale(ids=ids, actor=actor)
    if not ids:
        raise ApplicationError(NOTHING_TO_PRINT)
    total = len(ids)
    progress(0, total)
    # On every core (parts rendered in parallel and joined: bench/letters.py), as letters_print does.
    path.write_bytes(letters_pdf(notices=Notice.objects.filter(pk__in=ids).order_by("pk").only("payload")))
    _letters_mark_printed(ids=ids, actor=actor)
    progress(total, total)


@transaction.atomic
def _letters_mark_printed(*, ids: Sequence[int], actor) -> None:
    now = timezone.now()
    for letter in Notice.objects.select_for_update().filter(pk__in=list(ids), delivery_status="").order_by("pk"):
        letter.delivery_status = DeliveryStatus.PRINTED
        letter.handled_by = actor
        letter.handled_at = now
        audited_save(letter, actor=actor, reason="告知函：已打印")
