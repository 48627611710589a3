"""Power applications (用电申请): the two routes, the green-channel queue, the steps and their times."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from commitments import selectors, services
from commitments.models import ApplicationRoute, ApplicationStatus, PowerApplication
from credit_portal.errors import ApplicationError
from tests.factories import CommitmentLetterFactory, CustomerFactory, PowerApplicationFactory, ReportFactory, rate

from .conftest import TODAY, database_state, fake_pdf, pdf

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _apply(customer, actor, **changes):
    arguments = {
        "kind": "new_connection",
        "address": "淮阴区长江东路8号",
        "capacity_kva": "400",
        "requested_on": date(2025, 7, 1),
        "route": ApplicationRoute.PROPERTY,
        "property_document": pdf("deed.pdf"),
    }
    return services.application_submit(customer=customer, actor=actor, **{**arguments, **changes})


def _no_property_documents(customer, staff, *, report_on=date(2025, 6, 1)):
    report = ReportFactory(customer=customer, issued_on=report_on, status="verified", shows_dishonesty=False)
    letter = services.letter_decide(letter=CommitmentLetterFactory(customer=customer), accept=True, actor=staff)
    return report, letter


def test_an_application_with_property_documents_is_submitted(applicant, applicant_customer):
    rate(applicant_customer, "yellow")

    application = _apply(applicant_customer, applicant, capacity_kva="315.5")

    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_at == TODAY
    assert application.capacity_kva == Decimal("315.50")
    assert application.level_at_submission == "yellow"
    assert application.property_document.name.endswith(".pdf")


def test_an_enterprise_without_property_rights_applies_with_its_report_and_letter(applicant, staff, applicant_customer):
    report, letter = _no_property_documents(applicant_customer, staff)
    rate(applicant_customer, "blue")

    application = _apply(applicant_customer, applicant, route=ApplicationRoute.NO_PROPERTY, property_document=None)

    assert (application.route, application.report, application.letter) == ("no_property", report, letter)


@pytest.mark.parametrize(
    ("have", "missing"),
    [
        ((), ["公共信用信息查询报告", "信用承诺书"]),
        (("report",), ["信用承诺书"]),
        (("letter",), ["公共信用信息查询报告"]),
        (("old_report", "letter"), ["公共信用信息查询报告"]),
        (("pending_report", "pending_letter"), ["公共信用信息查询报告", "信用承诺书"]),
    ],
)
def test_a_no_property_application_without_a_verified_report_and_an_accepted_letter_is_refused(
    applicant, staff, applicant_customer, have, missing
):
    if "report" in have:
        ReportFactory(
            customer=applicant_customer, issued_on=date(2025, 1, 5), status="verified", shows_dishonesty=False
        )
    if "old_report" in have:  # issued more than a year ago: no longer valid
        ReportFactory(
            customer=applicant_customer, issued_on=date(2024, 6, 16), status="verified", shows_dishonesty=False
        )
    if "pending_report" in have:
        ReportFactory(customer=applicant_customer, issued_on=date(2025, 6, 1))
    if "letter" in have:
        services.letter_decide(letter=CommitmentLetterFactory(customer=applicant_customer), accept=True, actor=staff)
    if "pending_letter" in have:
        CommitmentLetterFactory(customer=applicant_customer)
    before = database_state()

    with pytest.raises(ApplicationError) as error:
        _apply(applicant_customer, applicant, route=ApplicationRoute.NO_PROPERTY, property_document=None)

    assert error.value.field == "route"
    assert error.value.message.startswith("凭信用报告和信用承诺书代替产权证明申请用电，仅限诚信客户")
    for document in missing:
        assert document in error.value.message
    assert database_state() == before


@pytest.mark.parametrize("level", ["black", "red", "yellow", "unrated"])
def test_a_customer_that_is_not_honest_is_refused_the_no_property_route_with_the_reason(
    applicant, staff, applicant_customer, level
):
    _no_property_documents(applicant_customer, staff)
    rate(applicant_customer, level)
    before = database_state()

    with pytest.raises(ApplicationError) as error:
        _apply(applicant_customer, applicant, route=ApplicationRoute.NO_PROPERTY, property_document=None)

    label = {"black": "黑色", "red": "红色", "yellow": "黄色", "unrated": "未定级"}[level]
    assert f"诚信客户信用等级（绿色、蓝色），当前信用等级为{label}" in error.value.message
    assert "公共信用信息查询报告" not in error.value.message  # the documents themselves are in order
    assert database_state() == before


def test_a_report_that_shows_dishonesty_does_not_open_the_no_property_route(applicant, staff, applicant_customer):
    ReportFactory(customer=applicant_customer, issued_on=date(2025, 6, 1), status="verified", shows_dishonesty=True)
    services.letter_decide(letter=CommitmentLetterFactory(customer=applicant_customer), accept=True, actor=staff)
    rate(applicant_customer, "green")  # e.g. an override: the level alone is not enough

    with pytest.raises(ApplicationError) as error:
        _apply(applicant_customer, applicant, route=ApplicationRoute.NO_PROPERTY, property_document=None)

    assert "2025-06-01出具的报告显示失信行为" in error.value.message
    assert not PowerApplication.objects.exists()


def test_staff_cannot_accept_a_no_property_application_once_the_customer_is_no_longer_honest(
    applicant, staff, applicant_customer
):
    _no_property_documents(applicant_customer, staff)
    rate(applicant_customer, "green")
    application = _apply(applicant_customer, applicant, route=ApplicationRoute.NO_PROPERTY, property_document=None)
    rate(applicant_customer, "black")

    with pytest.raises(ApplicationError) as error:
        services.application_advance(application=application, status=ApplicationStatus.ACCEPTED, actor=staff)

    assert "当前信用等级为黑色" in error.value.message
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    # Refusing it with a reason stays possible.
    services.application_advance(application=application, status="rejected", actor=staff, reason="已不是诚信客户")
    rate(applicant_customer, "green")


def test_staff_accept_a_no_property_application_of_a_customer_still_honest(applicant, staff, applicant_customer):
    _no_property_documents(applicant_customer, staff)
    rate(applicant_customer, "blue")
    application = _apply(applicant_customer, applicant, route=ApplicationRoute.NO_PROPERTY, property_document=None)

    services.application_advance(application=application, status=ApplicationStatus.ACCEPTED, actor=staff)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"property_document": None}, "property_document", "请上传产权证明材料"),
        ({"property_document": fake_pdf("deed.pdf")}, "property_document", "只接受 PDF、JPEG 或 PNG 文件"),
        ({"other_document": fake_pdf("more.pdf")}, "other_document", "只接受 PDF、JPEG 或 PNG 文件"),
        ({"capacity_kva": "0"}, "capacity_kva", "申请容量应大于0千伏安"),
        ({"capacity_kva": "-5"}, "capacity_kva", "申请容量应大于0千伏安"),
        ({"requested_on": date(2025, 6, 15)}, "requested_on", "早于今天"),
        ({"address": " "}, "address", "请填写用电地址"),
        ({"kind": "demolition"}, "kind", "未知的申请类型"),
    ],
)
def test_bad_application_input_is_refused_with_a_message_and_changes_nothing(
    applicant, applicant_customer, changes, field, message
):
    before = database_state()

    with pytest.raises(ApplicationError) as error:
        _apply(applicant_customer, applicant, **changes)

    assert (error.value.field, message in error.value.message) == (field, True), error.value.message
    assert database_state() == before


def test_the_application_page_explains_what_the_no_property_route_still_needs(client, applicant):
    client.force_login(applicant)
    form = {"kind": "new_connection", "address": "淮阴区长江东路8号", "capacity_kva": "400",
            "requested_on": "2025-07-01", "route": "no_property"}  # fmt: skip

    response = client.post(reverse("commitments:application_create"), form)

    page = response.content.decode()
    assert (
        "贵单位还缺少：诚信客户信用等级（绿色、蓝色），当前信用等级为尚未评定；"
        "一份已核验、一年内出具的《江苏省法人公共信用信息查询报告》；一份已受理的《信用承诺书》" in page
    )
    assert not PowerApplication.objects.exists()


def test_an_applicant_cannot_apply_for_another_enterprise(applicant, other_customer):
    before = database_state()

    with pytest.raises(ApplicationError, match="不能代表该企业"):
        _apply(other_customer, applicant)

    assert database_state() == before


def test_the_queue_puts_honest_customers_first_then_the_oldest(db):
    at = TODAY - timedelta(days=10)
    red = PowerApplicationFactory(customer=rate(CustomerFactory(name="红"), "red").customer, submitted_at=at)
    unrated = PowerApplicationFactory(customer=CustomerFactory(name="未评"), submitted_at=at + timedelta(days=1))
    blue = PowerApplicationFactory(
        customer=rate(CustomerFactory(name="蓝"), "blue").customer, submitted_at=at + timedelta(days=3)
    )
    green = PowerApplicationFactory(
        customer=rate(CustomerFactory(name="绿"), "green").customer, submitted_at=at + timedelta(days=5)
    )
    yellow = PowerApplicationFactory(
        customer=rate(CustomerFactory(name="黄"), "yellow").customer, submitted_at=at + timedelta(days=2)
    )
    PowerApplicationFactory(customer=green.customer, status="done", submitted_at=at - timedelta(days=30))

    assert list(selectors.application_queue()) == [blue, green, red, unrated, yellow]


def test_the_queue_page_shows_level_route_and_green_channel(client, staff, applicant_customer):
    rate(applicant_customer, "green")
    PowerApplicationFactory(customer=rate(CustomerFactory(name="淮阴黄色有限公司"), "yellow").customer,
                            submitted_at=TODAY - timedelta(days=3))  # fmt: skip
    PowerApplicationFactory(customer=applicant_customer)
    client.force_login(staff)

    page = client.get(reverse("commitments:application_queue")).content.decode()

    assert page.index(applicant_customer.name) < page.index("淮阴黄色有限公司")
    assert "绿色通道" in page and "产权证明" in page and "黄色" in page


def test_staff_take_an_application_through_its_steps_and_each_step_is_timed(staff, time_machine, applicant_customer):
    application = PowerApplicationFactory(customer=applicant_customer)
    times = {}
    for days, status in ((1, "accepted"), (3, "surveying"), (6, "connecting"), (10, "done")):
        time_machine.move_to(TODAY + timedelta(days=days), tick=False)
        times[status] = TODAY + timedelta(days=days)
        application = services.application_advance(application=application, status=status, actor=staff)

    assert application.status == ApplicationStatus.DONE
    assert (application.accepted_at, application.done_at) == (times["accepted"], times["done"])
    steps = selectors.request_steps(application)
    assert [step.status for step in steps] == ["submitted", "accepted", "surveying", "connecting", "done"]
    assert [step.took for step in steps] == [
        None,
        timedelta(days=1),
        timedelta(days=2),
        timedelta(days=3),
        timedelta(days=4),
    ]
    assert application.history.filter(history_user=staff).count() == 4


def test_a_step_cannot_be_skipped_nor_a_closed_application_moved(staff, applicant_customer):
    application = PowerApplicationFactory(customer=applicant_customer)
    before = database_state()

    with pytest.raises(ApplicationError, match="当前状态为“已提交”，不能改为“已完成”"):
        services.application_advance(application=application, status="done", actor=staff)
    assert database_state() == before

    services.application_advance(application=application, status="rejected", actor=staff, reason="地址不在供区")
    with pytest.raises(ApplicationError, match="当前状态为“已退回”"):
        services.application_advance(application=application, status="accepted", actor=staff)


def test_a_rejection_needs_a_reason_which_the_enterprise_then_sees(client, staff, applicant, applicant_customer):
    application = PowerApplicationFactory(customer=applicant_customer)
    with pytest.raises(ApplicationError, match="退回时请填写原因"):
        services.application_advance(application=application, status="rejected", actor=staff)

    services.application_advance(application=application, status="rejected", actor=staff, reason="产权证明不清晰")
    client.force_login(applicant)

    page = client.get(reverse("commitments:application_detail", args=[application.pk])).content.decode()
    assert "产权证明不清晰" in page and "已退回" in page


def test_drc_officers_and_applicants_cannot_move_an_application(client, drc, applicant, applicant_customer):
    application = PowerApplicationFactory(customer=applicant_customer)
    before = database_state()

    for actor in (drc, applicant):
        with pytest.raises(ApplicationError, match="只有营业厅工作人员可以办理用电申请"):
            services.application_advance(application=application, status="accepted", actor=actor)
    client.force_login(applicant)
    response = client.post(reverse("commitments:application_detail", args=[application.pk]), {"status": "accepted"})

    assert response.status_code == 403
    assert database_state() == before


def test_another_enterprises_application_answers_404(client, applicant, other_customer):
    application = PowerApplicationFactory(customer=other_customer)
    client.force_login(applicant)

    assert client.get(reverse("commitments:application_detail", args=[application.pk])).status_code == 404
    assert client.get(reverse("commitments:private_file", args=["property", application.pk])).status_code == 404


def _done(customer, *, level: str, days: float, submitted: datetime):
    return PowerApplicationFactory(
        customer=customer, level_at_submission=level, status="done", submitted_at=submitted,
        done_at=submitted + timedelta(days=days),
    )  # fmt: skip


def test_the_turnaround_compares_median_days_of_honest_customers_with_the_others(db):
    start = datetime(2025, 3, 1, 9, tzinfo=SHANGHAI)
    customer = CustomerFactory()
    for level, days in (("green", 2), ("blue", 3), ("green", 10), ("yellow", 8), ("", 12), ("red", 20), ("unrated", 9)):
        _done(customer, level=level, days=days, submitted=start)
    PowerApplicationFactory(customer=customer, level_at_submission="green")  # still open: not counted
    PowerApplicationFactory(customer=customer, level_at_submission="green", status="rejected")

    turnaround = selectors.application_turnaround()

    assert (turnaround.honest.count, turnaround.honest.median_days) == (3, 3.0)
    assert (turnaround.others.count, turnaround.others.median_days) == (4, 10.5)
    assert turnaround.days_saved == 7.5
    assert (turnaround.open_honest, turnaround.open_others) == (1, 0)


def test_the_turnaround_can_be_limited_to_a_period_and_is_empty_without_data(db):
    customer = CustomerFactory()
    _done(customer, level="green", days=1, submitted=datetime(2025, 1, 1, 9, tzinfo=SHANGHAI))
    _done(customer, level="green", days=5, submitted=datetime(2025, 5, 1, 9, tzinfo=SHANGHAI))

    assert selectors.application_turnaround(since=date(2025, 2, 1)).honest.median_days == 5.0
    empty = selectors.application_turnaround(until=date(2024, 12, 31))
    assert (empty.honest.median_days, empty.others.median_days, empty.days_saved) == (None, None, None)


# --------------------------------------------------------------------------------------------
# Telling before refusing: the level that closes the no-property route is said before the form
# --------------------------------------------------------------------------------------------


def test_a_red_enterprise_is_told_before_the_form_that_its_level_closes_the_no_property_route_and_what_opens_it(
    client, applicant, staff, theft
):
    services.letter_decide(letter=CommitmentLetterFactory(customer=theft.customer), accept=True, actor=staff)
    client.force_login(applicant)

    page = client.get(reverse("commitments:application_create")).content.decode()

    gate = page.index('id="level-gate-no_property_route"')
    assert gate < page.index('<form method="post" class="stacked"')
    assert (
        "“凭信用报告和信用承诺书代替产权证明申请用电”仅限诚信客户（绿色、蓝色），贵单位当前信用等级为红色，暂不能办理。"
        in page
    )
    assert '<li class="">诚信客户信用等级（绿色、蓝色）：贵单位当前为红色</li>' in page  # not a third ✓
    assert (
        f'2025-01-10 窃电：已纠正失信行为的，现在即可<a href="/enterprise/#event-{theft.pk}">申请信用修复</a>' in page
    )
    assert "现在也可以产权证明方式申请用电" in page


def test_a_record_too_recent_to_repair_says_from_when_repair_may_be_applied_for(
    client, applicant, honest_archive, time_machine
):
    from .conftest import record

    record(honest_archive, found_on=date(2025, 6, 1), type="theft", amount_yuan=20000, time_machine=time_machine)
    client.force_login(applicant)

    page = client.get(reverse("commitments:application_create")).content.decode()

    assert "2025-06-01 窃电：已纠正失信行为的，2025-09-01 起可申请信用修复" in page


def test_an_honest_enterprise_sees_three_ticks_and_no_refusal_before_applying(client, applicant, staff, honest_archive):
    services.letter_decide(letter=CommitmentLetterFactory(customer=honest_archive), accept=True, actor=staff)
    rate(honest_archive, "blue")
    client.force_login(applicant)

    page = client.get(reverse("commitments:application_create")).content.decode()

    assert '<li class="ok">诚信客户信用等级（绿色、蓝色）</li>' in page
    assert page.count('class="ok"') == 3
    assert "level-gate" not in page


def test_a_red_enterprise_is_told_before_the_service_form_that_value_added_services_are_for_honest_customers(
    client, applicant, theft
):
    client.force_login(applicant)

    page = client.get(reverse("commitments:service_request_create")).content.decode()

    assert page.index('id="level-gate-value_added_services"') < page.index('<form method="post" class="stacked"')
    assert "仅限诚信客户（绿色、蓝色），贵单位当前信用等级为红色，暂不能办理。" in page
    assert "申请信用修复" in page
    assert "产权证明" not in page
