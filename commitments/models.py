"""The enterprise side of the portal: registrations, commitment letters (信用承诺书, plan Annex 2),
power applications (用电申请) with the no-property route and the green channel, value-added service
requests, and objections (异议) to the records of an archive.

Every model keeps its audit history (django-simple-history); the services write it with the acting user.

Over 500 lines: the models of one app stay in one module, as Django expects, so that its migrations, its
admin and the constraints between its models read them together.
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from archives.models import (
    IDENTITY_TYPE_CHOICES,
    CreditEvent,
    Customer,
    ElectricityAccount,
    EventRevocation,
    PublicCreditReport,
    private_upload_to,
)
from credit_portal.decisions import TwoPersonDecision, decider_field
from credit_portal.personal_data import EncryptedTextField
from ratings import consequences
from ratings.models import LEVEL_CHOICES, LevelOverride


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "未通过"


class EnterpriseRegistration(models.Model):
    """What an enterprise user entered when registering, so staff can check it before confirming."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enterprise_registration",
        verbose_name="用户账号",
    )  # fmt: skip
    # Empty until staff confirm when no archive had this USCC: a registration opens no archive by itself.
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="registrations",
        verbose_name="企业档案",
    )  # fmt: skip
    uscc = models.CharField("填报的统一社会信用代码", max_length=18, db_index=True)
    enterprise_name = models.CharField("填报的企业名称", max_length=200)
    contact_person = models.CharField("联系人", max_length=50)
    phone = models.CharField("手机号", max_length=20)
    # 实名制信息 of the person who registered: the number encrypted, shown masked but to staff verifying.
    id_type = models.CharField("证件类型", max_length=20, choices=IDENTITY_TYPE_CHOICES, blank=True)
    id_number = EncryptedTextField("证件号码", blank=True)
    created_customer = models.BooleanField("确认时新建档案", default=False)
    # Set when staff give a temporary password at the hall: the user must choose their own at next sign-in.
    password_change_required = models.BooleanField("须修改临时密码", default=False)
    status = models.CharField(
        "状态", max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    created_at = models.DateTimeField("注册时间", auto_now_add=True)
    decided_by = decider_field("确认人")
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    decision_note = models.TextField("说明", blank=True)
    # The user closed its account (注销); its personal data here was anonymised then (or by the nightly
    # retention job, for a registration refused or abandoned past its retention period).
    closed_at = models.DateTimeField("注销时间", null=True, blank=True)
    anonymised_at = models.DateTimeField("个人信息匿名化时间", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "企业用户注册"
        verbose_name_plural = "企业用户注册"
        ordering = ["-created_at", "-id"]
        permissions = [("confirm_enterpriseregistration", "确认企业账号绑定")]
        # The queue and the navigation's count read only what waits (credit_portal.navigation).
        indexes = [models.Index(fields=["created_at"], condition=Q(status="pending"), name="registration_pending")]

    def __str__(self) -> str:
        return f"{self.enterprise_name}（{self.phone}）"

    @property
    def name_differs(self) -> bool:
        return self.customer is not None and self.enterprise_name.strip() != self.customer.name.strip()


class PrivacyConsent(models.Model):
    """A registrant's consent to the processing notice (个人信息处理告知书): which version, when.

    The text of each version is kept as its template (commitments.privacy); its SHA-256 as shown is here."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="privacy_consents", verbose_name="用户账号"
    )
    notice_version = models.CharField("告知书版本", max_length=20)
    notice_sha256 = models.CharField("告知书摘要（SHA-256）", max_length=64)
    consented_at = models.DateTimeField("同意时间")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "个人信息处理同意记录"
        verbose_name_plural = "个人信息处理同意记录"
        ordering = ["-consented_at", "-id"]

    def __str__(self) -> str:
        return f"同意告知书第{self.notice_version}版（{self.consented_at:%Y-%m-%d %H:%M}）"


class LetterStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    ACCEPTED = "accepted", "已受理"
    REJECTED = "rejected", "已退回"


class CommitmentType(models.TextChoices):
    # A letter that stands in for property documents (DESIGN.md, commitments.csv 承诺类型).
    CERTIFICATION = "certification", "证明事项型"
    # The 信用修复承诺书 of an approved credit repair, published once the repair is approved (format v3).
    REPAIR = "repair", "信用修复型"


class Fulfilment(models.TextChoices):
    FULL = "full", "全部履行"
    PARTIAL = "partial", "部分履行"
    NONE = "none", "全部未履行"


class CommitmentLetter(models.Model):
    """A signed and stamped 信用承诺书; once accepted it has its 承诺编码 and is published (clause 5)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="commitment_letters", verbose_name="企业"
    )
    commitment_type = models.CharField(
        "承诺类型", max_length=20, choices=CommitmentType.choices, default=CommitmentType.CERTIFICATION
    )
    committed_on = models.DateField("承诺作出日期")
    file = models.FileField("签章的承诺书", upload_to=private_upload_to)
    status = models.CharField("状态", max_length=10, choices=LetterStatus.choices, default=LetterStatus.PENDING)
    code = models.CharField("承诺编码", max_length=20, unique=True, null=True, blank=True)
    valid_until = models.DateField("承诺有效期至", null=True, blank=True, help_text="留空表示长期有效")
    # Blank until the letter is accepted: a letter under review has nothing to keep yet.
    fulfilment = models.CharField("承诺履行状态", max_length=10, choices=Fulfilment.choices, blank=True, default="")
    unfulfilled_content = models.TextField("未履行的承诺内容", blank=True)
    liability_pursued = models.TextField("违诺责任追究内容", blank=True)
    # The in-force event that broke the promise of clause 三 while the letter was in force (违诺).
    breach_event = models.ForeignKey(
        CreditEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="违诺的失信行为"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    decided_by = decider_field("审核人")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.TextField("审核意见", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "信用承诺书"
        verbose_name_plural = "信用承诺书"
        ordering = ["-uploaded_at", "-id"]
        permissions = [
            ("review_commitmentletter", "审核信用承诺书"),
            ("upload_report_for_enterprise", "代企业上传公共信用信息查询报告"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(code__isnull=False), name="accepted_letter_has_code"
            ),
        ]
        indexes = [models.Index(fields=["uploaded_at"], condition=Q(status="pending"), name="letter_pending")]

    def __str__(self) -> str:
        return f"信用承诺书 {self.code or '#' + str(self.pk)}（{self.customer.name}）"

    @property
    def breached(self) -> bool:
        return self.breach_event_id is not None


class ApplicationKind(models.TextChoices):
    NEW_CONNECTION = "new_connection", "新装"
    CAPACITY_INCREASE = "capacity_increase", "增容"
    TEMPORARY = "temporary", "临时用电"


class ApplicationRoute(models.TextChoices):
    PROPERTY = "property", "产权证明"
    NO_PROPERTY = "no_property", "信用承诺代替产权证明"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    ACCEPTED = "accepted", "已受理"
    SURVEYING = "surveying", "现场勘查"
    CONNECTING = "connecting", "装表接电"
    DONE = "done", "已完成"
    REJECTED = "rejected", "已退回"


class HandledRequest(models.Model):
    """What power applications and service requests share: a customer, a status, its timestamps."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+", verbose_name="企业")
    status = models.CharField(
        "状态", max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED, db_index=True
    )
    # The level in force when the request came in: the green channel is judged against it.
    level_at_submission = models.CharField("提交时信用等级", max_length=10, choices=LEVEL_CHOICES, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提交人"
    )
    submitted_at = models.DateTimeField("提交时间", db_index=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    rejected_at = models.DateTimeField("退回时间", null=True, blank=True)
    rejection_reason = models.TextField("退回原因", blank=True)
    handled_by = decider_field("经办人")

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status not in (ApplicationStatus.DONE, ApplicationStatus.REJECTED)

    @property
    def level_now(self) -> str:
        """The customer's level in force now ("" before its first rating)."""
        try:
            return self.customer.rating.level
        except ObjectDoesNotExist:
            return ""

    @property
    def priority_lost(self) -> str:
        """Why a request that came in through the green channel is no longer ahead in the queue ("" if not)."""
        was = consequences.grants(self.level_at_submission, consequences.GREEN_CHANNEL)
        if not was or consequences.grants(self.level_now, consequences.GREEN_CHANNEL):
            return ""
        before = consequences.terms_for(self.level_at_submission).label
        now = consequences.terms_for(self.level_now).label
        return f"提交时为{before}（诚信客户，绿色通道），现为{now}，已不再优先受理"


class PowerApplication(HandledRequest):
    """A request for a new connection, a capacity increase or temporary supply."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="power_applications", verbose_name="企业"
    )
    kind = models.CharField("申请类型", max_length=20, choices=ApplicationKind.choices)
    address = models.CharField("用电地址", max_length=255)
    capacity_kva = models.DecimalField("申请容量（千伏安）", max_digits=10, decimal_places=2)
    requested_on = models.DateField("期望接电日期")
    route = models.CharField("申请方式", max_length=12, choices=ApplicationRoute.choices)
    property_document = models.FileField("产权证明材料", upload_to=private_upload_to, blank=True)
    other_document = models.FileField("其他材料", upload_to=private_upload_to, blank=True)
    report = models.ForeignKey(
        PublicCreditReport, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="公共信用信息查询报告",
    )  # fmt: skip
    letter = models.ForeignKey(
        CommitmentLetter, on_delete=models.PROTECT, null=True, blank=True, related_name="applications",
        verbose_name="信用承诺书",
    )  # fmt: skip
    surveying_at = models.DateTimeField("勘查时间", null=True, blank=True)
    connecting_at = models.DateTimeField("接电开始时间", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "用电申请"
        verbose_name_plural = "用电申请"
        ordering = ["-submitted_at", "-id"]
        permissions = [("handle_powerapplication", "受理用电申请")]
        indexes = [
            models.Index(
                fields=["submitted_at"], condition=~Q(status__in=["done", "rejected"]), name="application_open"
            )
        ]
        constraints = [
            models.CheckConstraint(condition=Q(capacity_kva__gt=0), name="application_capacity_positive"),
            models.CheckConstraint(
                condition=Q(route="property") | (Q(report__isnull=False) & Q(letter__isnull=False)),
                name="no_property_application_has_report_and_letter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}申请 #{self.pk}（{self.customer.name}）"


#: The plan's value-added services, as declared in the level table (ratings.consequences.SERVICES).
ServiceKind = models.TextChoices(
    "ServiceKind", [(code.upper(), (code, label)) for code, label in consequences.SERVICES]
)


class ServiceStatus(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    ACCEPTED = "accepted", "已受理"
    DONE = "done", "已完成"
    REJECTED = "rejected", "已退回"


class ValueAddedServiceRequest(HandledRequest):
    """An honest customer's request for one of the plan's value-added services (用能服务)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="service_requests", verbose_name="企业"
    )
    status = models.CharField(
        "状态", max_length=12, choices=ServiceStatus.choices, default=ServiceStatus.SUBMITTED, db_index=True
    )
    service = models.CharField("服务项目", max_length=30, choices=ServiceKind.choices)
    description = models.TextField("需求说明", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "增值服务申请"
        verbose_name_plural = "增值服务申请"
        ordering = ["-submitted_at", "-id"]
        permissions = [("handle_valueaddedservicerequest", "受理增值服务申请")]
        indexes = [
            models.Index(fields=["submitted_at"], condition=~Q(status__in=["done", "rejected"]), name="service_open")
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} #{self.pk}（{self.customer.name}）"


class ObjectionStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审查"
    REVIEWED = "reviewed", "已审查，待班组长决定"
    UPHELD = "upheld", "异议成立"
    REFUSED = "refused", "异议不成立"


#: The statuses of an objection not yet decided: its record is shown and shared as 异议中.
OPEN_OBJECTION_STATUSES = (ObjectionStatus.SUBMITTED, ObjectionStatus.REVIEWED)


class ObjectionSubject(models.TextChoices):
    """What an objection disputes (DESIGN.md: an event, the arrears date, a refused report, the level in force)."""

    EVENT = "event", "失信记录"
    ARREARS = "arrears", "欠费起始日"
    REPORT = "report", "被退回的公共信用报告"
    LEVEL = "level", "现行信用等级"


#: What an upheld objection does, by subject: the outcome the enterprise reads.
UPHELD_OUTCOMES = {
    ObjectionSubject.EVENT: "异议成立，记录已撤销",
    ObjectionSubject.ARREARS: "异议成立，欠费起始日已更正",
    ObjectionSubject.REPORT: "异议成立，报告已重新核验",
    ObjectionSubject.LEVEL: "异议成立，所涉事实已更正",
}


class ObjectionChannel(models.TextChoices):
    ONLINE = "online", "企业网上提出"
    # Staff record the enterprise's signed paper objection with its scan; it is the enterprise's own.
    COUNTER = "counter", "营业厅代为登记（书面异议）"


class Recommendation(models.TextChoices):
    UPHOLD = "uphold", "建议异议成立，撤销或更正该记录"
    REFUSE = "refuse", "建议维持该记录"


class Objection(models.Model):
    """An enterprise disputes a record of its archive; staff review, a supervisor decides.

    The subject is an event, an account's arrears date, a refused public credit report, or the level in
    force, which names the facts it disputes (events in ``disputed_events``, an account, a report).
    ``disputed_events`` lists every event the objection marks 异议中 (for an event objection: its event).
    For an event the review files an ``EventRevocation`` in the reviewer's name and the decision is
    ``revocation_decide`` on it; for the arrears date and a report the review proposes the correction
    and the decision applies it through the archive's services (which re-rate the customer).
    """

    subject = models.CharField(
        "异议事项", max_length=10, choices=ObjectionSubject.choices, default=ObjectionSubject.EVENT
    )
    event = models.ForeignKey(
        CreditEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="objections", verbose_name="失信记录"
    )
    account = models.ForeignKey(
        ElectricityAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="objections",
        verbose_name="欠费户号",
    )  # fmt: skip
    report = models.ForeignKey(
        PublicCreditReport, on_delete=models.PROTECT, null=True, blank=True, related_name="objections",
        verbose_name="公共信用报告",
    )  # fmt: skip
    disputed_events = models.ManyToManyField(
        CreditEvent, blank=True, related_name="disputing_objections", verbose_name="异议涉及的失信记录"
    )
    disputed_level = models.CharField("异议时的信用等级", max_length=10, choices=LEVEL_CHOICES, blank=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="objections", verbose_name="企业")
    reason = models.TextField("异议理由")
    evidence = models.FileField("证据材料", upload_to=private_upload_to, blank=True)
    channel = models.CharField(
        "提出方式", max_length=10, choices=ObjectionChannel.choices, default=ObjectionChannel.ONLINE
    )
    letter = models.FileField("书面异议（扫描件）", upload_to=private_upload_to, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.SUBMITTED, db_index=True
    )
    # The enterprise user, or the staff member who recorded its paper objection at the counter.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提出人"
    )
    submitted_at = models.DateTimeField("提出时间", auto_now_add=True)
    reviewed_by = decider_field("审查人")
    reviewed_at = models.DateTimeField("审查时间", null=True, blank=True)
    recommendation = models.CharField("审查建议", max_length=10, choices=Recommendation.choices, blank=True)
    review_note = models.TextField("审查意见", blank=True)
    # The corrections the review proposes and an upheld decision applies (arrears date; report result).
    corrected_arrears_since = models.DateField("更正后的欠费起始日", null=True, blank=True)
    corrected_shows_dishonesty = models.BooleanField("复核：报告显示失信行为", null=True, blank=True)
    revocation = models.OneToOneField(
        EventRevocation, on_delete=models.PROTECT, null=True, blank=True, related_name="objection",
        verbose_name="撤销申请",
    )  # fmt: skip
    # A level objection's revocations of the events it names, filed by the review.
    revocations = models.ManyToManyField(
        EventRevocation, blank=True, related_name="level_objections", verbose_name="所涉记录的撤销申请"
    )
    # The manual override a level objection rests on (its reason names ``reference``): the override
    # that raises a level names the objection, repair or court decision it rests on.
    override = models.ForeignKey(
        LevelOverride, on_delete=models.PROTECT, null=True, blank=True, related_name="objections",
        verbose_name="依据本异议的人工调整",
    )  # fmt: skip
    decided_by = decider_field("决定人")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision_note = models.TextField("决定意见", blank=True)
    # Counted in working days of the official calendar from submission (OBJECTION_REPLY_WORKING_DAYS).
    reply_due_on = models.DateField("答复期限", null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[disputed_events, revocations])  # which records, which revocations

    class Meta:
        verbose_name = "异议"
        verbose_name_plural = "异议"
        ordering = ["-submitted_at", "-id"]
        permissions = [
            ("review_objection", "审查异议"),
            ("decide_objection", "决定异议"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(status__in=["submitted", "reviewed"]), name="one_open_objection_per_event"
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=["submitted", "reviewed"], subject="arrears"),
                name="one_open_arrears_objection_per_account",
            ),
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(status__in=["submitted", "reviewed"], subject="report"),
                name="one_open_objection_per_report",
            ),
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status__in=["submitted", "reviewed"], subject="level"),
                name="one_open_level_objection_per_customer",
            ),
            # Each subject names its own record; a level objection names facts (events, account, report).
            models.CheckConstraint(
                condition=(
                    Q(subject="event", event__isnull=False, account__isnull=True, report__isnull=True)
                    | Q(subject="arrears", event__isnull=True, account__isnull=False, report__isnull=True)
                    | Q(subject="report", event__isnull=True, account__isnull=True, report__isnull=False)
                    | Q(subject="level", event__isnull=True)
                ),
                name="objection_subject_names_its_record",
            ),
        ]

    def __str__(self) -> str:
        return f"异议 #{self.pk}（{self.customer.name}）"

    @property
    def reference(self) -> str:
        """How an override or a letter names this objection."""
        return f"异议 #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_OBJECTION_STATUSES

    @property
    def at_counter(self) -> bool:
        return self.channel == ObjectionChannel.COUNTER

    @property
    def effective_status(self) -> str:
        """The status, also when the linked revocation was decided from the archive's revocation page."""
        if self.status == ObjectionStatus.REVIEWED and self.revocation is not None:
            if self.revocation.status == "approved":
                return ObjectionStatus.UPHELD
            if self.revocation.status == "refused":
                return ObjectionStatus.REFUSED
        return self.status

    @property
    def effective_status_label(self) -> str:
        status = self.effective_status
        if status == ObjectionStatus.UPHELD:
            return UPHELD_OUTCOMES[self.subject]
        return ObjectionStatus(status).label

    @property
    def record_label(self) -> str:
        """The disputed record in words: 失信记录：窃电（2025-04-10）, 欠费起始日：户号 … and so on."""
        if self.subject == ObjectionSubject.EVENT:
            return f"失信记录：{self.event.get_type_display()}（{self.event.occurred_on:%Y-%m-%d}）"
        if self.subject == ObjectionSubject.ARREARS:
            return f"欠费起始日：户号 {self.account.number}（{_date_or_none(self.account.arrears_since)}）"
        if self.subject == ObjectionSubject.REPORT:
            return f"公共信用报告（{self.report.issued_on:%Y-%m-%d}，已退回）"
        return f"现行信用等级{_level_words(self.disputed_level)}：{'；'.join(self.facts_labels) or '—'}"

    @property
    def facts_labels(self) -> list[str]:
        """The facts a level objection disputes, in words (its events, arrears date, report)."""
        facts = [
            f"失信记录 {event.get_type_display()}（{event.occurred_on:%Y-%m-%d}）"
            for event in self.disputed_events.all()
        ]
        if self.account_id:
            facts.append(f"户号 {self.account.number} 的欠费起始日（{_date_or_none(self.account.arrears_since)}）")
        if self.report_id:
            facts.append(f"{self.report.issued_on:%Y-%m-%d} 的公共信用报告（已退回）")
        return facts


