"""Pages of the notifications: staff queues (failed, calls, letters), message templates, an enterprise's notices.

Views parse input, call one service, and render.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from archives.services.jobs import file_job_start
from credit_portal.errors import ApplicationError, submit_form
from ratings.selectors import report_validity

from . import selectors, services
from .forms import CallOutcomeForm, DeliveryForm
from .models import Channel, Notice, NoticeStatus

view_required = permission_required("notifications.view_notice", raise_exception=True)
work_required = permission_required("notifications.work_notices", raise_exception=True)


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, 50).get_page(request.GET.get("page"))


@login_required
@view_required
def queues(request: HttpRequest) -> HttpResponse:
    counts = {
        **selectors.notice_queue_counts(),
        "reports_running_out": len(selectors.reports_running_out(today=timezone.localdate())),
    }
    return render(request, "notifications/queues.html", {"counts": counts})


@login_required
@view_required
def reports_running_out(request: HttpRequest) -> HttpResponse:
    """Staff worklist: honest customers whose public credit report runs out soon (or lately did)."""
    today = timezone.localdate()
    return render(
        request,
        "notifications/reports_running_out.html",
        {"items": selectors.reports_running_out(today=today), "validity": report_validity(today=today)},
    )


@login_required
@view_required
def failed_list(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/failed_list.html", {"page": _page(request, selectors.failed_notices())})


@login_required
@work_required
@require_POST
def notice_retry(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = get_object_or_404(Notice, pk=notice_id)
    try:
        services.notice_retry(notice=notice, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已重新发送：{notice.customer.name} {notice.get_channel_display()}")
    return redirect("notifications:failed_list")


@login_required
@view_required
def call_list(request: HttpRequest) -> HttpResponse:
    done = request.GET.get("done") == "1"
    return render(
        request,
        "notifications/call_list.html",
        {
            "page": _page(request, selectors.call_queue(done=done)),
            "done": done,
            "query": "done=1" if done else "",
            "show_contact": request.user.has_perm("archives.view_contact_details"),
        },
    )


@login_required
@work_required
def call_record(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = get_object_or_404(
        Notice.objects.select_related("customer", "rating_change"), pk=notice_id, channel=Channel.CALL
    )
    form = CallOutcomeForm(request.POST or None)
    recorded = request.method == "POST" and submit_form(
        form, lambda data: services.call_outcome_record(notice=notice, actor=request.user, **data)
    )
    if recorded:
        if recorded.next_call_on and not recorded.call_outcome:
            messages.success(
                request,
                f"已记录通话结果：{notice.customer.name} 未接通，已放回队列，{recorded.next_call_on:%Y-%m-%d} 再拨",
            )
        elif services.call_needs_other_channel(recorded):
            messages.warning(
                request, f"已记录通话结果：{notice.customer.name} 电话未能告知，请改为寄送书面告知函或发送短信"
            )
        else:
            messages.success(request, f"已记录通话结果：{notice.customer.name}")
        return redirect("notifications:call_list")
    max_attempts = settings.NOTIFICATION_CALL_ATTEMPTS
    return render(
        request,
        "notifications/call_record.html",
        {
            "form": form,
            "notice": notice,
            "attempts": notice.call_attempt_rows.select_related("made_by"),
            "max_attempts": max_attempts,
            "last_try": notice.call_attempts + 1 >= max_attempts,
            "needs_other_channel": services.call_needs_other_channel(notice),
        },
    )


@login_required
@view_required
def letter_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "to_print")
    if state not in selectors.LETTER_FILTERS:
        state = "to_print"
    return render(
        request,
        "notifications/letter_list.html",
        {
            "page": _page(request, selectors.letter_queue(state=state)),
            "state": state,
            "query": f"state={state}",
            "states": [(key, label) for key, (label, _) in selectors.LETTER_FILTERS.items()],
        },
    )


@login_required
@work_required
@require_POST
def letters_print(request: HttpRequest) -> HttpResponse:
    """Start a print job (the worker renders the PDF): the letters ticked, or every letter waiting to print."""
    everything = request.POST.get("all") == "to_print"
    ticked = request.POST.getlist("notice")
    ids = [] if everything else [int(value) for value in ticked if value.isascii() and value.isdigit()]
    if not everything and not ids:
        messages.error(request, "请选择要打印的告知函")
        return redirect("notifications:letter_list")
    if not everything and not services.letters_to_print(notice_ids=ids):
        messages.error(request, f"没有可打印的告知函：{services.NOTHING_TO_PRINT}")
        return redirect("notifications:letter_list")
    job = file_job_start(
        kind="letters",
        title="书面告知函打印",
        download_name=f"letters-{timezone.localdate():%Y%m%d}.pdf",
        params={"state": "to_print"} if everything else {"notice_ids": ids},
        actor=request.user,
    )
    return redirect("archives:file_job", job_id=job.pk)


@login_required
@work_required
def letter_delivery(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = get_object_or_404(Notice.objects.select_related("customer"), pk=notice_id, channel=Channel.LETTER)
    form = DeliveryForm(request.POST or None)
    recorded = request.method == "POST" and submit_form(
        form, lambda data: services.letter_delivery_record(notice=notice, actor=request.user, **data)
    )
    if recorded and recorded.status == NoticeStatus.SUPERSEDED:
        messages.error(request, f"告知函 {notice.reference} 已作废，不再寄送：{recorded.superseded_reason}")
        return redirect("notifications:letter_list")
    if recorded:
        messages.success(request, f"已登记送达情况：{notice.reference}")
        return redirect("notifications:letter_list")
    return render(request, "notifications/letter_delivery.html", {"form": form, "notice": notice})


@login_required
def letter_pdf(request: HttpRequest, notice_id: int) -> HttpResponse:
    """A letter as PDF, for staff and for the enterprise it was sent to (404 for anyone else)."""
    notice = selectors.letter_for_user(user=request.user, notice_id=notice_id)
    response = HttpResponse(services.letter_pdf(notice=notice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-{notice.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@view_required
def message_templates(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "notifications/templates.html",
        {"samples": selectors.message_templates(hotline=settings.NOTIFICATION_HOTLINE)},
    )


@login_required
def my_notices(request: HttpRequest) -> HttpResponse:
    """The enterprise's own notices (SMS, WeChat, letters), scoped by its confirmed membership."""
    notices = selectors.notices_of_enterprise(user=request.user)
    if notices is None:
        return render(request, "notifications/my_notices.html", {"page": None}, status=403)
    return render(
        request,
        "notifications/my_notices.html",
        {"page": _page(request, notices), "messages_sent": selectors.direct_messages_of_enterprise(user=request.user)},
    )
