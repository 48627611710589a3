"""The API's schema, what every operation shares documented once: the idempotent POSTs' header and
their 409 (``PortalAutoSchema``), and the error answers every operation can give (the hook below).

drf-spectacular documents what each view declares; the answers that come from the framework around
the view are added here, so that the schema names every status an operation can answer:

- 400 for every operation: a body, query string or path the portal refuses, named in ``errors``;
- 401 and 403 for every operation that needs a signed-in user (no or a bad token; a role without the
  permission);
- 404 for an operation with a path parameter (no such record, or another enterprise's) and for a
  paginated list (a page past the end, or no page number);
- 409 for every POST: the record's state refuses it (credit_portal.errors.Conflict), or the
  request repeats another;
- 429 where a throttle applies (documented by the view itself).

A file can only be sent as multipart/form-data: a request body with a file is documented as JSON or
as a URL-encoded form only without its files, and not at all when a file is required.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from .control_characters import ADDRESS_PATTERN, FIELD_PATTERN
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


ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "错误答复（credit_portal.errors.api_exception_handler）",
    "properties": {
        "message": {"type": "string", "description": "给用户看的说明"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "出错的字段及原因；无则为空对象",
        },
    },
    "required": ["message", "errors"],
}
DEFAULT_ANSWERS = {
    "400": "输入有误（errors 指出字段和原因），未写入任何数据",
    "401": "未登录：缺少或无效的令牌（WWW-Authenticate: Token）",
    "403": "所属角色无此权限",
    "404": "没有找到，或无权查看；列表的页码超出末页或不是从 1 起的整数",
    "409": "与记录的当前状态冲突（如已有待审核的同类申请、已审核），或重复提交",
}
MULTIPART = "multipart/form-data"
METHODS = ("get", "put", "post", "patch", "delete")


def _signed_in(operation: dict, schema: dict) -> bool:
    security = operation.get("security", schema.get("security"))
    # drf-spectacular writes `{}` into the list when anonymous callers are allowed too.
    return bool(security) and {} not in security


def _answers(path: str, method: str, operation: dict, schema: dict) -> list[str]:
    answers = ["400"]
    if _signed_in(operation, schema):
        answers += ["401", "403"]
    paginated = any(parameter.get("name") == "page" for parameter in operation.get("parameters", []))
    if "{" in path or paginated:
        answers.append("404")
    if method == "post":
        answers.append("409")
    return answers


def _files_only_in_multipart(operation: dict, components: dict) -> None:
    content = operation.get("requestBody", {}).get("content", {})
    if MULTIPART not in content:
        return
    reference = content[MULTIPART]["schema"].get("$ref", "")
    name = reference.rsplit("/", 1)[-1]
    body = components.get(name)
    if body is None:
        return
    files = {key for key, value in body.get("properties", {}).items() if value.get("format") == "binary"}
    if not files:
        return
    if files & set(body.get("required", [])):
        for media_type in [media_type for media_type in content if media_type != MULTIPART]:
            del content[media_type]
        return
    fields = f"{name.removesuffix('Request')}FieldsRequest"
    components.setdefault(
        fields,
        {**body, "properties": {key: value for key, value in body["properties"].items() if key not in files}},
    )
    for media_type, entry in content.items():
        if media_type != MULTIPART:
            entry["schema"] = {"$ref": f"#/components/schemas/{fields}"}


def _texts_without_control_characters(component: dict) -> None:
    """A request body's texts, and the values of any property it does not name, hold no control
    character (the request guard and the JSON parser refuse them): say so, so that a client knows it."""
    for value in component.get("properties", {}).values():
        items = value.get("items", {}) if value.get("type") == "array" else value
        if items.get("type") == "string" and "format" not in items and "enum" not in items:
            items.setdefault("pattern", FIELD_PATTERN)
    component.setdefault(
        "additionalProperties",
        {"anyOf": [{"type": "string", "pattern": FIELD_PATTERN}, {"type": "number"}, {"type": "boolean"}]},
    )


def document_error_answers(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: add the framework's error answers to every operation, and
    keep files out of the media types that cannot carry them."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for name, component in components.items():
        if name.endswith("Request") and component.get("type") == "object":
            _texts_without_control_characters(component)
    for path, item in result.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for parameter in operation.get("parameters", []):
                # The request guard refuses a control character anywhere in an address or a query.
                value = parameter.get("schema", {})
                plain_text = value.get("type") == "string" and "enum" not in value and "format" not in value
                if parameter.get("in") in ("query", "path") and plain_text:
                    value.setdefault("pattern", ADDRESS_PATTERN)
            _files_only_in_multipart(operation, components)
            for status in _answers(path, method, operation, result):
                responses.setdefault(
                    status,
                    {"content": {"application/json": {"schema": reference}}, "description": DEFAULT_ANSWERS[status]},
                )
    return result
