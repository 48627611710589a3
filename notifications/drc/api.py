"""Read-only REST endpoints of the daily DRC report, mounted under /api/drc/ by credit_portal.api_urls.

GET /api/drc/reports/ lists the reports by date with their counts and push status;
GET /api/drc/reports/{date}/ gives one report with its files (size, SHA-256, download link) and
its push attempts. Readers need `drc.view_drcreport` (DRC officers, staff); anything
but GET answers 405 to them and 403 to everyone else.
"""

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from archives.serializers import ErrorSerializer

from . import selectors
from .models import DrcReport, DrcReportPush

FORBIDDEN = {
    401: OpenApiResponse(ErrorSerializer, description="未登录：缺少或无效的令牌（WWW-Authenticate: Token）"),
    403: OpenApiResponse(ErrorSerializer, description="所属角色无权查看报送文件"),
}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="该日期没有报送文件，或日期格式不是 YYYY-MM-DD")}


class CanViewDrcReports(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.has_perm("drc.view_drcreport"))


class DrcReportFileSerializer(serializers.Serializer):
    name = serializers.CharField(
        help_text="文件名：commitments.csv、archives.csv、events.csv、report.xlsx、manifest.json"
    )
    bytes = serializers.IntegerField(help_text="字节数")
    sha256 = serializers.CharField(help_text="SHA-256（十六进制）")
    url = serializers.URLField(help_text="下载地址（登录会话）")


class DrcReportSerializer(serializers.ModelSerializer):
    # Plain strings, not enums: "status" is a name other components' enums use already.
    status = serializers.CharField(help_text="building 生成中、ready 已生成、failed 生成失败")
    push_status = serializers.CharField(
        help_text="空：未配置推送；pending 待推送、sending 推送中、pushed 已推送、failed 推送失败"
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    push_status_label = serializers.CharField(source="get_push_status_display", read_only=True)
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="各文件数据行数")
    files = serializers.SerializerMethodField()

    class Meta:
        model = DrcReport
        fields = [
            "report_date", "status", "status_label", "counts", "generated_at", "build_seconds",
            "push_status", "push_status_label", "pushed_at", "files",
        ]  # fmt: skip

    @extend_schema_field(DrcReportFileSerializer(many=True))
    def get_files(self, report: DrcReport) -> list[dict]:
        request = self.context["request"]
        day = report.report_date.isoformat()
        return [
            {
                "name": file.name,
                "bytes": file.bytes,
                "sha256": file.sha256,
                "url": request.build_absolute_uri(reverse("drc:report_file", args=[day, file.name])),
            }
            for file in selectors.report_files(report)
        ]


class DrcReportPushSerializer(serializers.ModelSerializer):
    outcome = serializers.CharField(help_text="sending 推送中、succeeded 成功、failed 失败")
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = DrcReportPush
        fields = [
            "attempt", "target", "started_at", "finished_at", "outcome", "outcome_label", "http_status",
            "archive_sha256", "bytes_sent", "error",
        ]  # fmt: skip


class DrcReportDetailSerializer(DrcReportSerializer):
    pushes = serializers.SerializerMethodField()

    class Meta(DrcReportSerializer.Meta):
        fields = [*DrcReportSerializer.Meta.fields, "last_error", "pushes"]

    @extend_schema_field(DrcReportPushSerializer(many=True))
    def get_pushes(self, report: DrcReport) -> list[dict]:
        return DrcReportPushSerializer(selectors.report_pushes(report), many=True).data


class DrcReportApi(APIView):
    permission_classes = [IsAuthenticated, CanViewDrcReports]
    filter_backends: list = []


class DrcReportListApi(DrcReportApi, generics.ListAPIView):
    """The daily reports to the DRC, newest first."""

    serializer_class = DrcReportSerializer

    def get_queryset(self):
        return selectors.drc_reports()

    @extend_schema(responses={200: DrcReportSerializer(many=True), **FORBIDDEN})
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class DrcReportDetailApi(DrcReportApi):
    """One day's report: counts, files with their SHA-256, push attempts."""

    @extend_schema(
        parameters=[OpenApiParameter("report_date", OpenApiTypes.DATE, OpenApiParameter.PATH, description="报送日期")],
        responses={200: DrcReportDetailSerializer, **FORBIDDEN, **NOT_FOUND},
    )
    def get(self, request: Request, report_date: str) -> Response:
        report = selectors.drc_report_by_date(report_date)
        return Response(DrcReportDetailSerializer(report, context={"request": request}).data)


urlpatterns = [
    path("reports/", DrcReportListApi.as_view(), name="drc-report-list"),
    path("reports/<str:report_date>/", DrcReportDetailApi.as_view(), name="drc-report-detail"),
]
