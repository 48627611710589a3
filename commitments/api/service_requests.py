"""Value-added service requests (增值服务): an honest enterprise requests one, staff move it on."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from credit_portal.api_parsers import JSONParser

from .. import selectors, services
from ..serializers import ServiceRequestCreateSerializer, ServiceRequestSerializer, ServiceStepChangeSerializer
from .base import BAD_INPUT, FORBIDDEN, ID, NOT_FOUND, UPLOAD_PARSERS, EnterpriseApi, validated


class ServiceRequestListApi(EnterpriseApi, generics.ListAPIView):
    """Value-added service requests the user may see; an honest enterprise requests one here."""

    serializer_class = ServiceRequestSerializer
    parser_classes = [JSONParser, *UPLOAD_PARSERS]

    def get_queryset(self) -> QuerySet:
        return selectors.service_requests_visible_to(self.request.user)

    @extend_schema(responses={200: ServiceRequestSerializer(many=True), **FORBIDDEN})
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ServiceRequestCreateSerializer,
        responses={201: ServiceRequestSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        customer = selectors.enterprise_of(request.user)
        data = validated(ServiceRequestCreateSerializer, request, request.data)
        service_request = services.service_request_submit(customer=customer, actor=request.user, **data)
        return Response(ServiceRequestSerializer(service_request).data, status.HTTP_201_CREATED)


class ServiceRequestStatusApi(EnterpriseApi):
    permissions = {"POST": "commitments.handle_valueaddedservicerequest"}

    @extend_schema(
        parameters=[ID],
        request=ServiceStepChangeSerializer,
        responses={200: ServiceRequestSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        service_request = get_object_or_404(selectors.service_requests_visible_to(request.user), pk=pk)
        data = validated(ServiceStepChangeSerializer, request, request.data)
        service_request = services.service_request_advance(service_request=service_request, actor=request.user, **data)
        return Response(ServiceRequestSerializer(service_request).data)
