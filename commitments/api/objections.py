"""Objections (异议): an enterprise objects to a record of its archive or to its level, staff review,
a supervisor decides."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from credit_portal.api_parsers import JSONParser

from .. import selectors, services
from ..serializers import (
    ObjectionCreateSerializer,
    ObjectionDecisionSerializer,
    ObjectionReviewSerializer,
    ObjectionSerializer,
)
from .base import BAD_INPUT, FORBIDDEN, ID, NOT_FOUND, UPLOAD_PARSERS, EnterpriseApi, validated


class ObjectionListApi(EnterpriseApi, generics.ListAPIView):
    """Objections the user may see; an enterprise objects here to a record of its own archive (an event, an
    arrears date, a refused report) or to its level in force, naming the facts it disputes."""

    serializer_class = ObjectionSerializer
    parser_classes = [JSONParser, *UPLOAD_PARSERS]

    def get_queryset(self) -> QuerySet:
        return selectors.objections_visible_to(self.request.user)

    @extend_schema(responses={200: ObjectionSerializer(many=True), **FORBIDDEN})
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ObjectionCreateSerializer, responses={201: ObjectionSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND}
    )
    def post(self, request: Request) -> Response:
        customer = selectors.enterprise_of(request.user)
        data = validated(ObjectionCreateSerializer, request, request.data)
        records = {
            "event": _own(customer.events, data.pop("event", None)),
            "account": _own(customer.accounts, data.pop("account", None)),
            "report": _own(customer.reports, data.pop("report", None)),
            "disputed_events": [_own(customer.events, pk) for pk in data.pop("disputed_events", [])],
        }
        objection = services.objection_submit(customer=customer, actor=request.user, **records, **data)
        return Response(ObjectionSerializer(objection).data, status.HTTP_201_CREATED)


def _own(records, pk: int | None):
    """A record of the enterprise's own archive by id; another's (or none) answers 404."""
    if pk is None:
        return None
    return get_object_or_404(records.all(), pk=pk)


class ObjectionDetailApi(EnterpriseApi):
    @extend_schema(parameters=[ID], responses={200: ObjectionSerializer, **FORBIDDEN, **NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            ObjectionSerializer(get_object_or_404(selectors.objections_visible_to(request.user), pk=pk)).data
        )


class ObjectionReviewApi(EnterpriseApi):
    """Staff review an objection; it goes to a supervisor with their recommendation."""

    permissions = {"POST": "commitments.review_objection"}

    @extend_schema(
        parameters=[ID],
        request=ObjectionReviewSerializer,
        responses={200: ObjectionSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        objection = get_object_or_404(selectors.objections_visible_to(request.user), pk=pk)
        data = validated(ObjectionReviewSerializer, request, request.data)
        objection = services.objection_review(objection=objection, actor=request.user, **data)
        return Response(ObjectionSerializer(objection).data)


class ObjectionDecisionApi(EnterpriseApi):
    """A supervisor decides: upheld revokes the event (re-rating follows); refused needs a reason."""

    permissions = {"POST": "commitments.decide_objection"}

    @extend_schema(
        parameters=[ID],
        request=ObjectionDecisionSerializer,
        responses={200: ObjectionSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        objection = get_object_or_404(selectors.objections_visible_to(request.user), pk=pk)
        data = validated(ObjectionDecisionSerializer, request, request.data)
        objection = services.objection_decide(objection=objection, actor=request.user, **data)
        return Response(ObjectionSerializer(objection).data)
