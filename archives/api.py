"""REST API of the credit archive. Each endpoint validates with a serializer, calls one service
(writes) or selector (reads), and serializes the result.

Reads are scoped by `selectors.customers_visible_to`: another enterprise's archive answers 404.
Writes need a permission of the role (403 otherwise) and answer bad input with 400 naming the field.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from credit_portal.api_parsers import JSONParser
from credit_portal.idempotency import IdempotentPosts
from credit_portal.pagination import LargeTablePagination

from . import selectors, services
from .models import CreditEvent, EventRevocation, EventSource, PublicCreditReport
from .serializers import (
    CustomerCreateSerializer,
    CustomerDetailSerializer,
    CustomerFilterSerializer,
    CustomerSerializer,
    ErrorSerializer,
    EventCreateSerializer,
    EventSerializer,
    ReportFilterSerializer,
    ReportSerializer,
    ReportUploadSerializer,
    RevocationDecisionSerializer,
    RevocationRequestSerializer,
    RevocationSerializer,
)

USCC_PATH = OpenApiParameter("uscc", OpenApiTypes.STR, OpenApiParameter.PATH, description="统一社会信用代码")
BAD_INPUT = {400: OpenApiResponse(ErrorSerializer, description="输入有误（errors 指出字段和原因），未写入任何数据")}
FORBIDDEN = {
    401: OpenApiResponse(ErrorSerializer, description="未登录：缺少或无效的令牌（WWW-Authenticate: Token）"),
    403: OpenApiResponse(ErrorSerializer, description="所属角色无此权限"),
}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="没有找到，或无权查看该企业")}


class HasRolePermission(BasePermission):
    """Reads for any signed-in user (the selectors scope them); other methods need `view.write_permission`."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        return request.user.has_perm(view.write_permission)


class ArchiveApi(IdempotentPosts, APIView):
    """Base of the archive endpoints: signed-in users read, `write_permission` holders write."""

    permission_classes = [IsAuthenticated, HasRolePermission]
    write_permission = "archives.manage_archives"
    filter_backends: list = []


def _validated(serializer_class, request: Request, data) -> dict:
    """The serializer's validated data; a DRF ValidationError (400 naming the field) otherwise."""
    serializer = serializer_class(data=data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CustomerListApi(ArchiveApi, generics.ListAPIView):
    """The customers the user may see, searched and filtered; staff open new archives here."""

    serializer_class = CustomerSerializer
    pagination_class = LargeTablePagination

    def get_queryset(self) -> QuerySet:
        filters = _validated(CustomerFilterSerializer, self.request, self.request.query_params)
        return selectors.customer_list(user=self.request.user, **filters)

    @extend_schema(
        parameters=[CustomerFilterSerializer],
        responses={200: CustomerSerializer(many=True), **BAD_INPUT, **FORBIDDEN},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=CustomerCreateSerializer, responses={201: CustomerDetailSerializer, **BAD_INPUT, **FORBIDDEN}
    )
    def post(self, request: Request) -> Response:
        data = _validated(CustomerCreateSerializer, request, request.data)
        customer = services.customer_create(actor=request.user, **data)
        return Response(CustomerDetailSerializer(customer, context={"request": request}).data, status.HTTP_201_CREATED)


class CustomerDetailApi(ArchiveApi):
    """One customer's archive card with its electricity accounts."""

    @extend_schema(parameters=[USCC_PATH], responses={200: CustomerDetailSerializer, **FORBIDDEN, **NOT_FOUND})
    def get(self, request: Request, uscc: str) -> Response:
        customer = selectors.customer_for_user(user=request.user, uscc=uscc)
        return Response(CustomerDetailSerializer(customer, context={"request": request}).data)


class CustomerEventListApi(ArchiveApi, generics.ListAPIView):
    """A customer's dishonesty events, newest first, with their status and revocation requests."""

    serializer_class = EventSerializer
    queryset = CreditEvent.objects.none()  # for the schema; get_queryset scopes the real one

    def get_queryset(self) -> QuerySet:
        customer = selectors.customer_for_user(user=self.request.user, uscc=self.kwargs["uscc"])
        return selectors.customer_events(customer).select_related("customer")

    @extend_schema(parameters=[USCC_PATH], responses={200: EventSerializer(many=True), **FORBIDDEN, **NOT_FOUND})
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class EventCreateApi(ArchiveApi):
    """Record a dishonesty event (失信行为); the customer is re-rated once it is saved."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=EventCreateSerializer, responses={201: EventSerializer, **BAD_INPUT, **FORBIDDEN})
    def post(self, request: Request) -> Response:
        data = _validated(EventCreateSerializer, request, request.data)
        event = services.event_record(actor=request.user, source=EventSource.API, **data)
        return Response(EventSerializer(event, context={"request": request}).data, status.HTTP_201_CREATED)


class EventRevocationApi(ArchiveApi):
    """Ask for an event to be revoked; another supervisor decides."""

    write_permission = "archives.request_revocation"

    @extend_schema(
        parameters=[OpenApiParameter("event_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=RevocationRequestSerializer,
        responses={201: RevocationSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request, event_id: int) -> Response:
        event = get_object_or_404(
            CreditEvent.objects.filter(customer__in=selectors.customers_visible_to(request.user)), pk=event_id
        )
        data = _validated(RevocationRequestSerializer, request, request.data)
        revocation = services.revocation_request(event=event, actor=request.user, **data)
        return Response(RevocationSerializer(revocation).data, status.HTTP_201_CREATED)


class RevocationDecisionApi(ArchiveApi):
    """A supervisor approves or refuses a revocation request made by someone else."""

    write_permission = "archives.approve_revocation"

    @extend_schema(
        parameters=[OpenApiParameter("revocation_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=RevocationDecisionSerializer,
        responses={200: RevocationSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request, revocation_id: int) -> Response:
        revocation = get_object_or_404(
            EventRevocation.objects.filter(event__customer__in=selectors.customers_visible_to(request.user)),
            pk=revocation_id,
        )
        data = _validated(RevocationDecisionSerializer, request, request.data)
        revocation = services.revocation_decide(revocation=revocation, actor=request.user, **data)
        return Response(RevocationSerializer(revocation).data)


class ReportListApi(ArchiveApi, generics.ListAPIView):
    """Public credit reports of the customers the user may see; staff upload new ones here."""

    serializer_class = ReportSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet:
        filters = _validated(ReportFilterSerializer, self.request, self.request.query_params)
        reports = PublicCreditReport.objects.filter(
            customer__in=selectors.customers_visible_to(self.request.user)
        ).select_related("customer")
        if filters["customer"]:
            reports = reports.filter(customer__uscc=filters["customer"].strip().upper())
        if filters["status"]:
            reports = reports.filter(status=filters["status"])
        return reports

    @extend_schema(
        parameters=[ReportFilterSerializer], responses={200: ReportSerializer(many=True), **BAD_INPUT, **FORBIDDEN}
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ReportUploadSerializer, responses={201: ReportSerializer, **BAD_INPUT, **FORBIDDEN})
    def post(self, request: Request) -> Response:
        data = _validated(ReportUploadSerializer, request, request.data)
        report = services.report_upload(actor=request.user, **data)
        return Response(ReportSerializer(report).data, status.HTTP_201_CREATED)
