"""API serializers of the credit archive: input serializers validate shapes, services validate meaning.

Input serializers check only types and formats; the rules (a valid USCC, an attribute the event
type needs, no future date, a real PDF/JPEG/PNG) live in `archives.services` and
`archives.validation` and come back as an `ApplicationError` naming the field.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from archives import vocabulary

from .models import (
    IDENTITY_TYPE_CHOICES,
    SEVERITY_CHOICES,
    CreditEvent,
    Customer,
    ElectricityAccount,
    EventRevocation,
    PaymentMethod,
    PublicCreditReport,
    ReportStatus,
)
from .selectors import customers_visible_to


class CustomerUsccField(serializers.SlugRelatedField):
    """A customer named by its USCC (any case), among the customers the requesting user may see."""

    default_error_messages = {
        "does_not_exist": "没有找到统一社会信用代码为“{value}”的用户档案",
        "invalid": "请填写统一社会信用代码",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "统一社会信用代码（18位，大小写均可）")
        super().__init__(slug_field="uscc", queryset=Customer.objects.all(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return customers_visible_to(request.user) if request is not None else Customer.objects.none()

    def to_internal_value(self, data):
        # A NUL byte cannot be looked up in PostgreSQL (DataError): it is no USCC, answer 400.
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data.strip().upper())


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer (credit_portal.errors.api_exception_handler)."""

    message = serializers.CharField(help_text="给用户看的说明")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="出错的字段及原因；无则为空对象"
    )


def _private_file_url(kind: str, instance) -> str | None:
    field = instance.evidence if kind == "evidence" else instance.file
    return reverse("archives:private_file", kwargs={"kind": kind, "pk": instance.pk}) if field else None


# --------------------------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------------------------


class CustomerFilterSerializer(serializers.Serializer):
    """Query parameters of the customer list (the same search as the staff pages)."""

    search = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="统一社会信用代码前缀或名称片段"
    )
    level = serializers.ChoiceField(
        choices=list(vocabulary.LEVEL_LABELS.items()),
        required=False,
        allow_blank=True,
        default="",
        help_text="当前信用等级",
    )
    industry = serializers.CharField(required=False, allow_blank=True, default="", help_text="行业（完全一致）")
    payment_method = serializers.ChoiceField(
        choices=PaymentMethod.choices, required=False, allow_blank=True, default="", help_text="交费方式"
    )
    in_arrears = serializers.ChoiceField(
        choices=[("yes", "有欠费"), ("no", "无欠费")],
        required=False,
        allow_blank=True,
        default="",
        help_text="是否有欠费",
    )


