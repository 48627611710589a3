"""Value-added services (增值服务): honest customers request them, staff handle them like applications."""

import pytest
from django.urls import reverse

from commitments import selectors, services
from commitments.models import ServiceStatus, ValueAddedServiceRequest
from credit_portal.errors import ApplicationError
from tests.factories import CustomerFactory, ServiceRequestFactory, rate

from .conftest import database_state

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("level", ["green", "blue"])
def test_an_honest_customer_requests_a_value_added_service(applicant, applicant_customer, level):
    rate(applicant_customer, level)

    request = services.service_request_submit(
        customer=applicant_customer, actor=applicant, service="safety_steward", description="每月巡检一次"
    )

    assert (request.status, request.level_at_submission) == (ServiceStatus.SUBMITTED, level)
    assert request.get_service_display() == "安全用电管家"


@pytest.mark.parametrize(
    ("level", "label"),
    [("yellow", "黄色"), ("red", "红色"), ("black", "黑色"), ("unrated", "未定级"), (None, "待评定")],
)
def test_a_customer_that_is_not_honest_is_refused_with_its_level_and_nothing_changes(
    applicant, applicant_customer, level, label
):
    if level:
        rate(applicant_customer, level)
    before = database_state()

    with pytest.raises(ApplicationError) as error:
        services.service_request_submit(customer=applicant_customer, actor=applicant, service="energy_consulting")

    assert error.value.message == f"增值服务仅向诚信客户（绿色、蓝色信用等级）提供，贵单位当前信用等级为：{label}"
    assert database_state() == before


def test_the_service_page_shows_the_refusal(client, applicant, applicant_customer):
    rate(applicant_customer, "yellow")
    client.force_login(applicant)

    response = client.post(reverse("commitments:service_request_create"), {"service": "bill_finance"})

    assert "贵单位当前信用等级为：黄色" in response.content.decode()
    assert not ValueAddedServiceRequest.objects.exists()


def test_one_open_request_per_service(applicant, applicant_customer):
    rate(applicant_customer, "green")
    services.service_request_submit(customer=applicant_customer, actor=applicant, service="invoice_delivery")

    with pytest.raises(ApplicationError, match="已有一项办理中的“专用发票寄送”申请"):
        services.service_request_submit(customer=applicant_customer, actor=applicant, service="invoice_delivery")


def test_an_applicant_cannot_request_a_service_for_another_enterprise(applicant, other_customer):
    rate(other_customer, "green")

    with pytest.raises(ApplicationError, match="不能代表该企业"):
        services.service_request_submit(customer=other_customer, actor=applicant, service="energy_management")
    assert not ValueAddedServiceRequest.objects.exists()


def test_staff_accept_and_complete_a_request_or_reject_it_with_a_reason(staff, applicant_customer):
    rate(applicant_customer, "green")
    done = ServiceRequestFactory(customer=applicant_customer)
    refused = ServiceRequestFactory(customer=applicant_customer, service="bill_finance")

    services.service_request_advance(service_request=done, status="accepted", actor=staff)
    done = services.service_request_advance(service_request=done, status="done", actor=staff)
    with pytest.raises(ApplicationError, match="退回时请填写原因"):
        services.service_request_advance(service_request=refused, status="rejected", actor=staff)
    with pytest.raises(ApplicationError, match="未知的状态“surveying”"):
        services.service_request_advance(service_request=refused, status="surveying", actor=staff)
    refused = services.service_request_advance(
        service_request=refused, status="rejected", actor=staff, reason="暂未开办"
    )

    assert (done.status, done.accepted_at is not None, done.done_at is not None) == ("done", True, True)
    assert (refused.status, refused.rejection_reason) == ("rejected", "暂未开办")


@pytest.mark.parametrize("fallen_to", ["yellow", "black"])
def test_staff_cannot_accept_or_complete_a_request_once_the_customer_is_no_longer_honest(
    staff, applicant_customer, fallen_to
):
    rate(applicant_customer, "green")
    waiting = ServiceRequestFactory(customer=applicant_customer)
    underway = ServiceRequestFactory(customer=applicant_customer, service="bill_finance")
    services.service_request_advance(service_request=underway, status="accepted", actor=staff)
    rate(applicant_customer, fallen_to)
    label = {"yellow": "黄色", "black": "黑色"}[fallen_to]
    before = database_state()

    with pytest.raises(ApplicationError, match=f"当前信用等级为{label}，已不是诚信客户.*不能受理"):
        services.service_request_advance(service_request=waiting, status="accepted", actor=staff)
    with pytest.raises(ApplicationError, match=f"当前信用等级为{label}，已不是诚信客户.*不能办结"):
        services.service_request_advance(service_request=underway, status="done", actor=staff)

    assert database_state() == before
    rejected = services.service_request_advance(
        service_request=underway, status="rejected", actor=staff, reason="客户已列入失信名单"
    )
    assert rejected.status == "rejected"


def test_the_service_queue_puts_honest_customers_first(db):
    yellow = ServiceRequestFactory(customer=rate(CustomerFactory(), "yellow").customer)
    green = ServiceRequestFactory(customer=rate(CustomerFactory(), "green").customer)

    assert list(selectors.service_request_queue()) == [green, yellow]


def test_drc_officers_cannot_handle_service_requests(drc, applicant_customer):
    request = ServiceRequestFactory(customer=applicant_customer)

    with pytest.raises(ApplicationError, match="只有营业厅工作人员可以办理增值服务申请"):
        services.service_request_advance(service_request=request, status="accepted", actor=drc)
