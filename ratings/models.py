"""Current ratings, their append-only history, and manual overrides."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from archives.models import private_upload_to
from credit_portal.decisions import TwoPersonDecision, decider_field

from . import rules

LEVEL_CHOICES = list(rules.LEVEL_LABELS.items())


class RatingCause(models.TextChoices):
    EVENT = "event", "录入失信行为"
    REVOCATION = "revocation", "撤销失信行为"
    REPAIR = "repair", "信用修复"
    REPORT = "report", "核验公共信用报告"
    ACCOUNT = "account", "户号变更"
    NIGHTLY = "nightly", "每日重新评定"
    OVERRIDE = "override", "人工调整"
    IMPORT = "import", "营销系统导入"
    MANUAL = "manual", "手工重新评定"
    OPENED = "opened", "建档"


class RatingRecord(models.Model):
    """The columns a rating and a history row share: what an evaluation said, and under which rules.

    ``basis`` keeps what a notice or letter quotes, so that nothing downstream evaluates again:
    ``{"findings": {rule id: {"text": …, "evidence": [{"kind", "ref", "on", "text"}]}}, "improvements": […]}``
    for the rules of a level that calls for a reminder or a letter (``changes.basis_of``); empty for the others.
    """

    level = models.CharField("信用等级", max_length=10, choices=LEVEL_CHOICES)
    computed_level = models.CharField("评定等级", max_length=10, choices=LEVEL_CHOICES)
    rules = models.JSONField("依据条款", default=list)
    explanation = models.TextField("说明", blank=True)
    basis = models.JSONField("依据详情", default=dict, blank=True)
    as_of = models.DateField("评定日期")
    rules_version = models.CharField("规则版本", max_length=16)
    rule_set_version = models.PositiveIntegerField("规则集版本", default=1)

    class Meta:
        abstract = True


class CustomerRating(RatingRecord):
    """The customer's rating now: the level in force (override included) and the computed one.

    Written only by ``ratings.changes``; read through ``selectors.levels_in_force`` for the level in
    force and ``change`` (the history row that announced it) for what the customer was told."""

    customer = models.OneToOneField(
        "archives.Customer", on_delete=models.CASCADE, primary_key=True, related_name="rating", verbose_name="用户"
    )
    changed_on = models.DateField("最近变更日期")
    # The history row of the latest level change: the change in force (a notice about another is stale).
    change = models.ForeignKey(
        "RatingHistory", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="现行变更记录"
    )
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


class RatingHistory(RatingRecord):
    """One row per level change (or first rating); never updated or deleted. Written only by ``ratings.changes``."""

    # No index of its own: the (customer, -created_at) index leads with it (one index fewer to write
    # per level change: a million rows at go-live, bench/rerate.py run A).
    customer = models.ForeignKey(
        "archives.Customer",
        on_delete=models.CASCADE,
        related_name="rating_history",
        verbose_name="用户",
        db_index=False,
    )
    previous_level = models.CharField("原等级", max_length=10, choices=LEVEL_CHOICES, blank=True)
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


class OverrideBasis(models.TextChoices):
    """What an override that raises a level rests on (issue 22); one that lowers a level needs only its reason."""

    NONE = "", "无（降低等级，仅需理由）"
    OBJECTION = "objection", "异议"
    REPAIR = "repair", "信用修复"
    COURT = "court", "法院裁判文书"
    # The overrides recorded before a basis was asked for (migration 0014).
    LEGACY = "legacy", "既有调整（未记载依据）"


#: The kinds a new request may name (``legacy`` only describes the old rows).
OVERRIDE_BASIS_KINDS = (OverrideBasis.OBJECTION, OverrideBasis.REPAIR, OverrideBasis.COURT)


class LevelOverride(TwoPersonDecision):
    """A manual level set by a supervisor, with a reason and an end date, approved by another.

    One that raises the level above the computed one names its basis: an objection or a credit repair
    of the customer (by number, checked by the app that keeps them: ``ratings.hooks.override_basis``),
    or a court decision (文书号 and the uploaded decision), and lasts at most
    ``CREDIT_OVERRIDE_RAISE_MAX_DAYS`` days."""

    customer = models.ForeignKey(
        "archives.Customer", on_delete=models.PROTECT, related_name="overrides", verbose_name="用户"
    )
    level = models.CharField("调整为", max_length=10, choices=[(k, v) for k, v in LEVEL_CHOICES if k != "unrated"])
    ends_on = models.DateField("截止日期")
    status = models.CharField("状态", max_length=10, choices=OverrideStatus.choices, default=OverrideStatus.PENDING)
    basis_kind = models.CharField("调整依据", max_length=10, choices=OverrideBasis.choices, blank=True, default="")
    # The objection's or repair's number, or the court decision's 文书号.
    basis_ref = models.CharField("依据编号（文书号）", max_length=100, blank=True, default="")
    # What the basis was when the request was made (the objection or repair in words), shown to the approver.
    basis_summary = models.CharField("依据摘要", max_length=200, blank=True, default="")
    basis_document = models.FileField("裁判文书", upload_to=private_upload_to, blank=True)
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


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    APPROVED = "approved", "已批准（待生效）"
    IN_FORCE = "in_force", "现行"
    RETIRED = "retired", "已废止"


class RuleSet(models.Model):
    """The numbers of the criteria, versioned: drafted by a supervisor, approved by another, in force from a date.

    Version 1 holds the plan's numbers and wording (a data migration writes it). ``wordings`` holds,
    for every criterion whose numbers differ from the plan's, the new text written by the drafter."""

    version = models.PositiveIntegerField("版本", unique=True)
    status = models.CharField("状态", max_length=10, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT)
    effective_on = models.DateField("生效日期", null=True, blank=True)
    parameters = models.JSONField("参数")
    wordings = models.JSONField("修改后的条款原文", default=dict, blank=True)
    note = models.TextField("修订说明", blank=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="起草依据"
    )
    drafted_by = decider_field("起草人")
    drafted_at = models.DateTimeField("起草时间", auto_now_add=True)
    approved_by = decider_field("批准人")
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "评定规则集"
        verbose_name_plural = "评定规则集"
        ordering = ["-version"]
        permissions = [
            ("draft_ruleset", "起草评定规则集"),
            ("approve_ruleset", "批准评定规则集"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="in_force"), name="one_ruleset_in_force"),
        ]

    def __str__(self) -> str:
        return f"第{self.version}版（{self.get_status_display()}）"


