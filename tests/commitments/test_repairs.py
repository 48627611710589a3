"""Credit repair (信用修复): the enterprise applies from the day it may, with its evidence and the signed
信用修复承诺书; staff propose, a different supervisor decides within the deadline; an approved repair marks
the event 已修复, re-rates at once and publishes the commitment (信用修复型); a refusal says what is missing."""

from datetime import date, datetime
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from commitments import services
from commitments.models import (
    CommitmentLetter,
    LetterStatus,
    RepairApplication,
    RepairProposal,
    RepairStatus,
)
from commitments.repair_selectors import repair_counts, repair_terms
from credit_portal.errors import ApplicationError
from notifications.models import DirectMessage
from ratings.models import CustomerRating
from tests.factories import AccountFactory, ReportFactory

from .conftest import SHANGHAI, database_state, fake_pdf, pdf, png, record

pytestmark = pytest.mark.django_db


def apply(event, actor, **overrides):
    documents = {
        "evidence": pdf("receipt.pdf"),
        "commitment_file": pdf("commitment.pdf"),
        "committed_on": date(2025, 6, 15),
        **overrides,
    }
    return services.repair_apply(event=event, actor=actor, **documents)


def level(customer) -> str:
    return CustomerRating.objects.get(customer=customer).level


def test_an_approved_repair_marks_the_event_repaired_re_rates_at_once_and_publishes_the_commitment(
    theft, applicant, staff, supervisor, applicant_customer, django_capture_on_commit_callbacks
):
    assert level(applicant_customer) == "red"
    application = apply(theft, applicant)
    assert (application.status, application.filed_at_counter) == (RepairStatus.SUBMITTED, False)
    services.repair_propose(
        application=application, actor=staff, recommendation="approve", correction_confirmed=True, note="收据属实"
    )
    with django_capture_on_commit_callbacks(execute=True):
        application = services.repair_decide(application=application, actor=supervisor, approve=True, note="同意修复")

    theft.refresh_from_db()
    assert (theft.repaired_on, theft.status) == (date(2025, 6, 16), "in_force")  # repaired, not revoked
    assert level(applicant_customer) in ("blue", "green")
    assert application.status == RepairStatus.APPROVED and application.repaired_on == date(2025, 6, 16)
    letter = application.letter
    assert (letter.commitment_type, letter.status, letter.code) == ("repair", LetterStatus.ACCEPTED, letter.code)
    assert letter.code.startswith("32080420250615") and letter.get_commitment_type_display() == "信用修复型"
    message = DirectMessage.objects.get(kind="repair")
    assert "予以信用修复" in message.text and letter.code in message.text
    reasons = list(application.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons == [
        "企业申请信用修复",
        "营业厅审查：建议予以修复，待班组长决定",
        "班组长决定：予以信用修复，记录已修复，承诺书已公示",
    ]


def test_an_early_application_is_refused_naming_the_date_and_nothing_is_saved(honest_archive, applicant, time_machine):
    recent = record(
        honest_archive, found_on=date(2025, 5, 6), type="theft", amount_yuan=8000, time_machine=time_machine
    )
    before = database_state()

    with pytest.raises(ApplicationError, match="最短公示期至 2025-08-05，自 2025-08-06 起方可申请信用修复"):
        apply(recent, applicant)

    assert database_state() == before and not RepairApplication.objects.exists()
    terms = repair_terms(recent)
    assert terms.too_early and terms.opens_on == date(2025, 8, 6) and terms.class_label == "一般"


def test_a_minor_record_may_be_repaired_at_once(honest_archive, applicant, time_machine):
    late = record(honest_archive, found_on=date(2025, 6, 16), type="late_payment", time_machine=time_machine)

    assert repair_terms(late).may_apply
    assert apply(late, applicant).status == RepairStatus.SUBMITTED


def test_the_drafter_of_a_proposal_can_never_decide_it(theft, applicant, supervisor):
    application = apply(theft, applicant)
    services.repair_propose(
        application=application, actor=supervisor, recommendation="approve", correction_confirmed=True, note="属实"
    )

    with pytest.raises(ApplicationError, match="不能审批本人提出的申请"):
        services.repair_decide(application=application, actor=supervisor, approve=True, note="")

    theft.refresh_from_db()
    assert theft.repaired_on is None
    assert RepairApplication.objects.get().status == RepairStatus.PROPOSED


def test_staff_cannot_decide_and_only_staff_propose(theft, applicant, staff, other_applicant, drc):
    application = apply(theft, applicant)
    for outsider in (applicant, drc):
        with pytest.raises(ApplicationError, match="只有营业厅工作人员可以审查"):
            services.repair_propose(application=application, actor=outsider, recommendation="approve", note="x")
    services.repair_propose(
        application=application, actor=staff, recommendation="approve", correction_confirmed=True, note="属实"
    )
    other_staff = type(staff).objects.create(username="clerk")
    other_staff.groups.add(*staff.groups.all())

    with pytest.raises(ApplicationError, match="只有班组长可以决定信用修复"):
        services.repair_decide(application=application, actor=other_staff, approve=True)


def test_a_refusal_says_what_is_missing_and_the_enterprise_may_apply_again(
    client, theft, applicant, staff, supervisor, django_capture_on_commit_callbacks
):
    application = apply(theft, applicant)
    services.repair_propose(application=application, actor=staff, recommendation="refuse", note="收据金额不足")
    with pytest.raises(ApplicationError, match="驳回时请填写理由"):
        services.repair_decide(application=application, actor=supervisor, approve=False, note="")
    with django_capture_on_commit_callbacks(execute=True):
        services.repair_decide(
            application=application, actor=supervisor, approve=False, note="缺少违约使用电费的缴费凭证"
        )

    theft.refresh_from_db()
    assert theft.repaired_on is None and level(theft.customer) == "red"
    assert "不予信用修复。理由：缺少违约使用电费的缴费凭证" in DirectMessage.objects.get(kind="repair").text
    client.force_login(applicant)
    page = client.get(reverse("commitments:repair_detail", args=[application.pk])).content.decode()
    assert "缺少违约使用电费的缴费凭证" in page and "可在“我的企业”再次申请" in page

    second = apply(theft, applicant, evidence=pdf("all-receipts.pdf"))
    assert second.status == RepairStatus.SUBMITTED


def test_approval_needs_the_correction_confirmed(theft, applicant, staff, supervisor):
    application = apply(theft, applicant)
    with pytest.raises(ApplicationError, match="请核实整改证明材料并勾选"):
        services.repair_propose(application=application, actor=staff, recommendation="approve", note="看过了")
    services.repair_propose(application=application, actor=staff, recommendation="refuse", note="材料不清")

    with pytest.raises(ApplicationError, match="营业厅审查未确认"):
        services.repair_decide(application=application, actor=supervisor, approve=True)
    assert RepairProposal.objects.get().status == "pending"


def test_a_payment_record_is_repaired_only_when_the_archive_shows_no_arrears(
    honest_archive, applicant, staff, supervisor, time_machine
):
    late = record(honest_archive, found_on=date(2025, 6, 2), type="late_payment", time_machine=time_machine)
    account = honest_archive.accounts.get()
    account.arrears_since = date(2025, 5, 20)
    account.save()
    application = apply(late, applicant)

    with pytest.raises(ApplicationError, match=rf"仍有欠费：户号 {account.number}（2025-05-20 起）"):
        services.repair_propose(application=application, actor=staff, recommendation="approve", note="已缴")
    account.arrears_since = None
    account.save()
    services.repair_propose(application=application, actor=staff, recommendation="approve", note="档案已无欠费")
    account.arrears_since = date(2025, 6, 10)  # in arrears again before the decision
    account.save()

    with pytest.raises(ApplicationError, match="仍有欠费"):
        services.repair_decide(application=application, actor=supervisor, approve=True)


def test_a_serious_record_needs_a_verified_report_within_its_validity(applicant_customer, applicant, time_machine):
    AccountFactory(customer=applicant_customer, opened_on=date(2018, 1, 1))
    ReportFactory(customer=applicant_customer, issued_on=date(2024, 3, 1), status="verified", shows_dishonesty=False)
    big = record(
        applicant_customer, found_on=date(2024, 5, 6), type="theft", amount_yuan=600000, time_machine=time_machine
    )

    with pytest.raises(ApplicationError, match="须有一份已核验、一年内出具的《江苏省法人公共信用信息查询报告》"):
        apply(big, applicant)
    report = ReportFactory(
        customer=applicant_customer, issued_on=date(2025, 6, 10), status="verified", shows_dishonesty=True
    )
    application = apply(big, applicant)
    assert application.report == report


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"evidence": None}, "evidence", "请上传纠正失信行为、履行相关义务的证明材料"),
        ({"evidence": fake_pdf("receipt.pdf")}, "evidence", "只接受 PDF、JPEG 或 PNG"),
        ({"commitment_file": None}, "commitment_file", "请上传签章的《信用修复承诺书》"),
        ({"commitment_file": fake_pdf()}, "commitment_file", "只接受 PDF、JPEG 或 PNG"),
        ({"committed_on": None}, "committed_on", "请填写承诺书签署日期"),
        ({"committed_on": date(2025, 6, 17)}, "committed_on", "晚于今天"),
        ({"rectification_report": fake_pdf("report.pdf")}, "rectification_report", "只接受 PDF、JPEG 或 PNG"),
    ],
)
def test_bad_or_missing_documents_are_refused_and_nothing_is_saved(theft, applicant, overrides, field, message):
    before = database_state()

    with pytest.raises(ApplicationError, match=message) as refusal:
        apply(theft, applicant, **overrides)

    assert refusal.value.field == field
    assert database_state() == before and not RepairApplication.objects.exists()


