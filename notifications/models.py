"""Notices (提醒与告知): one row per (customer, rating change, channel), sent by workers, worked by staff.

A notice is written in the transaction of the rating change that calls for it, so it can be neither
lost nor doubled: the unique key (customer, rating change, channel) makes a repeated change a
no-op, and the status column is the outbox a worker claims with a conditional UPDATE.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ratings.rules import LEVEL_LABELS


class Channel(models.TextChoices):
    SMS = "sms", "短信"
    WECHAT = "wechat", "微信消息"
    CALL = "call", "电话提醒"
    LETTER = "letter", "书面告知函"


class NoticeKind(models.TextChoices):
    LEVEL_CHANGE = "level_change", "信用等级变更"
    REPORT_EXPIRING = "report_expiring", "公共信用报告即将满一年"
    REPORT_EXPIRED = "report_expired", "公共信用报告已满一年"
    # A letter quoted an event since revoked, and the level it announced still holds: a new letter
    # states the basis in force now (``services.creation.letter_reissue``).
    LETTER_REISSUE = "letter_reissue", "告知函重新出具"
    # A new record in force, told once per channel (subject "event-<id>") where no level-change notice
    # names it already (``services.events``).
    EVENT_RECORDED = "event_recorded", "失信行为记录告知"


class NoticeStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    # Kept, never sent (or never printed and mailed): the level it announced is no longer in force,
    # or the letter quoted an event since revoked.
    SUPERSEDED = "superseded", "已作废"


class CallOutcome(models.TextChoices):
    REACHED = "reached", "已接通"
    NOT_REACHED = "not_reached", "未接通"
    WRONG_NUMBER = "wrong_number", "号码错误"


class DeliveryStatus(models.TextChoices):
    PRINTED = "printed", "已打印"
    MAILED = "mailed", "已寄出"
    RECEIVED = "received", "已签收"
    RETURNED = "returned", "被退回"


class Notice(models.Model):
    """One reminder, message or letter for one level change, through one channel.

    For SMS and WeChat "sent" means the gateway accepted it. A phone call and a letter are staff
    work: "sent" means the task or the composed letter is in the staff queue, and the outcome of the
    call or the letter's delivery is recorded by staff afterwards.
    """

    # No index of its own: "notice_customer" and the unique (customer, change, channel) lead with it,
    # and the nightly run inserts hundreds of thousands of notices at go-live (bench/rerate.py, run A).
    customer = models.ForeignKey(
        "archives.Customer", on_delete=models.CASCADE, related_name="notices", verbose_name="用户", db_index=False
    )
    # Empty for a reminder that is not about a level change (a public credit report running out).
    rating_change = models.ForeignKey(
        "ratings.RatingHistory", on_delete=models.CASCADE, null=True, blank=True, related_name="notices",
        verbose_name="信用等级变更",
    )  # fmt: skip
    kind = models.CharField("类别", max_length=20, choices=NoticeKind.choices, default=NoticeKind.LEVEL_CHANGE)
    # What a reminder is about, e.g. "report:12:expiring": with the kind, what makes it one of a kind.
    subject_key = models.CharField("提醒事由", max_length=40, blank=True)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    level = models.CharField("新等级", max_length=10, choices=list(LEVEL_LABELS.items()))
    status = models.CharField("状态", max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.PENDING)
    # Passed to the gateways (Idempotency-Key, client_msg_id) so that a resend is recognised there.
    idempotency_key = models.UUIDField("幂等键", default=uuid.uuid4, unique=True, editable=False)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField("占用至", null=True, blank=True)
    next_attempt_at = models.DateTimeField("下次重试", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    failed_at = models.DateTimeField("失败时间", null=True, blank=True)
    # What was sent, as sent.
    recipient = models.CharField("接收方", max_length=255, blank=True)
    body = models.TextField("内容", blank=True)
    payload = models.JSONField("告知函内容", default=dict, blank=True)
    # Not indexed: nothing looks a letter up by its number (the nightly run writes a notice row per change
    # and channel, and every index is written with it).
    reference = models.CharField("文号", max_length=40, blank=True)
    provider_ref = models.CharField("网关回执", max_length=100, blank=True)
    # Staff work: the phone call's outcome, the letter's delivery.
    superseded_at = models.DateTimeField("作废时间", null=True, blank=True)
    superseded_reason = models.TextField("作废原因", blank=True)
    superseded_level = models.CharField(
        "作废时的信用等级", max_length=10, choices=list(LEVEL_LABELS.items()), blank=True
    )
    call_outcome = models.CharField("通话结果", max_length=15, choices=CallOutcome.choices, blank=True)
    # An unanswered call goes back to the queue for the next working day, up to NOTIFICATION_CALL_ATTEMPTS.
    call_attempts = models.PositiveSmallIntegerField("拨打次数", default=0)
    next_call_on = models.DateField("下次拨打日期", null=True, blank=True)
    delivery_status = models.CharField("送达情况", max_length=10, choices=DeliveryStatus.choices, blank=True)
    tracking_number = models.CharField("邮件单号", max_length=40, blank=True)
    received_on = models.DateField("签收日期", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)

    # Staff changes are audited; the workers' conditional UPDATEs are not model saves.
    history = HistoricalRecords(excluded_fields=["claim_token", "lease_until", "next_attempt_at"])

    class Meta:
        verbose_name = "提醒与告知"
        verbose_name_plural = "提醒与告知"
        ordering = ["-created_at", "-id"]
        permissions = [("work_notices", "处理电话提醒、告知函和发送失败的提醒")]
        constraints = [
            # One notice per channel for a level change; a reissued letter is keyed by its subject below.
            models.UniqueConstraint(
                fields=["customer", "rating_change", "channel"],
                condition=Q(kind="level_change"),
                name="one_notice_per_change_and_channel",
            ),
            models.UniqueConstraint(
                fields=["customer", "kind", "subject_key", "channel"],
                condition=~Q(kind="level_change"),
                name="one_reminder_per_subject_and_channel",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(lease_until__isnull=False), name="sending_notice_has_lease"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notice_status_due"),
            models.Index(fields=["channel", "status", "created_at"], name="notice_queue"),
            models.Index(fields=["customer", "-created_at"], name="notice_customer"),
            # The staff queues and the navigation's counts (credit_portal.navigation) read only what waits.
            models.Index(
                fields=["next_call_on", "created_at"],
                condition=Q(channel="call", status="sent", call_outcome=""),
                name="notice_calls_waiting",
            ),
            models.Index(
                fields=["created_at"],
                condition=Q(channel="letter", status="sent", delivery_status=""),
                name="notice_letters_to_print",
            ),
            models.Index(fields=["failed_at"], condition=Q(status="failed"), name="notice_failed"),
            # The sweeper's look for records whose level-change notices were superseded before they told them.
            models.Index(
                fields=["superseded_at"],
                condition=Q(status="superseded", kind="level_change"),
                name="notice_superseded_changes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.customer_id} {self.get_level_display()}"

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)

    @property
    def superseded_level_label(self) -> str:
        return LEVEL_LABELS.get(self.superseded_level, self.superseded_level)


class CallAttempt(models.Model):
    """One try at a reminder call, kept whatever came of it: the outcome history of the call."""

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="call_attempt_rows", verbose_name="电话提醒"
    )
    outcome = models.CharField("通话结果", max_length=15, choices=CallOutcome.choices)
    note = models.TextField("备注", blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="拨打人"
    )
    made_at = models.DateTimeField("拨打时间", auto_now_add=True)

    class Meta:
        verbose_name = "电话提醒拨打记录"
        verbose_name_plural = "电话提醒拨打记录"
        ordering = ["made_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}（{self.made_at:%Y-%m-%d %H:%M}）"


class DirectMessageStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"  # claimed by a worker until lease_until
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class DirectMessageKind(models.TextChoices):
    OBJECTION_DECISION = "objection", "异议处理结果"
    REPAIR_DECISION = "repair", "信用修复结果"
    PASSWORD_CODE = "password_code", "密码重置验证码"
    PASSWORD_RESET = "password_reset", "营业厅重置密码提示"
    PUBLICATION_EXPIRED = "publication_expired", "公示期满告知"


class DirectMessage(models.Model):
    """A text for one enterprise outside the level-change notices (an objection's decision, a reset code),
    sent by SMS through the configured backend; what was sent is kept (a code only masked)."""

    customer = models.ForeignKey(
        "archives.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="用户"
    )
    kind = models.CharField("类型", max_length=20, choices=DirectMessageKind.choices)
    recipient = models.CharField("接收方", max_length=40)
    text = models.TextField("内容")
    status = models.CharField(
        "状态", max_length=10, choices=DirectMessageStatus.choices, default=DirectMessageStatus.PENDING
    )
    idempotency_key = models.UUIDField("幂等键", default=uuid.uuid4, unique=True, editable=False)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    lease_until = models.DateTimeField("发送租约截止", null=True, blank=True)

    class Meta:
        verbose_name = "短信告知"
        verbose_name_plural = "短信告知"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"
