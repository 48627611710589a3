from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from archives.models import CreditEvent, Customer, EventStatus
from archives.services.common import audited_save
from archives.validation import check_date_floor, check_upload
from credit_portal.errors import ApplicationError, Conflict

from .. import repair_text
from ..models import CommitmentLetter, CommitmentType, Fulfilment, LetterStatus
from ..plan_text import DIVISION_CODE
from .access import require_member

CODE_ATTEMPTS = 5


@transaction.atomic
def letter_upload(*, customer: Customer, actor, committed_on: date, file: UploadedFile) -> CommitmentLetter:
    """Store the enterprise's signed and stamped commitment letter (PDF/JPEG/PNG) for staff to review."""
    require_member(actor=actor, customer=customer)
    if not isinstance(committed_on, date):
        raise ApplicationError("承诺日期格式应为 YYYY-MM-DD", field="committed_on")
    check_date_floor(committed_on, field="committed_on", label="承诺日期")
    if committed_on > timezone.localdate():
        raise ApplicationError(f"承诺日期 {committed_on} 晚于今天", field="committed_on")
    checked = check_upload(file, field="file")
    if CommitmentLetter.objects.filter(customer=customer, status=LetterStatus.PENDING).exists():
        raise Conflict("贵单位已有一份待审核的信用承诺书，请等待审核结果", field="file")
    letter = CommitmentLetter(customer=customer, committed_on=committed_on, uploaded_by=actor)
    letter.file.save(f"letter{checked.suffix}", file, save=False)
    audited_save(letter, actor=actor, reason="上传信用承诺书")
    return letter


def commitment_code(*, committed_on: date, serial: int) -> str:
    """承诺编码: 320804 (淮阴区) + the 8-digit date of the commitment + a 6-digit serial (DESIGN.md)."""
    if not 0 < serial < 1_000_000:
        raise Conflict("当日承诺编码已用尽", field="code")
    return f"{DIVISION_CODE}{committed_on:%Y%m%d}{serial:06d}"


