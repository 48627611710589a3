"""REST API of the ratings: a customer's current rating and its history, scoped like the archive."""

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from archives.models import Customer
from archives.selectors import customer_for_user, customer_values_for_user
from archives.serializers import ErrorSerializer

from . import rules
from .facts import customer_facts
from .models import CustomerRating, RatingHistory
from .rulesets import rule_book_for
from .selectors import active_override
from .serializers import RATING_LOOKUP_FIELDS, RatingHistorySerializer, RatingSerializer, stored_rating_data

USCC_PATH = OpenApiParameter("uscc", OpenApiTypes.STR, OpenApiParameter.PATH, description="统一社会信用代码")
ERRORS = {
    403: OpenApiResponse(ErrorSerializer, description="未登录"),
    404: OpenApiResponse(ErrorSerializer, description="没有找到，或无权查看该企业"),
}


def _unstored_rating(customer: Customer) -> CustomerRating:
    """An unsaved rating evaluated as of today, for a customer never rated yet."""
    as_of = timezone.localdate()
    book = rule_book_for(as_of=as_of)
    result = rules.evaluate(customer_facts(customer=customer, as_of=as_of), book)
    override = active_override(customer_id=customer.pk, as_of=as_of)
    return CustomerRating(
        customer=customer,
        level=override.level if override else result.level,
        computed_level=result.level,
        rules=list(result.rules),
        explanation=result.explanation,
        as_of=as_of,
        changed_on=as_of,
        rules_version=book.rules_version,
        rule_set_version=book.number,
        override=override,
    )


class CustomerRatingApi(APIView):
    """The level in force, the computed level, the rules with the plan's text and the explanation."""

    @extend_schema(parameters=[USCC_PATH], responses={200: RatingSerializer, **ERRORS})
    def get(self, request: Request, uscc: str) -> Response:
        # One query for the customer's stored rating and its override, only the columns the answer shows.
        row = customer_values_for_user(user=request.user, uscc=uscc, fields=RATING_LOOKUP_FIELDS)
        if row["rating__level"] is not None:
            return Response(stored_rating_data(row))
        customer = customer_for_user(user=request.user, uscc=uscc)  # never rated yet: evaluated now
        return Response(RatingSerializer(_unstored_rating(customer)).data)


class CustomerRatingHistoryApi(generics.ListAPIView):
    """Every change of the customer's level, newest first."""

    serializer_class = RatingHistorySerializer
    queryset = RatingHistory.objects.none()  # for the schema; get_queryset scopes the real one
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[RatingHistory]:
        customer = customer_for_user(user=self.request.user, uscc=self.kwargs["uscc"])
        return customer.rating_history.all()

    @extend_schema(parameters=[USCC_PATH], responses={200: RatingHistorySerializer(many=True), **ERRORS})
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)
