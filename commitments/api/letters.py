"""Commitment letters (信用承诺书): an enterprise uploads its signed letter, staff accept or reject it, and
the accepted ones are public (信用承诺公示)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from .. import selectors, services
from ..serializers import (
    LetterDecisionSerializer,
    LetterSerializer,
    LetterUploadSerializer,
    PublicLetterFilterSerializer,
    PublicLetterSerializer,
)
from .base import BAD_INPUT, FORBIDDEN, ID, NOT_FOUND, UPLOAD_PARSERS, EnterpriseApi, validated


class LetterListApi(EnterpriseApi, generics.ListAPIView):
    """Commitment letters the user may see; an enterprise uploads its signed letter here (multipart)."""

    serializer_class = LetterSerializer
    parser_classes = UPLOAD_PARSERS

    def get_queryset(self) -> QuerySet:
        return selectors.letters_visible_to(self.request.user)

    @extend_schema(responses={200: LetterSerializer(many=True), **FORBIDDEN})
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=LetterUploadSerializer, responses={201: LetterSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND}
    )
    def post(self, request: Request) -> Response:
        customer = selectors.enterprise_of(request.user)
        data = validated(LetterUploadSerializer, request, request.data)
        letter = services.letter_upload(customer=customer, actor=request.user, **data)
        return Response(LetterSerializer(letter).data, status.HTTP_201_CREATED)


class LetterDetailApi(EnterpriseApi):
    @extend_schema(parameters=[ID], responses={200: LetterSerializer, **FORBIDDEN, **NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        return Response(LetterSerializer(get_object_or_404(selectors.letters_visible_to(request.user), pk=pk)).data)


class LetterDecisionApi(EnterpriseApi):
    """Staff accept a letter (it gets its 承诺编码 and is published) or reject it with a reason."""

    permissions = {"POST": "commitments.review_commitmentletter"}

    @extend_schema(
        parameters=[ID],
        request=LetterDecisionSerializer,
        responses={200: LetterSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        letter = get_object_or_404(selectors.letters_visible_to(request.user), pk=pk)
        data = validated(LetterDecisionSerializer, request, request.data)
        letter = services.letter_decide(
            letter=letter, accept=data["accept"], actor=request.user, note=data["note"], valid_until=data["valid_until"]
        )
        return Response(LetterSerializer(letter).data)


class PublicLetterListApi(generics.ListAPIView):
    """信用承诺公示: accepted letters, public under clause 5 of the letter (no login)."""

    serializer_class = PublicLetterSerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        filters = validated(PublicLetterFilterSerializer, self.request, self.request.query_params)
        return selectors.public_letters(search=filters["q"])

    @extend_schema(parameters=[PublicLetterFilterSerializer], auth=[])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)
