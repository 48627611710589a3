"""The daily report to the DRC (报送): one row per date, and every attempt to push it.

The row is the claim: its unique date makes a second build of the same day a no-op, and its
lease (`claim_token`, `lease_until`) says which build may publish. Files live in a folder under the
private storage root that the row points to; a report is visible only once the row says `ready`.
"""

from django.db import models
from django.db.models import Q


class DrcReportStatus(models.TextChoices):
    BUILDING = "building", "生成中"
    READY = "ready", "已生成"
    FAILED = "failed", "生成失败"


class PushStatus(models.TextChoices):
    NONE = "", "未配置推送"
    PENDING = "pending", "待推送"
    SENDING = "sending", "推送中"
    PUSHED = "pushed", "已推送"
    FAILED = "failed", "推送失败"


class DrcReport(models.Model):
    """The full (全量) report of one date: commitments, archives and events, as CSV, XLSX and manifest."""

    report_date = models.DateField("报送日期", unique=True)
    status = models.CharField("状态", max_length=10, choices=DrcReportStatus.choices, default=DrcReportStatus.BUILDING)
    # Relative to the report root: "<date>/<build id>"; empty until the first build is published.
    folder = models.CharField("存储目录", max_length=200, blank=True)
    counts = models.JSONField("记录数", default=dict, blank=True)
    checksums = models.JSONField("SHA-256", default=dict, blank=True)
    sizes = models.JSONField("文件大小（字节）", default=dict, blank=True)
    generated_at = models.DateTimeField("生成时间", null=True, blank=True)
    build_seconds = models.FloatField("生成耗时（秒）", null=True, blank=True)
    builds = models.PositiveIntegerField("生成次数", default=0)
    # The build in progress, if any: only the holder of the token may publish.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField("占用至", null=True, blank=True)
    build_started_at = models.DateTimeField("开始生成", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    failed_at = models.DateTimeField("失败时间", null=True, blank=True)
    push_status = models.CharField(
        "推送状态", max_length=10, choices=PushStatus.choices, default=PushStatus.NONE, blank=True
    )
    push_attempts = models.PositiveSmallIntegerField("本次推送尝试次数", default=0)
    push_lease_until = models.DateTimeField("推送占用至", null=True, blank=True)
    pushed_at = models.DateTimeField("推送成功时间", null=True, blank=True)

    class Meta:
        db_table = "notifications_drcreport"  # the table it had before the DRC became an app of its own
        verbose_name = "发改委报送文件"
        verbose_name_plural = "发改委报送文件"
        ordering = ["-report_date"]
        permissions = [
            ("build_drcreport", "立即生成当日报送文件（营业厅）"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(status="ready") | ~Q(folder=""), name="ready_drc_report_has_folder"),
        ]

    def __str__(self) -> str:
        return f"报送文件 {self.report_date}（{self.get_status_display()}）"

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values()) if self.counts else 0


class PushOutcome(models.TextChoices):
    SENDING = "sending", "推送中"
    SUCCEEDED = "succeeded", "成功"
    FAILED = "failed", "失败"


class DrcReportPush(models.Model):
    """One attempt to upload a report to the configured target, as it went."""

    report = models.ForeignKey(DrcReport, on_delete=models.CASCADE, related_name="pushes", verbose_name="报送文件")
    attempt = models.PositiveSmallIntegerField("第几次")
    target = models.CharField("推送地址", max_length=500)
    archive_sha256 = models.CharField("压缩包 SHA-256", max_length=64, blank=True)
    bytes_sent = models.BigIntegerField("字节数", default=0)
    outcome = models.CharField("结果", max_length=10, choices=PushOutcome.choices, default=PushOutcome.SENDING)
    http_status = models.PositiveSmallIntegerField("HTTP 状态", null=True, blank=True)
    response_excerpt = models.TextField("应答摘要", blank=True)
    error = models.TextField("错误", blank=True)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        db_table = "notifications_drcreportpush"
        verbose_name = "报送推送记录"
        verbose_name_plural = "报送推送记录"
        ordering = ["report", "attempt", "id"]

    def __str__(self) -> str:
        return f"{self.report.report_date} 第{self.attempt}次推送（{self.get_outcome_display()}）"
