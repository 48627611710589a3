"""Serializers of value-added service requests (增值服务): the request, its steps and their changes."""

from rest_framework import serializers

from ..models import ServiceKind, ServiceStatus, ValueAddedServiceRequest
from ..selectors import request_steps
from .applications import StepChangeSerializer, StepSerializer, step_field


class ServiceStepChangeSerializer(StepChangeSerializer):
    status = step_field(ServiceStatus.choices)


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
