"""Staff pages of the credit archive. Views parse input, call one service, and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from archives.vocabulary import LEVEL_LABELS
from credit_portal.errors import ApplicationError, submit_form
from credit_portal.files import private_file_response
from credit_portal.pagination import LargeTablePaginator
from credit_portal.retries import retry_settings

from . import selectors, services
from .forms import (
    YES_NO,
    AccountEditForm,
    AccountForm,
    CreditInformationForm,
    CustomerEditForm,
    CustomerForm,
    EventForm,
    ReportUploadForm,
    ReportVerifyForm,
    RevocationDecisionForm,
    RevocationRequestForm,
)
from .models import (
    CreditEvent,
    CreditInformationKind,
    ElectricityAccount,
    EventRevocation,
    FileJob,
    FileJobStatus,
    PaymentMethod,
    PublicCreditReport,
)
from .services import jobs as job_services

manage_required = permission_required("archives.manage_archives", raise_exception=True)
view_all_required = permission_required("archives.view_all_archives", raise_exception=True)


def _list_filters(request: HttpRequest) -> dict:
    return {
        key: request.GET.get(key, "").strip() for key in ("search", "industry", "payment_method", "in_arrears", "level")
    }


@login_required
@view_all_required
def customer_list(request: HttpRequest) -> HttpResponse:
    filters = _list_filters(request)
    customers = selectors.customer_list(user=request.user, **filters)
    page = LargeTablePaginator(customers, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "archives/customer_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "industries": selectors.industries(),
            "payment_methods": PaymentMethod.choices,
            "level_choices": list(LEVEL_LABELS.items()),
            "show_contact": request.user.has_perm("archives.view_contact_details"),
        },
    )


@login_required
@view_all_required
def customer_export(request: HttpRequest) -> HttpResponse:
    """Export the filtered list: the worker writes the workbook; this page only starts the job."""
    filters = _list_filters(request)
    if request.method == "POST":
        filters = {key: request.POST.get(key, "").strip() for key in filters}
        job = job_services.file_job_start(
            kind="customers",
            title="用户清单导出",
            download_name=f"customers-{timezone.localdate():%Y%m%d}.xlsx",
            params={"filters": filters},
            actor=request.user,
        )
        return redirect("archives:file_job", job_id=job.pk)
    # The list's own count: exact up to 10,000, the planner's estimate beyond (no COUNT of a million rows).
    counter = LargeTablePaginator(selectors.customer_list(user=request.user, **filters), 1)
    return render(
        request,
        "archives/customer_export.html",
        {"filters": filters, "count": counter.count, "estimated": counter.estimated},
    )


@login_required
def file_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A background file: its progress while it is built, then its download link."""
    job = job_services.file_job_for_user(user=request.user, job_id=job_id)
    if job is None:
        raise Http404
    recent = FileJob.objects.filter(created_by=request.user).exclude(pk=job.pk)[:10]
    context = {"job": job, "recent": recent, "retry": retry_settings("file_job")}
    return render(request, "archives/file_job.html", context)


@login_required
def file_job_download(request: HttpRequest, job_id: int) -> FileResponse:
    job = job_services.file_job_for_user(user=request.user, job_id=job_id)
    if job is None or job.status != FileJobStatus.DONE or not job.file:
        raise Http404
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.download_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@manage_required
def customer_create(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None)
    created = request.method == "POST" and submit_form(
        form, lambda data: services.customer_create(actor=request.user, **data)
    )
    if created:
        messages.success(request, "已建档")
        return redirect("archives:customer_detail", uscc=created.uscc)
    return render(request, "archives/form.html", {"form": form, "title": "新建用户档案"})


@login_required
def customer_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    customer = selectors.customer_for_user(user=request.user, uscc=uscc)
    return render(request, "archives/customer_detail.html", selectors_archive_context(request, customer))


def selectors_archive_context(request: HttpRequest, customer) -> dict:
    # The rating panel comes from ratings' template tag (``rating_panel_of``), not from here.
    page = selectors.archive_page(customer)
    return {
        "customer": customer,
        "accounts": page.accounts,
        "events": page.events,
        "reports": page.reports,
        "information": page.information,
        "can_manage": request.user.has_perm("archives.manage_archives"),
        "show_contact": request.user.has_perm("archives.view_contact_details"),
        "may_reveal_identity": request.user.has_perm("archives.view_identity_documents"),
    }