def test_an_applicant_applies_only_for_its_own_enterprise(client, theft, other_applicant):
    with pytest.raises(ApplicationError, match="您的账号不能代表该企业"):
        apply(theft, other_applicant)
    client.force_login(other_applicant)
    assert client.get(reverse("commitments:repair_create", args=[theft.pk])).status_code == 404
    assert client.get(reverse("commitments:repair_pdf", args=[theft.pk])).status_code == 404


def test_staff_file_an_application_at_the_counter_with_the_paper_application(theft, staff):
    with pytest.raises(ApplicationError, match="纸质申请书扫描件") as refusal:
        apply(theft, staff)
    assert refusal.value.field == "paper_application"

    application = apply(theft, staff, paper_application=png("application.png"))

    assert application.filed_at_counter and application.paper_application.name.endswith(".png")
    reasons = list(application.history.values_list("history_change_reason", flat=True))
    assert reasons == ["营业厅代企业登记信用修复申请（纸质申请）"]


def test_one_open_application_per_event(theft, applicant):
    apply(theft, applicant)
    with pytest.raises(ApplicationError, match="已有处理中的信用修复申请"):
        apply(theft, applicant)


def test_another_authoritys_record_is_repaired_at_its_source_and_staff_record_it(
    client, honest_archive, applicant, staff, time_machine, django_capture_on_commit_callbacks
):
    listed = record(
        honest_archive, found_on=date(2025, 3, 3), type="dishonesty", severity="general", time_machine=time_machine
    )
    with pytest.raises(ApplicationError, match="谁认定、谁修复"):
        apply(listed, applicant)
    client.force_login(applicant)
    page = client.get(reverse("commitments:repair_create", args=[listed.pk])).content.decode()
    assert "请向认定机关" in page and 'name="commitment_file"' not in page

    with django_capture_on_commit_callbacks(execute=True):
        application = services.repair_record_at_source(
            event=listed, actor=staff, repaired_on=date(2025, 6, 10), source_body="淮安市市场监督管理局",
            evidence=pdf("decision.pdf"), note="信用中国网站已显示修复",
        )  # fmt: skip

    listed.refresh_from_db()
    assert listed.repaired_on == date(2025, 6, 10)
    assert (application.route, application.status) == ("source", RepairStatus.APPROVED)
    assert "淮安市市场监督管理局" in DirectMessage.objects.get(kind="repair").text
    folder = Path(application.evidence.path).parent
    stored = sorted(folder.iterdir())
    with pytest.raises(ApplicationError, match="不能重复修复"):  # recorded twice: refused, no file left behind
        services.repair_record_at_source(
            event=listed, actor=staff, repaired_on=date(2025, 6, 11), source_body="淮安市市场监督管理局",
            evidence=pdf("again.pdf"),
        )  # fmt: skip
    assert sorted(folder.iterdir()) == stored
    with pytest.raises(ApplicationError, match="须由企业申请、经两人审批"):
        services.repair_record_at_source(
            event=record(honest_archive, found_on=date(2025, 1, 6), type="unauthorized_use", time_machine=time_machine),
            actor=staff, repaired_on=date(2025, 6, 10), source_body="某机关", evidence=pdf(),
        )  # fmt: skip