class MaskedIdentityField(serializers.CharField):
    """An identity number as every role reads it through the API: masked (320***********123X)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", "证件号码（隐去中间位）")
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return str(value) if value else ""


def identity_type_field(**kwargs) -> serializers.ChoiceField:
    """A document type as the API reads it back: one of the types, or "" when none is on file."""
    kwargs.setdefault("help_text", "证件类型；未登记为空")
    return serializers.ChoiceField(choices=IDENTITY_TYPE_CHOICES, allow_blank=True, read_only=True, **kwargs)


class CustomerCreateSerializer(serializers.Serializer):
    uscc = serializers.CharField(max_length=30, help_text="统一社会信用代码（18位，含校验码）")
    name = serializers.CharField(max_length=200)
    legal_representative = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    legal_representative_id_type = serializers.ChoiceField(
        choices=IDENTITY_TYPE_CHOICES, required=False, allow_blank=True, default="", help_text="法定代表人证件类型"
    )
    legal_representative_id_number = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="", write_only=True,
        help_text="法定代表人证件号码（加密保存；读取时隐去中间位）",
    )  # fmt: skip
    contact_person = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class RatingSummarySerializer(serializers.Serializer):
    """The level in force, as shown next to a customer (read through archives.levels, as annotated)."""

    level = serializers.ChoiceField(
        choices=list(vocabulary.LEVEL_LABELS.items()), help_text="当前信用等级（含人工调整）"
    )
    level_label = serializers.SerializerMethodField()
    as_of = serializers.DateField(help_text="评定日期")
    changed_on = serializers.DateField(help_text="最近变更日期")

    def get_level_label(self, rating: dict) -> str:
        return vocabulary.LEVEL_LABELS[rating["level"]]


class CustomerSerializer(serializers.ModelSerializer):
    """A customer as a list row: the contact phone is masked unless the user may see it in full."""

    contact_phone = serializers.SerializerMethodField(help_text="无查看完整联系方式权限的用户看到脱敏号码")
    rating = serializers.SerializerMethodField(help_text="尚未评级时为 null")
    legal_representative_id_type = identity_type_field(help_text="法定代表人证件类型；未登记为空")
    legal_representative_id_number = MaskedIdentityField(help_text="法定代表人证件号码（任何角色均隐去中间位）")

    class Meta:
        model = Customer
        fields = [
            *Customer.CARD_FIELDS,
            "rating",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_contact_phone(self, customer: Customer) -> str:
        request = self.context.get("request")
        if request is not None and request.user.has_perm("archives.view_contact_details"):
            return customer.contact_phone
        return customer.masked_phone

    @extend_schema_field(RatingSummarySerializer(allow_null=True))
    def get_rating(self, customer: Customer) -> dict | None:
        level = getattr(customer, "level", None)  # annotated by archives.levels.with_level
        if level is None:
            return None
        summary = {"level": level, "as_of": customer.level_as_of, "changed_on": customer.level_changed_on}
        return RatingSummarySerializer(summary).data


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = ElectricityAccount
        fields = ["number", "opened_on", "payment_method", "arrears_since", "voltage_level", "capacity_kva"]
        read_only_fields = fields


class CustomerDetailSerializer(CustomerSerializer):
    """A customer with its electricity accounts."""

    accounts = AccountSerializer(many=True, read_only=True)

    class Meta(CustomerSerializer.Meta):
        fields = [*CustomerSerializer.Meta.fields, "accounts"]
        read_only_fields = fields


# --------------------------------------------------------------------------------------------
# Events and revocations
# --------------------------------------------------------------------------------------------


ATTRIBUTE_FIELDS = ("amount_yuan", "voltage_kv", "severity")  # each event type carries at most one


class EventCreateSerializer(serializers.Serializer):
    """A dishonesty event. Which attribute is required depends on the type (see RATING_RULES.md)."""

    customer = CustomerUsccField()
    type = serializers.ChoiceField(choices=[(code, t.label) for code, t in vocabulary.EVENT_TYPES.items()])
    occurred_on = serializers.DateField(
        help_text="发生日期 YYYY-MM-DD，不早于 1990-01-01 和该用户最早立户日期，不能晚于今天"
    )
    amount_yuan = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, help_text="窃电金额（元），窃电时必填"
    )
    voltage_kv = serializers.DecimalField(
        max_digits=7, decimal_places=2, required=False, allow_null=True, help_text="停电电压等级（千伏），停电事件必填"
    )
    severity = serializers.ChoiceField(
        choices=SEVERITY_CHOICES,
        required=False,
        allow_blank=True,
        default="",
        help_text="情节/严重程度：故意破坏电力设施 minor/serious；失信行为 general/serious",
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.FileField(required=False, help_text="证据材料：PDF、JPEG 或 PNG")

    def validate(self, attrs: dict) -> dict:
        """An attribute of another event type is refused by name, not silently dropped."""
        spec = vocabulary.EVENT_TYPES[attrs["type"]]
        own = spec.attribute.name if spec.attribute else None
        message = f"失信行为类型“{spec.label}”不含此项，请勿填写"
        stray = {name: message for name in ATTRIBUTE_FIELDS if name != own and attrs.get(name) not in (None, "")}
        if stray:
            raise serializers.ValidationError(stray)
        return attrs


class RevocationSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = EventRevocation
        fields = [
            "id",
            "event",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    """An event with its status (in force or revoked) and every revocation request about it."""

    customer = serializers.CharField(source="customer.uscc", read_only=True)
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    revocations = RevocationSerializer(many=True, read_only=True)
    severity = serializers.ChoiceField(choices=SEVERITY_CHOICES, allow_blank=True, read_only=True, help_text="无则为空")
    evidence_url = serializers.SerializerMethodField(help_text="证据材料（经权限校验的下载地址），无则为 null")

    class Meta:
        model = CreditEvent
        fields = [
            "id",
            "customer",
            "type",
            "type_label",
            "occurred_on",
            "amount_yuan",
            "voltage_kv",
            "severity",
            "description",
            "source",
            "status",
            "recorded_at",
            "evidence_url",
            "revocations",
        ]
        read_only_fields = fields

    def get_evidence_url(self, event: CreditEvent) -> str | None:
        return _private_file_url("evidence", event)


class RevocationRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="撤销理由")


class RevocationDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true 批准撤销，false 驳回")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="审批意见，驳回时必填")


# --------------------------------------------------------------------------------------------
# Public credit reports
# --------------------------------------------------------------------------------------------


class ReportFilterSerializer(serializers.Serializer):
    customer = serializers.CharField(required=False, allow_blank=True, default="", help_text="统一社会信用代码")
    status = serializers.ChoiceField(choices=ReportStatus.choices, required=False, allow_blank=True, default="")


class ReportUploadSerializer(serializers.Serializer):
    """A public credit report file. `shows_dishonesty`, when given by staff, verifies it at once."""

    customer = CustomerUsccField()
    issued_on = serializers.DateField(help_text="报告日期 YYYY-MM-DD，不早于 1990-01-01，不能晚于今天")
    file = serializers.FileField(help_text="PDF、JPEG 或 PNG，按内容识别，不超过上传大小上限")
    # allow_null keeps an omitted multipart field as "not stated", not as False.
    shows_dishonesty = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="报告是否显示失信行为；填写即视为已核验"
    )


class ReportSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.uscc", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    file_url = serializers.SerializerMethodField(help_text="报告文件（经权限校验的下载地址）")

    class Meta:
        model = PublicCreditReport
        fields = [
            "id",
            "customer",
            "customer_name",
            "issued_on",
            "shows_dishonesty",
            "status",
            "uploaded_at",
            "verified_at",
            "note",
            "file_url",
        ]
        read_only_fields = fields

    def get_file_url(self, report: PublicCreditReport) -> str | None:
        return _private_file_url("report", report)
