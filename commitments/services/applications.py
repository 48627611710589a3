from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from archives.models import Customer
from archives.services.common import audited_save
from archives.validation import check_plain_text, check_upload
from credit_portal.errors import ApplicationError, Conflict
from ratings import consequences, rules
from ratings.selectors import level_in_force

from ..eligibility_selectors import no_property_documents
from ..models import (
    ApplicationKind,
    ApplicationRoute,
    ApplicationStatus,
    PowerApplication,
    ServiceKind,
    ServiceStatus,
    ValueAddedServiceRequest,
)
from .access import require_member

MAX_CAPACITY_KVA = Decimal("99999999.99")

#: Where each status may go next; a rejection (with a reason) is possible until the work is done.
APPLICATION_STEPS: dict[str, tuple[str, ...]] = {
    ApplicationStatus.SUBMITTED: (ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED),
    ApplicationStatus.ACCEPTED: (ApplicationStatus.SURVEYING, ApplicationStatus.REJECTED),
    ApplicationStatus.SURVEYING: (ApplicationStatus.CONNECTING, ApplicationStatus.REJECTED),
    ApplicationStatus.CONNECTING: (ApplicationStatus.DONE, ApplicationStatus.REJECTED),
}
SERVICE_STEPS: dict[str, tuple[str, ...]] = {
    ServiceStatus.SUBMITTED: (ServiceStatus.ACCEPTED, ServiceStatus.REJECTED),
    ServiceStatus.ACCEPTED: (ServiceStatus.DONE, ServiceStatus.REJECTED),
}


def _capacity(value) -> Decimal:
    try:
        capacity = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ApplicationError("申请容量应为数字", field="capacity_kva") from None
    if not capacity.is_finite() or capacity <= 0:
        raise ApplicationError("申请容量应大于0千伏安", field="capacity_kva")
    if capacity > MAX_CAPACITY_KVA:
        raise ApplicationError("申请容量过大", field="capacity_kva")
    return capacity.quantize(Decimal("0.01"))


@transaction.atomic
def application_submit(
    *,
    customer: Customer,
    actor,
    kind: str,
    address: str,
    capacity_kva,
    requested_on: date,
    route: str,
    property_document: UploadedFile | None = None,
    other_document: UploadedFile | None = None,
) -> PowerApplication:
    """Apply for a new connection, a capacity increase or temporary supply (用电申请).

    With property documents, or — without property rights — on a verified public credit report
    issued within one year plus an accepted commitment letter (plan §二, §三(四)).
    """
    require_member(actor=actor, customer=customer)
    if kind not in ApplicationKind.values:
        raise ApplicationError(f"未知的申请类型“{kind}”", field="kind")
    address = (address or "").strip()
    if not address:
        raise ApplicationError("请填写用电地址", field="address")
    check_plain_text(address, field="address", label="用电地址")
    capacity = _capacity(capacity_kva)
    today = timezone.localdate()
    if not isinstance(requested_on, date):
        raise ApplicationError("期望接电日期格式应为 YYYY-MM-DD", field="requested_on")
    if requested_on < today:
        raise ApplicationError(f"期望接电日期 {requested_on} 早于今天", field="requested_on")
    if route not in ApplicationRoute.values:
        raise ApplicationError(f"未知的申请方式“{route}”", field="route")

    application = PowerApplication(
        customer=customer, kind=kind, address=address, capacity_kva=capacity, requested_on=requested_on,
        route=route, submitted_by=actor, submitted_at=timezone.now(),
        level_at_submission=level_in_force(customer.pk),
    )  # fmt: skip
    uploads = {}
    if route == ApplicationRoute.PROPERTY:
        if property_document is None:
            raise ApplicationError("以产权证明方式申请，请上传产权证明材料", field="property_document")
        uploads["property_document"] = (property_document, check_upload(property_document, field="property_document"))
    else:
        documents = no_property_documents(customer, today=today)
        if documents.missing:
            raise ApplicationError(_no_property_refusal(documents.missing), field="route")
        application.report = documents.report
        application.letter = documents.letter
    if other_document is not None:
        uploads["other_document"] = (other_document, check_upload(other_document, field="other_document"))
    # Files are stored only once every check has passed: a refused application leaves nothing behind.
    for field, (upload, checked) in uploads.items():
        getattr(application, field).save(f"{field.split('_')[0]}{checked.suffix}", upload, save=False)
    audited_save(application, actor=actor, reason="提交用电申请")
    return application


def _no_property_refusal(missing: list[str]) -> str:
    return (
        "凭信用报告和信用承诺书代替产权证明申请用电，仅限诚信客户，须同时具备以下条件，"
        f"贵单位还缺少：{'；'.join(missing)}"
    )


