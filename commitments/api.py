"""REST API of the enterprise side: registrations, commitment letters, reports uploaded by an enterprise
or the DRC, power applications (with the green-channel queue and its turnaround), value-added service
requests and objections.

Reads are scoped by the `*_visible_to` selectors: another enterprise's record answers 404. Staff actions
need their role's permission (403 otherwise); an applicant acts only for its confirmed enterprise.
Bad input answers 400 with the field and the reason, and changes nothing.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import Throttled
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from archives.models import CreditEvent
from archives.selectors import customer_for_user
from archives.serializers import ErrorSerializer, ReportSerializer
from archives.validation import normalize_uscc
from credit_portal.api_parsers import JSONParser
from credit_portal.idempotency import IdempotentPosts
from credit_portal.throttling import registration_throttled

from . import repair_selectors, selectors, services
from .models import EnterpriseRegistration
from .serializers import (
    ApplicationCreateSerializer,
    ApplicationSerializer,
    LetterDecisionSerializer,
    LetterSerializer,
    LetterUploadSerializer,
    ObjectionCreateSerializer,
    ObjectionDecisionSerializer,
    ObjectionReviewSerializer,
    ObjectionSerializer,
    PublicLetterFilterSerializer,
    PublicLetterSerializer,
    RegistrationCreateSerializer,
    RegistrationDecisionSerializer,
    RegistrationReceivedSerializer,
    RegistrationSerializer,
    RepairCountsSerializer,
    RepairCreateSerializer,
    RepairDecisionSerializer,
    RepairProposalSerializer,
    RepairSerializer,
    ReportSubmissionSerializer,
    ServiceRequestCreateSerializer,
    ServiceRequestSerializer,
    ServiceStepChangeSerializer,
    SourceRepairSerializer,
    StepChangeSerializer,
    TurnaroundFilterSerializer,
    TurnaroundSerializer,
)

BAD_INPUT = {400: OpenApiResponse(ErrorSerializer, description="输入有误（errors 指出字段和原因），未写入任何数据")}
FORBIDDEN = {
    401: OpenApiResponse(ErrorSerializer, description="未登录：缺少或无效的令牌（WWW-Authenticate: Token）"),
    403: OpenApiResponse(ErrorSerializer, description="所属角色无此权限"),
}
THROTTLED = {429: OpenApiResponse(ErrorSerializer, description="尝试过于频繁，请稍后再试")}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="没有找到，或无权查看（其他企业的记录）")}
ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="记录 id")
UPLOAD_PARSERS = [MultiPartParser, FormParser]


class HasPermission(BasePermission):
    """The view's `permission` (per HTTP method: `permissions = {"POST": "app.code"}`), if it names one."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        code = getattr(view, "permissions", {}).get(request.method)
        return code is None or request.user.has_perm(code)


class EnterpriseApi(IdempotentPosts, APIView):
    permission_classes = [IsAuthenticated, HasPermission]
    permissions: dict[str, str] = {}
    filter_backends: list = []


