"""What every enterprise-side endpoint shares: its base class, the permission it needs by HTTP method,
the error answers its schema documents, and the validation of its input."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from archives.serializers import ErrorSerializer
from credit_portal.idempotency import IdempotentPosts

BAD_INPUT = {400: OpenApiResponse(ErrorSerializer, description="输入有误（errors 指出字段和原因），未写入任何数据")}
FORBIDDEN = {
    401: OpenApiResponse(ErrorSerializer, description="未登录：缺少或无效的令牌（WWW-Authenticate: Token）"),
    403: OpenApiResponse(ErrorSerializer, description="所属角色无此权限"),
}
THROTTLED = {429: OpenApiResponse(ErrorSerializer, description="尝试过于频繁，请稍后再试")}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="没有找到，或无权查看（其他企业的记录）")}
ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="记录 id")
UPLOAD_PARSERS = [MultiPartParser, FormParser]


class HasPermission(BasePermission):
    """The view's `permission` (per HTTP method: `permissions = {"POST": "app.code"}`), if it names one."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        code = getattr(view, "permissions", {}).get(request.method)
        return code is None or request.user.has_perm(code)


class EnterpriseApi(IdempotentPosts, APIView):
    permission_classes = [IsAuthenticated, HasPermission]
    permissions: dict[str, str] = {}
    filter_backends: list = []


def validated(serializer_class, request: Request, data) -> dict:
    """``data`` checked by ``serializer_class`` (400 with the field and the reason otherwise)."""
    serializer = serializer_class(data=data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
