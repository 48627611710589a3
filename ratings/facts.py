"""A customer's rating facts read from the archive (RATING_RULES.md, as the portal reads them).

One definition, used for one customer (``customer_facts``) and for ranges streamed by
``bulk``: which rows count (in-force events, verified reports, up to the date), which columns are
read, and how the accounts fold into one payment method, arrears date and opening date.
"""

from collections.abc import Iterable
from datetime import date

from django.db.models import BooleanField, CharField, DateField, DecimalField, F, Min, QuerySet, Value

from archives.models import CreditEvent, ElectricityAccount, EventStatus, PublicCreditReport, ReportStatus
from credit_portal.compiled import CompiledQuery

from . import rules

ACCOUNT_COLUMNS = ("payment_method", "arrears_since", "opened_on")
# ``repaired_on`` last: the rules drop a repaired event from its repair date on (信用修复).
EVENT_COLUMNS = ("pk", "type", "occurred_on", "amount_yuan", "voltage_kv", "severity", "repaired_on")
REPORT_COLUMNS = ("pk", "issued_on", "shows_dishonesty")


#: The status of the records a rating reads at all, whatever their date: in the querysets below and in
#: ``facts_of_records``, which counts the rows a page has read already.
COUNTED_EVENT_STATUS, COUNTED_REPORT_STATUS = EventStatus.IN_FORCE, ReportStatus.VERIFIED


def events_in_force() -> QuerySet[CreditEvent]:
    """The events a rating can read at all: in force (not revoked), whatever their date."""
    return CreditEvent.objects.filter(status=COUNTED_EVENT_STATUS)


def reports_verified() -> QuerySet[PublicCreditReport]:
    """The public credit reports a rating can read at all: verified, whatever their date."""
    return PublicCreditReport.objects.filter(status=COUNTED_REPORT_STATUS)


def counted_events(*, as_of: date) -> QuerySet[CreditEvent]:
    """The events a rating as of the date reads: in force, occurred by then."""
    return events_in_force().filter(occurred_on__lte=as_of)


def counted_reports(*, as_of: date) -> QuerySet[PublicCreditReport]:
    """The public credit reports a rating as of the date reads: verified, issued by then."""
    return reports_verified().filter(issued_on__lte=as_of)


def next_dated_facts(*, as_of: date, **scope) -> dict[int, date]:
    """Per customer of ``scope``, the earliest in-force event or verified report dated after ``as_of``.

    The facts as of a date leave these out; they count from their date on (``rules.stable_until``).
    """
    events = (
        events_in_force()
        .filter(occurred_on__gt=as_of, **scope)
        .values("customer_id")
        .annotate(first=Min("occurred_on"))
        .order_by()
        .values_list("customer_id", "first")
    )
    reports = (
        reports_verified()
        .filter(issued_on__gt=as_of, **scope)
        .values("customer_id")
        .annotate(first=Min("issued_on"))
        .order_by()
        .values_list("customer_id", "first")
    )
    found: dict[int, date] = {}
    for customer_id, first in events.union(reports, all=True):  # one round trip
        if customer_id not in found or first < found[customer_id]:
            found[customer_id] = first
    return found


def customer_facts(*, customer, as_of: date) -> rules.Facts:
    """The rating facts of one customer from its archive (what the pages and the what-if bench show)."""
    return customer_facts_and_next(customer_id=customer.pk, as_of=as_of)[0]


_EVENT, _REPORT, _ACCOUNT = 1, 2, 3
#: The one round trip that reads a customer's rows of three tables (``_customer_rows``): its columns, each
#: with its type (for the tables that have no such column) and the model field each table puts there.
_ONE = {
    "f_pk": (None, "pk", "pk", "pk"),
    "f_on": (DateField, "occurred_on", "issued_on", "arrears_since"),
    "f_until": (DateField, "repaired_on", None, "opened_on"),
    "f_text": (CharField, "type", None, "payment_method"),
    "f_amount": (DecimalField, "amount_yuan", None, None),
    "f_voltage": (DecimalField, "voltage_kv", None, None),
    "f_severity": (CharField, "severity", None, None),
    "f_flag": (BooleanField, None, "shows_dishonesty", None),
}


def _customer_rows_query(customer_id: int) -> QuerySet:
    """Its in-force events, verified reports and accounts, in one UNION ALL (one round trip, not three)."""

    def tagged(rows: QuerySet, kind: int) -> QuerySet:
        columns = {
            name: F(fields[kind]) if fields[kind] else Value(None, output_field=fields[0]())
            for name, fields in _ONE.items()
        }
        return rows.filter(customer_id=customer_id).annotate(f_kind=Value(kind), **columns).order_by()

    parts = [
        tagged(events_in_force(), _EVENT),
        tagged(reports_verified(), _REPORT),
        tagged(ElectricityAccount.objects.all(), _ACCOUNT),
    ]
    columns = ("f_kind", *_ONE)
    first, *others = (part.values_list(*columns) for part in parts)
    return first.union(*others, all=True)


#: Compiled once per process (``credit_portal.compiled``): it runs inside staff members' requests.
_CUSTOMER_ROWS = CompiledQuery(_customer_rows_query, customer_id=int)


def _customer_rows(customer_id: int) -> list[tuple]:
    return _CUSTOMER_ROWS.rows(customer_id=customer_id)