@override_settings(REPAIR_DECISION_WORKING_DAYS=10)
def test_the_deadline_counts_working_days_and_overdue_applications_are_listed(
    client, theft, applicant, staff, drc, time_machine
):
    application = apply(theft, applicant)
    assert application.decision_due_on == date(2025, 6, 30)  # Mon 16 June + 10 working days

    client.force_login(applicant)
    form = client.get(reverse("commitments:repair_detail", args=[application.pk])).content.decode()
    assert "2025-06-30（10 个工作日内）" in form
    client.force_login(staff)
    overdue_url = reverse("commitments:repair_list") + "?state=overdue"
    assert "没有逾期未办结的信用修复申请" in client.get(overdue_url).content.decode()
    time_machine.move_to(datetime(2025, 7, 1, 9, 0, tzinfo=SHANGHAI), tick=False)
    client.force_login(staff)  # a new day, a new session
    page = client.get(overdue_url).content.decode()
    assert "已逾期" in page and applicant.membership.customer.name in page
    assert repair_counts().overdue == 1


def test_drc_officers_read_applications_decisions_and_counts_but_write_nothing(
    client, theft, applicant, staff, supervisor, drc
):
    application = apply(theft, applicant)
    services.repair_propose(
        application=application, actor=staff, recommendation="approve", correction_confirmed=True, note="属实"
    )
    services.repair_decide(application=application, actor=supervisor, approve=True, note="同意")
    client.force_login(drc)

    listing = client.get(reverse("commitments:repair_list") + "?state=closed").content.decode()
    detail = client.get(reverse("commitments:repair_detail", args=[application.pk])).content.decode()
    archive = client.get(reverse("archives:customer_detail", args=[theft.customer.uscc])).content.decode()

    assert applicant.membership.customer.name in listing and "予以修复" in listing
    assert "班组长决定：予以信用修复" in detail and 'name="decision"' not in detail
    assert "已修复" in archive and "代企业登记信用修复申请" not in archive
    before = database_state()
    answer = client.post(
        reverse("commitments:repair_detail", args=[application.pk]), {"decision": "approve", "note": ""}
    )
    assert answer.status_code == 403 and database_state() == before
    assert client.get(reverse("commitments:repair_counter", args=[theft.pk])).status_code == 403


