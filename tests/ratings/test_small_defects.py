"""Small defects seen on the way: the what-if verdict, an unmet condition listed twice, a dangling separator."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from archives.models import PaymentMethod, ReportStatus
from ratings import services
from ratings.models import RatingCause
from ratings.services import rating_refresh
from tests.factories import AccountFactory, CustomerFactory, EventFactory, ReportFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(NOW, tick=False)


def _customer(*, report=True, late_payments=0):
    customer = CustomerFactory(name="淮阴小问题有限公司")
    AccountFactory(customer=customer, payment_method=PaymentMethod.POSTPAID, opened_on=date(2015, 3, 1))
    if report:
        ReportFactory(
            customer=customer, issued_on=date(2026, 3, 1), status=ReportStatus.VERIFIED, shows_dishonesty=False
        )
    for month in range(1, late_payments + 1):
        EventFactory(customer=customer, type="late_payment", occurred_on=date(2026, month, 10))
    rating_refresh(customer=customer, cause=RatingCause.MANUAL)
    return customer


def test_the_what_if_bench_does_not_call_an_equal_level_different(client, staff):
    customer = _customer(late_payments=2)  # yellow.2
    client.force_login(staff)

    # A hypothetical unrectified safety hazard twice: still yellow, with one more rule.
    html = client.get(
        reverse("ratings:what_if", args=[customer.uscc]),
        {
            "as_of": "2026-06-30", "payment_method": "postpaid", "arrears_since": "",
            "h1_type": "safety_hazard_unrectified", "h1_occurred_on": "2026-05-10",
            "h2_type": "safety_hazard_unrectified", "h2_occurred_on": "2026-05-11",
        },
    ).content.decode()  # fmt: skip

    assert "与档案事实的评定等级不同" not in html
    assert "评定等级相同，依据条款不同" in html


def test_an_unmet_condition_is_listed_once(client, staff):
    customer = _customer(report=False)  # unrated: blue.3 unmet
    client.force_login(staff)

    html = client.get(reverse("archives:customer_detail", args=[customer.uscc])).content.decode()

    assert html.count("蓝色等级评定要素第3条「") == 1
    assert "blue.3" not in html
    assert "blue.3</strong> 未满足" not in html


def test_no_dangling_separator_while_an_override_is_in_force(client, supervisor, other_supervisor):
    customer = _customer(late_payments=2)
    override = services.override_request(
        customer=customer, level="red", reason="核实中", ends_on=date(2026, 12, 31), actor=supervisor
    )
    services.override_decide(override=override, approve=True, actor=other_supervisor)
    client.force_login(supervisor)

    html = client.get(reverse("archives:customer_detail", args=[customer.uscc])).content.decode()

    assert "模拟评定</a>" in html
    assert "模拟评定</a> · " not in html
