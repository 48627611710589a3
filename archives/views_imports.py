"""Pages of the marketing-system import: upload and preview, start, progress, result, sample files."""

import csv
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from credit_portal.errors import ApplicationError, apply_to_form
from credit_portal.spreadsheets import safe_row

from .importing import COLUMNS, column_labels, sample_csv
from .models import ImportJob, ImportKind, ImportStatus
from .services import imports as import_services

import_required = permission_required("archives.import_archives", raise_exception=True)
ERRORS_SHOWN = 1000  # a page stays readable; the full list is a CSV download


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入类型", choices=ImportKind.choices)
    file = forms.FileField(label="文件", help_text="CSV（UTF-8 或 GB18030 编码）或 Excel（.xlsx），第一行为表头")


@login_required
@import_required
def import_list(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_services.import_preview(
                kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"], actor=request.user
            )
        except ApplicationError as error:
            apply_to_form(form, error)
        else:
            return redirect("archives:import_detail", job_id=job.pk)
    formats = [(code, label, COLUMNS[code]) for code, label in ImportKind.choices]
    jobs = ImportJob.objects.select_related("created_by")[:50]
    return render(request, "archives/import_list.html", {"form": form, "formats": formats, "jobs": jobs})


@login_required
@import_required
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=job_id)
    labels = column_labels(job.kind)
    errors = [{**error, "label": labels.get(error.get("field"), "")} for error in job.errors]
    if request.GET.get("download") == "errors":
        return _errors_csv(job, errors)
    context = {
        "job": job,
        "errors": errors[:ERRORS_SHOWN],
        "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
        "running": job.status == ImportStatus.RUNNING,
    }
    return render(request, "archives/import_detail.html", context)


@login_required
@import_required
@require_POST
def import_start(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=job_id)
    try:
        import_services.import_start(job=job, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已开始导入，本页会自动刷新显示进度。")
    return redirect("archives:import_detail", job_id=job.pk)


@login_required
@import_required
def import_sample(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in COLUMNS:
        raise Http404
    response = HttpResponse(sample_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{kind}-sample.csv"'
    return response


def _errors_csv(job: ImportJob, errors: list[dict]) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so that Excel opens the file as UTF-8
    writer = csv.writer(buffer)
    writer.writerow(["行号", "列", "原因"])
    for error in errors:
        row = [error.get("line") or "", error["label"] or error.get("field") or "", error["message"]]
        writer.writerow(safe_row(row))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response
