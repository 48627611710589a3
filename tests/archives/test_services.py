"""The archive services: what they write, what they refuse, and that a refusal writes nothing."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from archives import services
from archives.models import CreditEvent, Customer, ElectricityAccount, EventRevocation, EventStatus, PublicCreditReport
from credit_portal.errors import ApplicationError
from ratings.models import CustomerRating, RatingHistory
from tests.factories import PDF_BYTES, AccountFactory, CustomerFactory, EventFactory, make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    """Pin today to 2026-11-28 (noon in Asia/Shanghai), so date rules never depend on the run date."""
    time_machine.move_to(datetime(2026, 11, 28, 12, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Customer, ElectricityAccount, CreditEvent, EventRevocation, PublicCreditReport)
    )


def _pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def test_customer_create_normalises_the_uscc_and_writes_an_audit_row(staff):
    uscc = make_uscc(42)

    customer = services.customer_create(actor=staff, uscc=uscc.lower(), name=" 淮阴测试有限公司 ")

    assert customer.uscc == uscc
    assert customer.name == "淮阴测试有限公司"
    record = customer.history.get()
    assert record.history_user == staff
    assert record.history_type == "+"


@pytest.mark.parametrize(
    ("uscc", "reason"),
    [
        ("91320804MA1M9QX2A", "应为18位"),
        ("91320804MA1M9QX2AX", "校验码错误"),
        ("91320804MA1M9QX2I!", "不允许的字符"),
    ],
)
def test_customer_create_refuses_an_invalid_uscc_and_writes_nothing(staff, uscc, reason):
    before = _counts()

    with pytest.raises(ApplicationError) as error:
        services.customer_create(actor=staff, uscc=uscc, name="某公司")

    assert error.value.field == "uscc"
    assert reason in error.value.message
    assert _counts() == before


def test_customer_create_refuses_a_duplicate_uscc(staff):
    existing = CustomerFactory()

    with pytest.raises(ApplicationError, match="已建档") as error:
        services.customer_create(actor=staff, uscc=existing.uscc, name="另一家公司")

    assert error.value.field == "uscc"
    assert Customer.objects.count() == 1


def test_customer_update_records_before_and_after(staff):
    customer = CustomerFactory(contact_phone="13800000000")

    services.customer_update(customer=customer, actor=staff, contact_phone="13911112222")

    latest, previous = customer.history.order_by("-history_id")[:2]
    delta = latest.diff_against(previous)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("contact_phone", "13800000000", "13911112222")]
    assert latest.history_user == staff


def test_event_record_saves_the_event_and_re_rates_on_commit(staff, django_capture_on_commit_callbacks):
    customer = AccountFactory(opened_on=date(2015, 3, 1)).customer

    with django_capture_on_commit_callbacks(execute=True):
        event = services.event_record(
            customer=customer, type="theft", occurred_on=date(2026, 2, 10), amount_yuan="120000", actor=staff
        )

    assert event.amount_yuan == Decimal("120000.00")
    assert event.recorded_by == staff
    rating = CustomerRating.objects.get(customer=customer)
    assert (rating.level, rating.rules) == ("red", ["red.3"])
    assert RatingHistory.objects.filter(customer=customer, level="red", cause="event").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"type": "arson"}, "type", "未知的失信行为类型"),
        ({"type": "late_payment", "occurred_on": date(2026, 11, 29)}, "occurred_on", "晚于今天"),
        ({"type": "late_payment", "occurred_on": date(2014, 1, 1)}, "occurred_on", "早于该用户最早立户日期"),
        ({"type": "theft"}, "amount_yuan", "须填写窃电金额"),
        ({"type": "theft", "amount_yuan": "-1"}, "amount_yuan", "不能为负数"),
        ({"type": "theft", "amount_yuan": "abc"}, "amount_yuan", "应为数字"),
        ({"type": "grid_outage"}, "voltage_kv", "须填写电压等级"),
        ({"type": "grid_outage", "voltage_kv": "0"}, "voltage_kv", "应大于0"),
        ({"type": "facility_damage"}, "severity", "须选择情节"),
        ({"type": "dishonesty", "severity": "minor"}, "severity", "无效"),
    ],
)
def test_event_record_refuses_bad_input_and_writes_nothing(staff, kwargs, field, message):
    customer = AccountFactory(opened_on=date(2015, 3, 1)).customer
    before = _counts()
    kwargs = {"occurred_on": date(2026, 5, 1), **kwargs}

    with pytest.raises(ApplicationError) as error:
        services.event_record(customer=customer, actor=staff, **kwargs)

    assert error.value.field == field
    assert message in error.value.message
    assert _counts() == before


def test_event_record_drops_attributes_the_type_does_not_have(staff):
    customer = AccountFactory().customer

    event = services.event_record(
        customer=customer, type="late_payment", occurred_on=date(2026, 5, 1), amount_yuan="5", actor=staff
    )

    assert event.amount_yuan is None


def test_revocation_needs_a_second_supervisor_and_keeps_the_event_visible(
    staff, supervisor, other_supervisor, django_capture_on_commit_callbacks
):
    customer = AccountFactory(opened_on=date(2015, 3, 1)).customer
    with django_capture_on_commit_callbacks(execute=True):
        event = services.event_record(
            customer=customer, type="malicious_complaint", occurred_on=date(2026, 9, 1), actor=staff
        )
    assert CustomerRating.objects.get(customer=customer).level == "red"

    revocation = services.revocation_request(event=event, reason="投诉属实，非恶意", actor=supervisor)
    with pytest.raises(ApplicationError, match="不能审批本人"):
        services.revocation_decide(revocation=revocation, approve=True, actor=supervisor)
    with pytest.raises(ApplicationError, match="只有班组长"):
        services.revocation_decide(revocation=revocation, approve=True, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.revocation_decide(revocation=revocation, approve=True, actor=other_supervisor)

    event.refresh_from_db()
    assert event.status == EventStatus.REVOKED
    assert CreditEvent.objects.filter(pk=event.pk).exists()
    assert CustomerRating.objects.get(customer=customer).level != "red"
    assert event.history.order_by("-history_id").first().history_user == other_supervisor


def test_revocation_refusal_needs_a_reason_and_leaves_the_event_in_force(staff, supervisor):
    event = EventFactory(customer=AccountFactory().customer)
    revocation = services.revocation_request(event=event, reason="录入错误", actor=staff)

    with pytest.raises(ApplicationError) as error:
        services.revocation_decide(revocation=revocation, approve=False, actor=supervisor)
    assert error.value.field == "note"

    services.revocation_decide(revocation=revocation, approve=False, note="证据充分", actor=supervisor)
    event.refresh_from_db()
    assert event.status == EventStatus.IN_FORCE
    with pytest.raises(ApplicationError, match="已处理"):
        services.revocation_decide(revocation=revocation, approve=True, actor=supervisor)


def test_a_second_revocation_request_while_one_is_pending_is_refused(staff):
    event = EventFactory(customer=AccountFactory().customer)
    services.revocation_request(event=event, reason="录入错误", actor=staff)

    with pytest.raises(ApplicationError, match="待审批"):
        services.revocation_request(event=event, reason="再次申请", actor=staff)
    assert EventRevocation.objects.count() == 1


def test_an_unverified_report_does_not_count_until_staff_verify_it(staff, django_capture_on_commit_callbacks):
    customer = AccountFactory(opened_on=date(2015, 3, 1), payment_method="prepaid").customer

    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_upload(customer=customer, issued_on=date(2026, 6, 1), file=_pdf(), actor=staff)
    assert report.status == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        services.report_verify(report=report, shows_dishonesty=False, actor=staff)

    report.refresh_from_db()
    assert (report.status, report.verified_by) == ("verified", staff)
    assert CustomerRating.objects.get(customer=customer).level == "green"


def test_report_verify_is_refused_to_a_drc_officer(staff, drc):
    report = services.report_upload(
        customer=AccountFactory().customer, issued_on=date(2026, 6, 1), file=_pdf(), actor=staff
    )

    with pytest.raises(ApplicationError):
        services.report_verify(report=report, shows_dishonesty=False, actor=drc)
    report.refresh_from_db()
    assert report.status == "pending"


def test_report_with_a_future_date_is_refused(staff):
    with pytest.raises(ApplicationError) as error:
        services.report_upload(
            customer=CustomerFactory(), issued_on=date(2026, 11, 28) + timedelta(days=1), file=_pdf(), actor=staff
        )
    assert error.value.field == "issued_on"
    assert PublicCreditReport.objects.count() == 0


def test_account_arrears_before_the_opening_date_is_refused(staff):
    customer = CustomerFactory()

    with pytest.raises(ApplicationError) as error:
        services.account_create(
            customer=customer,
            actor=staff,
            number="3208001",
            opened_on=date(2020, 1, 1),
            payment_method="postpaid",
            voltage_level="10kV",
            capacity_kva=Decimal(100),
            arrears_since=date(2019, 1, 1),
        )
    assert error.value.field == "arrears_since"
    assert ElectricityAccount.objects.count() == 0


def test_account_arrears_change_re_rates_the_customer(staff, django_capture_on_commit_callbacks):
    account = AccountFactory(opened_on=date(2015, 3, 1))

    with django_capture_on_commit_callbacks(execute=True):
        services.account_update(
            account=account,
            actor=staff,
            opened_on=account.opened_on,
            payment_method="postpaid",
            voltage_level=account.voltage_level,
            capacity_kva=account.capacity_kva,
            arrears_since=date(2026, 7, 1),
        )

    rating = CustomerRating.objects.get(customer=account.customer)
    assert (rating.level, rating.rules) == ("red", ["red.1"])


def test_each_change_re_rates_the_customer_inside_its_own_transaction(staff):
    customer = AccountFactory(opened_on=date(2015, 3, 1)).customer
    other = AccountFactory(opened_on=date(2015, 3, 1)).customer

    with transaction.atomic():
        for day in (1, 2, 3):
            services.event_record(customer=customer, type="late_payment", occurred_on=date(2026, 5, day), actor=staff)
        # Before commit, inside the writing transaction, the level already follows the facts.
        assert CustomerRating.objects.get(customer=customer).level == "red"
        services.event_record(customer=other, type="late_payment", occurred_on=date(2026, 5, 1), actor=staff)

    rating = CustomerRating.objects.get(customer=customer)
    assert (rating.level, rating.rules) == ("red", ["red.2"])
    assert CustomerRating.objects.get(customer=other).level == "unrated"


def test_a_rolled_back_event_leaves_the_level_as_it_was(staff):
    customer = AccountFactory(opened_on=date(2015, 3, 1)).customer

    with pytest.raises(RuntimeError), transaction.atomic():
        services.event_record(customer=customer, type="theft", occurred_on=date(2026, 5, 1), actor=staff, amount_yuan=1)
        raise RuntimeError("the request failed after the event was written")

    assert not CreditEvent.objects.filter(customer=customer).exists()
    assert not CustomerRating.objects.filter(customer=customer).exists()
