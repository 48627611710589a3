"""API serializers of the enterprise side: input serializers check shapes, the services check meaning."""

from decimal import Decimal

from django.urls import reverse
from rest_framework import serializers

from archives.models import IDENTITY_TYPE_CHOICES
from archives.serializers import MaskedIdentityField, identity_type_field
from ratings import rules

from . import privacy
from .models import (
    ApplicationKind,
    ApplicationRoute,
    ApplicationStatus,
    CommitmentLetter,
    EnterpriseRegistration,
    Fulfilment,
    Objection,
    ObjectionChannel,
    ObjectionStatus,
    ObjectionSubject,
    PowerApplication,
    Recommendation,
    RepairApplication,
    RepairRecommendation,
    RepairRoute,
    RepairStatus,
    ServiceKind,
    ServiceStatus,
    ValueAddedServiceRequest,
)
from .selectors import request_steps


def _file_url(kind: str, instance, field_name: str) -> str | None:
    if not getattr(instance, field_name):
        return None
    return reverse("commitments:private_file", kwargs={"kind": kind, "pk": instance.pk})


def _username(user) -> str | None:
    return user.username if user is not None else None


# --------------------------------------------------------------------------------------------
# Registration
# --------------------------------------------------------------------------------------------


class RegistrationCreateSerializer(serializers.Serializer):
    uscc = serializers.CharField(max_length=30, help_text="统一社会信用代码（18位，含校验码）")
    enterprise_name = serializers.CharField(max_length=200)
    contact_person = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, help_text="11位手机号，登录时用作用户名")
    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})
    password_again = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})
    id_type = serializers.ChoiceField(choices=IDENTITY_TYPE_CHOICES, help_text="注册人证件类型")
    id_number = serializers.CharField(
        max_length=30, write_only=True, help_text="注册人证件号码（居民身份证核验校验码）"
    )
    consent = serializers.BooleanField(
        required=False, default=False, help_text="已阅读并同意《个人信息处理告知书》（/privacy/）；未同意的注册被拒绝"
    )
    notice_version = serializers.CharField(
        required=False, default=privacy.NOTICE_VERSION, max_length=20, help_text="所同意的告知书版本，缺省为现行版本"
    )


class RegistrationReceivedSerializer(serializers.ModelSerializer):
    """What an anonymous caller gets back: only what it entered, the same for a USCC on file and one not
    (the match with an archive is for staff to see when they review, not for anyone to probe)."""

    customer = serializers.CharField(source="uscc", read_only=True, help_text="填报的统一社会信用代码")
    username = serializers.CharField(source="user.username", read_only=True)
    id_type = identity_type_field()
    id_number = MaskedIdentityField()

    class Meta:
        model = EnterpriseRegistration
        fields = [
            "id", "username", "customer", "enterprise_name", "contact_person", "phone", "id_type", "id_number",
            "status", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class RegistrationSerializer(RegistrationReceivedSerializer):
    """A registration as staff review it: with the archive its USCC matches, if any."""

    customer_name = serializers.SerializerMethodField(help_text="已有档案的名称；待确认时新建档案的为 null")

    class Meta(RegistrationReceivedSerializer.Meta):
        fields = [
            "id",
            "username",
            "customer",
            "customer_name",
            "enterprise_name",
            "contact_person",
            "phone",
            "id_type",
            "id_number",
            "created_customer",
            "status",
            "created_at",
            "decision_note",
            "decided_at",
        ]
        read_only_fields = fields

    def get_customer_name(self, registration: EnterpriseRegistration) -> str | None:
        return registration.customer.name if registration.customer else None


class RegistrationDecisionSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(help_text="true 确认绑定，false 不予确认")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="不予确认时必填")


# --------------------------------------------------------------------------------------------
# Commitment letters
# --------------------------------------------------------------------------------------------


class LetterUploadSerializer(serializers.Serializer):
    committed_on = serializers.DateField(
        help_text="承诺作出日期（承诺书签署日期）YYYY-MM-DD，不早于 1990-01-01，不能晚于今天"
    )
    file = serializers.FileField(help_text="签章后的信用承诺书：PDF、JPEG 或 PNG，按内容识别")


class LetterDecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField(help_text="true 受理（生成承诺编码并公示），false 退回")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="审核意见，退回时必填")
    valid_until = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="承诺有效期至；空为长期"
    )


class LetterSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.uscc", read_only=True)
    fulfilment = serializers.ChoiceField(
        choices=Fulfilment.choices, allow_blank=True, read_only=True, help_text="承诺履行状态（受理前为空）"
    )
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    file_url = serializers.SerializerMethodField(help_text="签章承诺书文件（经权限校验的下载地址）")

    class Meta:
        model = CommitmentLetter
        fields = [
            "id",
            "code",
            "customer",
            "customer_name",
            "commitment_type",
            "committed_on",
            "valid_until",
            "status",
            "fulfilment",
            "unfulfilled_content",
            "liability_pursued",
            "uploaded_at",
            "decided_at",
            "decision_note",
            "file_url",
        ]
        read_only_fields = fields

    def get_file_url(self, letter: CommitmentLetter) -> str | None:
        return _file_url("letter", letter, "file")


class PublicLetterSerializer(serializers.ModelSerializer):
    """A row of the public list (信用承诺公示): what clause 5 makes public, nothing more."""

    customer = serializers.CharField(source="customer.uscc", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    commitment_type_label = serializers.CharField(source="get_commitment_type_display", read_only=True)
    fulfilment_label = serializers.CharField(source="get_fulfilment_display", read_only=True)
    fulfilment = serializers.ChoiceField(
        choices=Fulfilment.choices, allow_blank=True, read_only=True, help_text="承诺履行状态（受理前为空）"
    )

    class Meta:
        model = CommitmentLetter
        fields = [
            "code",
            "customer",
            "customer_name",
            "commitment_type",
            "commitment_type_label",
            "committed_on",
            "valid_until",
            "fulfilment",
            "fulfilment_label",
        ]
        read_only_fields = fields


class PublicLetterFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="企业名称片段、统一社会信用代码或承诺编码前缀"
    )


# --------------------------------------------------------------------------------------------
# Reports uploaded by the enterprise or the DRC
# --------------------------------------------------------------------------------------------


class ReportSubmissionSerializer(serializers.Serializer):
    customer = serializers.CharField(max_length=30, help_text="企业统一社会信用代码（企业用户只能是本企业）")
    issued_on = serializers.DateField(help_text="报告出具日期 YYYY-MM-DD，不早于 1990-01-01，不能晚于今天")
    file = serializers.FileField(help_text="《江苏省法人公共信用信息查询报告》：PDF、JPEG 或 PNG")


# --------------------------------------------------------------------------------------------
# Applications and value-added services
# --------------------------------------------------------------------------------------------


class StepSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    at = serializers.DateTimeField()
    took_days = serializers.SerializerMethodField(help_text="距上一步的天数")

    def get_took_days(self, step) -> float | None:
        return round(step.took.total_seconds() / 86400, 2) if step.took is not None else None


class ApplicationCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApplicationKind.choices)
    address = serializers.CharField(max_length=255)
    capacity_kva = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0.01"), help_text="申请容量（千伏安），大于0"
    )
    requested_on = serializers.DateField(help_text="期望接电日期 YYYY-MM-DD，不早于今天")
    route = serializers.ChoiceField(
        choices=ApplicationRoute.choices,
        help_text="property：附产权证明；no_property：凭已核验的一年内公共信用报告和已受理的信用承诺书",
    )
    property_document = serializers.FileField(required=False, help_text="产权证明材料（property 方式必传）")
    other_document = serializers.FileField(required=False, help_text="其他材料（可选）")


def _steps_help(choices) -> str:
    return "下一步状态（" + "、".join(f"{value} {label}" for value, label in choices) + "）；rejected 须填原因"


def _step_field(choices) -> serializers.ChoiceField:
    unknown = f"未知的状态“{{input}}”，应为：{'、'.join(code for code, _ in choices)}"
    return serializers.ChoiceField(
        choices=choices, help_text=_steps_help(choices), error_messages={"invalid_choice": unknown}
    )


class StepChangeSerializer(serializers.Serializer):
    status = _step_field(ApplicationStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="退回原因")


class ServiceStepChangeSerializer(StepChangeSerializer):
    status = _step_field(ServiceStatus.choices)


class ApplicationSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.uscc", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    level = serializers.SerializerMethodField(help_text="企业当前信用等级（含人工调整）；未评级为 null")
    honest = serializers.SerializerMethodField(help_text="是否诚信客户（绿色通道）")
    level_at_submission = serializers.CharField(read_only=True, help_text="提交时的信用等级（评判绿色通道效果的依据）")
    letter_code = serializers.CharField(source="letter.code", read_only=True, allow_null=True, default=None)
    report = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    steps = serializers.SerializerMethodField()
    property_document_url = serializers.SerializerMethodField()
    other_document_url = serializers.SerializerMethodField()

    class Meta:
        model = PowerApplication
        fields = [
            "id",
            "customer",
            "customer_name",
            "level",
            "honest",
            "level_at_submission",
            "kind",
            "address",
            "capacity_kva",
            "requested_on",
            "route",
            "report",
            "letter_code",
            "status",
            "submitted_at",
            "accepted_at",
            "surveying_at",
            "connecting_at",
            "done_at",
            "rejected_at",
            "rejection_reason",
            "steps",
            "property_document_url",
            "other_document_url",
        ]
        read_only_fields = fields

    def get_level(self, instance) -> str | None:
        rating = getattr(instance.customer, "rating", None)
        return rating.level if rating is not None else None

    def get_honest(self, instance) -> bool:
        return self.get_level(instance) in rules.HONEST_LEVELS

    def get_steps(self, instance) -> list[dict]:
        return StepSerializer(request_steps(instance), many=True).data

    def get_property_document_url(self, application) -> str | None:
        return _file_url("property", application, "property_document")

    def get_other_document_url(self, application) -> str | None:
        return _file_url("other", application, "other_document")


class ServiceRequestCreateSerializer(serializers.Serializer):
    service = serializers.ChoiceField(choices=ServiceKind.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class ServiceRequestSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.uscc", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    service_label = serializers.CharField(source="get_service_display", read_only=True)
    level_at_submission = serializers.CharField(read_only=True, help_text="提交时的信用等级")
    steps = serializers.SerializerMethodField()

    class Meta:
        model = ValueAddedServiceRequest
        fields = [
            "id",
            "customer",
            "customer_name",
            "level_at_submission",
            "service",
            "service_label",
            "description",
            "status",
            "submitted_at",
            "accepted_at",
            "done_at",
            "rejected_at",
            "rejection_reason",
            "steps",
        ]
        read_only_fields = fields

    def get_steps(self, instance) -> list[dict]:
        return StepSerializer(request_steps(instance), many=True).data


class TurnaroundGroupSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="已完成的申请数")
    median_days = serializers.FloatField(allow_null=True, help_text="从提交到完成的天数中位数")


class TurnaroundSerializer(serializers.Serializer):
    honest = TurnaroundGroupSerializer(help_text="提交时为诚信客户（绿色、蓝色）")
    others = TurnaroundGroupSerializer()
    open_honest = serializers.IntegerField()
    open_others = serializers.IntegerField()
    days_saved = serializers.FloatField(allow_null=True)


class QueryDateField(serializers.DateField):
    """A date in a query string: left out, it is no bound; given empty, it is no date (400), as the
    schema says."""

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, serializers.empty)


class TurnaroundFilterSerializer(serializers.Serializer):
    since = QueryDateField(required=False, default=None, help_text="完成日期起")
    until = QueryDateField(required=False, default=None, help_text="完成日期止")


# --------------------------------------------------------------------------------------------
# Objections
# --------------------------------------------------------------------------------------------


class _EventIds(serializers.ListField):
    """A list of event ids, its errors one message (the uniform error body has a list of strings per field)."""

    child = serializers.IntegerField()

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            raise serializers.ValidationError("请填写失信记录 id 的列表（整数）") from None


class ObjectionCreateSerializer(serializers.Serializer):
    subject = serializers.ChoiceField(
        choices=ObjectionSubject.choices, default=ObjectionSubject.EVENT,
        help_text="异议事项：event 失信记录，arrears 欠费起始日，report 被退回的公共信用报告，level 现行信用等级",
    )  # fmt: skip
    event = serializers.IntegerField(required=False, help_text="失信记录 id（subject=event；本企业档案中的）")
    account = serializers.IntegerField(
        required=False, help_text="户号 id：欠费起始日有误的（subject=arrears，或 level 所异议的事实）"
    )
    report = serializers.IntegerField(
        required=False, help_text="被退回的公共信用报告 id（subject=report，或 level 所异议的事实）"
    )
    disputed_events = _EventIds(required=False, help_text="subject=level 时所异议的失信记录 id")
    reason = serializers.CharField(help_text="异议理由")
    evidence = serializers.FileField(required=False, help_text="证据材料：PDF、JPEG 或 PNG")


