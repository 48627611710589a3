"""The DRC officers' side (报送与查询): daily reports, archive search, commitment letters, commendations.

Everything here is read-only except recording a commendation for an enterprise (plan §三(四); the
public credit report the DRC issues is uploaded on the commitments side), which goes through
`archives.services.credit_information_record` and then shows on the archive page the utility's staff
use. Views parse input, call one service, render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST, require_safe

from archives import selectors as archive_selectors
from archives.forms import CommendationForm
from archives.models import CreditInformationKind
from archives.services import credit_information_record, credit_information_refusal
from archives.vocabulary import LEVEL_LABELS
from commitments.models import LetterStatus
from credit_portal import roles
from credit_portal.errors import submit_form
from credit_portal.pagination import LargeTablePaginator
from ratings.charts import dashboard_charts
from ratings.selectors import with_rule_words

from . import columns
from . import selectors as report_selectors
from .bundle import stream_zip, zip_name
from .dispatch import drc_report_build_queue
from .models import DrcReport, DrcReportStatus
from .storage import report_folder

reports_required = permission_required("drc.view_drcreport", raise_exception=True)
archives_required = permission_required("archives.view_all_archives", raise_exception=True)
letters_required = permission_required("commitments.view_commitmentletter", raise_exception=True)
commendation_required = permission_required("archives.record_commendation", raise_exception=True)

#: The issuing body a DRC officer's entry starts with (plan §三(四)).
DRC_NAME = "淮阴区发展和改革委员会"
_CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".json": "application/json; charset=utf-8",
}


def moved_to_drc(request: HttpRequest, rest: str) -> HttpResponse:
    """The pages used to live under /drc/: send old links there, with their query.

    A permanent redirect that keeps the method (308), so a form left open before the move still posts.
    """
    target = reverse("drc:reports") + rest
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    return HttpResponsePermanentRedirect(target, preserve_request=True)


# --------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------


@login_required
@reports_required
@require_safe
def report_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(report_selectors.drc_reports(), 31).get_page(request.GET.get("page"))
    rows = [(report, [report.counts.get(sheet.name) for sheet in columns.SHEETS]) for report in page]
    return render(
        request,
        "drc/report_list.html",
        {
            "page": page,
            "rows": rows,
            "sheets": columns.SHEETS,
            "today": timezone.localdate(),
            "today_report": DrcReport.objects.filter(report_date=timezone.localdate()).first(),
            # The dashboard's charts, read-only, from the shared cache (never a whole-archive count per view).
            **dashboard_charts(),
        },
    )


@login_required
@permission_required("drc.build_drcreport", raise_exception=True)
@require_POST
def report_build_today(request: HttpRequest) -> HttpResponse:
    """Staff build today's report now: the 01:00 job's task, once per date (a built date is not rebuilt)."""
    today = timezone.localdate()
    existing = DrcReport.objects.filter(report_date=today).first()
    if existing is not None and existing.status in (DrcReportStatus.READY, DrcReportStatus.BUILDING):
        messages.info(request, f"{today:%Y-%m-%d} 的报送文件{existing.get_status_display()}，无需重复生成。")
        return redirect("drc:reports")
    transaction.on_commit(lambda: drc_report_build_queue(today), robust=True)
    messages.success(request, f"已开始生成 {today:%Y-%m-%d} 的报送文件，完成后显示在下表。")
    return redirect("drc:reports")


def _settings_admin(user) -> bool:
    return user.is_superuser or roles.role_of(user) == roles.SUPERVISOR


@login_required
@reports_required
@require_safe
def report_detail(request: HttpRequest, report_date: str) -> HttpResponse:
    report = report_selectors.drc_report_by_date(report_date)
    return render(
        request,
        "drc/report_detail.html",
        {
            "report": report,
            "files": report_selectors.report_files(report),
            "sheets": [(sheet, report.counts.get(sheet.name)) for sheet in columns.SHEETS],
            "pushes": report_selectors.report_pushes(report),
            # A setting only the utility can fix: told to its admins, not to the DRC officers reading the report.
            "unit_code_missing": not columns.reporting_unit_code() and _settings_admin(request.user),
        },
    )


@login_required
@reports_required
@require_safe
def report_file(request: HttpRequest, report_date: str, name: str) -> FileResponse:
    report = report_selectors.drc_report_by_date(report_date)
    path = report_selectors.report_file_path(report, name)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{report.report_date.isoformat()}-{name}",
        content_type=_CONTENT_TYPES[path.suffix],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@reports_required
@require_safe
def report_zip(request: HttpRequest, report_date: str) -> StreamingHttpResponse:
    report = report_selectors.drc_report_by_date(report_date)
    folder = report_folder(report)
    if folder is None:
        raise Http404("该日期的报送文件尚未生成")
    response = StreamingHttpResponse(stream_zip(folder), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{zip_name(report.report_date)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --------------------------------------------------------------------------------------------
# Archives (read-only search; the archive page itself is archives:customer_detail)
# --------------------------------------------------------------------------------------------


@login_required
@archives_required
@require_safe
def archive_search(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("search", "level")}
    # The rating's rule ids are shown too: the whole row, in the same query.
    customers = archive_selectors.customer_list(user=request.user, **filters).select_related("rating")
    page = LargeTablePaginator(customers, 25).get_page(request.GET.get("page"))
    on_page = list(page)
    # The rule ids in words (蓝色等级评定要素第3条), as the officer reads them.
    with_rule_words([rating for rating in (getattr(c, "rating", None) for c in on_page) if rating is not None])
    return render(
        request,
        "drc/archive_search.html",
        {
            "page": page,
            "rows": report_selectors.drc_archive_rows(on_page),
            "filters": filters,
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "level_choices": list(LEVEL_LABELS.items()),
        },
    )


# --------------------------------------------------------------------------------------------
# Commitment letters (the record and its file are commitments' pages)
# --------------------------------------------------------------------------------------------


@login_required
@letters_required
@require_safe
def letter_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    search = request.GET.get("q", "").strip()
    letters = report_selectors.drc_letters(user=request.user, status=status, search=search)
    page = Paginator(letters, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "drc/letter_list.html",
        {
            "page": page,
            "status": status if status in LetterStatus.values else "",
            "statuses": LetterStatus.choices,
            "search": search,
            "query": urlencode({k: v for k, v in {"status": status, "q": search}.items() if v}),
        },
    )


# --------------------------------------------------------------------------------------------
# The DRC's one write here: a commendation (表彰评优), never other credit information
# --------------------------------------------------------------------------------------------


@login_required
@commendation_required
def information_create(request: HttpRequest, uscc: str) -> HttpResponse:
    customer = archive_selectors.customer_for_user(user=request.user, uscc=uscc)
    form = CommendationForm(
        request.POST or None, initial={"kind": CreditInformationKind.COMMENDATION, "issuing_body": DRC_NAME}
    )
    if request.method == "POST" and submit_form(
        form, lambda data: credit_information_record(customer=customer, actor=request.user, **data)
    ):
        messages.success(request, "已录入，供电营业部在该用户的信用档案中可见")
        return redirect("archives:customer_detail", uscc=customer.uscc)
    return render(
        request,
        "archives/form.html",
        {
            "form": form,
            "title": f"录入表彰评优：{customer.name}",
            "customer": customer,
            # Told before the form: a commendation is for honest customers only.
            "lead": credit_information_refusal(customer=customer, kind=CreditInformationKind.COMMENDATION),
        },
    )
