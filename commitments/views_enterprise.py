"""The enterprise's own pages: registration, its home page, the letter, uploads and requests.

An applicant acts only for the enterprise its confirmed membership names (`selectors.enterprise_of`):
there is no enterprise id in these URLs, and a record of another enterprise answers 404.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from archives.selectors import membership_of
from archives.services import jobs as job_services
from credit_portal.errors import submit_form
from credit_portal.pdf import render_pdf
from credit_portal.throttling import password_code_throttled, registration_throttled
from ratings import consequences
from ratings.selectors import level_in_force

from . import eligibility_selectors, home_selectors, plan_text, privacy, selectors, services
from .forms import (
    AccountCloseForm,
    ApplicationForm,
    LetterUploadForm,
    ObjectionForm,
    ObjectionRecordForm,
    PasswordChangeForm,
    PasswordCodeRequestForm,
    PasswordCodeResetForm,
    RegistrationForm,
    ReportUploadForm,
    ServiceRequestForm,
)
from .middleware import PASSWORD_CHANGE_SESSION_KEY
from .services.accounts import DATA_EXPORT_KIND

MODEL_BACKEND = "credit_portal.auth_backends.CachedPermissionsBackend"


def enterprise_required(view):
    """Log-in required; an applicant whose binding awaits confirmation is sent home, where that is explained.

    Anyone else without a confirmed enterprise (staff, DRC officers) meets `selectors.enterprise_of`'s 404.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        membership = membership_of(request.user)
        if membership is not None and not membership.confirmed:
            messages.info(request, "您的企业账号绑定尚待营业厅确认，确认后即可办理此业务。")
            return redirect("home")
        return view(request, *args, **kwargs)

    return wrapper


def register(request: HttpRequest) -> HttpResponse:
    """Self-registration of an enterprise user; staff confirm the binding before it sees any data."""
    if request.user.is_authenticated:
        return redirect("home")
    if request.method == "POST" and (refusal := registration_throttled(request, mobile=request.POST.get("phone", ""))):
        return render(request, "throttled.html", {"message": refusal}, status=429)
    form = RegistrationForm(request.POST or None)
    registration = request.method == "POST" and submit_form(form, lambda data: services.enterprise_register(**data))
    if registration:
        login(request, registration.user, backend=MODEL_BACKEND)
        messages.success(request, "注册成功。营业厅工作人员确认您与企业的绑定后，即可查看本企业的信用档案并办理业务。")
        return redirect("home")
    return render(request, "enterprise/register.html", {"form": form, "notice": mark_safe(privacy.notice_text())})  # noqa: S308 - our template


def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The processing notice in force (public), or an earlier version a consent names (?version=)."""
    version = request.GET.get("version", privacy.NOTICE_VERSION)
    if version not in privacy.NOTICE_VERSIONS:
        raise Http404("没有这一版本的告知书")
    return render(
        request,
        "commitments/privacy_notice.html",
        {"notice": mark_safe(privacy.notice_text(version)), "current": version == privacy.NOTICE_VERSION},  # noqa: S308
    )


@login_required
@never_cache
def privacy_home(request: HttpRequest) -> HttpResponse:
    """The user's own personal information: what was registered (masked), its consents, the download of
    its own and its enterprise's data (a file job), and the closing of its account."""
    registration = selectors.registration_of(request.user)
    if request.method == "POST":
        job = job_services.file_job_start(
            kind=DATA_EXPORT_KIND, title="下载本企业和本人的数据",
            download_name=f"my-data-{timezone.localdate():%Y%m%d}.zip", params={}, actor=request.user,
        )  # fmt: skip
        return redirect("archives:file_job", job_id=job.pk)
    return render(request, "enterprise/privacy.html", _privacy_context(request, registration, AccountCloseForm()))


def _privacy_context(request: HttpRequest, registration, close_form) -> dict:
    return {
        "registration": registration,
        "consents": selectors.consents_of(request.user),
        "close_form": close_form,
        "membership": membership_of(request.user),
        "download_days": settings.PERSONAL_DATA_RETENTION_DAYS["data_downloads"],
    }


@login_required
@never_cache
@require_POST
def account_close(request: HttpRequest) -> HttpResponse:
    """Close one's own account (password confirmed): signed out at once; the enterprise's archive stays."""
    registration = selectors.registration_of(request.user)
    form = AccountCloseForm(request.POST)
    if submit_form(form, lambda data: services.account_close(user=request.user, password=data["password"])):
        logout(request)
        messages.success(request, "账号已注销：不能再用它登录，您的个人信息已匿名化。企业的信用档案不受影响。")
        return redirect("login")
    return render(request, "enterprise/privacy.html", _privacy_context(request, registration, form), status=400)


