"""The measures the utility switches on for red and black (要求预存电费、增加用电检查频次) are work items of
the hall (issue 22): opened when a customer enters the level, one in force per customer and measure,
their outcome recorded by staff, lifted when the customer leaves the level or a repair lifts them."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from archives.services import revocation_decide, revocation_request
from commitments.models import MeasureLift, MeasureStatus, MeasureTask
from commitments.services.measures import LevelMove, measure_record, measures_follow_levels
from credit_portal.errors import ApplicationError
from credit_portal.navigation import queue_counts
from ratings.bulk import rerate_customers
from ratings.models import CustomerRating, RatingCause
from ratings.services import rating_refresh
from tests.factories import AccountFactory, CustomerFactory, EventFactory

from .conftest import record

pytestmark = pytest.mark.django_db
BOTH = ["prepayment_required", "more_inspections"]


@pytest.fixture(autouse=True)
def _switched_on(settings):
    settings.CREDIT_OPTIONAL_MEASURES = BOTH


def _in_force(customer) -> list[tuple[str, str]]:
    return sorted(
        MeasureTask.objects.filter(customer=customer, status__in=["open", "done"]).values_list("measure", "status")
    )


def _big_theft(customer, time_machine, found_on=date(2025, 5, 6)):
    return record(customer, found_on=found_on, type="theft", amount_yuan=600000, time_machine=time_machine)


def test_a_red_customer_gets_more_inspections_and_a_black_one_prepayment_too_once_each(theft, time_machine):
    customer = theft.customer
    assert CustomerRating.objects.get(customer=customer).level == "red"
    assert _in_force(customer) == [("more_inspections", "open")]

    _big_theft(customer, time_machine)
    rating_refresh(customer=customer, cause=RatingCause.MANUAL)  # the same level again: nothing new

    assert CustomerRating.objects.get(customer=customer).level == "black"
    assert _in_force(customer) == [("more_inspections", "open"), ("prepayment_required", "open")]
    assert MeasureTask.objects.filter(customer=customer).count() == 2
    prepayment = MeasureTask.objects.get(customer=customer, measure="prepayment_required")
    assert prepayment.level == "black" and prepayment.change_ref
    assert prepayment.history.first().history_change_reason == "进入红色/黑色等级，启用措施"


def test_the_same_move_announced_twice_opens_nothing_more(theft):
    customer = theft.customer
    move = LevelMove(change_id=1, customer_id=customer.pk, level="black")

    measures_follow_levels(moves=[move])
    assert measures_follow_levels(moves=[move]) == (0, 0)

    assert _in_force(customer) == [("more_inspections", "open"), ("prepayment_required", "open")]


def test_measures_not_switched_on_make_no_work(settings, honest_archive, time_machine):
    settings.CREDIT_OPTIONAL_MEASURES = []

    _big_theft(honest_archive, time_machine)

    assert CustomerRating.objects.get(customer=honest_archive).level == "black"
    assert not MeasureTask.objects.exists()


def test_a_measure_switched_on_later_is_opened_for_the_customers_already_at_its_level(
    settings, honest_archive, time_machine
):
    from commitments.services.measures import BACKFILLED, measures_backfill
    from commitments.tasks import measures_backfill_task

    settings.CREDIT_OPTIONAL_MEASURES = []
    _big_theft(honest_archive, time_machine)
    assert CustomerRating.objects.get(customer=honest_archive).level == "black" and not MeasureTask.objects.exists()

    settings.CREDIT_OPTIONAL_MEASURES = ["prepayment_required"]
    measures_backfill_task()
    assert _in_force(honest_archive) == [("prepayment_required", "open")]
    task = MeasureTask.objects.get(customer=honest_archive)
    change_id = CustomerRating.objects.get(customer=honest_archive).change_id
    assert (task.level, task.change_ref, task.history.first().history_change_reason) == (
        "black", str(change_id), BACKFILLED
    )  # fmt: skip

    settings.CREDIT_OPTIONAL_MEASURES = BOTH
    assert measures_backfill() == 1  # the second measure; the first is in force already
    assert measures_backfill() == 0
    assert _in_force(honest_archive) == [("more_inspections", "open"), ("prepayment_required", "open")]


def test_staff_record_the_outcome_and_not_applicable_needs_a_reason(theft, staff, applicant):
    task = MeasureTask.objects.get(customer=theft.customer)

    with pytest.raises(ApplicationError, match="选择“不适用”时请填写理由"):
        measure_record(task=task, outcome="not_applicable", note="  ", actor=staff)
    with pytest.raises(ApplicationError, match="请选择办理结果"):
        measure_record(task=task, outcome="lifted", note="", actor=staff)
    with pytest.raises(ApplicationError, match="无权办理警示惩戒措施"):
        measure_record(task=task, outcome="done", note="", actor=applicant)
    task.refresh_from_db()
    assert (task.status, task.handled_by, task.history.count()) == ("open", None, 1)

    measure_record(task=task, outcome="not_applicable", note="该用户为单一线路供电，已按月检查", actor=staff)

    task.refresh_from_db()
    assert (task.status, task.handled_by, task.outcome_note) == (
        "not_applicable", staff, "该用户为单一线路供电，已按月检查",
    )  # fmt: skip
    assert task.handled_at == timezone.now()
    assert task.history.first().history_user == staff
    assert task.history.first().history_change_reason == "办理措施：不适用"
    with pytest.raises(ApplicationError, match="该措施已不适用，不能再次办理"):
        measure_record(task=task, outcome="done", note="", actor=staff)


def test_leaving_the_level_lifts_the_measures_carried_out_or_not(theft, staff, supervisor, other_supervisor):
    customer = theft.customer
    task = MeasureTask.objects.get(customer=customer)
    measure_record(task=task, outcome="done", note="已每月检查一次", actor=staff)

    revocation = revocation_request(event=theft, reason="录入错误", actor=supervisor)
    revocation_decide(revocation=revocation, approve=True, actor=other_supervisor)

    task.refresh_from_db()
    assert CustomerRating.objects.get(customer=customer).level not in ("red", "black")
    assert (task.status, task.lift_reason) == (MeasureStatus.LIFTED, MeasureLift.LEVEL_RECOVERED)
    assert task.lifted_at == timezone.now() and task.outcome_note == "已每月检查一次"
    assert task.history.first().history_change_reason == "信用等级变更，措施解除"


def test_black_to_red_lifts_only_prepayment(honest_archive, time_machine):
    move = LevelMove(change_id=1, customer_id=honest_archive.pk, level="black")
    measures_follow_levels(moves=[move])

    measures_follow_levels(moves=[LevelMove(change_id=2, customer_id=honest_archive.pk, level="red")])

    assert _in_force(honest_archive) == [("more_inspections", "open")]
    lifted = MeasureTask.objects.get(customer=honest_archive, status="lifted")
    assert (lifted.measure, lifted.lift_reason) == ("prepayment_required", "level_recovered")


def test_a_repair_that_lifts_the_level_lifts_the_measures_as_repaired(theft):
    customer = theft.customer
    theft.repaired_on = timezone.localdate()
    theft.save(update_fields=["repaired_on"])

    rating_refresh(customer=customer, cause=RatingCause.REPAIR, cause_ref=str(theft.pk))

    task = MeasureTask.objects.get(customer=customer)
    assert (task.status, task.lift_reason) == (MeasureStatus.LIFTED, MeasureLift.REPAIRED)
    assert task.get_lift_reason_display() == "信用修复，措施解除"


def test_a_batch_re_rating_opens_and_lifts_the_measures_of_its_customers(honest_archive):
    customers = [CustomerFactory() for _ in range(3)]
    for customer in customers:
        AccountFactory(customer=customer, opened_on=date(2018, 1, 1))
        EventFactory(customer=customer, type="theft", amount_yuan=600000, occurred_on=date(2025, 5, 6))

    rerate_customers(customer_ids=[c.pk for c in customers], cause=RatingCause.IMPORT)

    assert MeasureTask.objects.filter(status="open").count() == 6
    customer = customers[0]
    customer.events.update(status="revoked")
    rerate_customers(customer_ids=[customer.pk], cause=RatingCause.IMPORT)
    assert _in_force(customer) == []
    assert MeasureTask.objects.filter(customer=customer, status="lifted").count() == 2


def test_the_queue_lists_open_measures_and_staff_record_an_outcome_on_the_page(client, theft, staff):
    task = MeasureTask.objects.get(customer=theft.customer)
    client.force_login(staff)

    queue = client.get(reverse("commitments:measure_list")).content.decode()
    refused = client.post(reverse("commitments:measure_detail", args=[task.pk]), {"outcome": "not_applicable"})
    done = client.post(
        reverse("commitments:measure_detail", args=[task.pk]), {"outcome": "done", "note": "已列入本月检查计划"}
    )
    closed = client.get(reverse("commitments:measure_list") + "?state=closed").content.decode()

    assert "增加用电检查频次" in queue and theft.customer.name in queue
    assert reverse("commitments:measure_detail", args=[task.pk]) in queue
    assert refused.status_code == 200 and "选择“不适用”时请填写理由" in refused.content.decode()
    assert done.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.outcome_note) == ("done", "已列入本月检查计划")
    assert "已落实" in closed and "没有待落实的措施" in client.get(reverse("commitments:measure_list")).content.decode()


def test_the_queue_exports_its_rows_and_counts_in_the_navigation(client, theft, staff):
    client.force_login(staff)

    export = client.get(reverse("commitments:measure_list") + "?export=measures")
    page = client.get(reverse("archives:customer_detail", args=[theft.customer.uscc])).content.decode()

    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("启用时间", "统一社会信用代码", "企业", "启用时信用等级", "措施")
    assert rows[1][3:6] == ("红色", "增加用电检查频次", "待落实")
    assert f'href="{reverse("commitments:measure_list")}"' in page  # in the staff navigation
    assert queue_counts()["measures"] == 1


def test_the_archive_page_shows_the_customers_measures_to_staff_only(client, theft, staff, drc, applicant):
    task = MeasureTask.objects.get(customer=theft.customer)
    url = reverse("archives:customer_detail", args=[theft.customer.uscc])
    client.force_login(staff)

    page = client.get(url).content.decode()

    assert 'id="h-measures"' in page and "增加用电检查频次" in page and "待落实" in page
    assert reverse("commitments:measure_detail", args=[task.pk]) in page
    client.force_login(drc)
    assert 'id="h-measures"' not in client.get(url).content.decode()


def test_applicants_and_drc_officers_cannot_open_the_queue(client, theft, drc, applicant):
    task = MeasureTask.objects.get(customer=theft.customer)
    for user in (drc, applicant):
        client.force_login(user)
        assert client.get(reverse("commitments:measure_list")).status_code == 403
        assert (
            client.post(reverse("commitments:measure_detail", args=[task.pk]), {"outcome": "done"}).status_code == 403
        )
    task.refresh_from_db()
    assert task.status == "open"


def test_a_batch_leaves_the_measures_of_customers_between_its_own_alone():
    """A batch finds its customers' measures between its lowest and highest id: a customer in between
    that did not move keeps its measures."""
    first, between, last = (CustomerFactory() for _ in range(3))
    assert first.pk < between.pk < last.pk
    measures_follow_levels(moves=[LevelMove(change_id=n, customer_id=c.pk, level="black") for n, c in
                                  enumerate((first, between, last), start=1)])  # fmt: skip

    opened, lifted = measures_follow_levels(
        moves=[LevelMove(change_id=10, customer_id=first.pk, level="green"),
               LevelMove(change_id=11, customer_id=last.pk, level="red")]
    )  # fmt: skip

    assert (opened, lifted) == (0, 3)  # prepayment of `last`, both of `first`
    assert _in_force(between) == [("more_inspections", "open"), ("prepayment_required", "open")]
    assert _in_force(first) == []
    assert _in_force(last) == [("more_inspections", "open")]