@login_required
@view_all_required
def customer_history(request: HttpRequest, uscc: str) -> HttpResponse:
    """The archive's audit trail on a page of its own: the archive page stays within its queries."""
    customer = selectors.customer_for_user(user=request.user, uscc=uscc)
    unmasked = request.user.has_perm("archives.view_contact_details")
    return render(
        request,
        "archives/customer_history.html",
        {"customer": customer, "history": selectors.archive_history(customer, unmasked=unmasked)},
    )


@login_required
@require_POST
def identity_reveal(request: HttpRequest, uscc: str) -> HttpResponse:
    """The legal representative's full identity number, for staff who need it; the look is logged."""
    customer = selectors.customer_for_user(user=request.user, uscc=uscc)
    try:
        revealed = services.identity_reveal(
            actor=request.user, value=customer.legal_representative_id_number, customer=customer,
            subject=f"{customer.name} 法定代表人证件号码", purpose="档案页查看",
        )  # fmt: skip
    except ApplicationError as error:
        raise PermissionDenied(error.message) from None
    # The page is read only for someone allowed to see the number.
    context = {**selectors_archive_context(request, customer), "revealed_identity": revealed}
    return render(request, "archives/customer_detail.html", context)


@login_required
@manage_required
def customer_edit(request: HttpRequest, uscc: str) -> HttpResponse:
    customer = selectors.customer_for_user(user=request.user, uscc=uscc)
    form = CustomerEditForm(request.POST or None, initial=CustomerEditForm.initial_for(customer))
    if request.method == "POST" and submit_form(
        form,
        lambda data: services.customer_update(
            customer=customer, actor=request.user, **{k: v for k, v in data.items() if k != "uscc"}
        ),
    ):
        messages.success(request, "档案已更新")
        return redirect("archives:customer_detail", uscc=customer.uscc)
    return render(
        request, "archives/form.html", {"form": form, "title": f"修改档案：{customer.name}", "customer": customer}
    )


@login_required
@manage_required
def account_create(request: HttpRequest, uscc: str) -> HttpResponse:
    customer = selectors.customer_for_user(user=request.user, uscc=uscc)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and submit_form(
        form, lambda data: services.account_create(customer=customer, actor=request.user, **data)
    ):
        messages.success(request, "户号已添加")
        return redirect("archives:customer_detail", uscc=customer.uscc)
    return render(
        request, "archives/form.html", {"form": form, "title": f"新增户号：{customer.name}", "customer": customer}
    )


@login_required
@manage_required
def account_edit(request: HttpRequest, number: str) -> HttpResponse:
    account = get_object_or_404(ElectricityAccount.objects.select_related("customer"), number=number)
    form = AccountEditForm(request.POST or None, initial=AccountEditForm.initial_for(account))
    if request.method == "POST" and submit_form(
        form,
        lambda data: services.account_update(
            account=account, actor=request.user, **{k: v for k, v in data.items() if k != "number"}
        ),
    ):
        messages.success(request, "户号已更新")
        return redirect("archives:customer_detail", uscc=account.customer.uscc)
    return render(
        request,
        "archives/form.html",
        {"form": form, "title": f"修改户号 {account.number}", "customer": account.customer},
    )


@login_required
@manage_required
def event_create(request: HttpRequest, uscc: str) -> HttpResponse:
    customer = selectors.customer_for_user(user=request.user, uscc=uscc)
    form = EventForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and submit_form(
        form, lambda data: services.event_record(customer=customer, actor=request.user, **data)
    ):
        messages.success(request, "失信行为已录入，评级已更新")
        return redirect("archives:customer_detail", uscc=customer.uscc)
    return render(
        request,
        "archives/form.html",
        {"form": form, "title": f"录入失信行为：{customer.name}", "customer": customer, "multipart": True},
    )


@login_required
@permission_required("archives.request_revocation", raise_exception=True)
def revocation_request(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(CreditEvent.objects.select_related("customer"), pk=event_id)
    form = RevocationRequestForm(request.POST or None)
    if request.method == "POST" and submit_form(
        form, lambda data: services.revocation_request(event=event, actor=request.user, **data)
    ):
        messages.success(request, "撤销申请已提交，待另一名班组长审批")
        return redirect("archives:customer_detail", uscc=event.customer.uscc)
    return render(
        request,
        "archives/form.html",
        {
            "form": form,
            "title": f"申请撤销：{event.get_type_display()}（{event.occurred_on}）",
            "customer": event.customer,
        },
    )


@login_required
@permission_required("archives.approve_revocation", raise_exception=True)
def revocation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "archives/revocation_list.html", {"revocations": selectors.pending_revocations()})