class ObjectionReviewSerializer(serializers.Serializer):
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    note = serializers.CharField(help_text="审查意见")
    corrected_arrears_since = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="欠费起始日异议建议成立时：更正后的日期，null 为无欠费"
    )
    corrected_shows_dishonesty = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="被退回报告的异议建议成立时：复核后是否显示失信行为"
    )


class ObjectionDecisionSerializer(serializers.Serializer):
    uphold = serializers.BooleanField(help_text="true 异议成立（撤销或更正该记录并重新评定），false 异议不成立")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="不成立时必填")


class ObjectionSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.uscc", read_only=True)
    # Null unless the objection is to an event (subject ``event``).
    event_type = serializers.CharField(source="event.type", read_only=True, allow_null=True, default=None)
    event_occurred_on = serializers.DateField(source="event.occurred_on", read_only=True, allow_null=True, default=None)
    event_status = serializers.CharField(source="event.status", read_only=True, allow_null=True, default=None)
    status = serializers.ChoiceField(
        source="effective_status", choices=ObjectionStatus.choices, read_only=True, help_text="处理状态"
    )
    revocation = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    recommendation = serializers.ChoiceField(
        choices=Recommendation.choices, allow_blank=True, read_only=True, help_text="审查建议，未审查为空"
    )
    subject = serializers.ChoiceField(choices=ObjectionSubject.choices, read_only=True, help_text="异议事项")
    record = serializers.CharField(source="record_label", read_only=True, help_text="异议的记录（文字）")
    account_number = serializers.CharField(source="account.number", read_only=True, allow_null=True, default=None)
    disputed_events = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="标为异议中的失信记录")
    channel = serializers.ChoiceField(choices=ObjectionChannel.choices, read_only=True, help_text="提出方式")
    disputed_level = serializers.CharField(read_only=True, help_text="对信用等级的异议：提出时的信用等级；其他为空")
    decided_at = serializers.SerializerMethodField()
    decision_note = serializers.SerializerMethodField()
    evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = Objection
        fields = [
            "id",
            "customer",
            "subject",
            "record",
            "channel",
            "event",
            "account_number",
            "report",
            "disputed_events",
            "disputed_level",
            "corrected_arrears_since",
            "corrected_shows_dishonesty",
            "event_type",
            "event_occurred_on",
            "event_status",
            "reason",
            "status",
            "submitted_at",
            "reviewed_at",
            "recommendation",
            "review_note",
            "revocation",
            "decided_at",
            "decision_note",
            "evidence_url",
        ]
        read_only_fields = fields

    def get_decided_at(self, objection) -> str | None:
        revocation = objection.revocation
        value = objection.decided_at or (revocation.decided_at if revocation else None)
        return serializers.DateTimeField().to_representation(value) if value else None

    def get_decision_note(self, objection) -> str:
        if objection.decision_note:
            return objection.decision_note
        return objection.revocation.decision_note if objection.revocation else ""

    def get_evidence_url(self, objection) -> str | None:
        return _file_url("objection", objection, "evidence")


# --------------------------------------------------------------------------------------------
# Credit repair (信用修复)
# --------------------------------------------------------------------------------------------

UPLOAD = "PDF、JPEG 或 PNG，按内容识别"


class RepairCreateSerializer(serializers.Serializer):
    event = serializers.IntegerField(help_text="失信记录 id（企业用户：本企业档案中的）")
    evidence = serializers.FileField(help_text=f"纠正失信行为、履行相关义务的证明材料（缴费凭证等）：{UPLOAD}")
    rectification_report = serializers.FileField(required=False, help_text=f"整改报告（可选）：{UPLOAD}")
    committed_on = serializers.DateField(help_text="信用修复承诺书签署日期 YYYY-MM-DD，不早于 1990-01-01，不能晚于今天")
    commitment_file = serializers.FileField(help_text=f"签章的信用修复承诺书：{UPLOAD}")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="情况说明")
    paper_application = serializers.FileField(
        required=False, help_text=f"营业厅代为登记时必传：企业签章的纸质申请书扫描件，{UPLOAD}"
    )


