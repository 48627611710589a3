"""Objections to every kind of record (issue 22): the arrears date, a refused report, the level in force
(naming the facts it disputes), and the paper objection staff record at the counter. An open objection
marks its record 异议中 on the archive page and the enterprise's pages; it still counts in the rating."""

from datetime import date

import pytest
from django.urls import reverse

from archives.models import ElectricityAccount, EventStatus, PublicCreditReport, ReportStatus
from archives.selectors import customer_events
from commitments import selectors, services
from commitments.models import Objection, ObjectionChannel, ObjectionStatus, ObjectionSubject
from credit_portal.errors import ApplicationError
from ratings.models import CustomerRating
from ratings.services import rating_refresh
from tests.factories import AccountFactory, EventFactory, ReportFactory

from .conftest import database_state, fake_pdf, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(applicant_customer):
    """In arrears since 2025-02-01: four months on 2025-06-16, red.1."""
    return AccountFactory(
        customer=applicant_customer,
        opened_on=date(2018, 1, 1),
        payment_method="prepaid",
        arrears_since=date(2025, 2, 1),
    )


@pytest.fixture
def refused_report(applicant_customer):
    return ReportFactory(
        customer=applicant_customer, issued_on=date(2025, 6, 1), status="rejected", refusal="unreadable"
    )


def _level(customer) -> str:
    return CustomerRating.objects.get(customer=customer).level


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _archive(client, staff, customer) -> str:
    return _page(client, staff, reverse("archives:customer_detail", args=[customer.uscc]))


def _home(client, applicant) -> str:
    return _page(client, applicant, reverse("commitments:enterprise_home"))


def test_an_upheld_objection_to_the_arrears_date_corrects_it_through_the_archive_and_re_rates(
    client, account, applicant, applicant_customer, staff, supervisor, other_supervisor
):
    """Reviewed by one supervisor, decided by another: the one who reviewed cannot decide."""
    rating_refresh(customer=applicant_customer, cause="manual")
    assert _level(applicant_customer) == "red"

    objection = services.objection_submit(
        customer=applicant_customer, subject=ObjectionSubject.ARREARS, account=account, actor=applicant,
        reason="2月电费已缴清，欠费应从5月起算", evidence=pdf("回单.pdf"),
    )  # fmt: skip

    # 异议中 beside the arrears date, for staff and for the enterprise; it still counts.
    assert "异议中" in _archive(client, staff, applicant_customer).split("用电户号")[1].split("失信行为记录")[0]
    home = _home(client, applicant)
    assert f'户号 {account.number} · 欠费起始日 2025-02-01 <span class="badge objected">异议中</span>' in home
    assert _level(applicant_customer) == "red"

    objection = services.objection_review(
        objection=objection, actor=supervisor, recommendation="uphold", note="回单属实",
        corrected_arrears_since=date(2025, 5, 1),
    )  # fmt: skip
    before = database_state()
    with pytest.raises(ApplicationError, match="不能审批本人提出的申请"):
        services.objection_decide(objection=objection, actor=supervisor, uphold=True)
    assert database_state() == before
    objection = services.objection_decide(objection=objection, actor=other_supervisor, uphold=True, note="同意更正")

    account.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    assert account.arrears_since == date(2025, 5, 1)
    assert account.history.first().history_change_reason == f"异议 #{objection.pk}成立：更正欠费起始日"
    assert _level(applicant_customer) != "red"
    home = _home(client, applicant)
    assert "异议成立，欠费起始日已更正" in home
    assert "异议中" not in home.split('id="arrears"')[1].split("</ul>")[0]


def test_an_upheld_objection_to_a_refused_report_re_verifies_it(
    client, refused_report, applicant, applicant_customer, staff, supervisor
):
    objection = services.objection_submit(
        customer=applicant_customer, subject="report", report=refused_report, actor=applicant,
        reason="报告为信用中国（江苏）出具的正式报告，附查验码",
    )  # fmt: skip
    assert "异议中" in _archive(client, staff, applicant_customer).split('id="h-reports"')[1]
    assert "异议中" in _home(client, applicant).split('id="reports"')[1].split("</ul>")[0]

    before = database_state()
    with pytest.raises(ApplicationError, match="请选择复核后报告是否显示失信行为"):
        services.objection_review(objection=objection, actor=staff, recommendation="uphold", note="属实")
    assert database_state() == before

    objection = services.objection_review(
        objection=objection, actor=staff, recommendation="uphold", note="查验码有效", corrected_shows_dishonesty=False
    )
    objection = services.objection_decide(objection=objection, actor=supervisor, uphold=True)

    refused_report.refresh_from_db()
    assert (refused_report.status, refused_report.shows_dishonesty) == (ReportStatus.VERIFIED, False)
    assert refused_report.verified_by == supervisor
    assert refused_report.note.startswith(f"异议 #{objection.pk}成立")
    assert CustomerRating.objects.filter(customer=applicant_customer).exists()  # re-rated by the report's path