def _next_serial(committed_on: date) -> int:
    prefix = f"{DIVISION_CODE}{committed_on:%Y%m%d}"
    last = (
        CommitmentLetter.objects.filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    return int(last[len(prefix) :]) + 1 if last else 1


def assign_code(letter: CommitmentLetter, *, actor, reason: str) -> None:
    # Serials are per commitment date; two acceptances at once may pick the same one: the unique
    # index refuses the second, which takes the next serial.
    for _ in range(CODE_ATTEMPTS):
        letter.code = commitment_code(committed_on=letter.committed_on, serial=_next_serial(letter.committed_on))
        try:
            with transaction.atomic():
                audited_save(letter, actor=actor, reason=reason)
            return
        except IntegrityError:
            continue
    raise Conflict("生成承诺编码冲突，请重试", field="code")


@transaction.atomic
def letter_decide(
    *, letter: CommitmentLetter, accept: bool, actor, note: str = "", valid_until: date | None = None
) -> CommitmentLetter:
    """Accept (the letter gets its 承诺编码 and is published) or reject it with a reason."""
    if not actor.has_perm("commitments.review_commitmentletter"):
        raise ApplicationError("只有营业厅工作人员可以审核信用承诺书", field="letter")
    letter = CommitmentLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.status != LetterStatus.PENDING:
        raise Conflict("该承诺书已审核", field="letter")
    note = (note or "").strip()
    if not accept and not note:
        raise ApplicationError("退回时请填写理由", field="note")
    if accept and valid_until is not None and valid_until <= timezone.localdate():
        raise ApplicationError("承诺有效期应晚于今天", field="valid_until")
    letter.status = LetterStatus.ACCEPTED if accept else LetterStatus.REJECTED
    letter.decided_by = actor
    letter.decided_at = timezone.now()
    letter.decision_note = note
    if accept:
        letter.valid_until = valid_until
        letter.fulfilment = Fulfilment.FULL
        assign_code(letter, actor=actor, reason="受理信用承诺书")
    else:
        audited_save(letter, actor=actor, reason="退回信用承诺书")
    return letter


@transaction.atomic
def letter_record_fulfilment(
    *, letter: CommitmentLetter, actor, fulfilment: str, unfulfilled_content: str = "", liability_pursued: str = ""
) -> CommitmentLetter:
    """Record how an accepted commitment has been kept (承诺履行状态), for the DRC report."""
    if not actor.has_perm("commitments.review_commitmentletter"):
        raise ApplicationError("只有营业厅工作人员可以登记承诺履行情况", field="letter")
    letter = CommitmentLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.status != LetterStatus.ACCEPTED:
        raise Conflict("只有已受理的承诺书才登记履行情况", field="letter")
    if fulfilment not in Fulfilment.values:
        raise ApplicationError(f"未知的履行状态“{fulfilment}”", field="fulfilment")
    unfulfilled_content = (unfulfilled_content or "").strip()
    if fulfilment != Fulfilment.FULL and not unfulfilled_content:
        raise ApplicationError("请填写未履行的承诺内容", field="unfulfilled_content")
    letter.fulfilment = fulfilment
    letter.unfulfilled_content = unfulfilled_content if fulfilment != Fulfilment.FULL else ""
    letter.liability_pursued = (liability_pursued or "").strip()
    audited_save(letter, actor=actor, reason="登记承诺履行情况")
    return letter


#: What an event breaks: clause 三 of the letter (plan Annex 2), or the repair commitment's promise.
BREACHED_CLAUSE = "三、若发生违法失信、违约用电等行为，将依照有关法律、法规规章和政策规定接受处罚，并依法承担相应责任"
BREACHED_CLAUSES = {CommitmentType.REPAIR: repair_text.CLAUSES[2].rstrip("；")}


def letters_breach_refresh_many(*, customer_ids) -> int:
    """``letters_breach_refresh`` for the customers among these that hold an accepted letter (an import
    announces thousands at once; few hold a letter). Returns how many letters changed."""
    ids = sorted(set(customer_ids))
    holders: set[int] = set()
    for start in range(0, len(ids), 1000):
        holders.update(
            CommitmentLetter.objects.filter(customer_id__in=ids[start : start + 1000], status=LetterStatus.ACCEPTED)
            .values_list("customer_id", flat=True)
            .distinct()
        )
    return sum(letters_breach_refresh(customer_id=customer_id) for customer_id in sorted(holders))


@transaction.atomic
def letters_breach_refresh(*, customer_id: int) -> int:
    """Mark accepted letters breached (违诺, 部分履行) by an in-force event recorded while they were in force,
    or restore them (全部履行) when that event was revoked. Manual notes (违诺责任追究内容) are left alone.
    Returns how many letters changed.
    """
    changed = 0
    letters = CommitmentLetter.objects.select_for_update().filter(customer_id=customer_id, status=LetterStatus.ACCEPTED)
    for letter in letters:
        events = CreditEvent.objects.filter(
            customer_id=customer_id, status=EventStatus.IN_FORCE, recorded_at__gte=letter.decided_at
        )
        if letter.valid_until is not None:
            events = events.filter(occurred_on__lte=letter.valid_until)
        event = events.order_by("recorded_at", "id").first()
        if event is not None and letter.breach_event_id != event.pk:
            letter.breach_event = event
            letter.fulfilment = Fulfilment.PARTIAL
            letter.unfulfilled_content = (
                f"{BREACHED_CLAUSES.get(letter.commitment_type, BREACHED_CLAUSE)}："
                f"{event.occurred_on:%Y-%m-%d}发生“{event.get_type_display()}”"
                f"（失信行为记录 #{event.pk}）"
            )
            audited_save(letter, actor=None, reason=f"违诺：失信行为记录 #{event.pk}")
            changed += 1
        elif event is None and letter.breach_event_id is not None:
            revoked = letter.breach_event_id
            letter.breach_event = None
            letter.fulfilment = Fulfilment.FULL
            letter.unfulfilled_content = ""
            audited_save(letter, actor=None, reason=f"失信行为记录 #{revoked} 已撤销，恢复全部履行")
            changed += 1
    return changed
