"""Public credit reports uploaded by the enterprise itself or by a DRC officer for it."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from archives.selectors import customer_for_user
from archives.serializers import ReportSerializer
from archives.validation import normalize_uscc

from .. import services
from ..serializers import ReportSubmissionSerializer
from .base import BAD_INPUT, FORBIDDEN, NOT_FOUND, UPLOAD_PARSERS, EnterpriseApi, validated


class ReportSubmissionApi(EnterpriseApi):
    """An enterprise uploads its own public credit report, or a DRC officer one for an enterprise.

    Staff of the utility verify it (`/api/reports/`, the archive's endpoints) before it counts.
    """

    parser_classes = UPLOAD_PARSERS

    @extend_schema(
        request=ReportSubmissionSerializer, responses={201: ReportSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND}
    )
    def post(self, request: Request) -> Response:
        data = validated(ReportSubmissionSerializer, request, request.data)
        customer = customer_for_user(user=request.user, uscc=normalize_uscc(data["customer"]))
        upload = (
            services.officer_credit_report_upload
            if request.user.has_perm("commitments.upload_report_for_enterprise")
            else services.enterprise_report_upload
        )
        report = upload(customer=customer, actor=request.user, issued_on=data["issued_on"], file=data["file"])
        return Response(ReportSerializer(report).data, status.HTTP_201_CREATED)
