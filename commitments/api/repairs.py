"""Credit repair (信用修复): an enterprise applies (or staff at the counter), staff propose, a different
supervisor decides; staff record a repair by the authority that found the record."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from archives.models import CreditEvent

from .. import repair_selectors, selectors, services
from ..serializers import repairs as repair_serializers
from .base import BAD_INPUT, FORBIDDEN, ID, NOT_FOUND, UPLOAD_PARSERS, EnterpriseApi, validated


def _repairable_event(request: Request, event_id: int) -> CreditEvent:
    """The event a repair is asked for: staff may name any (at the counter), an enterprise only its own."""
    if request.user.has_perm("commitments.propose_repair"):
        return get_object_or_404(CreditEvent.objects.select_related("customer"), pk=event_id)
    if not selectors.own_customers(request.user).exists():
        raise PermissionDenied
    return get_object_or_404(selectors.enterprise_of(request.user).events.all(), pk=event_id)


class RepairListApi(EnterpriseApi, generics.ListAPIView):
    """Credit-repair applications the user may see; an enterprise applies for a record of its own here
    (multipart), or staff file one at the counter with the enterprise's scanned paper application."""

    serializer_class = repair_serializers.RepairSerializer
    parser_classes = UPLOAD_PARSERS

    def get_queryset(self) -> QuerySet:
        return repair_selectors.repairs_visible_to(self.request.user)

    @extend_schema(responses={200: repair_serializers.RepairSerializer(many=True), **FORBIDDEN})
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=repair_serializers.RepairCreateSerializer,
        responses={201: repair_serializers.RepairSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        data = validated(repair_serializers.RepairCreateSerializer, request, request.data)
        event = _repairable_event(request, data.pop("event"))
        application = services.repair_apply(event=event, actor=request.user, **data)
        return Response(repair_serializers.RepairSerializer(application).data, status.HTTP_201_CREATED)


class RepairAtSourceApi(EnterpriseApi):
    """Staff record the repair of another authority's record by that authority (谁认定、谁修复)."""

    parser_classes = UPLOAD_PARSERS
    permissions = {"POST": "commitments.propose_repair"}

    @extend_schema(
        request=repair_serializers.SourceRepairSerializer,
        responses={201: repair_serializers.RepairSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        data = validated(repair_serializers.SourceRepairSerializer, request, request.data)
        event = get_object_or_404(CreditEvent, pk=data.pop("event"))
        application = services.repair_record_at_source(event=event, actor=request.user, **data)
        return Response(repair_serializers.RepairSerializer(application).data, status.HTTP_201_CREATED)


class RepairCountsApi(EnterpriseApi):
    """How many applications are in each state, and how many open ones are past their deadline."""

    permissions = {"GET": "commitments.view_repairapplication"}

    @extend_schema(responses={200: repair_serializers.RepairCountsSerializer, **FORBIDDEN})
    def get(self, request: Request) -> Response:
        return Response(repair_serializers.RepairCountsSerializer(repair_selectors.repair_counts()).data)


class RepairDetailApi(EnterpriseApi):
    @extend_schema(parameters=[ID], responses={200: repair_serializers.RepairSerializer, **FORBIDDEN, **NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            repair_serializers.RepairSerializer(
                get_object_or_404(repair_selectors.repairs_visible_to(request.user), pk=pk)
            ).data
        )


class RepairProposalApi(EnterpriseApi):
    """Staff check the correction and propose; a different supervisor decides."""

    permissions = {"POST": "commitments.propose_repair"}

    @extend_schema(
        parameters=[ID],
        request=repair_serializers.RepairProposalSerializer,
        responses={200: repair_serializers.RepairSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        application = get_object_or_404(repair_selectors.repairs_visible_to(request.user), pk=pk)
        data = validated(repair_serializers.RepairProposalSerializer, request, request.data)
        application = services.repair_propose(application=application, actor=request.user, **data)
        return Response(repair_serializers.RepairSerializer(application).data)


class RepairDecisionApi(EnterpriseApi):
    """A supervisor other than the proposer decides: approved repairs the record at once (re-rating
    follows in the same transaction) and publishes the commitment; refused says what is missing."""

    permissions = {"POST": "commitments.decide_repair"}

    @extend_schema(
        parameters=[ID],
        request=repair_serializers.RepairDecisionSerializer,
        responses={200: repair_serializers.RepairSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        application = get_object_or_404(repair_selectors.repairs_visible_to(request.user), pk=pk)
        data = validated(repair_serializers.RepairDecisionSerializer, request, request.data)
        application = services.repair_decide(application=application, actor=request.user, **data)
        return Response(repair_serializers.RepairSerializer(application).data)
