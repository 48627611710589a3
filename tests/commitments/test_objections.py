"""Objections (异议): the enterprise objects, staff review, a supervisor decides; upheld revokes the event
through the archive's revocation, refused gives the reason. Every step is visible and audited."""

from datetime import date

import pytest
from django.urls import reverse

from archives.models import EventRevocation, EventStatus, RevocationStatus
from archives.selectors import archive_history
from archives.services import revocation_decide
from commitments import services
from commitments.models import Objection, ObjectionStatus
from credit_portal.errors import ApplicationError
from ratings.models import CustomerRating
from tests.factories import AccountFactory, EventFactory, ReportFactory

from .conftest import database_state, fake_pdf, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(applicant_customer):
    """Two late payments this year make 淮阴甲电器 yellow (yellow.2); objecting to one would lift it."""
    AccountFactory(customer=applicant_customer, opened_on=date(2018, 1, 1), payment_method="prepaid")
    ReportFactory(customer=applicant_customer, issued_on=date(2025, 6, 1), status="verified", shows_dishonesty=False)
    EventFactory(customer=applicant_customer, type="late_payment", occurred_on=date(2025, 2, 10))
    return EventFactory(customer=applicant_customer, type="late_payment", occurred_on=date(2025, 4, 10))


def _objection(event, applicant):
    return services.objection_submit(
        event=event, actor=applicant, reason="4月电费已按期缴纳，附银行回单", evidence=pdf("回单.pdf")
    )


def test_upheld_objection_revokes_the_event_through_a_revocation_and_re_rates(
    client, event, applicant, staff, supervisor, applicant_customer, django_capture_on_commit_callbacks
):
    from ratings.services import rating_refresh

    rating_refresh(customer=applicant_customer, cause="manual")
    assert CustomerRating.objects.get(customer=applicant_customer).level == "yellow"

    objection = _objection(event, applicant)
    assert objection.status == ObjectionStatus.SUBMITTED
    objection = services.objection_review(objection=objection, actor=staff, recommendation="uphold", note="回单属实")
    revocation = objection.revocation
    assert (revocation.event, revocation.requested_by, revocation.status) == (event, staff, RevocationStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        objection = services.objection_decide(objection=objection, actor=supervisor, uphold=True, note="同意撤销")

    event.refresh_from_db()
    revocation.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    assert event.status == EventStatus.REVOKED
    assert (revocation.status, revocation.decided_by) == (RevocationStatus.APPROVED, supervisor)
    assert CustomerRating.objects.get(customer=applicant_customer).level != "yellow"
    history = archive_history(applicant_customer)
    assert any(entry.what.startswith("撤销申请") and entry.who == supervisor.get_full_name() for entry in history)
    assert any(entry.what == f"失信记录 #{event.pk}" and entry.reason.startswith("撤销：企业异议") for entry in history)
    reasons = list(objection.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons == ["提出异议", "审查异议", "异议成立"]

    client.force_login(applicant)
    page = client.get(reverse("commitments:objection_detail", args=[objection.pk])).content.decode()
    home = client.get(reverse("commitments:enterprise_home")).content.decode()
    upheld = "班组长决定：异议成立，记录已撤销"
    for text in ("提出异议", "营业厅审查", "建议异议成立，撤销或更正该记录：回单属实", upheld, "同意撤销"):
        assert text in page, text
    assert "已撤销" in home


def test_refused_objection_keeps_the_event_and_gives_the_reason(client, event, applicant, staff, supervisor):
    objection = services.objection_review(
        objection=_objection(event, applicant), actor=staff, recommendation="refuse", note="回单日期晚于缴费期限"
    )
    before = database_state()

    with pytest.raises(ApplicationError, match="异议不成立时请填写理由"):
        services.objection_decide(objection=objection, actor=supervisor, uphold=False, note="")
    assert database_state() == before

    objection = services.objection_decide(objection=objection, actor=supervisor, uphold=False, note="逾期属实")

    event.refresh_from_db()
    assert (objection.status, event.status) == (ObjectionStatus.REFUSED, EventStatus.IN_FORCE)
    assert EventRevocation.objects.get().status == RevocationStatus.REFUSED
    client.force_login(applicant)
    page = client.get(reverse("commitments:objection_detail", args=[objection.pk])).content.decode()
    assert "异议不成立" in page and "理由：逾期属实" in page


def test_the_supervisor_who_reviewed_cannot_also_decide(event, applicant, supervisor, other_supervisor):
    objection = services.objection_review(
        objection=_objection(event, applicant), actor=supervisor, recommendation="uphold", note="属实"
    )
    before = database_state()

    with pytest.raises(ApplicationError, match="不能审批本人提出的申请"):
        services.objection_decide(objection=objection, actor=supervisor, uphold=True)
    assert database_state() == before

    assert services.objection_decide(objection=objection, actor=other_supervisor, uphold=True).status == "upheld"


def test_staff_review_but_only_a_supervisor_decides(event, applicant, staff, drc):
    objection = _objection(event, applicant)
    with pytest.raises(ApplicationError, match="只有营业厅工作人员可以审查异议"):
        services.objection_review(objection=objection, actor=drc, recommendation="uphold", note="x")
    with pytest.raises(ApplicationError, match="只有营业厅工作人员可以审查异议"):
        services.objection_review(objection=objection, actor=applicant, recommendation="uphold", note="x")
    objection = services.objection_review(objection=objection, actor=staff, recommendation="uphold", note="属实")
    before = database_state()

    for actor in (staff, drc, applicant):
        with pytest.raises(ApplicationError, match="只有班组长可以决定异议"):
            services.objection_decide(objection=objection, actor=actor, uphold=True)

    assert database_state() == before


def test_a_decision_taken_on_the_revocation_page_shows_on_the_objection(event, applicant, staff, supervisor):
    objection = services.objection_review(
        objection=_objection(event, applicant), actor=staff, recommendation="uphold", note="属实"
    )

    revocation_decide(revocation=objection.revocation, approve=True, actor=supervisor)

    objection = Objection.objects.select_related("revocation").get(pk=objection.pk)
    assert objection.effective_status == ObjectionStatus.UPHELD
    with pytest.raises(ApplicationError, match="已在撤销审批中处理"):
        services.objection_decide(objection=objection, actor=supervisor, uphold=True)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"reason": "  "}, "reason", "请填写异议理由"),
        ({"evidence": fake_pdf("evidence.pdf")}, "evidence", "只接受 PDF、JPEG 或 PNG 文件"),
    ],
)
def test_a_bad_objection_is_refused_with_a_message_and_changes_nothing(event, applicant, kwargs, field, message):
    before = database_state()

    with pytest.raises(ApplicationError) as error:
        services.objection_submit(event=event, actor=applicant, **{"reason": "已缴费", **kwargs})

    assert (error.value.field, message in error.value.message) == (field, True)
    assert database_state() == before


