"""credit_portal.round_trip: a set's select_related rows, annotations and self-converting fields come back as
the ORM reads them, and what cannot is refused."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Value

from archives.models import CreditEvent, Customer, PublicCreditReport
from archives.selectors import events_with_publication_status
from credit_portal.round_trip import read_together
from ratings.models import RatingCause
from ratings.services import rating_refresh
from tests.factories import AccountFactory, CustomerFactory, EventFactory, ReportFactory

pytestmark = pytest.mark.django_db


def _values(instance) -> list:
    return [getattr(instance, field.attname) for field in instance._meta.concrete_fields]


def _same(read, iterated, *, related=(), annotations=()) -> None:
    assert [row.pk for row in read] == [row.pk for row in iterated]
    for mine, theirs in zip(read, iterated, strict=True):
        assert type(mine) is type(theirs)
        assert _values(mine) == _values(theirs)
        for name in annotations:
            assert getattr(mine, name) == getattr(theirs, name)
        for name in related:
            mine_related, their_related = getattr(mine, name), getattr(theirs, name)
            assert (mine_related is None) == (their_related is None)
            if their_related is not None:
                assert _values(mine_related) == _values(their_related)


@pytest.fixture
def archive(staff, supervisor):
    customer = CustomerFactory(legal_representative_id_number="320804198001011234")
    AccountFactory(customer=customer, capacity_kva=Decimal("315.50"), arrears_since=date(2025, 1, 3))
    for days in (400, 200, 100):
        EventFactory(customer=customer, occurred_on=date(2025, 6, 1) - timedelta(days=days), recorded_by=staff)
    EventFactory(customer=customer, type="theft", amount_yuan=Decimal("12345.67"), recorded_by=None)
    ReportFactory(customer=customer, uploaded_by=staff, shows_dishonesty=None)
    PublicCreditReport.objects.filter(pk=ReportFactory(customer=customer, uploaded_by=staff).pk).update(
        status="verified", verified_by=supervisor, shows_dishonesty=False
    )
    rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=date(2025, 6, 1))
    return customer


def test_related_rows_and_annotations_come_with_their_set_in_the_one_query(archive, django_assert_num_queries):
    sets = {
        "customers": Customer.objects.filter(pk=archive.pk),
        "reports": archive.reports.select_related("uploaded_by", "verified_by"),
        "events": events_with_publication_status(archive.events.select_related("recorded_by"), on=date(2025, 6, 1)),
        "labelled": archive.events.order_by("occurred_on", "id").annotate(label=Value("旧"))[:2],
    }
    with django_assert_num_queries(1):
        read = read_together(**sets)

    _same(read["customers"], list(sets["customers"]))
    # A field that converts what it stored (encrypted text) reads it itself, as the ORM has it do.
    assert read["customers"][0].legal_representative_id_number.reveal() == "320804198001011234"
    _same(read["reports"], list(sets["reports"]), related=("uploaded_by", "verified_by"))
    assert {report.shows_dishonesty for report in read["reports"]} == {None, False}
    assert {report.verified_by is None for report in read["reports"]} == {True, False}  # the join is an outer one
    _same(read["events"], list(sets["events"]), related=("recorded_by",), annotations=("publication_status",))
    theft = next(event for event in read["events"] if event.type == "theft")
    assert theft.recorded_by is None and theft.amount_yuan == Decimal("12345.67")
    _same(read["labelled"], list(sets["labelled"]), annotations=("label",))


def test_related_rows_are_the_ones_read_not_read_again(archive, django_assert_num_queries):
    reports = read_together(reports=archive.reports.select_related("uploaded_by"))["reports"]

    with django_assert_num_queries(0):
        assert {report.uploaded_by.username for report in reports} == {"staff"}


@pytest.mark.parametrize(
    "queryset",
    [
        lambda: CreditEvent.objects.values("pk"),
        lambda: CreditEvent.objects.only("pk"),
        lambda: CreditEvent.objects.distinct(),
        lambda: CreditEvent.objects.prefetch_related("revocations"),
        lambda: CreditEvent.objects.select_related(),
        lambda: Customer.objects.select_related("rating"),
    ],
)
def test_a_set_it_cannot_read_as_the_orm_does_is_refused(queryset):
    with pytest.raises(ValueError, match="read"):
        read_together(rows=queryset())
