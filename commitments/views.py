"""Staff, shared and public pages of the enterprise side. Views parse input, call one service, and render.

Detail pages are shared: an applicant sees its own enterprise's records (another's answer 404),
staff see every record and the actions their role allows, DRC officers read commitment letters.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from archives.selectors import customer_for_user
from archives.services.personal_data import IDENTITY_PERMISSION, identity_reveal
from archives.validation import normalize_uscc
from credit_portal.errors import ApplicationError, submit_form
from credit_portal.files import private_file_response
from ratings.forms import OverrideLevelForm
from ratings.selectors import report_validity

from . import plan_text, repair_selectors, selectors, services
from .forms import (
    FulfilmentForm,
    LetterDecisionForm,
    ObjectionDecisionForm,
    ObjectionRecordForm,
    ObjectionReviewForm,
    OfficerCreditReportUploadForm,
    RegistrationDecisionForm,
    StepForm,
)
from .models import (
    ApplicationStatus,
    EnterpriseRegistration,
    LetterStatus,
    ObjectionStatus,
    ObjectionSubject,
    RegistrationStatus,
    ServiceStatus,
)
from .queues import queue_rows, queue_xlsx
from .services.applications import APPLICATION_STEPS, SERVICE_STEPS

PUBLIC_PAGE_SIZE = 20


# --------------------------------------------------------------------------------------------
# Public pages (no login)
# --------------------------------------------------------------------------------------------


def public_letters(request: HttpRequest) -> HttpResponse:
    """信用承诺公示: accepted letters, published under clause 5 of the letter."""
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.public_letters(search=search), PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"q": search}) if search else ""
    return render(
        request, "commitments/public_letters.html", {"page": page, "search": search, "query": query, "plan": plan_text}
    )


def report_guide(request: HttpRequest) -> HttpResponse:
    """How to obtain the public credit report from the DRC (plan Annex 1, §二, §三(四))."""
    return render(request, "commitments/report_guide.html", {"plan": plan_text, "validity": report_validity()})


# --------------------------------------------------------------------------------------------
# Registrations (staff confirm the binding)
# --------------------------------------------------------------------------------------------

confirm_required = permission_required("commitments.confirm_enterpriseregistration", raise_exception=True)


@login_required
@confirm_required
def registration_list(request: HttpRequest) -> HttpResponse:
    tools = _queue_tools(request, "registrations")
    if isinstance(tools, HttpResponse):
        return tools
    return render(request, "commitments/registration_list.html", {"registrations": tools.pop("rows"), **tools})


@login_required
@confirm_required
def registration_decide(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(EnterpriseRegistration.objects.select_related("customer", "user"), pk=pk)
    form = RegistrationDecisionForm(request.POST or None)

    def decide(data):
        if data["decision"] == "confirm":
            return services.registration_confirm(registration=registration, actor=request.user)
        return services.registration_reject(registration=registration, actor=request.user, note=data["note"])

    if request.method == "POST" and submit_form(form, decide):
        messages.success(request, "已处理企业账号绑定")
        return redirect("commitments:registration_list")
    context = {"form": form, "registration": registration, "revealed_identity": ""}
    if registration.status == RegistrationStatus.PENDING and request.user.has_perm(IDENTITY_PERMISSION):
        # Verifying the registrant against the document shown at the hall: the full number, and the look logged.
        context["revealed_identity"] = identity_reveal(
            actor=request.user, value=registration.id_number, customer=registration.customer,
            subject=f"企业用户注册 #{registration.pk}（{registration.enterprise_name}）注册人证件号码",
            purpose="核实企业账号注册",
        )  # fmt: skip
    return render(request, "commitments/registration_decide.html", context)


def _queue_tools(request: HttpRequest, kind: str, *, narrow=None) -> dict | HttpResponse:
    """History (?state=closed), search (?q=) and the XLSX export (?export=…) shared by the queues.

    ``narrow``: a further filter of the rows (a tab of the queue), applied before the page and the export
    alike, so that the export is what the tab shows."""
    closed = request.GET.get("state") == "closed"
    search = request.GET.get("q", "").strip()
    rows = queue_rows(kind, closed=closed, search=search)
    if narrow is not None:
        rows = narrow(rows)
    if request.GET.get("export"):
        name = f"{kind}-{'closed' if closed else 'open'}-{timezone.localdate():%Y%m%d}.xlsx"
        response = HttpResponse(
            queue_xlsx(kind, rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    query = urlencode(
        {key: value for key, value in {"state": request.GET.get("state", ""), "q": search}.items() if value}
    )
    return {"rows": rows, "closed": closed, "search": search, "query": query}


@login_required
@confirm_required
@require_POST
def registration_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff reset an enterprise user's password at the hall: the temporary password is shown once."""
    registration = get_object_or_404(EnterpriseRegistration.objects.select_related("customer", "user"), pk=pk)
    try:
        temporary = services.password_reset_by_staff(registration=registration, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("commitments:registration_decide", pk=pk)
    response = render(
        request, "commitments/password_reset_done.html", {"registration": registration, "temporary": temporary}
    )
    response["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------------------------
# Commitment letters
# --------------------------------------------------------------------------------------------


@login_required
@permission_required("commitments.view_commitmentletter", raise_exception=True)
def letter_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", LetterStatus.PENDING)
    letters = selectors.letters_visible_to(request.user)
    if status in LetterStatus.values:
        letters = letters.filter(status=status)
    page = Paginator(letters.order_by("uploaded_at", "id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "commitments/letter_list.html",
        {"page": page, "status": status, "statuses": LetterStatus.choices, "query": f"status={status}"},
    )


@login_required
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_object_or_404(selectors.letters_visible_to(request.user), pk=pk)
    can_review = request.user.has_perm("commitments.review_commitmentletter")
    decision_form = LetterDecisionForm(request.POST if "decision" in request.POST else None)
    fulfilment_form = FulfilmentForm(
        request.POST if "fulfilment" in request.POST else None,
        initial={"fulfilment": letter.fulfilment, "unfulfilled_content": letter.unfulfilled_content,
                 "liability_pursued": letter.liability_pursued},
    )  # fmt: skip
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied
        if "decision" in request.POST and submit_form(
            decision_form,
            lambda data: services.letter_decide(
                letter=letter, accept=data["decision"] == "accept", actor=request.user, note=data["note"],
                valid_until=data["valid_until"],
            ),
        ):  # fmt: skip
            messages.success(request, "承诺书已审核")
            return redirect("commitments:letter_detail", pk=letter.pk)
        if "fulfilment" in request.POST and submit_form(
            fulfilment_form, lambda data: services.letter_record_fulfilment(letter=letter, actor=request.user, **data)
        ):
            messages.success(request, "履行情况已登记")
            return redirect("commitments:letter_detail", pk=letter.pk)
    return render(
        request,
        "commitments/letter_detail.html",
        {
            "letter": letter,
            "can_review": can_review,
            "decision_form": decision_form,
            "fulfilment_form": fulfilment_form,
            "history": letter.history.select_related("history_user").order_by("history_date"),
            "plan": plan_text,
        },
    )


# --------------------------------------------------------------------------------------------
# Power applications and value-added services: the queue (green channel first)
# --------------------------------------------------------------------------------------------


@login_required
@permission_required("commitments.handle_powerapplication", raise_exception=True)
def application_queue(request: HttpRequest) -> HttpResponse:
    """Applications and value-added service requests; ?export=services exports the second table."""
    kind = "services" if request.GET.get("export") == "services" else "applications"
    tools = _queue_tools(request, kind)
    if isinstance(tools, HttpResponse):
        return tools
    services_rows = queue_rows("services", closed=tools["closed"], search=tools["search"])
    return render(
        request,
        "commitments/application_queue.html",
        {
            "applications": tools.pop("rows") if kind == "applications" else None,
            "service_requests": services_rows,
            "turnaround": selectors.application_turnaround(),
            **tools,
        },
    )


def _step_choices(steps: dict, labels, status: str) -> list[tuple[str, str]]:
    return [(value, dict(labels)[value]) for value in steps.get(status, ())]


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)
    can_handle = request.user.has_perm("commitments.handle_powerapplication")
    form = StepForm(
        request.POST or None, choices=_step_choices(APPLICATION_STEPS, ApplicationStatus.choices, application.status)
    )
    if request.method == "POST":
        if not can_handle:
            raise PermissionDenied
        if submit_form(
            form,
            lambda data: services.application_advance(
                application=application, status=data["status"], reason=data["reason"], actor=request.user
            ),
        ):
            messages.success(request, "申请状态已更新")
            return redirect("commitments:application_detail", pk=application.pk)
    return render(
        request,
        "commitments/application_detail.html",
        {
            "application": application,
            "steps": selectors.request_steps(application),
            "can_handle": can_handle and application.is_open,
            "form": form,
        },
    )


@login_required
def service_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service_request = get_object_or_404(selectors.service_requests_visible_to(request.user), pk=pk)
    can_handle = request.user.has_perm("commitments.handle_valueaddedservicerequest")
    form = StepForm(
        request.POST or None, choices=_step_choices(SERVICE_STEPS, ServiceStatus.choices, service_request.status)
    )
    if request.method == "POST":
        if not can_handle:
            raise PermissionDenied
        if submit_form(
            form,
            lambda data: services.service_request_advance(
                service_request=service_request, status=data["status"], reason=data["reason"], actor=request.user
            ),
        ):
            messages.success(request, "服务申请状态已更新")
            return redirect("commitments:service_request_detail", pk=service_request.pk)
    return render(
        request,
        "commitments/service_request_detail.html",
        {
            "service_request": service_request,
            "steps": selectors.request_steps(service_request),
            "can_handle": can_handle and service_request.is_open,
            "form": form,
        },
    )


# --------------------------------------------------------------------------------------------
# Objections: staff review, a supervisor decides
# --------------------------------------------------------------------------------------------


@login_required
@permission_required("commitments.review_objection", raise_exception=True)
def objection_list(request: HttpRequest) -> HttpResponse:
    """Open objections (overdue first marked), the overdue ones alone, or the closed ones."""
    overdue = request.GET.get("state") == "overdue"
    tools = _queue_tools(request, "objections", narrow=selectors.objections_overdue if overdue else None)
    if isinstance(tools, HttpResponse):
        return tools
    rows = tools.pop("rows")
    return render(
        request,
        "commitments/objection_list.html",
        {"objections": rows, "overdue": overdue, "today": timezone.localdate(), **tools},
    )


@login_required
def objection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(selectors.objections_visible_to(request.user), pk=pk)
    user = request.user
    can_review = user.has_perm("commitments.review_objection") and objection.status == ObjectionStatus.SUBMITTED
    can_decide = (
        user.has_perm("commitments.decide_objection")
        and objection.effective_status == ObjectionStatus.REVIEWED
        and objection.reviewed_by_id != user.pk
    )
    review_form = ObjectionReviewForm(request.POST if "recommendation" in request.POST else None, objection=objection)
    decision_form = ObjectionDecisionForm(request.POST if "decision" in request.POST else None, objection=objection)
    # An upheld objection to the level may be what a manual override rests on (its reason names it).
    can_propose_override = (
        user.has_perm("ratings.request_override")
        and objection.subject == ObjectionSubject.LEVEL
        and objection.status == ObjectionStatus.UPHELD
        and objection.override_id is None
    )
    proposing = "override-ends_on" in request.POST
    override_form = OverrideLevelForm(request.POST if proposing else None, prefix="override")
    if request.method == "POST" and proposing:
        if not user.has_perm("ratings.request_override"):
            raise PermissionDenied
        if submit_form(
            override_form, lambda data: services.objection_override_request(objection=objection, actor=user, **data)
        ):
            messages.success(request, "已依据本异议申请人工调整，待另一名班组长审批")
            return redirect("commitments:objection_detail", pk=objection.pk)
    elif request.method == "POST":
        if not (user.has_perm("commitments.review_objection") or user.has_perm("commitments.decide_objection")):
            raise PermissionDenied
        if "recommendation" in request.POST and submit_form(
            review_form, lambda data: services.objection_review(objection=objection, actor=user, **data)
        ):
            messages.success(request, "审查意见已提交，待班组长决定")
            return redirect("commitments:objection_detail", pk=objection.pk)
        if "decision" in request.POST and submit_form(
            decision_form,
            lambda data: services.objection_decide(
                objection=objection,
                uphold=data.pop("decision") == "uphold",
                actor=user,
                **data,  # the note, and the correction when the review proposed none
            ),
        ):
            messages.success(request, "已作出决定")
            return redirect("commitments:objection_detail", pk=objection.pk)
    return render(
        request,
        "commitments/objection_detail.html",
        {
            "objection": objection,
            "event": objection.event,
            "can_review": can_review,
            "can_decide": can_decide,
            "review_form": review_form,
            "decision_form": decision_form,
            "override_form": override_form,
            "can_propose_override": can_propose_override,
            "history": objection.history.select_related("history_user").order_by("history_date"),
            "today": timezone.localdate(),
            "reply_days": settings.OBJECTION_REPLY_WORKING_DAYS,
        },
    )


@login_required
@permission_required("commitments.review_objection", raise_exception=True)
def objection_counter(request: HttpRequest, uscc: str) -> HttpResponse:
    """Staff record an enterprise's signed paper objection at the counter, with its scan; it is the
    enterprise's own objection (it sees it on its pages and gets the decision)."""
    customer = customer_for_user(user=request.user, uscc=uscc)
    form = ObjectionRecordForm(request.POST or None, request.FILES or None, customer=customer, counter=True)
    objection = request.method == "POST" and submit_form(
        form, lambda data: services.objection_submit(customer=customer, actor=request.user, **data)
    )
    if objection:
        messages.success(request, f"书面异议已登记，答复期限 {objection.reply_due_on:%Y-%m-%d}（工作日计）")
        return redirect("commitments:objection_detail", pk=objection.pk)
    return render(
        request,
        "commitments/form.html",
        {
            "form": form,
            "title": f"登记书面异议：{customer.name}",
            "multipart": True,
            "lead": (
                f"请上传企业签章的书面异议扫描件。营业厅须在 {settings.OBJECTION_REPLY_WORKING_DAYS} 个工作日内答复，"
                "决定以短信告知企业。"
            ),
        },
    )


# --------------------------------------------------------------------------------------------
# DRC: upload a report it issued for an enterprise
# --------------------------------------------------------------------------------------------


@login_required
@permission_required("commitments.upload_report_for_enterprise", raise_exception=True)
def officer_credit_report_upload(request: HttpRequest) -> HttpResponse:
    form = OfficerCreditReportUploadForm(request.POST or None, request.FILES or None)

    def upload(data):
        uscc = normalize_uscc(data["uscc"])
        try:
            customer = customer_for_user(user=request.user, uscc=uscc)
        except Http404:
            raise ApplicationError(f"没有统一社会信用代码为 {uscc} 的企业档案", field="uscc") from None
        return services.officer_credit_report_upload(
            customer=customer, actor=request.user, issued_on=data["issued_on"], file=data["file"]
        )

    report = request.method == "POST" and submit_form(form, upload)
    if report:
        customer = report.customer
        messages.success(request, f"已为 {customer.name} 上传公共信用信息查询报告，待供电营业部核验")
        return redirect("archives:customer_detail", uscc=customer.uscc)
    return render(
        request,
        "commitments/form.html",
        {"form": form, "title": "代企业上传公共信用信息查询报告", "multipart": True},
    )


# --------------------------------------------------------------------------------------------
# Uploaded files, served only to who may see the record
# --------------------------------------------------------------------------------------------

_FILES = {
    "letter": (selectors.letters_visible_to, "file"),
    "property": (selectors.applications_visible_to, "property_document"),
    "other": (selectors.applications_visible_to, "other_document"),
    "objection": (selectors.objections_visible_to, "evidence"),
    "objection-letter": (selectors.objections_visible_to, "letter"),
    "repair-evidence": (repair_selectors.repairs_visible_to, "evidence"),
    "repair-report": (repair_selectors.repairs_visible_to, "rectification_report"),
    "repair-commitment": (repair_selectors.repairs_visible_to, "commitment_file"),
    "repair-paper": (repair_selectors.repairs_visible_to, "paper_application"),
}


@login_required
def private_file(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    """Serve an upload to a user who may see its record; 404 to anyone else."""
    if kind not in _FILES:
        raise Http404
    visible_to, field_name = _FILES[kind]
    instance = get_object_or_404(visible_to(request.user), pk=pk)
    return private_file_response(getattr(instance, field_name), kind=kind, uscc=instance.customer.uscc, pk=pk)
