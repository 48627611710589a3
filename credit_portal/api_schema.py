"""The API's schema class: what every idempotent POST shares is documented here, once."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from .idempotency import HEADER, KEY_PATTERN, REPLAYED_HEADER

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "幂等键（可选，建议使用 UUID）：同一用户以同一键、同一内容再次提交，不会重复办理，"
        "而是得到第一次的应答（附 Idempotent-Replayed: true）；同一键用于内容不同的请求答 409。"
        "键保留一天。第一次的应答为错误时不保留，可修改后以同一键重新提交。"
    ),
    pattern=f"^{KEY_PATTERN.pattern}$",
)
REPLAYED = OpenApiParameter(
    REPLAYED_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    enum=["true"],
    description="此应答是同一 Idempotency-Key 的第一次应答，本次请求未重复办理",
    response=[200, 201],
)
CONFLICT = OpenApiResponse(
    inline_serializer(
        "ConflictError",
        {"message": serializers.CharField(), "errors": serializers.DictField(child=serializers.ListField())},
    ),
    description="与已有记录冲突（重复的记录，或 Idempotency-Key 已用于内容不同的请求），未写入任何数据",
)


def _idempotent(schema: AutoSchema) -> bool:
    return schema.method == "POST" and getattr(getattr(schema.view, "post", None), "idempotent", False)


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the Idempotency-Key header and its 409 on idempotent POSTs."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        return [*parameters, IDEMPOTENCY_KEY, REPLAYED] if _idempotent(self) else parameters

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction=direction)
        if _idempotent(self) and "409" not in bodies:
            bodies["409"] = self._get_response_for_code(CONFLICT, "409", direction=direction)
        return bodies
