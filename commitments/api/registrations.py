"""Registrations: anyone registers an enterprise user; staff confirm that it acts for its enterprise."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from credit_portal.throttling import registration_throttled

from .. import selectors, services
from ..models import EnterpriseRegistration
from ..serializers import (
    RegistrationCreateSerializer,
    RegistrationDecisionSerializer,
    RegistrationReceivedSerializer,
    RegistrationSerializer,
)
from .base import BAD_INPUT, FORBIDDEN, ID, NOT_FOUND, THROTTLED, EnterpriseApi, validated


class RegistrationListApi(EnterpriseApi, generics.ListAPIView):
    """Registrations awaiting staff confirmation; anyone may register an enterprise user here (POST)."""

    serializer_class = RegistrationSerializer
    permissions = {"GET": "commitments.view_enterpriseregistration"}

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return super().get_permissions()

    def get_queryset(self) -> QuerySet:
        return selectors.pending_registrations()

    @extend_schema(responses={200: RegistrationSerializer(many=True), **FORBIDDEN})
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=RegistrationCreateSerializer,
        responses={201: RegistrationReceivedSerializer, **BAD_INPUT, **THROTTLED},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        # Self-registration needs no login: attempts are limited per client address and per mobile number.
        phone = request.data.get("phone") if hasattr(request.data, "get") else None
        if refusal := registration_throttled(request, mobile=phone if isinstance(phone, str) else ""):
            raise Throttled(detail=refusal)
        data = validated(RegistrationCreateSerializer, request, request.data)
        registration = services.enterprise_register(**data)
        return Response(RegistrationReceivedSerializer(registration).data, status.HTTP_201_CREATED)


class RegistrationDecisionApi(EnterpriseApi):
    """Staff confirm (or refuse, with a reason) that a registered user acts for its enterprise."""

    permissions = {"POST": "commitments.confirm_enterpriseregistration"}

    @extend_schema(
        parameters=[ID],
        request=RegistrationDecisionSerializer,
        responses={200: RegistrationSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        registration = get_object_or_404(EnterpriseRegistration, pk=pk)
        data = validated(RegistrationDecisionSerializer, request, request.data)
        if data["confirm"]:
            registration = services.registration_confirm(registration=registration, actor=request.user)
        else:
            registration = services.registration_reject(
                registration=registration, actor=request.user, note=data["note"]
            )
        return Response(RegistrationSerializer(registration).data)