@login_required
@never_cache
def enterprise_home(request: HttpRequest) -> HttpResponse:
    """The enterprise's level and why, what would improve it, its events, reports, letters, applications."""
    membership = membership_of(request.user)
    if membership is None or not membership.confirmed:
        return redirect("home")
    home = home_selectors.enterprise_home(membership.customer)
    return render(request, "enterprise/home.html", {"home": home, "customer": home.customer, "rating": home.rating})


@enterprise_required
def letter_pdf(request: HttpRequest) -> HttpResponse:
    """The commitment letter of plan Annex 2, pre-filled with the enterprise's name and USCC."""
    customer = selectors.enterprise_of(request.user)
    pdf = render_pdf(
        "commitments/letter_pdf.html",
        {
            "customer": customer,
            "plan": plan_text,
            "intro": plan_text.letter_intro(name=customer.name, uscc=customer.uscc),
            "generated_on": timezone.localdate(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"信用承诺书-{customer.uscc}.pdf")
    return response


@enterprise_required
def letter_upload(request: HttpRequest) -> HttpResponse:
    customer = selectors.enterprise_of(request.user)
    form = LetterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and submit_form(
        form, lambda data: services.letter_upload(customer=customer, actor=request.user, **data)
    ):
        messages.success(request, "信用承诺书已上传，待营业厅审核")
        return redirect("commitments:enterprise_home")
    return _form(
        request,
        form,
        "上传签章的信用承诺书",
        intro="请下载预填的信用承诺书，加盖公章、法定代表人签章后扫描或拍照上传。",
    )


@enterprise_required
def report_upload(request: HttpRequest) -> HttpResponse:
    customer = selectors.enterprise_of(request.user)
    form = ReportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and submit_form(
        form, lambda data: services.enterprise_report_upload(customer=customer, actor=request.user, **data)
    ):
        messages.success(request, "公共信用信息查询报告已上传，待营业厅核验")
        return redirect("commitments:enterprise_home")
    return _form(request, form, "上传公共信用信息查询报告", guide=True)


@enterprise_required
def application_create(request: HttpRequest) -> HttpResponse:
    customer = selectors.enterprise_of(request.user)
    form = ApplicationForm(request.POST or None, request.FILES or None, initial={"route": "property"})
    application = request.method == "POST" and submit_form(
        form, lambda data: services.application_submit(customer=customer, actor=request.user, **data)
    )
    if application:
        messages.success(request, "用电申请已提交")
        return redirect("commitments:application_detail", pk=application.pk)
    today = timezone.localdate()
    documents = eligibility_selectors.no_property_documents(customer, today=today)
    gate = eligibility_selectors.offer_gate(
        customer, offer=consequences.NO_PROPERTY_ROUTE, level=documents.level, today=today
    )
    return _form(request, form, "用电申请", documents=documents, gate=gate)


@enterprise_required
def service_request_create(request: HttpRequest) -> HttpResponse:
    customer = selectors.enterprise_of(request.user)
    form = ServiceRequestForm(request.POST or None)
    if request.method == "POST" and submit_form(
        form, lambda data: services.service_request_submit(customer=customer, actor=request.user, **data)
    ):
        messages.success(request, "增值服务申请已提交")
        return redirect("commitments:enterprise_home")
    gate = eligibility_selectors.offer_gate(
        customer,
        offer=consequences.VALUE_ADDED_SERVICES,
        level=level_in_force(customer.pk),
        today=timezone.localdate(),
    )
    return _form(request, form, "申请增值服务", intro=plan_text.PLAN_PEACE_OF_MIND, gate=gate)


@enterprise_required
def objection_create(request: HttpRequest, event_id: int) -> HttpResponse:
    customer = selectors.enterprise_of(request.user)
    event = get_object_or_404(customer.events.all(), pk=event_id)
    already = services.objection_open_for(event)
    if already is not None:
        # Refused before the form is filled: one objection per event at a time.
        messages.error(
            request,
            f"该记录已有处理中的异议（{already.submitted_at:%Y-%m-%d} 提出，答复期限 "
            f"{already.reply_due_on:%Y-%m-%d}），请等待答复，无需重复提出。"
            if already.reply_due_on
            else "该记录已有处理中的异议，请等待答复，无需重复提出。",
        )
        return redirect("commitments:objection_detail", pk=already.pk)
    form = ObjectionForm(request.POST or None, request.FILES or None)
    title = f"对失信记录提出异议：{event.get_type_display()}（{event.occurred_on:%Y-%m-%d}）"
    return _objection_page(
        request, form, title, lambda data: services.objection_submit(event=event, actor=request.user, **data)
    )


@enterprise_required
def objection_new(request: HttpRequest) -> HttpResponse:
    """An objection to any record of the enterprise's archive: an event, an arrears date, a refused
    report, or the level in force (naming the facts it disputes)."""
    customer = selectors.enterprise_of(request.user)
    form = ObjectionRecordForm(
        request.POST or None, request.FILES or None, customer=customer, initial={"subject": request.GET.get("subject")}
    )
    return _objection_page(
        request,
        form,
        "提出异议",
        lambda data: services.objection_submit(customer=customer, actor=request.user, **data),
        scope=(
            "可对失信记录、欠费起始日、被退回的公共信用报告或现行信用等级提出异议；"
            "处理期间记录显示为“异议中”，仍计入信用评定。"
        ),
    )


def _objection_page(request: HttpRequest, form, title: str, submit, *, scope: str = "") -> HttpResponse:
    """The objection form: submitted, back home with the reply deadline; else the form with it."""
    submitted = request.method == "POST" and submit_form(form, submit)
    if submitted:
        messages.success(
            request,
            f"异议已提交，营业厅审查后由班组长作出决定，将于 {submitted.reply_due_on:%Y-%m-%d} 前答复您（工作日计）",
        )
        return redirect("commitments:enterprise_home")
    due = services.objection_reply_due(submitted_on=timezone.localdate())
    days = settings.OBJECTION_REPLY_WORKING_DAYS
    lead = f"{scope}营业厅将在 {days} 个工作日内（{due:%Y-%m-%d} 前）答复，决定及理由将以短信告知。"
    return _form(request, form, title, lead=lead)


def _form(request: HttpRequest, form, title: str, **extra) -> HttpResponse:
    return render(
        request,
        "commitments/form.html",
        {"form": form, "title": title, "multipart": any(f.field.widget.needs_multipart_form for f in form), **extra},
    )


# --------------------------------------------------------------------------------------------
# Password reset by an SMS code to the registered mobile (public pages)
# --------------------------------------------------------------------------------------------


@never_cache
def password_code_request(request: HttpRequest) -> HttpResponse:
    form = PasswordCodeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"].strip()
        if refusal := password_code_throttled(request, mobile=phone):
            return render(request, "throttled.html", {"message": refusal}, status=429)
        services.password_code_send(mobile=phone)
        # The same answer whether or not the number is registered: no probing of who has an account.
        messages.success(request, "如该手机号已注册并通过确认，验证码已发送，请在有效期内填写。")
        return redirect(f"{reverse('commitments:password_reset_confirm')}?{urlencode({'phone': phone})}")
    return _form(request, form, "找回密码：获取短信验证码", lead="验证码将发送到企业注册时填写的手机号。")


@login_required
@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    """Any signed-in user changes their password; one given a temporary password at the hall must."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and submit_form(
        form,
        lambda data: (
            services.password_change(
                user=request.user, old_password=data["old_password"], new_password=data["new_password"]
            )
            or True
        ),
    ):
        request.user.refresh_from_db(fields=["password"])
        update_session_auth_hash(request, request.user)  # stay signed in with the new password
        request.session.pop(PASSWORD_CHANGE_SESSION_KEY, None)
        messages.success(request, "密码已修改。")
        return redirect("home")
    required = bool(request.session.get(PASSWORD_CHANGE_SESSION_KEY))
    intro = "您正在使用营业厅发放的临时密码，请先设置自己的密码后再继续使用门户。" if required else ""
    return _form(request, form, "修改密码", intro=intro)


@never_cache
def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    form = PasswordCodeResetForm(request.POST or None, initial={"phone": request.GET.get("phone", "")})
    if request.method == "POST" and submit_form(
        form,
        lambda data: (
            services.password_reset_with_code(mobile=data["phone"], code=data["code"], password=data["password"])
            or True
        ),
    ):
        messages.success(request, "密码已重置，请用新密码登录。")
        return redirect("login")
    return _form(request, form, "找回密码：设置新密码")