def test_a_level_objection_names_its_facts_marks_them_and_the_level_and_upheld_corrects_them(
    client, account, applicant, applicant_customer, staff, supervisor
):
    late = EventFactory(customer=applicant_customer, type="late_payment", occurred_on=date(2025, 4, 10))
    other = EventFactory(customer=applicant_customer, type="late_payment", occurred_on=date(2025, 3, 10))
    rating_refresh(customer=applicant_customer, cause="manual")
    level_before = _level(applicant_customer)

    objection = services.objection_submit(
        customer=applicant_customer, subject="level", disputed_events=[late], account=account, actor=applicant,
        reason="等级依据的欠费和4月逾期记录均有误",
    )  # fmt: skip

    assert objection.disputed_level == level_before
    statuses = {event.pk: event.publication_status for event in customer_events(applicant_customer)}
    assert statuses == {late.pk: "objected", other.pk: "in_force"}
    archive = _archive(client, staff, applicant_customer)
    assert 'id="level-objected">等级异议中' in archive
    assert "现行信用等级" in archive.split('id="h-objections"')[1]
    assert 'id="level-objected">等级异议中' in _home(client, applicant)
    assert _level(applicant_customer) == level_before  # an objection is not a way to escape a level

    objection = services.objection_review(
        objection=objection, actor=staff, recommendation="uphold", note="属实", corrected_arrears_since=None
    )
    assert [r.event_id for r in objection.revocations.all()] == [late.pk]
    # The audit trail keeps which records the objection disputes and which revocations its review filed.
    audited = objection.history.order_by("-history_id").first()
    assert [row.creditevent_id for row in audited.disputed_events.all()] == [late.pk]
    assert [row.eventrevocation.event_id for row in audited.revocations.all()] == [late.pk]
    services.objection_decide(objection=objection, actor=supervisor, uphold=True, note="更正")

    late.refresh_from_db()
    account.refresh_from_db()
    assert (late.status, account.arrears_since) == (EventStatus.REVOKED, None)
    assert 'id="level-objected"' not in _home(client, applicant)
    assert "等级异议中" not in _archive(client, staff, applicant_customer)


def test_a_level_objection_whose_revocation_was_decided_on_the_revocation_page_is_not_decided_again(
    account, applicant, applicant_customer, staff, supervisor
):
    from archives.services import revocation_decide
    from credit_portal.errors import ApplicationError

    late = EventFactory(customer=applicant_customer, type="late_payment", occurred_on=date(2025, 4, 10))
    rating_refresh(customer=applicant_customer, cause="manual")
    objection = services.objection_submit(
        customer=applicant_customer, subject="level", disputed_events=[late], actor=applicant, reason="逾期记录有误",
    )  # fmt: skip
    objection = services.objection_review(objection=objection, actor=staff, recommendation="uphold", note="属实")
    revocation_decide(revocation=objection.revocations.get(), approve=True, actor=supervisor)

    with pytest.raises(ApplicationError, match="已在撤销审批中处理"):
        services.objection_decide(objection=objection, actor=supervisor, uphold=False, note="维持")

    objection.refresh_from_db()
    assert objection.status == "reviewed"


def test_staff_record_a_paper_objection_the_enterprise_sees_as_its_own(
    client, account, applicant, applicant_customer, staff
):
    objection = services.objection_submit(
        customer=applicant_customer, subject="arrears", account=account, actor=staff,
        reason="企业书面异议：欠费起始日有误", letter=pdf("书面异议.pdf"),
    )  # fmt: skip

    assert (objection.channel, objection.submitted_by, objection.customer) == (
        ObjectionChannel.COUNTER, staff, applicant_customer,
    )  # fmt: skip
    assert objection.letter.name
    assert objection.history.first().history_change_reason == "营业厅代企业登记书面异议"
    home = _home(client, applicant)
    assert "营业厅代为登记（书面异议）" in home and f"户号 {account.number}" in home
    page = _page(client, applicant, reverse("commitments:objection_detail", args=[objection.pk]))
    assert "营业厅 " in page and "代为登记" in page and "书面异议扫描件" in page
    letter = client.get(reverse("commitments:private_file", args=["objection-letter", objection.pk]))
    assert letter.status_code == 200


