"""The staff queues of the enterprise side, read one way: open or closed (history), searched by USCC
or name, and exported as XLSX with the columns declared here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from django.db.models import Q, QuerySet
from django.utils import timezone
from openpyxl import Workbook

from credit_portal.spreadsheets import safe_cell
from ratings.rules import LEVEL_LABELS

from . import measure_selectors, repair_selectors, selectors
from .models import (
    ApplicationStatus,
    EnterpriseRegistration,
    Objection,
    ObjectionStatus,
    PowerApplication,
    RegistrationStatus,
    ServiceStatus,
    ValueAddedServiceRequest,
)


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _day(value) -> str:
    return value.isoformat() if value else ""


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _proposal(application):
    return getattr(application, "proposal", None)


@dataclass(frozen=True)
class Queue:
    title: str
    open: Callable[[], QuerySet]
    closed: Callable[[], QuerySet]
    columns: list[tuple[str, Callable]]


_DONE_APPLICATIONS = [ApplicationStatus.DONE, ApplicationStatus.REJECTED]
_DONE_SERVICES = [ServiceStatus.DONE, ServiceStatus.REJECTED]


def _closed(model, statuses):
    """The finished requests of a queue, newest first, with their customer's rating."""
    return lambda: (
        model.objects.filter(status__in=statuses)
        .select_related("customer", "customer__rating")
        .order_by("-submitted_at", "-id")
    )


#: The first columns of every request queue's export: when, and which enterprise.
_REQUESTER = [
    ("提交时间", lambda o: _when(o.submitted_at)),
    ("统一社会信用代码", lambda o: o.customer.uscc),
    ("企业", lambda o: o.customer.name),
]

