"""The credit archive (电力用户信用档案): customers, accounts, events, reports, other information.

Over 500 lines: the models of one app stay in one module, as Django expects, so that its migrations, its
admin and the constraints between its models read them together.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from archives import validation, vocabulary
from credit_portal.claims import lease_expired
from credit_portal.decisions import TwoPersonDecision, decider_field
from credit_portal.personal_data import EncryptedTextField


def private_upload_to(instance: models.Model, filename: str) -> str:
    """A server-chosen name under the model's folder; the client's filename is never used."""
    suffix = PurePath(filename).suffix.lower()
    folder = instance._meta.model_name
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


class PaymentMethod(models.TextChoices):
    PREPAID = "prepaid", "预存（预付费）"
    POSTPAID = "postpaid", "后付费"


class VoltageLevel(models.TextChoices):
    V220 = "0.22kV", "220伏"
    V400 = "0.4kV", "380伏/0.4千伏"
    KV10 = "10kV", "10千伏"
    KV20 = "20kV", "20千伏"
    KV35 = "35kV", "35千伏"
    KV110 = "110kV", "110千伏"
    KV220 = "220kV", "220千伏"


EVENT_TYPE_CHOICES = [(code, event_type.label) for code, event_type in vocabulary.EVENT_TYPES.items()]
# One column holds both severity scales (facility damage: minor/serious; dishonesty: general/serious);
# each event type admits only its own values (see vocabulary.EVENT_TYPES).
SEVERITY_CHOICES = [("minor", "情节较轻"), ("general", "一般"), ("serious", "较重")]
#: 失信信息类别 (信用修复管理办法): declared with their periods in ``vocabulary.PUBLICATION_CLASSES``.
DISHONESTY_CLASS_CHOICES = list(vocabulary.DISHONESTY_CLASS_LABELS.items())
IDENTITY_TYPE_CHOICES = list(validation.IDENTITY_DOCUMENT_TYPES.items())


class Customer(models.Model):
    """A legal-entity electricity customer (社会法人), identified by its USCC."""

    #: What a customer's card shows, in order: the API's serializer and the export's columns.
    CARD_FIELDS = (
        "uscc",
        "name",
        "legal_representative",
        "legal_representative_id_type",
        "legal_representative_id_number",
        "contact_person",
        "contact_phone",
        "address",
        "industry",
    )

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("名称", max_length=200)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    # 实名制信息: the legal representative's identity document, the number encrypted and shown masked.
    legal_representative_id_type = models.CharField(
        "法定代表人证件类型", max_length=20, choices=IDENTITY_TYPE_CHOICES, blank=True
    )
    legal_representative_id_number = EncryptedTextField("法定代表人证件号码", blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=255, blank=True)
    industry = models.CharField("行业", max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "电力用户"
        verbose_name_plural = "电力用户"
        ordering = ["name", "id"]
        # The list's ordering. USCC prefixes (LIKE 'x%') use the varchar_pattern_ops index PostgreSQL gets
        # with the unique one (…_uscc_…_like); the name search's trigram index is PostgreSQL's alone:
        # migration 0004 adds it there.
        indexes = [models.Index(fields=["name", "id"], name="customer_name_id")]
        permissions = [
            ("view_all_archives", "查看全部信用档案"),
            ("manage_archives", "维护信用档案"),
            ("view_contact_details", "查看完整联系方式"),
            ("view_identity_documents", "查看完整证件号码（留痕）"),
            ("import_archives", "从营销系统导入档案"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise a number, not enough to call it."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


class PersonalDataAccess(models.Model):
    """One look at a full identity number (查看完整证件号码): who, when, whose, and why; never the number."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="查看人"
    )
    at = models.DateTimeField("查看时间", auto_now_add=True, db_index=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="企业档案"
    )
    subject = models.CharField("查看对象", max_length=200)
    purpose = models.CharField("用途", max_length=200)

    class Meta:
        verbose_name = "证件号码查看记录"
        verbose_name_plural = "证件号码查看记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} 查看 {self.subject}"