@login_required
@permission_required("archives.approve_revocation", raise_exception=True)
def revocation_decide(request: HttpRequest, revocation_id: int) -> HttpResponse:
    revocation = get_object_or_404(
        EventRevocation.objects.select_related("event", "event__customer", "event__recorded_by", "requested_by"),
        pk=revocation_id,
    )
    form = RevocationDecisionForm(request.POST or None)
    if request.method == "POST" and submit_form(
        form,
        lambda data: services.revocation_decide(
            revocation=revocation, approve=data["decision"] == "approve", note=data["note"], actor=request.user
        ),
    ):
        messages.success(request, "审批完成")
        return redirect("archives:revocation_list")
    return render(request, "archives/revocation_decide.html", {"form": form, "revocation": revocation})


@login_required
@manage_required
def report_upload(request: HttpRequest, uscc: str) -> HttpResponse:
    customer = selectors.customer_for_user(user=request.user, uscc=uscc)
    form = ReportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and submit_form(
        form,
        lambda data: services.report_upload(
            customer=customer,
            actor=request.user,
            issued_on=data["issued_on"],
            file=data["file"],
            shows_dishonesty=YES_NO[data["shows_dishonesty"]],
        ),
    ):
        messages.success(request, "报告已上传")
        return redirect("archives:customer_detail", uscc=customer.uscc)
    return render(
        request,
        "archives/form.html",
        {"form": form, "title": f"上传公共信用报告：{customer.name}", "customer": customer, "multipart": True},
    )


@login_required
@permission_required("archives.verify_publiccreditreport", raise_exception=True)
def report_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "archives/report_queue.html", {"reports": selectors.reports_awaiting_verification()})


@login_required
@permission_required("archives.verify_publiccreditreport", raise_exception=True)
def report_verify(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(PublicCreditReport.objects.select_related("customer"), pk=report_id)
    form = ReportVerifyForm(request.POST or None)

    def decide(data):
        if data["shows_dishonesty"] == "refuse":
            return services.report_refuse(report=report, refusal=data["refusal"], note=data["note"], actor=request.user)
        return services.report_verify(
            report=report, shows_dishonesty=YES_NO[data["shows_dishonesty"]], note=data["note"], actor=request.user
        )

    decided = request.method == "POST" and submit_form(form, decide)
    if decided:
        refused = decided.status == "rejected"
        messages.success(request, "报告已退回，企业可在“我的企业”看到退回原因" if refused else "报告已核验，评级已更新")
        return redirect("archives:customer_detail", uscc=report.customer.uscc)
    return render(request, "archives/report_verify.html", {"form": form, "report": report})


@login_required
@manage_required
def information_create(request: HttpRequest, uscc: str) -> HttpResponse:
    customer = selectors.customer_for_user(user=request.user, uscc=uscc)
    form = CreditInformationForm(request.POST or None)
    if request.method == "POST" and submit_form(
        form, lambda data: services.credit_information_record(customer=customer, actor=request.user, **data)
    ):
        messages.success(request, "信用信息已录入")
        return redirect("archives:customer_detail", uscc=customer.uscc)
    refusal = services.credit_information_refusal(customer=customer, kind=CreditInformationKind.COMMENDATION)
    return render(
        request,
        "archives/form.html",
        {
            "form": form,
            "title": f"录入其他信用信息：{customer.name}",
            "customer": customer,
            "lead": refusal,
        },
    )


_FILE_MODELS = {"evidence": (CreditEvent, "evidence"), "report": (PublicCreditReport, "file")}


@login_required
def private_file(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    """Serve an uploaded file to a user who may see the customer it belongs to; 404 to anyone else."""
    if kind not in _FILE_MODELS:
        raise Http404
    model, field_name = _FILE_MODELS[kind]
    instance = get_object_or_404(model.objects.select_related("customer"), pk=pk)
    selectors.customer_for_user(user=request.user, uscc=instance.customer.uscc)
    return private_file_response(getattr(instance, field_name), kind=kind, uscc=instance.customer.uscc, pk=pk)