def customer_facts_and_next(*, customer_id: int, as_of: date) -> tuple[rules.Facts, date | None]:
    """One customer's facts as of the date and its first event or report dated after it, in one query.

    What ``counted_events``, ``counted_reports`` and ``next_dated_facts`` read for one customer: each
    of its in-force events and verified reports once, split here at ``as_of``, in the models' order
    (newest first, as ``facts_of_customers`` reads them). For the re-rating of one customer inside a
    staff member's request (``services.rating_refresh``) and the pages that show its rating.
    """
    events: list[tuple] = []
    reports: list[tuple] = []
    accounts: list[tuple] = []
    later: list[date] = []
    for kind, pk, on, until, text, amount, voltage, severity, flag in _customer_rows(customer_id):
        if kind == _ACCOUNT:
            accounts.append((text, on, until))
        elif on > as_of:
            later.append(on)
        elif kind == _EVENT:
            events.append((pk, text, on, amount, voltage, severity, until))
        else:
            reports.append((pk, on, flag))
    # The models' ordering: newest first, then the higher id (CreditEvent, PublicCreditReport Meta).
    events.sort(key=lambda row: (row[2], row[0]), reverse=True)
    reports.sort(key=lambda row: (row[1], row[0]), reverse=True)
    facts = facts_from_rows(as_of=as_of, accounts=accounts, events=events, reports=reports)
    return facts, min(later, default=None)


def facts_of_records(
    *, as_of: date, accounts: Iterable[ElectricityAccount], events: Iterable[CreditEvent],
    reports: Iterable[PublicCreditReport],
) -> rules.Facts:  # fmt: skip
    """``customer_facts`` from one customer's accounts, events and reports that a page has read already,
    whatever their status: the same rows count (in force, verified, dated by ``as_of``), newest first."""
    counted = [e for e in events if e.status == COUNTED_EVENT_STATUS and e.occurred_on <= as_of]  # counted_events
    verified = [r for r in reports if r.status == COUNTED_REPORT_STATUS and r.issued_on <= as_of]  # counted_reports
    return facts_from_rows(
        as_of=as_of,
        accounts=[tuple(getattr(account, column) for column in ACCOUNT_COLUMNS) for account in accounts],
        events=[
            tuple(getattr(event, column) for column in EVENT_COLUMNS)
            for event in sorted(counted, key=lambda event: (event.occurred_on, event.pk), reverse=True)
        ],
        reports=[
            tuple(getattr(report, column) for column in REPORT_COLUMNS)
            for report in sorted(verified, key=lambda report: (report.issued_on, report.pk), reverse=True)
        ],
    )


def facts_of_customers(customer_ids: Iterable[int], *, as_of: date) -> dict[int, rules.Facts]:
    """The facts as of the date of each of several customers, in three queries whatever their number.

    Events and reports come in the models' own order within a customer, as they do when one
    customer's are read (``customer_facts``), so explanations read the same either way.
    """
    ids = sorted(set(customer_ids))
    accounts: dict[int, list[tuple]] = {}
    events: dict[int, list[tuple]] = {}
    reports: dict[int, list[tuple]] = {}
    for found, rows in (
        (accounts, ElectricityAccount.objects.filter(customer_id__in=ids).values_list("customer_id", *ACCOUNT_COLUMNS)),
        (
            events,
            counted_events(as_of=as_of)
            .filter(customer_id__in=ids)
            .order_by("customer_id", *CreditEvent._meta.ordering)
            .values_list("customer_id", *EVENT_COLUMNS),
        ),
        (
            reports,
            counted_reports(as_of=as_of)
            .filter(customer_id__in=ids)
            .order_by("customer_id", *PublicCreditReport._meta.ordering)
            .values_list("customer_id", *REPORT_COLUMNS),
        ),
    ):
        for row in rows:
            found.setdefault(row[0], []).append(row)
    return {
        customer_id: facts_from_rows(
            as_of=as_of,
            accounts=accounts.get(customer_id, ()),
            events=events.get(customer_id, ()),
            reports=reports.get(customer_id, ()),
        )
        for customer_id in ids
    }


def facts_from_rows(
    *, as_of: date, accounts: Iterable[tuple], events: Iterable[tuple], reports: Iterable[tuple]
) -> rules.Facts:
    """The facts from the customer's rows, each ending with the ``*_COLUMNS`` (a leading customer id is skipped).

    Prepaid only when every account is prepaid; arrears since and account opened are the earliest over
    the accounts.
    """
    payment_method, arrears_since, opened_on = "postpaid", None, None
    prepaid = None
    for *_, method, arrears, opened in accounts:
        prepaid = (prepaid is not False) and method == "prepaid"
        if arrears is not None and (arrears_since is None or arrears < arrears_since):
            arrears_since = arrears
        if opened_on is None or opened < opened_on:
            opened_on = opened
    if prepaid:
        payment_method = "prepaid"
    return rules.Facts(
        as_of,
        payment_method,
        arrears_since,
        opened_on,
        tuple(rules.Report(issued_on, shows, pk) for *_, pk, issued_on, shows in reports),
        tuple(
            rules.Event(type_, occurred_on, amount, voltage, severity or None, repaired_on, pk)
            for *_, pk, type_, occurred_on, amount, voltage, severity, repaired_on in events
        ),
    )