class ElectricityAccount(models.Model):
    """An electricity account (户号) of a customer."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="accounts", verbose_name="用户")
    number = models.CharField("户号", max_length=20, unique=True)
    opened_on = models.DateField("立户日期")
    payment_method = models.CharField("交费方式", max_length=10, choices=PaymentMethod.choices)
    arrears_since = models.DateField("欠费起始日", null=True, blank=True)
    voltage_level = models.CharField("电压等级", max_length=10, choices=VoltageLevel.choices)
    capacity_kva = models.DecimalField("容量（千伏安）", max_digits=10, decimal_places=2)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "用电户号"
        verbose_name_plural = "用电户号"
        ordering = ["customer_id", "number"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity_kva__gte=0), name="account_capacity_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number


class EventSource(models.TextChoices):
    STAFF = "staff", "工作人员录入"
    IMPORT = "import", "营销系统导入"
    API = "api", "接口"


class EventStatus(models.TextChoices):
    IN_FORCE = "in_force", "有效"
    REVOKED = "revoked", "已撤销"


class CreditEvent(models.Model):
    """A dishonesty record (失信行为信息). Never edited or deleted: only revoked, with approval."""

    # No index of its own: ``event_customer_facts`` below leads with the customer.
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="events", verbose_name="用户", db_index=False
    )
    type = models.CharField("失信行为类型", max_length=40, choices=EVENT_TYPE_CHOICES)
    occurred_on = models.DateField("发生日期")
    amount_yuan = models.DecimalField("窃电金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    voltage_kv = models.DecimalField("停电电压等级（千伏）", max_digits=7, decimal_places=2, null=True, blank=True)
    severity = models.CharField("情节/严重程度", max_length=10, choices=SEVERITY_CHOICES, blank=True)
    description = models.TextField("情况说明", blank=True)
    evidence = models.FileField("证据材料", upload_to=private_upload_to, blank=True)
    source = models.CharField("来源", max_length=10, choices=EventSource.choices, default=EventSource.STAFF)
    status = models.CharField("状态", max_length=10, choices=EventStatus.choices, default=EventStatus.IN_FORCE)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("认定时间", auto_now_add=True)
    # The import that wrote it (source "import"): its notices name exactly that job's records.
    import_job = models.ForeignKey(
        "ImportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="events", verbose_name="导入任务",
        db_index=False,
    )  # fmt: skip
    # Fixed at the finding (认定日期 = recorded_at's local date) with the rule set in force then
    # (``archives.publication``): a later rule set does not re-class a record.
    dishonesty_class = models.CharField("失信信息类别", max_length=10, choices=DISHONESTY_CLASS_CHOICES, blank=True)
    publication_shortest_until = models.DateField("最短公示期至", null=True, blank=True)
    publication_longest_until = models.DateField("最长公示期至", null=True, blank=True)
    # An approved credit repair (信用修复): the event stays in force (it was true) and counts in no
    # rating from this date; ``repair_ref`` names the decision (the commitments app's repair).
    repaired_on = models.DateField("修复日期", null=True, blank=True)
    repair_ref = models.CharField("修复决定", max_length=60, blank=True)
    # The day the enterprise was told that the longest period had passed (公示期满): told once.
    publication_expiry_told_on = models.DateField("公示期满告知日期", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "失信行为记录"
        verbose_name_plural = "失信行为记录"
        ordering = ["-occurred_on", "-id"]
        indexes = [
            # A customer's events by date, carrying every column a rating reads (``ratings.facts``): the
            # nightly run and one customer's re-rating read them from the index alone (PostgreSQL's
            # index-only scans; other databases get the plain index). bench/rerate.py, run A: the workers'
            # PostgreSQL CPU per 25,000-customer range 1.86 → 1.52 s.
            models.Index(
                fields=["customer", "occurred_on"],
                include=["id", "type", "status", "amount_yuan", "voltage_kv", "severity", "repaired_on"],
                name="event_customer_facts",
            ),
            models.Index(fields=["import_job"], name="event_import_job", condition=Q(import_job__isnull=False)),
            # The nightly 公示期满 run reads the untold records in force by the end of their longest period.
            models.Index(
                fields=["publication_longest_until"],
                name="event_publication_untold",
                condition=Q(publication_expiry_told_on__isnull=True, status="in_force"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_yuan__isnull=True) | Q(amount_yuan__gte=0), name="event_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.occurred_on}"

    @property
    def in_force(self) -> bool:
        return self.status == EventStatus.IN_FORCE

    @property
    def found_on(self):
        """认定日期: the day the event was recorded, in the portal's time zone."""
        return timezone.localdate(self.recorded_at) if self.recorded_at else None

    @property
    def repaired(self) -> bool:
        return self.repaired_on is not None

    @property
    def publication_class(self) -> vocabulary.PublicationClass | None:
        return vocabulary.PUBLICATION_CLASSES.get(self.dishonesty_class)

    @property
    def publication_status_label(self) -> str:
        """有效/异议中/已修复/公示期满/已撤销, from ``selectors.events_with_publication_status``'s annotation."""
        return vocabulary.PUBLICATION_STATUS_LABELS.get(getattr(self, "publication_status", ""), "")

    @property
    def repair_open_on(self):
        """The first day the portal may repair it (None: repaired at its source, or not classed)."""
        if not self.dishonesty_class or self.found_on is None:
            return None
        return vocabulary.repair_open_on(self.dishonesty_class, self.found_on)

    @property
    def attribute_display(self) -> str:
        if self.amount_yuan is not None:
            return f"金额 {self.amount_yuan:,.2f} 元"
        if self.voltage_kv is not None:
            return f"{self.voltage_kv.normalize():f} 千伏"
        if self.severity:
            attribute = vocabulary.EVENT_TYPES[self.type].attribute
            return dict(attribute.choices).get(self.severity, self.severity) if attribute else self.severity
        return ""


class RevocationStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "已驳回"


class EventRevocation(TwoPersonDecision):
    """A request to revoke an event; a supervisor other than the requester decides it."""

    event = models.ForeignKey(CreditEvent, on_delete=models.PROTECT, related_name="revocations", verbose_name="记录")
    reason = models.TextField("撤销理由")
    status = models.CharField("状态", max_length=10, choices=RevocationStatus.choices, default=RevocationStatus.PENDING)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "撤销申请"
        verbose_name_plural = "撤销申请"
        ordering = ["-requested_at"]
        permissions = [
            ("request_revocation", "申请撤销失信记录"),
            ("approve_revocation", "审批撤销失信记录"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(status="pending"), name="one_pending_revocation_per_event"
            ),
            models.UniqueConstraint(
                fields=["event"], condition=Q(status="approved"), name="one_approved_revocation_per_event"
            ),
        ]

    def __str__(self) -> str:
        return f"撤销申请 #{self.pk}（{self.get_status_display()}）"


class ReportStatus(models.TextChoices):
    PENDING = "pending", "待核验"
    VERIFIED = "verified", "已核验"
    REJECTED = "rejected", "已退回"


class ReportRefusal(models.TextChoices):
    UNREADABLE = "unreadable", "文件无法辨认"
    WRONG_ENTERPRISE = "wrong_enterprise", "不是本企业的报告"
    NOT_OFFICIAL = "not_official", "不是正式的公共信用信息查询报告"


