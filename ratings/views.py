"""Pages of the ratings: the public standards, the what-if bench, the dashboard and overrides."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from archives.models import EventStatus
from archives.selectors import customer_for_user
from credit_portal.errors import submit_form
from credit_portal.files import private_file_response

from . import charts, selectors, services
from .facts import customer_facts
from .forms import OverrideDecisionForm, OverrideEndForm, OverrideRequestForm, WhatIfForm
from .models import LevelOverride

view_all_required = permission_required("archives.view_all_archives", raise_exception=True)
manage_required = permission_required("archives.manage_archives", raise_exception=True)
request_override_required = permission_required("ratings.request_override", raise_exception=True)
approve_override_required = permission_required("ratings.approve_override", raise_exception=True)


def credit_services(request: HttpRequest) -> HttpResponse:
    """信用+供电服务 (plan §四(三)): public, the landing page of anonymous visitors; read from the level table."""
    return render(request, "ratings/credit_services.html", {"services": selectors.credit_services_page()})


def standards(request: HttpRequest) -> HttpResponse:
    """公示失信行为认定标准: public, generated from the rules table."""
    return render(
        request,
        "ratings/standards.html",
        {
            "standards": selectors.rating_standards(),
            "plan_title": selectors.PLAN_TITLE,
            "plan_number": selectors.PLAN_NUMBER,
            "plan_issuers": selectors.PLAN_ISSUERS,
            "plan_date": selectors.PLAN_DATE,
        },
    )


@login_required
@view_all_required
@manage_required
def what_if(request: HttpRequest, uscc: str) -> HttpResponse:
    """Re-evaluate a customer on edited facts (a GET form): nothing is saved."""
    customer = customer_for_user(user=request.user, uscc=uscc, related=("rating",))
    events = list(customer.events.filter(status=EventStatus.IN_FORCE).order_by("-occurred_on", "-pk"))
    today = timezone.localdate()
    current = customer_facts(customer=customer, as_of=today)
    initial = {"as_of": today, "payment_method": current.payment_method, "arrears_since": current.arrears_since}
    submitted = bool(request.GET)
    form = WhatIfForm(request.GET if submitted else None, initial=initial, events=events)
    bench = None
    if not submitted:
        bench = selectors.rating_what_if(customer=customer, as_of=today, actual_facts=current)
    elif form.is_valid():
        data = form.cleaned_data
        bench = selectors.rating_what_if(
            customer=customer,
            as_of=data["as_of"],
            actual_facts=current if data["as_of"] == today else None,
            exclude_event_ids=data["exclude"],
            extra_events=data["hypothetical_events"],
            extra_reports=data["hypothetical_reports"],
            payment_method=data["payment_method"],
            arrears_since=data["arrears_since"],
        )
    return render(
        request,
        "ratings/what_if.html",
        {
            "customer": customer,
            "form": form,
            "bench": bench,
            "event_rows": list(zip(events, form["exclude"], strict=True)),
            "rating": getattr(customer, "rating", None),
        },
    )


@login_required
@view_all_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """评级概览: customers per level now and the level changes of the last 30 days (cached, recounted)."""
    return render(request, "ratings/dashboard.html", charts.dashboard_charts())


@login_required
@request_override_required
def override_request(request: HttpRequest, uscc: str) -> HttpResponse:
    customer = customer_for_user(user=request.user, uscc=uscc)
    form = OverrideRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and submit_form(
        form, lambda data: services.override_request(customer=customer, actor=request.user, **data)
    ):
        messages.success(request, "人工调整申请已提交，待另一名班组长审批")
        return redirect("archives:customer_detail", uscc=customer.uscc)
    return render(
        request,
        "ratings/override_request.html",
        {
            "customer": customer,
            "form": form,
            "rating": selectors.rating_panel(customer),
            "open_override": selectors.open_override(customer),
            "raise_max_days": settings.CREDIT_OVERRIDE_RAISE_MAX_DAYS,
        },
    )


@login_required
@approve_override_required
def override_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "ratings/override_list.html",
        {"pending": selectors.overrides_pending(), "active": selectors.overrides_active()},
    )


@login_required
@approve_override_required
def override_decide(request: HttpRequest, pk: int) -> HttpResponse:
    override = get_object_or_404(LevelOverride.objects.select_related("customer", "requested_by", "decided_by"), pk=pk)
    form = OverrideDecisionForm(request.POST or None)
    if request.method == "POST" and submit_form(
        form,
        lambda data: services.override_decide(
            override=override, approve=data["decision"] == "approve", note=data["note"], actor=request.user
        ),
    ):
        messages.success(request, "审批完成")
        return redirect("ratings:override_list")
    return render(
        request,
        "ratings/override_decide.html",
        {
            "override": override,
            "form": form,
            "rating": selectors.rating_panel(override.customer),
            "own_request": override.requested_by_id == request.user.pk,
        },
    )


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    """我的申请: the revocations and overrides the staff member asked for, and where each stands."""
    user = request.user
    if not (user.has_perm("archives.request_revocation") or user.has_perm("ratings.request_override")):
        raise PermissionDenied
    return render(request, "ratings/my_requests.html", {"rows": selectors.requests_of(user=user)})


@login_required
def decision_history(request: HttpRequest) -> HttpResponse:
    """The revocation and override decisions taken (all, or only mine), newest first."""
    user = request.user
    if not (user.has_perm("archives.approve_revocation") or user.has_perm("ratings.approve_override")):
        raise PermissionDenied
    mine = request.GET.get("mine") == "1"
    rows = selectors.decisions_taken(decided_by=user if mine else None)
    return render(request, "ratings/decision_history.html", {"rows": rows, "mine": mine})


@login_required
@approve_override_required
def override_end(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor (not the requester) ends an override in force early, with a reason."""
    override = get_object_or_404(LevelOverride.objects.select_related("customer", "requested_by", "decided_by"), pk=pk)
    form = OverrideEndForm(request.POST or None)
    if request.method == "POST" and submit_form(
        form, lambda data: services.override_end(override=override, reason=data["reason"], actor=request.user)
    ):
        messages.success(request, "人工调整已提前结束，该用户已按规则重新评定")
        return redirect("archives:customer_detail", uscc=override.customer.uscc)
    return render(
        request,
        "ratings/override_end.html",
        {
            "override": override,
            "form": form,
            "rating": selectors.rating_panel(override.customer),
            "own_request": override.requested_by_id == request.user.pk,
        },
    )


@login_required
@request_override_required
def override_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The court decision an override rests on, for the staff who request and approve overrides."""
    override = get_object_or_404(LevelOverride.objects.select_related("customer"), pk=pk)
    return private_file_response(override.basis_document, kind="court", uscc=override.customer.uscc, pk=override.pk)
