"""Reads of the notifications: the staff queues, an enterprise's own notices, the message templates."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.http import Http404

from archives.selectors import membership_of
from credit_portal.navigation import counts_in_one_query

from . import texts
from .models import Channel, DeliveryStatus, DirectMessage, DirectMessageKind, Notice, NoticeKind, NoticeStatus


def _with_customer(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    return notices.select_related("customer", "rating_change", "handled_by")


def failed_notices() -> QuerySet[Notice]:
    """Notices whose last attempt failed, oldest first: the staff fix the cause and retry."""
    return _with_customer(Notice.objects.filter(status=NoticeStatus.FAILED)).order_by("failed_at", "pk")


def call_queue(*, done: bool = False) -> QuerySet[Notice]:
    """Phone-call reminders waiting for a call (or, with done, those already called)."""
    calls = Notice.objects.filter(channel=Channel.CALL, status=NoticeStatus.SENT)
    if done:
        return _with_customer(calls.exclude(call_outcome="")).order_by("-handled_at", "pk")
    # Due today first (never tried, or the retry date has come), then the ones waiting for a later day.
    calls = calls.filter(call_outcome="")
    return _with_customer(calls).order_by(F("next_call_on").asc(nulls_first=True), "created_at", "pk")


LETTER_FILTERS = {
    "to_print": ("待打印", {"status": NoticeStatus.SENT, "delivery_status": ""}),
    "printed": ("待寄出", {"status": NoticeStatus.SENT, "delivery_status": DeliveryStatus.PRINTED}),
    "mailed": ("已寄出待签收", {"status": NoticeStatus.SENT, "delivery_status": DeliveryStatus.MAILED}),
    "received": ("已签收", {"status": NoticeStatus.SENT, "delivery_status": DeliveryStatus.RECEIVED}),
    "returned": ("被退回", {"status": NoticeStatus.SENT, "delivery_status": DeliveryStatus.RETURNED}),
    "superseded": ("已作废", {"status": NoticeStatus.SUPERSEDED}),
}


def letter_queue(*, state: str = "to_print") -> QuerySet[Notice]:
    """Letters in one state (to print, printed, mailed, received, returned, superseded), with the level now."""
    _, lookup = LETTER_FILTERS.get(state, LETTER_FILTERS["to_print"])
    letters = Notice.objects.filter(channel=Channel.LETTER, **lookup)
    return _with_customer(letters).select_related("customer__rating").order_by("created_at", "pk")


def notice_queue_counts() -> dict[str, int]:
    """What waits in each queue of the notices page, counted in one statement (each on its own index)."""
    return counts_in_one_query(
        {
            "failed": failed_notices(),
            "calls": call_queue(),
            "letters": letter_queue(state="to_print"),
            "pending": Notice.objects.filter(status__in=[NoticeStatus.PENDING, NoticeStatus.SENDING]),
        }
    )


def notices_of_enterprise(*, user) -> QuerySet[Notice] | None:
    """The notices an applicant's enterprise has been sent, superseded letters included; None without a membership."""
    membership = membership_of(user)
    if membership is None or not membership.confirmed:
        return None
    return notices_to_customer(membership.customer_id)


def notices_to_customer(customer_id: int) -> QuerySet[Notice]:
    """The notices a customer has been sent, as its enterprise users see them, superseded letters included."""
    return (
        # A letter it was sent and that was superseded since stays, marked so (when, why, by what).
        Notice.objects.filter(
            Q(status=NoticeStatus.SENT)
            | Q(channel=Channel.LETTER, status=NoticeStatus.SUPERSEDED, sent_at__isnull=False)
        )
        .filter(customer_id=customer_id)
        .exclude(channel=Channel.CALL)
        .select_related("rating_change")
        .order_by("-sent_at", "-pk")
    )


