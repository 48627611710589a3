"""What every API view shares: the JSON parser, token login, and the answers for unknown URLs."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import parsers, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response

from .api_parsers import JSONParser

ERROR = inline_serializer(
    "TokenError", {"message": serializers.CharField(), "errors": serializers.DictField(child=serializers.ListField())}
)
LOGIN_LOCKED = "登录失败次数过多，该账号（或此地址）的登录已暂时锁定，请稍后再试，或联系营业厅管理员解锁。"


class TokenApi(ObtainAuthToken):
    """Exchange a username and password for an API token; locked out like the login form (429)."""

    parser_classes = (parsers.FormParser, parsers.MultiPartParser, JSONParser)

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            400: OpenApiResponse(ERROR, description="用户名或密码有误"),
            429: OpenApiResponse(ERROR, description="登录失败次数过多，已暂时锁定"),
        },
        auth=[],
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        valid = serializer.is_valid()
        # django-axes marks the request when its backend refused a locked-out username or address.
        if getattr(request, "axes_locked_out", False):
            return Response({"message": LOGIN_LOCKED, "errors": {}}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if not valid:
            serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
