"""Power applications (用电申请): an enterprise applies, staff work the green-channel queue, and the
turnaround shows what the channel saves."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from .. import selectors, services
from ..serializers import (
    ApplicationCreateSerializer,
    ApplicationSerializer,
    StepChangeSerializer,
    TurnaroundFilterSerializer,
    TurnaroundSerializer,
)
from .base import BAD_INPUT, FORBIDDEN, ID, NOT_FOUND, UPLOAD_PARSERS, EnterpriseApi, validated


class ApplicationListApi(EnterpriseApi, generics.ListAPIView):
    """Power applications the user may see, newest first; an enterprise applies here (multipart)."""

    serializer_class = ApplicationSerializer
    parser_classes = UPLOAD_PARSERS

    def get_queryset(self) -> QuerySet:
        return selectors.applications_visible_to(self.request.user)

    @extend_schema(responses={200: ApplicationSerializer(many=True), **FORBIDDEN})
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ApplicationCreateSerializer,
        responses={201: ApplicationSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        customer = selectors.enterprise_of(request.user)
        data = validated(ApplicationCreateSerializer, request, request.data)
        application = services.application_submit(customer=customer, actor=request.user, **data)
        return Response(ApplicationSerializer(application).data, status.HTTP_201_CREATED)


class ApplicationQueueApi(EnterpriseApi, generics.ListAPIView):
    """The staff queue: open applications, honest customers first (green channel), then by submission."""

    serializer_class = ApplicationSerializer
    permissions = {"GET": "commitments.handle_powerapplication"}

    def get_queryset(self) -> QuerySet:
        return selectors.application_queue()

    @extend_schema(responses={200: ApplicationSerializer(many=True), **FORBIDDEN})
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class ApplicationTurnaroundApi(EnterpriseApi):
    """Median days from submission to done: honest customers (by level when applying) vs others."""

    permissions = {"GET": "commitments.view_powerapplication"}

    @extend_schema(parameters=[TurnaroundFilterSerializer], responses={200: TurnaroundSerializer, **FORBIDDEN})
    def get(self, request: Request) -> Response:
        filters = validated(TurnaroundFilterSerializer, request, request.query_params)
        return Response(TurnaroundSerializer(selectors.application_turnaround(**filters)).data)


class ApplicationDetailApi(EnterpriseApi):
    @extend_schema(parameters=[ID], responses={200: ApplicationSerializer, **FORBIDDEN, **NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        application = get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)
        return Response(ApplicationSerializer(application).data)


class ApplicationStatusApi(EnterpriseApi):
    """Staff move an application on (accepted → surveying → connecting → done) or reject it."""

    permissions = {"POST": "commitments.handle_powerapplication"}

    @extend_schema(
        parameters=[ID],
        request=StepChangeSerializer,
        responses={200: ApplicationSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        application = get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)
        data = validated(StepChangeSerializer, request, request.data)
        application = services.application_advance(application=application, actor=request.user, **data)
        return Response(ApplicationSerializer(application).data)
