"""The measures for red and black as the hall's work items: the queue, and recording what became of one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from credit_portal.errors import submit_form
from ratings import consequences

from .forms import MeasureOutcomeForm
from .models import MeasureStatus, MeasureTask
from .services.measures import measure_record
from .views import _queue_tools

handle_required = permission_required("commitments.handle_measuretask", raise_exception=True)


@login_required
@handle_required
def measure_list(request: HttpRequest) -> HttpResponse:
    """Open measures (oldest first) or the closed ones, searched and exported as the other queues."""
    tools = _queue_tools(request, "measures")
    if isinstance(tools, HttpResponse):
        return tools
    return render(request, "commitments/measure_list.html", {"tasks": tools.pop("rows"), **tools})


@login_required
@handle_required
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(MeasureTask.objects.select_related("customer", "customer__rating", "handled_by"), pk=pk)
    form = MeasureOutcomeForm(request.POST or None)
    if request.method == "POST" and submit_form(
        form, lambda data: measure_record(task=task, actor=request.user, **data)
    ):
        messages.success(request, "措施办理结果已记录")
        return redirect("commitments:measure_list")
    return render(
        request,
        "commitments/measure_detail.html",
        {
            "task": task,
            "measure": consequences.MEASURES[task.measure],
            "form": form,
            "can_handle": task.status == MeasureStatus.OPEN,
            "history": task.history.select_related("history_user").order_by("-history_date", "-history_id"),
        },
    )