def _advance(instance, *, steps: dict, status: str, actor, reason: str, labels: dict, what: str):
    if status not in labels:
        raise ApplicationError(f"未知的状态“{status}”，应为：{'、'.join(labels)}", field="status")
    allowed = steps.get(instance.status, ())
    if status not in allowed:
        current = labels[instance.status]
        raise Conflict(f"当前状态为“{current}”，不能改为“{labels[status]}”", field="status")
    reason = (reason or "").strip()
    now = timezone.now()
    if status == "rejected":
        if not reason:
            raise ApplicationError("退回时请填写原因", field="reason")
        instance.rejection_reason = reason
    instance.status = status
    setattr(instance, f"{status}_at", now)
    instance.handled_by = actor
    audited_save(instance, actor=actor, reason=f"{what}：{labels[status]}")
    return instance


@transaction.atomic
def application_advance(*, application: PowerApplication, status: str, actor, reason: str = "") -> PowerApplication:
    """Move an application one step on (accepted → surveying → connecting → done) or reject it with a reason."""
    if not actor.has_perm("commitments.handle_powerapplication"):
        raise ApplicationError("只有营业厅工作人员可以办理用电申请", field="status")
    application = PowerApplication.objects.select_for_update().get(pk=application.pk)
    if status == ApplicationStatus.ACCEPTED and application.route == ApplicationRoute.NO_PROPERTY:
        # Checked again when staff accept: the level, the report or the letter may have changed since.
        documents = no_property_documents(application.customer, today=timezone.localdate())
        if documents.missing:
            raise ApplicationError(
                _no_property_refusal(documents.missing) + "。请退回该申请，或请企业改以产权证明方式申请。",
                field="status",
            )
    return _advance(
        application, steps=APPLICATION_STEPS, status=status, actor=actor, reason=reason,
        labels=dict(ApplicationStatus.choices), what="用电申请",
    )  # fmt: skip


@transaction.atomic
def service_request_submit(
    *, customer: Customer, actor, service: str, description: str = ""
) -> ValueAddedServiceRequest:
    """An honest customer (green or blue) asks for a value-added service (plan §二 提升用电省心度)."""
    require_member(actor=actor, customer=customer)
    if service not in ServiceKind.values:
        raise ApplicationError(f"未知的服务项目“{service}”", field="service")
    level = level_in_force(customer.pk)
    if not consequences.grants(level, consequences.VALUE_ADDED_SERVICES):
        label = rules.LEVEL_LABELS.get(level, "待评定")
        raise Conflict(
            f"增值服务仅向诚信客户（绿色、蓝色信用等级）提供，贵单位当前信用等级为：{label}", field="service"
        )
    if ValueAddedServiceRequest.objects.filter(
        customer=customer, service=service, status__in=[ServiceStatus.SUBMITTED, ServiceStatus.ACCEPTED]
    ).exists():
        raise Conflict(f"贵单位已有一项办理中的“{ServiceKind(service).label}”申请", field="service")
    request = ValueAddedServiceRequest(
        customer=customer, service=service, description=(description or "").strip(), submitted_by=actor,
        submitted_at=timezone.now(), level_at_submission=level,
    )  # fmt: skip
    audited_save(request, actor=actor, reason="申请增值服务")
    return request


@transaction.atomic
def service_request_advance(
    *, service_request: ValueAddedServiceRequest, status: str, actor, reason: str = ""
) -> ValueAddedServiceRequest:
    """Accept, complete or reject (with a reason) a value-added service request."""
    if not actor.has_perm("commitments.handle_valueaddedservicerequest"):
        raise ApplicationError("只有营业厅工作人员可以办理增值服务申请", field="status")
    service_request = ValueAddedServiceRequest.objects.select_for_update().get(pk=service_request.pk)
    if status in (ServiceStatus.ACCEPTED, ServiceStatus.DONE):
        # Checked again at each step, as for applications: the level may have fallen since the request.
        level = level_in_force(service_request.customer_id)
        if not consequences.grants(level, consequences.VALUE_ADDED_SERVICES):
            label = rules.LEVEL_LABELS.get(level, "待评定")
            step = "受理" if status == ServiceStatus.ACCEPTED else "办结"
            raise Conflict(
                f"该客户当前信用等级为{label}，已不是诚信客户（绿色、蓝色），增值服务不能{step}。"
                "请退回该申请并注明原因。",
                field="status",
            )
    return _advance(
        service_request, steps=SERVICE_STEPS, status=status, actor=actor, reason=reason,
        labels=dict(ServiceStatus.choices), what="增值服务",
    )  # fmt: skip
