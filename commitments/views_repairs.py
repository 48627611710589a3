"""Pages of credit repair (信用修复): the enterprise applies for a record of its own (and downloads its
pre-filled 信用修复承诺书), staff file one at the counter or record a repair made at the source, staff
propose, a supervisor decides; DRC officers read the applications, the decisions and the figures.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from archives.models import CreditEvent
from credit_portal.errors import submit_form
from credit_portal.pdf import render_pdf

from . import repair_selectors, repair_text, selectors, services
from .forms import (
    CounterRepairApplicationForm,
    RepairApplicationForm,
    RepairDecisionForm,
    RepairProposalForm,
    SourceRepairForm,
)
from .models import RepairStatus
from .views import _queue_tools
from .views_enterprise import enterprise_required

propose_required = permission_required("commitments.propose_repair", raise_exception=True)


def _submitted_message(application) -> str:
    return (
        f"信用修复申请已提交：营业厅审查后由班组长作出决定，将于 {application.decision_due_on:%Y-%m-%d} 前办结"
        f"（{settings.REPAIR_DECISION_WORKING_DAYS} 个工作日内），结果将以短信告知。"
    )


def _apply_page(request: HttpRequest, event: CreditEvent, form, *, counter: bool) -> HttpResponse:
    terms = repair_selectors.repair_terms(event)
    return render(
        request,
        "commitments/repair_apply.html",
        {
            "event": event,
            "customer": event.customer,
            "terms": terms,
            "form": form,
            "counter": counter,
            "text": repair_text,
            "decision_days": settings.REPAIR_DECISION_WORKING_DAYS,
            "due": services.repair_decision_due(submitted_on=timezone.localdate()),
        },
    )


@enterprise_required
def repair_create(request: HttpRequest, event_id: int) -> HttpResponse:
    """The enterprise applies for the repair of a record of its own; before the day it may, the page
    says when and what it will need (and an early application is refused naming the date)."""
    customer = selectors.enterprise_of(request.user)
    event = get_object_or_404(customer.events.all(), pk=event_id)
    form = RepairApplicationForm(request.POST or None, request.FILES or None)
    application = request.method == "POST" and submit_form(
        form, lambda data: services.repair_apply(event=event, actor=request.user, **data)
    )
    if application:
        messages.success(request, _submitted_message(application))
        return redirect("commitments:repair_detail", pk=application.pk)
    return _apply_page(request, event, form, counter=False)


@enterprise_required
def repair_pdf(request: HttpRequest, event_id: int) -> HttpResponse:
    """The 信用修复承诺书, pre-filled with the enterprise, the record and the obligations it fulfilled."""
    customer = selectors.enterprise_of(request.user)
    event = get_object_or_404(customer.events.all(), pk=event_id)
    return _commitment_pdf(event)


@login_required
@propose_required
def repair_counter_pdf(request: HttpRequest, event_id: int) -> HttpResponse:
    """The same pre-filled 信用修复承诺书, printed at the counter for the enterprise to sign."""
    return _commitment_pdf(get_object_or_404(CreditEvent.objects.select_related("customer"), pk=event_id))


def _commitment_pdf(event: CreditEvent) -> HttpResponse:
    customer = event.customer
    pdf = render_pdf(
        "commitments/repair_commitment_pdf.html",
        {
            "customer": customer,
            "event": event,
            "text": repair_text,
            "intro": repair_text.intro(
                name=customer.name,
                uscc=customer.uscc,
                event=event.get_type_display(),
                occurred_on=f"{event.occurred_on:%Y-%m-%d}",
                recognised_on=f"{event.found_on:%Y-%m-%d}",
            ),
            "fulfilled": repair_text.fulfilled(event.type),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"信用修复承诺书-{customer.uscc}-{event.pk}.pdf")
    return response


@login_required
@propose_required
def repair_counter(request: HttpRequest, event_id: int) -> HttpResponse:
    """Staff file an application at the counter for an enterprise, with its scanned paper application."""
    event = get_object_or_404(CreditEvent.objects.select_related("customer"), pk=event_id)
    form = CounterRepairApplicationForm(request.POST or None, request.FILES or None)
    application = request.method == "POST" and submit_form(
        form, lambda data: services.repair_apply(event=event, actor=request.user, **data)
    )
    if application:
        messages.success(request, _submitted_message(application))
        return redirect("commitments:repair_detail", pk=application.pk)
    return _apply_page(request, event, form, counter=True)


@login_required
@propose_required
def repair_source(request: HttpRequest, event_id: int) -> HttpResponse:
    """Staff record that the authority which found a `dishonesty` record has repaired it (谁认定、谁修复)."""
    event = get_object_or_404(CreditEvent.objects.select_related("customer"), pk=event_id)
    form = SourceRepairForm(request.POST or None, request.FILES or None)
    application = request.method == "POST" and submit_form(
        form, lambda data: services.repair_record_at_source(event=event, actor=request.user, **data)
    )
    if application:
        messages.success(request, "已登记认定机关的信用修复，该记录已标记为已修复，并已重新评定信用等级")
        return redirect("commitments:repair_detail", pk=application.pk)
    return render(request, "commitments/repair_source.html", {"form": form, "event": event, "customer": event.customer})


@login_required
@permission_required("commitments.view_repairapplication", raise_exception=True)
def repair_list(request: HttpRequest) -> HttpResponse:
    """Open applications (the overdue marked), the overdue ones alone, or the decided ones; the figures."""
    overdue = request.GET.get("state") == "overdue"
    tools = _queue_tools(request, "repairs", narrow=repair_selectors.repairs_overdue if overdue else None)
    if isinstance(tools, HttpResponse):
        return tools
    return render(
        request,
        "commitments/repair_list.html",
        {
            "repairs": tools.pop("rows"),
            "overdue": overdue,
            "today": timezone.localdate(),
            "counts": repair_selectors.repair_counts(),
            "decision_days": settings.REPAIR_DECISION_WORKING_DAYS,
            **tools,
        },
    )


@login_required
def repair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(repair_selectors.repairs_visible_to(request.user), pk=pk)
    user = request.user
    proposal = getattr(application, "proposal", None)
    can_propose = user.has_perm("commitments.propose_repair") and application.status == RepairStatus.SUBMITTED
    may_decide = user.has_perm("commitments.decide_repair") and application.status == RepairStatus.PROPOSED
    can_decide = may_decide and proposal.requested_by_id != user.pk
    propose_form = RepairProposalForm(request.POST if "recommendation" in request.POST else None)
    decision_form = RepairDecisionForm(request.POST if "decision" in request.POST else None)
    if request.method == "POST":
        if not (user.has_perm("commitments.propose_repair") or user.has_perm("commitments.decide_repair")):
            raise PermissionDenied
        if "recommendation" in request.POST and submit_form(
            propose_form, lambda data: services.repair_propose(application=application, actor=user, **data)
        ):
            messages.success(request, "审查意见已提交，待另一名班组长决定")
            return redirect("commitments:repair_detail", pk=application.pk)
        if "decision" in request.POST and submit_form(
            decision_form,
            lambda data: services.repair_decide(
                application=application, actor=user, approve=data["decision"] == "approve", note=data["note"]
            ),
        ):
            messages.success(request, "已作出决定")
            return redirect("commitments:repair_detail", pk=application.pk)
    event = application.event
    return render(
        request,
        "commitments/repair_detail.html",
        {
            "application": application,
            "proposal": proposal,
            "event": event,
            "arrears": repair_selectors.arrears_of(application.customer),
            "payment_record": event.type in repair_text.PAYMENT_RECORDS,
            "can_propose": can_propose,
            "can_decide": can_decide,
            "drafted_by_me": may_decide and not can_decide,
            "propose_form": propose_form,
            "decision_form": decision_form,
            "history": _history(application, proposal),
            "today": timezone.localdate(),
            "decision_days": settings.REPAIR_DECISION_WORKING_DAYS,
        },
    )


def _history(application, proposal) -> list:
    """Every step of the application and of its proposal, in the order they happened."""
    records = list(application.history.select_related("history_user"))
    if proposal is not None:
        records += list(proposal.history.select_related("history_user"))
    return sorted(records, key=lambda record: (record.history_date, record.history_id))
