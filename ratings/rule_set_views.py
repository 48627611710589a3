"""Pages of the rule sets: the list, drafting, a draft with its approval, its impact reports and their export.

Supervisors draft, approve (not their own draft) and start impact runs; DRC officers read everything
here and write nothing (``ratings.view_ruleset`` only)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from credit_portal.errors import ApplicationError, submit_form

from . import rules
from .forms import ImpactStartForm, RuleSetApproveForm, RuleSetDraftForm
from .impact import (
    MATRIX_LEVELS,
    impact_cell,
    impact_column_totals,
    impact_consequences,
    impact_criteria,
    impact_matrix,
    impact_overridden_total,
    impact_start,
    impact_workbook,
)
from .models import ImpactReport, ImpactStatus, RuleSet, RuleSetStatus
from .rulesets import book_of, ruleset_approve, ruleset_coming, ruleset_draft, ruleset_in_force

view_required = permission_required("ratings.view_ruleset", raise_exception=True)
draft_required = permission_required("ratings.draft_ruleset", raise_exception=True)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@view_required
def rule_set_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "ratings/rule_set_list.html",
        {"rule_sets": RuleSet.objects.select_related("drafted_by", "approved_by"), "coming": ruleset_coming()},
    )


@login_required
@draft_required
def rule_set_new(request: HttpRequest) -> HttpResponse:
    """A new draft from the version in force: the drafter changes only what they mean to."""
    base = ruleset_in_force()
    form = RuleSetDraftForm(
        request.POST or None,
        base_parameters=base.parameters if base else rules.V1_PARAMETERS,
        base_wordings=base.wordings if base else {},
    )
    if request.method == "POST" and form.is_valid():
        try:
            draft = ruleset_draft(
                actor=request.user,
                parameters=form.parameters(),
                wordings=form.wordings(),
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"已保存第{draft.version}版草稿")
            return redirect("ratings:rule_set_detail", version=draft.version)
    return render(request, "ratings/rule_set_new.html", {"form": form, "base": base})


def _errors_to_form(form: RuleSetDraftForm, error: ApplicationError) -> None:
    """Each validation error on the field it names (criterion and field), the rest at the top."""
    found = error.extra.get("errors") or []
    if not found:
        form.add_error(None, error.message)
    for item in found:
        name = (
            f"wording__{item['criterion']}" if item["field"] == "wording" else f"{item['criterion']}__{item['field']}"
        )
        form.add_error(name if name in form.fields else None, item["message"])


@login_required
@view_required
def rule_set_detail(request: HttpRequest, version: int) -> HttpResponse:
    rule_set = get_object_or_404(
        RuleSet.objects.select_related("drafted_by", "approved_by", "based_on"), version=version
    )
    in_force = ruleset_in_force()
    book, base_book = book_of(rule_set), book_of(in_force)
    changed = book.reworded_from(base_book)
    tomorrow = timezone.localdate() + timedelta(days=1)
    approve_form = RuleSetApproveForm(initial={"effective_on": tomorrow})
    others = RuleSet.objects.exclude(pk=rule_set.pk).exclude(status=RuleSetStatus.RETIRED)
    impact_form = ImpactStartForm(
        initial={"as_of": timezone.localdate()}, choices=[(o.version, str(o)) for o in others]
    )
    return render(
        request,
        "ratings/rule_set_detail.html",
        {
            "rule_set": rule_set,
            "in_force": in_force,
            "changed": changed,
            "windows": rule_set.parameters.get("windows", {}),
            "approve_form": approve_form,
            "impact_form": impact_form,
            "impacts": rule_set.impacts.select_related("baseline").all()[:20],
            "can_approve": request.user.has_perm("ratings.approve_ruleset")
            and rule_set.status == RuleSetStatus.DRAFT
            and rule_set.drafted_by_id != request.user.pk,
            "can_draft": request.user.has_perm("ratings.draft_ruleset"),
        },
    )


@login_required
@permission_required("ratings.approve_ruleset", raise_exception=True)
@require_POST
def rule_set_approve(request: HttpRequest, version: int) -> HttpResponse:
    rule_set = get_object_or_404(RuleSet, version=version)
    form = RuleSetApproveForm(request.POST)
    if submit_form(
        form, lambda data: ruleset_approve(rule_set=rule_set, actor=request.user, effective_on=data["effective_on"])
    ):
        messages.success(request, f"第{rule_set.version}版已批准，将于{form.cleaned_data['effective_on']}起施行")
        return redirect("ratings:rule_set_detail", version=version)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("ratings:rule_set_detail", version=version)


@login_required
@draft_required
@require_POST
def impact_new(request: HttpRequest, version: int) -> HttpResponse:
    rule_set = get_object_or_404(RuleSet, version=version)
    others = RuleSet.objects.exclude(pk=rule_set.pk)
    form = ImpactStartForm(request.POST, choices=[(o.version, str(o)) for o in others])

    def start(data) -> ImpactReport:
        baseline = RuleSet.objects.get(version=data["baseline"]) if data.get("baseline") else None
        return impact_start(proposed=rule_set, baseline=baseline, as_of=data["as_of"], actor=request.user)

    report = submit_form(form, start)
    if report is not None:
        return redirect("ratings:impact_detail", pk=report.pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("ratings:rule_set_detail", version=version)


@login_required
@view_required
def impact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ImpactReport.objects.select_related("proposed", "baseline"), pk=pk)
    done = report.status == "done"
    return render(
        request,
        "ratings/impact_detail.html",
        {
            "report": report,
            "done": done,
            "levels": MATRIX_LEVELS,
            "level_labels": rules.LEVEL_LABELS,
            "matrix": impact_matrix(report) if done else [],
            "column_totals": impact_column_totals(report) if done else [],
            "criteria": impact_criteria(report) if done else [],
            "consequences": impact_consequences(report) if done else [],
            "overridden": impact_overridden_total(report) if done else 0,
            "progress": round(100 * report.ranges_done / report.ranges_total) if report.ranges_total else 100,
        },
    )


@login_required
@view_required
def impact_cell_view(request: HttpRequest, pk: int, from_level: str, to_level: str) -> HttpResponse:
    """The customers of one cell of the matrix, each with both explanations side by side."""
    report = get_object_or_404(ImpactReport.objects.select_related("proposed", "baseline"), pk=pk)
    if from_level not in MATRIX_LEVELS or to_level not in MATRIX_LEVELS or report.status != ImpactStatus.DONE:
        raise Http404
    paginator = Paginator(range(report.matrix.get(from_level, {}).get(to_level, 0)), 50)
    page = paginator.get_page(request.GET.get("page"))
    rows, count = impact_cell(report, from_level=from_level, to_level=to_level, limit=50, offset=(page.number - 1) * 50)
    return render(
        request,
        "ratings/impact_cell.html",
        {
            "report": report,
            "from_level": from_level,
            "to_level": to_level,
            "moved": from_level != to_level,
            "overridden": report.overridden.get(from_level, {}).get(to_level, 0),
            "rows": rows,
            "count": count,
            "page": page,
        },
    )


@login_required
@view_required
def impact_export(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ImpactReport.objects.select_related("proposed", "baseline"), pk=pk)
    if report.status != "done":
        raise Http404
    response = HttpResponse(content_type=XLSX)
    name = f"impact-v{report.proposed.version}-v{report.baseline.version}-{report.as_of.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    impact_workbook(report).save(response)
    return response