class ImpactStatus(models.TextChoices):
    RUNNING = "running", "计算中"
    DONE = "done", "已完成"


class ImpactReport(models.Model):
    """What a draft would do to every customer as of a date, against the version in force or another draft.

    Filled range by range (``ImpactRange``) by the same range machinery as the nightly run; nothing is
    written to the ratings. ``matrix`` is {from level: {to level: customers}}; ``criteria`` is
    {rule id: [customers caught before, customers caught after]}; ``consequences`` counts what the
    moves mean (``ratings.consequences``)."""

    proposed = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="impacts", verbose_name="拟议规则集")
    baseline = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="+", verbose_name="对比规则集")
    as_of = models.DateField("评定日期")
    status = models.CharField("状态", max_length=10, choices=ImpactStatus.choices, default=ImpactStatus.RUNNING)
    ranges_total = models.PositiveIntegerField("分段数", default=0)
    ranges_done = models.PositiveIntegerField("已完成分段", default=0)
    customers = models.PositiveIntegerField("用户数", default=0)
    matrix = models.JSONField("等级迁移矩阵", default=dict)
    criteria = models.JSONField("各要素触发数", default=dict)
    consequences = models.JSONField("影响", default=dict)
    # {from level: {to level: customers under an active override}}: their level in force does not move.
    overridden = models.JSONField("人工调整期内的用户", default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="发起人"
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Started, a range finished, or its unfinished ranges re-queued: a run quiet for long lost a task.
    active_at = models.DateTimeField("最近进展时间", default=timezone.now)

    class Meta:
        verbose_name = "规则影响评估"
        verbose_name_plural = "规则影响评估"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"第{self.proposed.version}版对第{self.baseline.version}版（{self.as_of}）"


class ImpactRange(models.Model):
    """One customer-id range of an impact run; ``result`` holds its partial counts once done.

    ``unmoved`` holds, per level, the ids of the range's customers whose level stays (in id order):
    the diagonal cells of the matrix open from them without a row per customer."""

    report = models.ForeignKey(ImpactReport, on_delete=models.CASCADE, related_name="ranges")
    start_id = models.BigIntegerField()
    end_id = models.BigIntegerField()
    done = models.BooleanField(default=False)
    result = models.JSONField(default=dict)
    unmoved = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "start_id"], name="one_impact_range_per_start")]

    def __str__(self) -> str:
        return f"[{self.start_id}, {self.end_id})"


class ImpactMove(models.Model):
    """A customer whose computed level differs between the two rule sets (one cell of the matrix)."""

    report = models.ForeignKey(ImpactReport, on_delete=models.CASCADE, related_name="moves")
    customer = models.ForeignKey("archives.Customer", on_delete=models.CASCADE, related_name="+")
    from_level = models.CharField(max_length=10, choices=LEVEL_CHOICES)
    to_level = models.CharField(max_length=10, choices=LEVEL_CHOICES)
    from_rules = models.JSONField(default=list)
    to_rules = models.JSONField(default=list)
    # Under an active override on the report's date: the level in force stays the overridden one.
    overridden = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["report", "from_level", "to_level", "customer"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.from_level} → {self.to_level}"


class NightlyRun(models.Model):
    """One nightly re-rating (每日重新评定): when it started, into how many ranges it was cut, when it finished.

    The operators' record (the metrics endpoint): a night with no row did not run, a row with no
    ``finished_at`` has ranges still out (or lost with their worker)."""

    as_of = models.DateField("评定日期", unique=True)
    started_at = models.DateTimeField("开始时间")
    ranges_total = models.PositiveIntegerField("分段数", default=0)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "每日重新评定"
        verbose_name_plural = "每日重新评定"
        ordering = ["-as_of"]

    def __str__(self) -> str:
        return f"每日重新评定 {self.as_of}"


class NightlyRangeDone(models.Model):
    """A range of a nightly run that finished; unique, so a redelivered range task counts once."""

    run = models.ForeignKey(NightlyRun, on_delete=models.CASCADE, related_name="ranges_done")
    start_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "start_id"], name="one_done_range_per_start")]

    def __str__(self) -> str:
        return f"{self.run_id}: [{self.start_id}, …)"