def test_the_counter_page_records_the_paper_objection_with_its_scan(client, account, applicant_customer, staff):
    client.force_login(staff)
    url = reverse("commitments:objection_counter", args=[applicant_customer.uscc])
    assert "登记企业书面异议" in _archive(client, staff, applicant_customer)
    before = database_state()

    refused = client.post(url, {"subject": "arrears", "account": account.pk, "reason": "有误"})
    assert "请上传企业签章的书面异议扫描件" in refused.content.decode()
    refused = client.post(url, {"subject": "arrears", "account": account.pk, "reason": "有误", "letter": fake_pdf()})
    assert "只接受 PDF、JPEG 或 PNG 文件" in refused.content.decode()
    assert database_state() == before and not Objection.objects.exists()

    response = client.post(url, {"subject": "arrears", "account": account.pk, "reason": "有误", "letter": pdf()})
    objection = Objection.objects.get()
    assert response.status_code == 302 and objection.channel == ObjectionChannel.COUNTER


def test_an_enterprise_objects_to_its_level_from_its_own_form(client, account, applicant, applicant_customer):
    rating_refresh(customer=applicant_customer, cause="manual")
    client.force_login(applicant)
    url = reverse("commitments:objection_new")
    assert "现行信用等级" in client.get(url).content.decode()

    refused = client.post(url, {"subject": "level", "reason": "等级有误"})
    assert "请指明所异议的事实" in refused.content.decode()
    assert not Objection.objects.exists()

    response = client.post(url, {"subject": "level", "account": account.pk, "reason": "欠费起始日有误"})
    assert response.status_code == 302
    assert Objection.objects.get().subject == ObjectionSubject.LEVEL


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"subject": "arrears"}, "account", "请选择欠费起始日有误的户号"),
        ({"subject": "arrears", "account": "clean"}, "account", "没有欠费记录"),
        ({"subject": "arrears", "account": "foreign"}, "account", "该户号不属于本企业"),
        ({"subject": "report", "report": "verified"}, "report", "只能对被退回的公共信用报告提出异议"),
        ({"subject": "level"}, "disputed_events", "请指明所异议的事实"),
        ({"subject": "arrears", "account": "arrears", "letter_by_staff": True}, "letter", "书面异议扫描件"),
        ({"subject": "nonsense"}, "subject", "请选择异议事项"),
    ],
)
def test_a_bad_objection_of_any_kind_is_refused_with_a_message_and_changes_nothing(
    account, applicant, applicant_customer, other_customer, staff, kwargs, field, message
):
    rating_refresh(customer=applicant_customer, cause="manual")
    records = {
        "clean": AccountFactory(customer=applicant_customer),
        "foreign": AccountFactory(customer=other_customer, arrears_since=date(2025, 1, 1)),
        "arrears": account,
        "verified": ReportFactory(customer=applicant_customer, status="verified", shows_dishonesty=False),
    }
    kwargs = dict(kwargs)
    actor = staff if kwargs.pop("letter_by_staff", False) else applicant
    for name in ("account", "report"):
        if name in kwargs:
            kwargs[name] = records[kwargs[name]]
    before = database_state()

    with pytest.raises(ApplicationError) as error:
        services.objection_submit(customer=applicant_customer, actor=actor, reason="有误", **kwargs)

    assert (error.value.field, message in error.value.message) == (field, True), error.value.message
    assert database_state() == before


def test_a_second_open_objection_to_the_same_record_is_refused(account, applicant, applicant_customer):
    rating_refresh(customer=applicant_customer, cause="manual")
    services.objection_submit(
        customer=applicant_customer, subject="arrears", account=account, actor=applicant, reason="x"
    )
    before = database_state()
    with pytest.raises(ApplicationError, match="已有处理中的异议"):
        services.objection_submit(
            customer=applicant_customer, subject="level", account=account, actor=applicant, reason="y"
        )
    assert database_state() == before


def test_an_arrears_correction_equal_to_the_stored_date_is_refused(account, applicant, applicant_customer, staff):
    objection = services.objection_submit(
        customer=applicant_customer, subject="arrears", account=account, actor=applicant, reason="有误"
    )
    before = database_state()
    with pytest.raises(ApplicationError, match="与现有记录相同"):
        services.objection_review(
            objection=objection,
            actor=staff,
            recommendation="uphold",
            note="x",
            corrected_arrears_since=account.arrears_since,
        )
    assert database_state() == before


def test_the_working_day_deadline_applies_to_every_kind_and_overdue_ones_are_listed(
    time_machine, account, refused_report, applicant, applicant_customer
):
    arrears = services.objection_submit(
        customer=applicant_customer, subject="arrears", account=account, actor=applicant, reason="x"
    )
    report = services.objection_submit(
        customer=applicant_customer, subject="report", report=refused_report, actor=applicant, reason="y"
    )
    # 2025-06-16 (Monday) + 10 working days: 2025-06-30.
    assert arrears.reply_due_on == report.reply_due_on == date(2025, 6, 30)
    assert list(selectors.objections_overdue(today=date(2025, 7, 1))) == [arrears, report]
    assert list(selectors.objections_overdue(today=date(2025, 6, 30))) == []