def _date_or_none(value) -> str:
    return f"{value:%Y-%m-%d}" if value else "无欠费"


def _level_words(level: str) -> str:
    label = dict(LEVEL_CHOICES).get(level, "")
    return f"（{label}）" if label else ""


class RepairRoute(models.TextChoices):
    APPLICATION = "application", "企业申请修复"
    # 谁认定、谁修复: a `dishonesty` event is repaired by the authority that found it; staff record that.
    SOURCE = "source", "认定单位已修复（登记）"


class RepairStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审查"
    PROPOSED = "proposed", "已审查，待班组长决定"
    APPROVED = "approved", "已修复"
    REFUSED = "refused", "不予修复"


class RepairApplication(models.Model):
    """An application for credit repair (信用修复) of one event, or the record of its repair at the source.

    The enterprise (or staff at the counter, with the paper application) applies with its evidence of
    correction and a signed 信用修复承诺书; staff check and propose (`RepairProposal`), a different
    supervisor decides. An approved repair marks the event 已修复 and publishes the commitment
    (`letter`, 承诺类型 信用修复型).
    """

    event = models.ForeignKey(
        CreditEvent, on_delete=models.PROTECT, related_name="repair_applications", verbose_name="失信记录"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="repair_applications", verbose_name="企业"
    )
    route = models.CharField("修复方式", max_length=12, choices=RepairRoute.choices, default=RepairRoute.APPLICATION)
    status = models.CharField(
        "状态", max_length=10, choices=RepairStatus.choices, default=RepairStatus.SUBMITTED, db_index=True
    )
    note = models.TextField("纠正失信行为、履行义务的情况说明", blank=True)
    evidence = models.FileField("整改证明材料（缴费凭证等）", upload_to=private_upload_to)
    rectification_report = models.FileField("整改报告", upload_to=private_upload_to, blank=True)
    commitment_file = models.FileField("签章的信用修复承诺书", upload_to=private_upload_to, blank=True)
    committed_on = models.DateField("承诺作出日期", null=True, blank=True)
    paper_application = models.FileField("纸质申请书（扫描件）", upload_to=private_upload_to, blank=True)
    # A 严重 record needs a verified public credit report within its validity, taken when it applies.
    report = models.ForeignKey(
        PublicCreditReport, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="公共信用信息查询报告",
    )  # fmt: skip
    source_body = models.CharField("认定单位", max_length=100, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提交人"
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    filed_at_counter = models.BooleanField("营业厅代为登记", default=False)
    # Counted in working days of the official calendar from submission (REPAIR_DECISION_WORKING_DAYS).
    decision_due_on = models.DateField("办理期限", null=True, blank=True)
    repaired_on = models.DateField("修复日期", null=True, blank=True)
    # The signed 信用修复承诺书, published as a 信用修复型 commitment once the repair is approved.
    letter = models.OneToOneField(
        CommitmentLetter, on_delete=models.PROTECT, null=True, blank=True, related_name="repair_application",
        verbose_name="信用修复承诺",
    )  # fmt: skip

    history = HistoricalRecords()

    class Meta:
        verbose_name = "信用修复申请"
        verbose_name_plural = "信用修复申请"
        ordering = ["-submitted_at", "-id"]
        permissions = [
            ("propose_repair", "审查信用修复申请、登记认定单位的修复"),
            ("decide_repair", "决定信用修复"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(status__in=["submitted", "proposed"]), name="one_open_repair_per_event"
            ),
            models.UniqueConstraint(fields=["event"], condition=Q(status="approved"), name="one_repair_per_event"),
            models.CheckConstraint(
                condition=Q(route="source") | (~Q(commitment_file="") & Q(committed_on__isnull=False)),
                name="repair_application_has_commitment",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(repaired_on__isnull=False), name="approved_repair_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"信用修复 #{self.pk}（{self.customer.name}）"

    @property
    def is_open(self) -> bool:
        return self.status in (RepairStatus.SUBMITTED, RepairStatus.PROPOSED)


class RepairRecommendation(models.TextChoices):
    APPROVE = "approve", "建议予以修复"
    REFUSE = "refuse", "建议不予修复"


class RepairProposalStatus(models.TextChoices):
    PENDING = "pending", "待班组长决定"
    APPROVED = "approved", "予以修复"
    REFUSED = "refused", "不予修复"


class RepairProposal(TwoPersonDecision):
    """Staff's check of a repair application and their proposal; a different supervisor decides it
    (`credit_portal.decisions.two_person_decide`: the drafter never decides their own proposal)."""

    application = models.OneToOneField(
        RepairApplication, on_delete=models.PROTECT, related_name="proposal", verbose_name="信用修复申请"
    )
    reason = models.TextField("审查意见")
    recommendation = models.CharField("审查建议", max_length=10, choices=RepairRecommendation.choices)
    correction_confirmed = models.BooleanField("已核实纠正失信行为、履行相关义务", default=False)
    status = models.CharField(
        "状态", max_length=10, choices=RepairProposalStatus.choices, default=RepairProposalStatus.PENDING
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "信用修复审查意见"
        verbose_name_plural = "信用修复审查意见"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"信用修复审查意见 #{self.pk}（{self.get_status_display()}）"


class PasswordResetCode(models.Model):
    """A one-time code sent by SMS to an enterprise user's registered mobile; only its hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="用户账号"
    )
    code_hash = models.CharField("验证码摘要", max_length=128)
    created_at = models.DateTimeField("发送时间", auto_now_add=True)
    expires_at = models.DateTimeField("失效时间")
    tries = models.PositiveSmallIntegerField("尝试次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "密码重置验证码"
        verbose_name_plural = "密码重置验证码"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"密码重置验证码（{self.created_at:%Y-%m-%d %H:%M}）"


class MeasureStatus(models.TextChoices):
    OPEN = "open", "待落实"
    DONE = "done", "已落实"
    NOT_APPLICABLE = "not_applicable", "不适用"
    LIFTED = "lifted", "已解除"


class MeasureLift(models.TextChoices):
    LEVEL_RECOVERED = "level_recovered", "等级恢复，措施解除"
    REPAIRED = "repaired", "信用修复，措施解除"


#: The measures staff carry out (``ratings.consequences``: ``staff_work``), as choices.
MEASURE_CHOICES = [(measure.code, measure.label) for measure in consequences.WORK_MEASURES]


class MeasureTask(models.Model):
    """A measure for a red or black customer switched on by the utility (要求预存电费、增加用电检查频次),
    as a work item of the business hall: opened when the customer enters a level that calls it, its
    outcome recorded by staff (落实, or 不适用 with a reason), lifted when the customer leaves the level.

    At most one per customer and measure is in force (待落实 or 已落实); written by
    ``services.measures`` only."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="measure_tasks", verbose_name="用户")
    measure = models.CharField("措施", max_length=30, choices=MEASURE_CHOICES)
    level = models.CharField("启用时信用等级", max_length=10, choices=LEVEL_CHOICES)
    status = models.CharField(
        "状态", max_length=16, choices=MeasureStatus.choices, default=MeasureStatus.OPEN, db_index=True
    )
    opened_at = models.DateTimeField("启用时间", auto_now_add=True)
    # The level change that called the measure (the history row's id).
    change_ref = models.CharField("关联等级变更记录", max_length=40, blank=True)
    handled_by = decider_field("办理人")
    handled_at = models.DateTimeField("办理时间", null=True, blank=True)
    outcome_note = models.TextField("办理情况", blank=True)
    lifted_at = models.DateTimeField("解除时间", null=True, blank=True)
    lift_reason = models.CharField("解除原因", max_length=16, choices=MeasureLift.choices, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "警示惩戒措施工作项"
        verbose_name_plural = "警示惩戒措施工作项"
        ordering = ["-opened_at", "-id"]
        permissions = [("handle_measuretask", "办理警示惩戒措施")]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "measure"],
                condition=Q(status__in=["open", "done"]),
                name="one_measure_in_force_per_customer",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_applicable") | ~Q(outcome_note=""), name="measure_not_applicable_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()}（{self.customer.name}，{self.get_status_display()}）"

    @property
    def in_force(self) -> bool:
        return self.status in (MeasureStatus.OPEN, MeasureStatus.DONE)
