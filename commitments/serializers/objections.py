"""Serializers of objections (异议): the objection an enterprise raises, its review and decision, and
the objection as everyone sees it."""

from rest_framework import serializers

from ..models import Objection, ObjectionChannel, ObjectionStatus, ObjectionSubject, Recommendation
from .files import private_file_url


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
        return private_file_url("objection", objection, "evidence")