def test_a_refused_objection_to_the_arrears_date_leaves_it_and_the_account_unchanged(
    account, applicant, applicant_customer, staff, supervisor
):
    objection = services.objection_submit(
        customer=applicant_customer, subject="arrears", account=account, actor=applicant, reason="有误"
    )
    objection = services.objection_review(objection=objection, actor=staff, recommendation="refuse", note="欠费属实")
    services.objection_decide(objection=objection, actor=supervisor, uphold=False, note="欠费属实")

    assert ElectricityAccount.objects.get(pk=account.pk).arrears_since == date(2025, 2, 1)
    assert Objection.objects.get().status == ObjectionStatus.REFUSED
    assert PublicCreditReport.objects.count() == 0


def test_through_the_api_an_enterprise_objects_to_its_arrears_date_and_staff_review_with_the_correction(
    api_client_for, account, applicant, applicant_customer, other_customer, staff
):
    client = api_client_for(applicant)
    foreign = AccountFactory(customer=other_customer, arrears_since=date(2025, 1, 1))
    before = database_state()

    assert (
        client.post(
            "/api/objections/", {"subject": "arrears", "account": foreign.pk, "reason": "有误"}, format="json"
        ).status_code
        == 404
    )
    refused = client.post("/api/objections/", {"subject": "arrears", "reason": "有误"}, format="json")
    assert (refused.status_code, refused.json()["errors"]["account"][0]) == (400, "请选择欠费起始日有误的户号")
    assert database_state() == before

    created = client.post(
        "/api/objections/", {"subject": "arrears", "account": account.pk, "reason": "2月已缴清"}, format="json"
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["subject"], body["account_number"], body["channel"]) == ("arrears", account.number, "online")
    assert body["record"] == f"欠费起始日：户号 {account.number}（2025-02-01）"
    assert (body["event"], body["event_type"], body["event_occurred_on"]) == (None, None, None)

    reviewed = api_client_for(staff).post(
        f"/api/objections/{body['id']}/review/",
        {"recommendation": "uphold", "note": "属实", "corrected_arrears_since": "2025-05-01"},
        format="json",
    )
    assert (reviewed.status_code, reviewed.json()["corrected_arrears_since"]) == (200, "2025-05-01")


def test_a_supervisor_who_upholds_against_the_review_gives_the_correction_on_the_decision_page(
    client, account, applicant, applicant_customer, staff, supervisor
):
    objection = services.objection_submit(
        customer=applicant_customer, subject="arrears", account=account, actor=applicant, reason="有误"
    )
    objection = services.objection_review(objection=objection, actor=staff, recommendation="refuse", note="欠费属实")
    before = database_state()
    with pytest.raises(ApplicationError, match="请填写更正后的欠费起始日"):
        services.objection_decide(objection=objection, actor=supervisor, uphold=True, note="回单属实")
    assert database_state() == before

    client.force_login(supervisor)
    url = reverse("commitments:objection_detail", args=[objection.pk])
    assert "更正后的欠费起始日" in client.get(url).content.decode()
    response = client.post(url, {"decision": "uphold", "note": "回单属实", "corrected_arrears_since": ""})

    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.arrears_since, Objection.objects.get().status) == (None, ObjectionStatus.UPHELD)


def test_an_override_may_rest_on_an_upheld_level_objection_and_names_it(
    client, account, applicant, applicant_customer, staff, supervisor
):
    rating_refresh(customer=applicant_customer, cause="manual")
    objection = services.objection_submit(
        customer=applicant_customer, subject="level", account=account, actor=applicant, reason="等级有误"
    )
    client.force_login(staff)
    url = reverse("commitments:objection_detail", args=[objection.pk])
    form = {"override-level": "green", "override-ends_on": "2025-09-01", "override-reason": "欠费系系统误记"}
    before = database_state()
    refused = client.post(url, form)
    assert "对信用等级的异议成立后，方可依据其申请人工调整" in refused.content.decode()
    assert database_state() == before and objection.history.count() == 1

    objection = services.objection_review(
        objection=objection, actor=staff, recommendation="uphold", note="属实", corrected_arrears_since=None
    )
    services.objection_decide(objection=objection, actor=supervisor, uphold=True, note="同意")
    assert "依据本异议申请人工调整" in client.get(url).content.decode()
    assert client.post(url, form).status_code == 302

    objection.refresh_from_db()
    assert objection.override.reason == f"依据异议 #{objection.pk}（异议成立）：欠费系系统误记"
    assert (objection.override.status, objection.override.requested_by) == ("pending", staff)
    with pytest.raises(ApplicationError, match="已依据该异议申请过人工调整"):
        services.objection_override_request(
            objection=objection, level="green", ends_on=date(2025, 9, 1), reason="再次", actor=staff
        )