def _validated(serializer_class, request: Request, data) -> dict:
    serializer = serializer_class(data=data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --------------------------------------------------------------------------------------------
# Registrations
# --------------------------------------------------------------------------------------------


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
        data = _validated(RegistrationCreateSerializer, request, request.data)
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
        data = _validated(RegistrationDecisionSerializer, request, request.data)
        if data["confirm"]:
            registration = services.registration_confirm(registration=registration, actor=request.user)
        else:
            registration = services.registration_reject(
                registration=registration, actor=request.user, note=data["note"]
            )
        return Response(RegistrationSerializer(registration).data)


# --------------------------------------------------------------------------------------------
# Commitment letters
# --------------------------------------------------------------------------------------------


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
        data = _validated(LetterUploadSerializer, request, request.data)
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
        data = _validated(LetterDecisionSerializer, request, request.data)
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
        filters = _validated(PublicLetterFilterSerializer, self.request, self.request.query_params)
        return selectors.public_letters(search=filters["q"])

    @extend_schema(parameters=[PublicLetterFilterSerializer], auth=[])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


# --------------------------------------------------------------------------------------------
# Public credit reports from the enterprise or the DRC
# --------------------------------------------------------------------------------------------


class ReportSubmissionApi(EnterpriseApi):
    """An enterprise uploads its own public credit report, or a DRC officer one for an enterprise.

    Staff of the utility verify it (`/api/reports/`, the archive's endpoints) before it counts.
    """

    parser_classes = UPLOAD_PARSERS

    @extend_schema(
        request=ReportSubmissionSerializer, responses={201: ReportSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND}
    )
    def post(self, request: Request) -> Response:
        data = _validated(ReportSubmissionSerializer, request, request.data)
        customer = customer_for_user(user=request.user, uscc=normalize_uscc(data["customer"]))
        upload = (
            services.officer_credit_report_upload
            if request.user.has_perm("commitments.upload_report_for_enterprise")
            else services.enterprise_report_upload
        )
        report = upload(customer=customer, actor=request.user, issued_on=data["issued_on"], file=data["file"])
        return Response(ReportSerializer(report).data, status.HTTP_201_CREATED)


# --------------------------------------------------------------------------------------------
# Power applications
# --------------------------------------------------------------------------------------------


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
        data = _validated(ApplicationCreateSerializer, request, request.data)
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
        filters = _validated(TurnaroundFilterSerializer, request, request.query_params)
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
        data = _validated(StepChangeSerializer, request, request.data)
        application = services.application_advance(application=application, actor=request.user, **data)
        return Response(ApplicationSerializer(application).data)


# --------------------------------------------------------------------------------------------
# Value-added services
# --------------------------------------------------------------------------------------------


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
        data = _validated(ServiceRequestCreateSerializer, request, request.data)
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
        data = _validated(ServiceStepChangeSerializer, request, request.data)
        service_request = services.service_request_advance(service_request=service_request, actor=request.user, **data)
        return Response(ServiceRequestSerializer(service_request).data)


# --------------------------------------------------------------------------------------------
# Objections
# --------------------------------------------------------------------------------------------


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
        data = _validated(ObjectionCreateSerializer, request, request.data)
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
        data = _validated(ObjectionReviewSerializer, request, request.data)
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
        data = _validated(ObjectionDecisionSerializer, request, request.data)
        objection = services.objection_decide(objection=objection, actor=request.user, **data)
        return Response(ObjectionSerializer(objection).data)


# --------------------------------------------------------------------------------------------
# Credit repair (信用修复)
# --------------------------------------------------------------------------------------------


def _repairable_event(request: Request, event_id: int) -> CreditEvent:
    """The event a repair is asked for: staff may name any (at the counter), an enterprise only its own."""
    if request.user.has_perm("commitments.propose_repair"):
        return get_object_or_404(CreditEvent.objects.select_related("customer"), pk=event_id)
    if not selectors._own_customers(request.user).exists():
        raise PermissionDenied
    return get_object_or_404(selectors.enterprise_of(request.user).events.all(), pk=event_id)


class RepairListApi(EnterpriseApi, generics.ListAPIView):
    """Credit-repair applications the user may see; an enterprise applies for a record of its own here
    (multipart), or staff file one at the counter with the enterprise's scanned paper application."""

    serializer_class = RepairSerializer
    parser_classes = UPLOAD_PARSERS

    def get_queryset(self) -> QuerySet:
        return repair_selectors.repairs_visible_to(self.request.user)

    @extend_schema(responses={200: RepairSerializer(many=True), **FORBIDDEN})
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=RepairCreateSerializer,
        responses={201: RepairSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        data = _validated(RepairCreateSerializer, request, request.data)
        event = _repairable_event(request, data.pop("event"))
        application = services.repair_apply(event=event, actor=request.user, **data)
        return Response(RepairSerializer(application).data, status.HTTP_201_CREATED)


class RepairAtSourceApi(EnterpriseApi):
    """Staff record the repair of another authority's record by that authority (谁认定、谁修复)."""

    parser_classes = UPLOAD_PARSERS
    permissions = {"POST": "commitments.propose_repair"}

    @extend_schema(
        request=SourceRepairSerializer,
        responses={201: RepairSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        data = _validated(SourceRepairSerializer, request, request.data)
        event = get_object_or_404(CreditEvent, pk=data.pop("event"))
        application = services.repair_record_at_source(event=event, actor=request.user, **data)
        return Response(RepairSerializer(application).data, status.HTTP_201_CREATED)


class RepairCountsApi(EnterpriseApi):
    """How many applications are in each state, and how many open ones are past their deadline."""

    permissions = {"GET": "commitments.view_repairapplication"}

    @extend_schema(responses={200: RepairCountsSerializer, **FORBIDDEN})
    def get(self, request: Request) -> Response:
        return Response(RepairCountsSerializer(repair_selectors.repair_counts()).data)


class RepairDetailApi(EnterpriseApi):
    @extend_schema(parameters=[ID], responses={200: RepairSerializer, **FORBIDDEN, **NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            RepairSerializer(get_object_or_404(repair_selectors.repairs_visible_to(request.user), pk=pk)).data
        )


class RepairProposalApi(EnterpriseApi):
    """Staff check the correction and propose; a different supervisor decides."""

    permissions = {"POST": "commitments.propose_repair"}

    @extend_schema(
        parameters=[ID],
        request=RepairProposalSerializer,
        responses={200: RepairSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        application = get_object_or_404(repair_selectors.repairs_visible_to(request.user), pk=pk)
        data = _validated(RepairProposalSerializer, request, request.data)
        application = services.repair_propose(application=application, actor=request.user, **data)
        return Response(RepairSerializer(application).data)


class RepairDecisionApi(EnterpriseApi):
    """A supervisor other than the proposer decides: approved repairs the record at once (re-rating
    follows in the same transaction) and publishes the commitment; refused says what is missing."""

    permissions = {"POST": "commitments.decide_repair"}

    @extend_schema(
        parameters=[ID],
        request=RepairDecisionSerializer,
        responses={200: RepairSerializer, **BAD_INPUT, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        application = get_object_or_404(repair_selectors.repairs_visible_to(request.user), pk=pk)
        data = _validated(RepairDecisionSerializer, request, request.data)
        application = services.repair_decide(application=application, actor=request.user, **data)
        return Response(RepairSerializer(application).data)
