"""Current ratings, their append-only history, and manual overrides."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from credit_portal.decisions import TwoPersonDecision, decider_field

from . import rules

LEVEL_CHOICES = list(rules.LEVEL_LABELS.items())


class RatingCause(models.TextChoices):
    EVENT = "event", "录入失信行为"
    REVOCATION = "revocation", "撤销失信行为"
    REPORT = "report", "核验公共信用报告"
    ACCOUNT = "account", "户号变更"
    NIGHTLY = "nightly", "每日重新评定"
    OVERRIDE = "override", "人工调整"
    IMPORT = "import", "营销系统导入"
    MANUAL = "manual", "手工重新评定"


class CustomerRating(models.Model):
    """The customer's rating now: the level in force (override included) and the computed one."""

    customer = models.OneToOneField(
        "archives.Customer", on_delete=models.CASCADE, primary_key=True, related_name="rating", verbose_name="用户"
    )
    level = models.CharField("信用等级", max_length=10, choices=LEVEL_CHOICES)
    computed_level = models.CharField("评定等级", max_length=10, choices=LEVEL_CHOICES)
    rules = models.JSONField("依据条款", default=list)
    explanation = models.TextField("说明", blank=True)
    as_of = models.DateField("评定日期")
    rules_version = models.CharField("规则版本", max_length=16)
    changed_on = models.DateField("最近变更日期")
    override = models.ForeignKey(
        "LevelOverride", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="人工调整"
    )
    # The last date on which the same facts are judged the same (rules.stable_until): the nightly run
    # neither reads nor evaluates the customer before then. Null: unknown, evaluated every night.
    stable_until = models.DateField("评定有效至", null=True, blank=True)

    class Meta:
        verbose_name = "当前信用等级"
        verbose_name_plural = "当前信用等级"
        # The list's level filter and the dashboard: the customers of a level, in id order, from the index.
        indexes = [models.Index(fields=["level", "customer"], name="rating_level_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.get_level_display()}"

    @property
    def honest(self) -> bool:
        return self.level in rules.HONEST_LEVELS


class RatingHistory(models.Model):
    """One row per level change (or first rating); never updated or deleted."""

    customer = models.ForeignKey(
        "archives.Customer", on_delete=models.CASCADE, related_name="rating_history", verbose_name="用户"
    )
    level = models.CharField("信用等级", max_length=10, choices=LEVEL_CHOICES)
    previous_level = models.CharField("原等级", max_length=10, choices=LEVEL_CHOICES, blank=True)
    computed_level = models.CharField("评定等级", max_length=10, choices=LEVEL_CHOICES)
    rules = models.JSONField("依据条款", default=list)
    explanation = models.TextField("说明", blank=True)
    as_of = models.DateField("评定日期")
    rules_version = models.CharField("规则版本", max_length=16)
    cause = models.CharField("原因", max_length=12, choices=RatingCause.choices)
    cause_ref = models.CharField("关联记录", max_length=40, blank=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "信用等级变更记录"
        verbose_name_plural = "信用等级变更记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.previous_level or '—'} → {self.level}（{self.as_of}）"


class OverrideStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    ACTIVE = "active", "生效中"
    REFUSED = "refused", "已驳回"
    ENDED = "ended", "已结束"


class LevelOverride(TwoPersonDecision):
    """A manual level set by a supervisor, with a reason and an end date, approved by another."""

    customer = models.ForeignKey(
        "archives.Customer", on_delete=models.PROTECT, related_name="overrides", verbose_name="用户"
    )
    level = models.CharField("调整为", max_length=10, choices=[(k, v) for k, v in LEVEL_CHOICES if k != "unrated"])
    ends_on = models.DateField("截止日期")
    status = models.CharField("状态", max_length=10, choices=OverrideStatus.choices, default=OverrideStatus.PENDING)
    # Ended before its end date, by a supervisor other than the requester, with a reason.
    ended_by = decider_field("提前结束人")
    ended_at = models.DateTimeField("提前结束时间", null=True, blank=True)
    end_reason = models.TextField("提前结束理由", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "人工调整信用等级"
        verbose_name_plural = "人工调整信用等级"
        ordering = ["-requested_at"]
        permissions = [
            ("request_override", "申请人工调整信用等级"),
            ("approve_override", "审批人工调整信用等级"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status__in=["pending", "active"]),
                name="one_open_override_per_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"人工调整为{self.get_level_display()}（至 {self.ends_on}）"