def letter_for_user(*, user, notice_id: int) -> Notice:
    """A composed letter the user may read: staff any (superseded ones too), an enterprise its own; 404 otherwise."""
    letters = Notice.objects.filter(channel=Channel.LETTER, status=NoticeStatus.SENT)
    if user.has_perm("notifications.view_notice"):
        composed = Notice.objects.filter(channel=Channel.LETTER, status=NoticeStatus.SUPERSEDED).exclude(payload={})
        notice = (letters | composed).filter(pk=notice_id).first()
    else:
        own = notices_of_enterprise(user=user)
        notice = own.filter(pk=notice_id, channel=Channel.LETTER).first() if own is not None else None
    if notice is None:
        raise Http404("没有找到该告知函")
    return notice


@dataclass(frozen=True)
class TemplateSample:
    template: texts.MessageTemplate
    channel_label: str
    kind_label: str
    levels: str
    sample: str
    readable: str = ""


_SAMPLE_VALUES = {
    "customer_name": "淮阴示例电子有限公司",
    "rules": "红色等级评定要素第2条",
    "as_of": "2026-11-28",
    "reference": "淮供营信告〔2026〕000123号",
}


_EVENT_SAMPLES = {
    "events": "2026-11-20发生的“故意破坏电力设施”（失信信息类别：一般，2026-11-28记入）",
    "objection_until": "2026-12-18",
    "objection_days": "15",
    "reply_days": "10",
}


def _reminder_samples() -> dict[str, str]:
    from ratings import consequences

    return {
        "issued_on": "2025-12-28",
        "expires_on": "2026-12-28",
        "renewal": consequences.REPORT_RENEWAL,
        "reasons": "未满足blue.3（江苏省法人公共信用信息查询报告显示无失信行为）",
        "remedy": consequences.REPORT_RENEWAL,
        "offers": "；".join(offer.label for offer in consequences.offers_for("green")),
    }


def message_templates(*, hotline: str) -> list[TemplateSample]:
    """Every message template with the levels it is for and a filled-in sample."""
    from ratings.rules import LEVEL_LABELS

    samples = []
    for template in texts.TEMPLATES:
        levels = [level for level, kind in texts.KIND_BY_LEVEL.items() if kind == template.kind]
        if template.kind == texts.EVENT_RECORDED:  # a new record: told at every level, by letter at red and black
            levels = [level for level in texts.KIND_BY_LEVEL if template.channel in texts.event_channels(level)]
        if not levels:  # a reminder about a report running out: sent to honest customers
            levels = [level for level, kind in texts.KIND_BY_LEVEL.items() if kind == texts.HONEST]
        values = {**_SAMPLE_VALUES, "hotline": hotline, "level_label": LEVEL_LABELS[levels[0]]}
        values.update(_reminder_samples())
        if template.kind == texts.REMINDER:
            values["rules"] = "黄色等级评定要素第2条"
        if template.kind == texts.EVENT_RECORDED:
            values.update(_EVENT_SAMPLES)
        samples.append(
            TemplateSample(
                template=template,
                channel_label=Channel(template.channel).label,
                kind_label=texts.KIND_LABELS[template.kind],
                levels="、".join(LEVEL_LABELS[level] for level in levels),
                sample=texts.render_text(template, values),
                readable=texts.readable_template(template),
            )
        )
    return samples


def direct_messages_of_enterprise(*, user) -> QuerySet[DirectMessage]:
    """The texts sent to the user's enterprise outside the level notices (objection decisions)."""
    membership = membership_of(user)
    if membership is None or not membership.confirmed:
        return DirectMessage.objects.none()
    return DirectMessage.objects.filter(
        customer_id=membership.customer_id, kind=DirectMessageKind.OBJECTION_DECISION
    ).order_by("-created_at", "-pk")


def reports_running_out(*, today):
    """Honest customers whose public credit report reaches one year within 30 days, or did in the last 30,
    with the reminders they were sent."""
    from .services.reminders import reports_running_out as running_out

    items = running_out(today=today)
    sent = {}
    keys = {f"report:{item.report.pk}" for item in items}
    for kind, key, channel, status in Notice.objects.filter(subject_key__in=keys).values_list(
        "kind", "subject_key", "channel", "status"
    ):
        sent.setdefault(key, []).append(
            f"{NoticeKind(kind).label}·{Channel(channel).label}·{NoticeStatus(status).label}"
        )
    return [(item, sent.get(f"report:{item.report.pk}", [])) for item in items]
