from datetime import date, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from archives import vocabulary
from credit_portal.decisions import two_person_decide
from credit_portal.errors import ApplicationError, Conflict
from credit_portal.signals import enterprise_message

from ..models import CreditEvent, Customer, EventRevocation, EventSource, EventStatus, RevocationStatus
from ..publication import class_thresholds, publication_fields
from ..selectors import events_with_publication_status
from ..validation import check_date_floor, check_decimal, check_upload
from .common import audited_save, customer_facts_changed


def event_attributes(*, type: str, amount_yuan=None, voltage_kv=None, severity: str | None = None) -> dict:
    """Check the attribute an event type needs (and drop the ones it does not have)."""
    event_type = vocabulary.EVENT_TYPES.get(type)
    if event_type is None:
        raise ApplicationError(f"未知的失信行为类型“{type}”", field="type")
    attributes = {"amount_yuan": None, "voltage_kv": None, "severity": ""}
    attribute = event_type.attribute.name if event_type.attribute else None
    if attribute == "amount_yuan":
        if amount_yuan in (None, ""):
            raise ApplicationError("窃电记录须填写窃电金额（元）", field="amount_yuan")
        amount = check_decimal(amount_yuan, column=CreditEvent._meta.get_field("amount_yuan"), label="窃电金额")
        if amount < 0:
            raise ApplicationError("窃电金额不能为负数", field="amount_yuan")
        attributes["amount_yuan"] = amount
    elif attribute == "voltage_kv":
        if voltage_kv in (None, ""):
            raise ApplicationError("停电事件须填写电压等级（千伏）", field="voltage_kv")
        voltage = check_decimal(voltage_kv, column=CreditEvent._meta.get_field("voltage_kv"), label="电压等级")
        if voltage <= 0:
            raise ApplicationError("电压等级应大于0千伏", field="voltage_kv")
        attributes["voltage_kv"] = voltage
    elif attribute == "severity":
        allowed = dict(event_type.attribute.choices)
        if not severity:
            raise ApplicationError(f"“{event_type.label}”须选择情节：{'、'.join(allowed.values())}", field="severity")
        if severity not in allowed:
            raise ApplicationError(f"情节“{severity}”无效，应为：{'、'.join(allowed)}", field="severity")
        attributes["severity"] = severity
    return attributes


def check_event_date(*, customer_id: int | None, occurred_on: date, today: date, first_opened_on: date | None) -> None:
    """An event cannot lie in the future, before 1990, nor before the customer's first account was opened."""
    check_date_floor(occurred_on, field="occurred_on", label="发生日期")
    if occurred_on > today:
        raise ApplicationError(f"发生日期 {occurred_on} 晚于今天，不能录入", field="occurred_on")
    if first_opened_on is not None and occurred_on < first_opened_on:
        raise ApplicationError(f"发生日期 {occurred_on} 早于该用户最早立户日期 {first_opened_on}", field="occurred_on")


@transaction.atomic
def event_record(
    *,
    customer: Customer,
    type: str,
    occurred_on: date,
    actor,
    source: str = EventSource.STAFF,
    amount_yuan=None,
    voltage_kv=None,
    severity: str | None = None,
    description: str = "",
    evidence: UploadedFile | None = None,
) -> CreditEvent:
    """Record a dishonesty event (失信行为) in a customer's archive; the customer is re-rated on commit."""
    attributes = event_attributes(type=type, amount_yuan=amount_yuan, voltage_kv=voltage_kv, severity=severity)
    if not isinstance(occurred_on, date):
        raise ApplicationError("发生日期格式应为 YYYY-MM-DD", field="occurred_on")
    first_opened_on = customer.accounts.order_by("opened_on").values_list("opened_on", flat=True).first()
    check_event_date(
        customer_id=customer.pk, occurred_on=occurred_on, today=timezone.localdate(), first_opened_on=first_opened_on
    )
    if source not in EventSource.values:
        raise ApplicationError(f"未知的来源“{source}”", field="source")
    found_on = timezone.localdate()
    event = CreditEvent(
        customer=customer,
        type=type,
        occurred_on=occurred_on,
        description=(description or "").strip(),
        source=source,
        recorded_by=actor,
        **attributes,
        **publication_fields(type=type, found_on=found_on, thresholds=class_thresholds(on=found_on), **attributes),
    )
    if evidence is not None:
        checked = check_upload(evidence, field="evidence")
        event.evidence.save(f"evidence{checked.suffix}", evidence, save=False)
    audited_save(event, actor=actor, reason="录入失信行为")
    customer_facts_changed(customer_id=customer.pk, cause="event", ref=str(event.pk))
    return event