def test_one_open_objection_per_event_and_none_on_a_revoked_event(event, applicant, staff, supervisor):
    _objection(event, applicant)
    with pytest.raises(ApplicationError, match="已有处理中的异议"):
        _objection(event, applicant)

    event.status = EventStatus.REVOKED
    event.save()
    with pytest.raises(ApplicationError, match="该记录已撤销"):
        services.objection_submit(event=event, actor=applicant, reason="x")


def test_an_applicant_cannot_object_to_another_enterprises_event(client, applicant, other_customer):
    other_event = EventFactory(customer=other_customer)
    before = database_state()

    with pytest.raises(ApplicationError, match="不能代表该企业"):
        services.objection_submit(event=other_event, actor=applicant, reason="不是我们")
    client.force_login(applicant)
    response = client.post(reverse("commitments:objection_create", args=[other_event.pk]), {"reason": "不是我们"})

    assert response.status_code == 404
    assert database_state() == before


def test_another_enterprises_objection_answers_404(client, other_applicant, event, applicant):
    objection = _objection(event, applicant)
    client.force_login(other_applicant)

    assert client.get(reverse("commitments:objection_detail", args=[objection.pk])).status_code == 404
    assert client.get(reverse("commitments:private_file", args=["objection", objection.pk])).status_code == 404


def test_the_whole_flow_through_the_pages(
    client, event, applicant, staff, supervisor, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    response = client.post(
        reverse("commitments:objection_create", args=[event.pk]), {"reason": "已缴费", "evidence": pdf("回单.pdf")}
    )
    assert response.status_code == 302
    objection = Objection.objects.get()

    client.force_login(staff)
    assert event.customer.name in client.get(reverse("commitments:objection_list")).content.decode()
    client.post(
        reverse("commitments:objection_detail", args=[objection.pk]), {"recommendation": "uphold", "note": "属实"}
    )
    client.force_login(supervisor)
    assert event.customer.name in client.get(reverse("commitments:objection_list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("commitments:objection_detail", args=[objection.pk]), {"decision": "uphold", "note": "同意"}
        )

    event.refresh_from_db()
    assert event.status == EventStatus.REVOKED