class SourceRepairSerializer(serializers.Serializer):
    event = serializers.IntegerField(help_text="其他机关认定的失信记录（失信行为 dishonesty）id")
    source_body = serializers.CharField(max_length=100, help_text="作出修复的认定机关")
    repaired_on = serializers.DateField(help_text="认定机关作出修复的日期 YYYY-MM-DD，不能晚于今天")
    evidence = serializers.FileField(help_text=f"认定机关修复的证明材料：{UPLOAD}")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RepairProposalSerializer(serializers.Serializer):
    recommendation = serializers.ChoiceField(choices=RepairRecommendation.choices)
    note = serializers.CharField(help_text="审查意见")
    correction_confirmed = serializers.BooleanField(
        required=False, default=False, help_text="已核实纠正失信行为、履行相关义务（非欠费类记录建议修复时须为 true）"
    )


class RepairDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true 予以信用修复（该记录即日修复并重新评定），false 不予修复")
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="不予修复时必填：缺少的材料或未完成的整改"
    )


class RepairSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.uscc", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    event_type = serializers.CharField(source="event.type", read_only=True)
    event_occurred_on = serializers.DateField(source="event.occurred_on", read_only=True)
    route = serializers.ChoiceField(choices=RepairRoute.choices, read_only=True)
    status = serializers.ChoiceField(choices=RepairStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    letter_code = serializers.CharField(
        source="letter.code", read_only=True, allow_null=True, default=None, help_text="公示的信用修复承诺编码"
    )
    report = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    recommendation = serializers.SerializerMethodField(help_text="审查建议（approve/refuse），未审查为 null")
    review_note = serializers.SerializerMethodField(help_text="审查意见")
    proposed_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.SerializerMethodField()
    decision_note = serializers.SerializerMethodField(help_text="决定意见；不予修复时为缺少的材料")
    evidence_url = serializers.SerializerMethodField()
    commitment_url = serializers.SerializerMethodField()

    class Meta:
        model = RepairApplication
        fields = [
            "id",
            "customer",
            "customer_name",
            "event",
            "event_type",
            "event_occurred_on",
            "route",
            "status",
            "status_label",
            "note",
            "source_body",
            "committed_on",
            "report",
            "filed_at_counter",
            "submitted_at",
            "decision_due_on",
            "recommendation",
            "review_note",
            "proposed_by",
            "decided_by",
            "decided_at",
            "decision_note",
            "repaired_on",
            "letter_code",
            "evidence_url",
            "commitment_url",
        ]
        read_only_fields = fields

    @staticmethod
    def _proposal(application):
        return getattr(application, "proposal", None)

    def get_recommendation(self, application) -> str | None:
        proposal = self._proposal(application)
        return proposal.recommendation if proposal else None

    def get_review_note(self, application) -> str:
        proposal = self._proposal(application)
        return proposal.reason if proposal else ""

    def get_proposed_by(self, application) -> str | None:
        proposal = self._proposal(application)
        return _username(proposal.requested_by) if proposal else None

    def get_decided_by(self, application) -> str | None:
        proposal = self._proposal(application)
        return _username(proposal.decided_by) if proposal else None

    def get_decided_at(self, application) -> str | None:
        proposal = self._proposal(application)
        value = proposal.decided_at if proposal else None
        return serializers.DateTimeField().to_representation(value) if value else None

    def get_decision_note(self, application) -> str:
        proposal = self._proposal(application)
        return proposal.decision_note if proposal else application.note

    def get_evidence_url(self, application) -> str | None:
        return _file_url("repair-evidence", application, "evidence")

    def get_commitment_url(self, application) -> str | None:
        return _file_url("repair-commitment", application, "commitment_file")


class RepairCountsSerializer(serializers.Serializer):
    submitted = serializers.IntegerField(help_text="待审查")
    proposed = serializers.IntegerField(help_text="待班组长决定")
    approved = serializers.IntegerField(help_text="予以修复")
    refused = serializers.IntegerField(help_text="不予修复")
    overdue = serializers.IntegerField(help_text="逾期未办结")
    at_source = serializers.IntegerField(help_text="登记的认定机关修复")
    total = serializers.IntegerField(help_text="申请总数（不含认定机关修复）")