@transaction.atomic
def revocation_request(*, event: CreditEvent, reason: str, actor) -> EventRevocation:
    """Ask for an event to be revoked; a supervisor other than `actor` decides."""
    event = CreditEvent.objects.select_for_update().get(pk=event.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写撤销理由", field="reason")
    if event.status == EventStatus.REVOKED:
        raise ApplicationError("该记录已撤销", field="event")
    if event.revocations.filter(status=RevocationStatus.PENDING).exists():
        raise Conflict("该记录已有待审批的撤销申请", field="event")
    revocation = EventRevocation(event=event, reason=reason, requested_by=actor)
    audited_save(revocation, actor=actor, reason="申请撤销")
    return revocation


@transaction.atomic
def revocation_decide(*, revocation: EventRevocation, approve: bool, actor, note: str = "") -> EventRevocation:
    """Approve (the event is revoked and the customer re-rated) or refuse a revocation request."""
    revocation = EventRevocation.objects.select_for_update().select_related("event").get(pk=revocation.pk)
    two_person_decide(
        revocation,
        approve=approve,
        actor=actor,
        note=note,
        permission="archives.approve_revocation",
        approved=RevocationStatus.APPROVED,
        refused=RevocationStatus.REFUSED,
        field="revocation",
        not_allowed="只有班组长可以审批撤销申请",
    )
    audited_save(revocation, actor=actor, reason="批准撤销" if approve else "驳回撤销")
    if approve:
        event = CreditEvent.objects.select_for_update().get(pk=revocation.event_id)
        event.status = EventStatus.REVOKED
        audited_save(event, actor=actor, reason=f"撤销：{revocation.reason}")
        customer_facts_changed(customer_id=event.customer_id, cause="revocation", ref=str(event.pk))
    return revocation


def event_repairable(event: CreditEvent) -> None:
    """Refuse a repair of a record revoked or repaired already (callers check before storing any upload)."""
    if event.status == EventStatus.REVOKED:
        raise ApplicationError("该记录已撤销，不能再修复", field="event")
    if event.repaired_on is not None:
        raise Conflict(f"该记录已于 {event.repaired_on} 修复，不能重复修复", field="event")


@transaction.atomic
def event_repair_record(*, event: CreditEvent, repaired_on: date, actor, ref: str, note: str = "") -> CreditEvent:
    """Mark an event repaired (已修复, 信用修复) from ``repaired_on``; the customer is re-rated in this transaction.

    The event stays in force (it was true): from its repair date it counts in no rating. ``ref`` names
    the decision (an approved repair application, or the source's repair of a 来源认定 record).
    """
    event = CreditEvent.objects.select_for_update().get(pk=event.pk)
    if not isinstance(repaired_on, date):
        raise ApplicationError("修复日期格式应为 YYYY-MM-DD", field="repaired_on")
    ref = (ref or "").strip()
    if not ref:
        raise ApplicationError("请注明修复决定", field="ref")
    event_repairable(event)
    if repaired_on > timezone.localdate():
        raise ApplicationError(f"修复日期 {repaired_on} 晚于今天", field="repaired_on")
    publication = event.publication_class
    if publication is not None and not publication.repaired_here:
        # 谁认定、谁修复: the source repaired it; the portal records the source's date.
        if repaired_on < event.occurred_on:
            raise ApplicationError(f"修复日期 {repaired_on} 早于发生日期 {event.occurred_on}", field="repaired_on")
    else:
        open_on = event.repair_open_on or event.found_on
        if repaired_on < open_on:
            raise ApplicationError(
                f"该记录最短公示期至 {event.publication_shortest_until}，{open_on} 起方可修复"
                if event.publication_shortest_until
                else f"修复日期 {repaired_on} 早于认定日期 {open_on}",
                field="repaired_on",
            )
    event.repaired_on = repaired_on
    event.repair_ref = ref
    reason = f"信用修复（{ref}）：自 {repaired_on} 起不再计入信用评定"
    audited_save(event, actor=actor, reason=f"{reason}。{note.strip()}" if note.strip() else reason)
    customer_facts_changed(customer_id=event.customer_id, cause="repair", ref=str(event.pk))
    return event


def _expiry_text(customer: Customer, events: list[CreditEvent], today: date) -> str:
    listed = "、".join(
        f"{e.occurred_on:%Y-%m-%d}“{e.get_type_display()}”（最长公示期至{e.publication_longest_until:%Y-%m-%d}）"
        for e in events
    )
    return (
        f"【淮阴供电营业部】{customer.name}：您的失信行为记录{listed}最长公示期已届满，"
        f"自{today:%Y-%m-%d}起标注为“公示期满”，报送区发改委时一并标注，信用平台不再公示。"
        "信用等级仍按评定规则的统计期计算；如已纠正失信行为，可申请信用修复。"
    )


@transaction.atomic
def events_publication_expire(*, today: date) -> int:
    """Tell each enterprise, once, which of its records became 公示期满 (longest period passed) by ``today``.

    Only records whose longest period ended within ``PUBLICATION_EXPIRY_TELL_DAYS``: the first run after
    the go-live does not text every enterprise about records that ended years ago. The records are
    claimed with a conditional update under row locks (``publication_expiry_told_on``), so a second run,
    or one running beside it, tells nothing twice. Returns how many records were told.
    """
    # Only records in force whose longest period has ended can be 公示期满: the status is computed for
    # those alone (a range of the partial index ``event_publication_untold``), and handed to the claim as
    # a subquery (no id list through Python).
    untold = CreditEvent.objects.filter(
        publication_expiry_told_on__isnull=True,
        status=EventStatus.IN_FORCE,
        publication_longest_until__lt=today,
        publication_longest_until__gte=today - timedelta(days=settings.PUBLICATION_EXPIRY_TELL_DAYS),
    )
    due = (
        events_with_publication_status(untold, on=today)
        .filter(publication_status=vocabulary.EXPIRED_STATUS)
        .values("pk")
    )
    claimed = list(
        CreditEvent.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=due, publication_expiry_told_on__isnull=True)
        .select_related("customer")
        .order_by("customer_id", "occurred_on", "pk")
    )
    if not claimed:
        return 0
    CreditEvent.objects.filter(pk__in=[e.pk for e in claimed]).update(publication_expiry_told_on=today)
    by_customer: dict[int, list[CreditEvent]] = {}
    for event in claimed:
        by_customer.setdefault(event.customer_id, []).append(event)
    for events in by_customer.values():
        customer = events[0].customer
        enterprise_message.send(
            sender=CreditEvent,
            kind="publication_expired",
            recipient=customer.contact_phone,
            text=_expiry_text(customer, events, today),
            customer_id=customer.pk,
        )
    return len(claimed)
