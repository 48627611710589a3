"""Serializers of power applications (用电申请): the application, its steps and their changes, and the
green channel's turnaround; the value-added service requests reuse the steps."""

from decimal import Decimal

from rest_framework import serializers

from ratings import rules

from ..models import ApplicationKind, ApplicationRoute, ApplicationStatus, PowerApplication
from ..selectors import request_steps
from .files import private_file_url


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


def step_field(choices) -> serializers.ChoiceField:
    unknown = f"未知的状态“{{input}}”，应为：{'、'.join(code for code, _ in choices)}"
    return serializers.ChoiceField(
        choices=choices, help_text=_steps_help(choices), error_messages={"invalid_choice": unknown}
    )


class StepChangeSerializer(serializers.Serializer):
    status = step_field(ApplicationStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="退回原因")


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
        return private_file_url("property", application, "property_document")

    def get_other_document_url(self, application) -> str | None:
        return private_file_url("other", application, "other_document")


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