QUEUES: dict[str, Queue] = {
    "applications": Queue(
        title="用电申请",
        open=selectors.application_queue,
        closed=_closed(PowerApplication, _DONE_APPLICATIONS),
        columns=[
            *_REQUESTER,
            ("提交时信用等级", lambda o: LEVEL_LABELS.get(o.level_at_submission, "待评定")),
            ("类型", lambda o: o.get_kind_display()),
            ("申请方式", lambda o: o.get_route_display()),
            ("容量（千伏安）", lambda o: float(o.capacity_kva)),
            ("状态", lambda o: o.get_status_display()),
            ("完成时间", lambda o: _when(o.done_at)),
            ("退回原因", lambda o: o.rejection_reason),
        ],
    ),
    "services": Queue(
        title="增值服务申请",
        open=selectors.service_request_queue,
        closed=_closed(ValueAddedServiceRequest, _DONE_SERVICES),
        columns=[
            *_REQUESTER,
            ("服务项目", lambda o: o.get_service_display()),
            ("状态", lambda o: o.get_status_display()),
            ("完成时间", lambda o: _when(o.done_at)),
            ("退回原因", lambda o: o.rejection_reason),
        ],
    ),
    "objections": Queue(
        title="异议",
        open=selectors.objections_open,
        closed=lambda: (
            Objection.objects.filter(status__in=[ObjectionStatus.UPHELD, ObjectionStatus.REFUSED])
            .select_related("customer", "event", "account", "report", "revocation", "decided_by")
            .prefetch_related("disputed_events")
            .order_by("-submitted_at", "-id")
        ),
        columns=[
            ("提出时间", lambda o: _when(o.submitted_at)),
            ("统一社会信用代码", lambda o: o.customer.uscc),
            ("企业", lambda o: o.customer.name),
            ("异议的记录", lambda o: o.record_label),
            ("异议理由", lambda o: o.reason),
            ("答复期限", lambda o: _day(o.reply_due_on)),
            ("状态", lambda o: o.effective_status_label),
            ("决定人", lambda o: _name(o.decided_by)),
            ("决定时间", lambda o: _when(o.decided_at)),
            ("决定意见", lambda o: o.decision_note),
        ],
    ),
    "repairs": Queue(
        title="信用修复",
        open=repair_selectors.repairs_open,
        closed=repair_selectors.repairs_closed,
        columns=[
            ("提交时间", lambda o: _when(o.submitted_at)),
            ("统一社会信用代码", lambda o: o.customer.uscc),
            ("企业", lambda o: o.customer.name),
            ("异议的记录", lambda o: o.record_label),
            ("修复方式", lambda o: o.get_route_display()),
            ("办理期限", lambda o: _day(o.decision_due_on)),
            ("状态", lambda o: o.get_status_display()),
            ("审查建议", lambda o: o.proposal.get_recommendation_display() if _proposal(o) else ""),
            ("决定人", lambda o: _name(o.proposal.decided_by) if _proposal(o) else ""),
            ("决定意见", lambda o: o.proposal.decision_note if _proposal(o) else ""),
            ("修复日期", lambda o: _day(o.repaired_on)),
        ],
    ),
    "measures": Queue(
        title="警示惩戒措施",
        open=measure_selectors.measures_open,
        closed=measure_selectors.measures_closed,
        columns=[
            ("启用时间", lambda o: _when(o.opened_at)),
            ("统一社会信用代码", lambda o: o.customer.uscc),
            ("企业", lambda o: o.customer.name),
            ("启用时信用等级", lambda o: LEVEL_LABELS.get(o.level, "")),
            ("措施", lambda o: o.get_measure_display()),
            ("状态", lambda o: o.get_status_display()),
            ("办理人", lambda o: _name(o.handled_by)),
            ("办理时间", lambda o: _when(o.handled_at)),
            ("办理情况", lambda o: o.outcome_note),
            ("解除时间", lambda o: _when(o.lifted_at)),
            ("解除原因", lambda o: o.get_lift_reason_display()),
        ],
    ),
    "registrations": Queue(
        title="企业账号确认",
        open=selectors.pending_registrations,
        closed=lambda: (
            EnterpriseRegistration.objects.exclude(status=RegistrationStatus.PENDING)
            .select_related("customer", "user", "decided_by")
            .order_by("-created_at", "-id")
        ),
        columns=[
            ("注册时间", lambda o: _when(o.created_at)),
            ("统一社会信用代码", lambda o: o.uscc),
            ("填报的企业名称", lambda o: o.enterprise_name),
            ("档案名称", lambda o: o.customer.name if o.customer else "（尚未建档）"),
            ("联系人", lambda o: o.contact_person),
            ("手机号", lambda o: o.phone),
            ("证件类型", lambda o: o.get_id_type_display()),
            ("证件号码", lambda o: str(o.id_number)),  # masked: the full number only on the page, logged
            ("状态", lambda o: o.get_status_display()),
            ("确认人", lambda o: _name(o.decided_by)),
            ("确认时间", lambda o: _when(o.decided_at)),
            ("说明", lambda o: o.decision_note),
        ],
    ),
}


def queue_rows(kind: str, *, closed: bool = False, search: str = "") -> QuerySet:
    """The open (or closed) items of a queue, searched by USCC prefix or a part of the name."""
    queue = QUEUES[kind]
    rows = queue.closed() if closed else queue.open()
    search = (search or "").strip()
    if search:
        if kind == "registrations":  # what was entered: the archive may not exist yet
            rows = rows.filter(Q(uscc__startswith=search.upper()) | Q(enterprise_name__icontains=search))
        else:
            rows = rows.filter(Q(customer__uscc__startswith=search.upper()) | Q(customer__name__icontains=search))
    return rows


def queue_xlsx(kind: str, rows: QuerySet) -> bytes:
    """The rows as a workbook (write-only, row by row); every text cell formula-safe."""
    queue = QUEUES[kind]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(queue.title)
    sheet.append([label for label, _ in queue.columns])
    for item in rows.iterator(chunk_size=1000):
        sheet.append([safe_cell(value(item)) for _, value in queue.columns])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