class PublicCreditReport(models.Model):
    """江苏省法人公共信用信息查询报告: counts for the rating once staff have verified it."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="reports", verbose_name="用户")
    issued_on = models.DateField("报告日期")
    shows_dishonesty = models.BooleanField("显示失信行为", null=True, blank=True)
    file = models.FileField("报告文件", upload_to=private_upload_to)
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    verified_by = decider_field("核验人")
    verified_at = models.DateTimeField("核验时间", null=True, blank=True)
    note = models.TextField("核验说明", blank=True)
    refusal = models.CharField("退回原因", max_length=20, choices=ReportRefusal.choices, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "公共信用信息查询报告"
        verbose_name_plural = "公共信用信息查询报告"
        ordering = ["-issued_on", "-id"]
        permissions = [("verify_publiccreditreport", "核验公共信用报告")]
        indexes = [
            # The verification queue and the number beside it on every staff page (bench/pages.py):
            # the few pending reports, not a scan of every report ever uploaded.
            models.Index(fields=["uploaded_at"], condition=Q(status="pending"), name="report_pending_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="verified") | Q(shows_dishonesty__isnull=False),
                name="verified_report_states_dishonesty",
            ),
        ]

    def __str__(self) -> str:
        return f"公共信用报告 {self.issued_on}（{self.get_status_display()}）"


class CreditInformationKind(models.TextChoices):
    COMMENDATION = "commendation", "表彰评优"
    NOTE = "note", "其他信用信息"


class CreditInformation(models.Model):
    """Other credit information: commendations (表彰评优) and notes, from staff or the DRC."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="credit_information", verbose_name="用户"
    )
    kind = models.CharField("类别", max_length=20, choices=CreditInformationKind.choices)
    title = models.CharField("标题", max_length=200)
    description = models.TextField("内容", blank=True)
    occurred_on = models.DateField("日期")
    issuing_body = models.CharField("认定单位", max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "其他信用信息"
        verbose_name_plural = "其他信用信息"
        ordering = ["-occurred_on", "-id"]
        # Who records a commendation without the staff's right to all credit information: the DRC.
        permissions = [("record_commendation", "录入表彰评优等其他信用信息（发改委）")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"


class Membership(models.Model):
    """Binds an enterprise user (applicant) to the customer it acts for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name="用户账号"
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="members", verbose_name="企业")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = decider_field("确认人")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "企业账号绑定"
        verbose_name_plural = "企业账号绑定"

    def __str__(self) -> str:
        return f"{self.user} → {self.customer}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", "用户档案"
    ACCOUNTS = "accounts", "用电户号（含欠费）"
    EVENTS = "events", "失信行为记录"


class ImportStatus(models.TextChoices):
    INVALID = "invalid", "有错误，未导入"
    READY = "ready", "校验通过，待导入"
    RUNNING = "running", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ImportJob(models.Model):
    """One uploaded file from the marketing system, its preview and its progress."""

    kind = models.CharField("类型", max_length=10, choices=ImportKind.choices)
    file = models.FileField("文件", upload_to=private_upload_to)
    original_name = models.CharField("原文件名", max_length=255)
    status = models.CharField("状态", max_length=10, choices=ImportStatus.choices)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理行数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    summary = models.JSONField("结果", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # The running import's heartbeat: renewed with every batch; once it has run out, the worker is gone.
    lease_until = models.DateTimeField("心跳有效至", null=True, blank=True)
    # When staff started it (or the sweeper queued it again): a start the broker never delivered is
    # told apart from a job nobody started, and queued again by the jobs sweeper.
    queued_at = models.DateTimeField("排队时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def stalled(self) -> bool:
        """Running, but its worker stopped beating (killed): it may be taken over and resumed."""
        return self.status == ImportStatus.RUNNING and lease_expired(self.lease_until)

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)


class FileJobStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "正在生成"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class FileJob(models.Model):
    """A file built by a Celery worker for one staff member (letters to print, an XLSX export).

    The request only records what is wanted; the worker writes the file under the private storage
    root, reporting progress, and the page offers a permission-checked download link when done.
    """

    kind = models.CharField("类型", max_length=30)
    title = models.CharField("名称", max_length=100)
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=FileJobStatus.choices, default=FileJobStatus.PENDING)
    total = models.PositiveIntegerField("总数", default=0)
    done = models.PositiveIntegerField("已完成", default=0)
    file = models.FileField("文件", upload_to="filejob/", blank=True)
    download_name = models.CharField("下载文件名", max_length=120, blank=True)
    error = models.TextField("错误", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # When its task was last handed to the broker: a pending job quiet for long was never delivered.
    queued_at = models.DateTimeField("排队时间", default=timezone.now)
    # The running build's claim (credit_portal.claims): its worker renews the lease while it works and
    # writes only under its own token; a lease run out means the worker died and the job is taken again.
    claim_token = models.UUIDField("占用标识", null=True, blank=True)
    lease_until = models.DateTimeField("心跳有效至", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最后心跳", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)

    class Meta:
        verbose_name = "后台生成文件"
        verbose_name_plural = "后台生成文件"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def progress_percent(self) -> int:
        if not self.total:
            return 100 if self.status == FileJobStatus.DONE else 0
        return min(100, self.done * 100 // self.total)

    @property
    def finished(self) -> bool:
        return self.status in (FileJobStatus.DONE, FileJobStatus.FAILED)

    @property
    def stalled(self) -> bool:
        """Running, but its worker stopped beating (killed): the sweeper hands it to another worker."""
        return self.status == FileJobStatus.RUNNING and lease_expired(self.lease_until)