def test_the_enterprise_page_says_when_it_may_apply_and_what_it_will_need(
    client, honest_archive, applicant, time_machine
):
    recent = record(
        honest_archive, found_on=date(2025, 5, 6), type="theft", amount_yuan=8000, time_machine=time_machine
    )
    client.force_login(applicant)

    home = client.get(reverse("commitments:enterprise_home")).content.decode()
    page = client.get(reverse("commitments:repair_create", args=[recent.pk])).content.decode()

    assert "申请信用修复" in home and "2025-08-06 起可申请" in home
    assert "自 2025-08-06 起方可申请信用修复" in page
    for need in ("补交电费及违约使用电费的缴费凭证", "签章的《信用修复承诺书》", "终止公示、停止共享和使用失信信息"):
        assert need in page, need


def test_the_public_commitment_page_lists_the_repair_commitment(client, theft, applicant, staff, supervisor):
    application = apply(theft, applicant)
    services.repair_propose(
        application=application, actor=staff, recommendation="approve", correction_confirmed=True, note="属实"
    )
    application = services.repair_decide(application=application, actor=supervisor, approve=True, note="同意")

    page = client.get(reverse("commitments:public_letters")).content.decode()

    assert application.letter.code in page and "信用修复型" in page
    # It is a public commitment, not a letter that stands in for property documents.
    from commitments.eligibility_selectors import usable_letter

    assert usable_letter(theft.customer, today=date(2025, 6, 16)) is None
    assert CommitmentLetter.objects.get().repair_application == application
