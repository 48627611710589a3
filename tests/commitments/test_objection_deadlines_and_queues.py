"""Objections have a reply deadline in working days, one open per event, an overdue list and a decision
sent by SMS; the staff queues have a history, a search and an XLSX export."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from commitments import services
from notifications.models import DirectMessage
from tests.factories import AccountFactory, EventFactory, PowerApplicationFactory

from .conftest import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(applicant_customer):
    AccountFactory(customer=applicant_customer, opened_on=date(2018, 1, 1))
    return EventFactory(customer=applicant_customer, type="late_payment", occurred_on=date(2025, 4, 10))


def _object(event, applicant):
    return services.objection_submit(event=event, actor=applicant, reason="已按期缴纳", evidence=pdf("回单.pdf"))


@override_settings(OBJECTION_REPLY_WORKING_DAYS=10)
def test_the_reply_deadline_counts_working_days_of_the_official_calendar(event, applicant):
    objection = _object(event, applicant)

    # 2025-06-16 (Mon) + 10 working days = 2025-06-30 (Mon); no holiday in between.
    assert objection.reply_due_on == date(2025, 6, 30)
    # Around the National Day holiday the count skips 1–8 October 2025 and counts the make-up Saturday.
    assert services.objection_reply_due(submitted_on=date(2025, 9, 29)) == date(2025, 10, 20)


def test_the_enterprise_sees_the_deadline_and_cannot_open_a_second_objection_form(client, event, applicant):
    client.force_login(applicant)
    form = client.get(reverse("commitments:objection_create", args=[event.pk])).content.decode()
    assert "个工作日内" in form

    client.post(reverse("commitments:objection_create", args=[event.pk]), {"reason": "已按期缴纳", "evidence": pdf()})
    home = client.get(reverse("commitments:enterprise_home")).content.decode()
    second = client.get(reverse("commitments:objection_create", args=[event.pk]), follow=True)

    assert "答复期限 2025-06-30" in home
    assert second.redirect_chain and "已有处理中的异议" in second.content.decode()
    assert 'name="reason"' not in second.content.decode()


def test_staff_and_supervisors_see_the_overdue_objections(client, event, applicant, staff, time_machine):
    objection = _object(event, applicant)
    client.force_login(staff)
    overdue_url = reverse("commitments:objection_list") + "?state=overdue"
    assert "没有逾期未答复的异议" in client.get(overdue_url).content.decode()

    time_machine.move_to(datetime(2025, 7, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    client.force_login(staff)  # a new working day, a new session
    page = client.get(reverse("commitments:objection_list") + "?state=overdue").content.decode()

    assert objection.customer.name in page and "已逾期" in page


def test_the_overdue_tab_exports_the_overdue_objections_only(
    client, event, applicant, staff, applicant_customer, time_machine
):
    _object(event, applicant)  # submitted 2025-06-16: overdue on 2025-07-02
    time_machine.move_to(datetime(2025, 7, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    later = EventFactory(customer=applicant_customer, type="late_payment", occurred_on=date(2025, 5, 10))
    _object(later, applicant)  # submitted today: open, not overdue
    client.force_login(staff)
    url = reverse("commitments:objection_list")

    def exported(query: str) -> list:
        workbook = load_workbook(BytesIO(client.get(url + query).content), read_only=True)
        return list(workbook.active.iter_rows(values_only=True))[1:]

    assert len(exported("?export=objections")) == 2
    assert len(exported("?state=overdue&export=objections")) == 1


def test_the_decision_is_sent_to_the_enterprise_with_its_reasons(
    client, event, applicant, staff, supervisor, django_capture_on_commit_callbacks
):
    objection = _object(event, applicant)
    objection = services.objection_review(objection=objection, actor=staff, recommendation="refuse", note="无回单")
    with django_capture_on_commit_callbacks(execute=True):
        services.objection_decide(objection=objection, actor=supervisor, uphold=False, note="银行回单日期晚于期限")

    message = DirectMessage.objects.get()
    assert message.status == "sent" and "异议不成立" in message.text and "银行回单日期晚于期限" in message.text
    client.force_login(applicant)
    assert "银行回单日期晚于期限" in client.get(reverse("notifications:my_notices")).content.decode()


def test_a_queue_has_its_history_search_and_export(client, staff, applicant_customer, other_customer):
    PowerApplicationFactory(customer=applicant_customer, status="done")
    PowerApplicationFactory(customer=other_customer)
    client.force_login(staff)
    url = reverse("commitments:application_queue")

    open_page = client.get(url).content.decode()
    closed_page = client.get(url + "?state=closed").content.decode()
    searched = client.get(url + f"?q={other_customer.uscc[:10]}").content.decode()
    exported = client.get(url + "?state=closed&export=applications")

    table = lambda page: page[page.index('id="application-queue"') : page.index("</table>")]  # noqa: E731
    assert other_customer.name in table(open_page) and applicant_customer.name not in table(open_page)
    assert applicant_customer.name in table(closed_page) and other_customer.name not in table(closed_page)
    assert other_customer.name in table(searched)
    rows = list(load_workbook(BytesIO(exported.content), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("提交时间", "统一社会信用代码", "企业") and rows[1][1] == applicant_customer.uscc
