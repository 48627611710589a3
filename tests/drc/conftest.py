"""Fixtures of the DRC report tests: a pinned day, a report folder per test, and a known data set."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import TestCase
from django.utils import timezone

from archives.models import CreditEvent, Customer, EventRevocation, PublicCreditReport
from archives.publication import publication_fields
from archives.vocabulary import PLAN_THRESHOLDS
from commitments.models import CommitmentLetter, Objection
from notifications.drc.build import BuildResult, drc_report_build
from ratings.models import CustomerRating
from tests.factories import (
    CommitmentLetterFactory,
    CustomerFactory,
    EventFactory,
    ReportFactory,
    UserFactory,
    make_uscc,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
REPORT_DATE = date(2026, 11, 28)
UNIT = "国网江苏省电力有限公司淮安供电分公司淮阴供电营业部"
UNIT_CODE = make_uscc(424242, prefix="91320800")
TRICKY_NAME = '淮阴"星光",电器\n有限公司'


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    """Every DRC test runs on 2026-11-28 at 10:00 in Asia/Shanghai."""
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def report_root(settings, tmp_path) -> Path:
    """Each test writes its reports into its own folder, and pushes nowhere unless it says so."""
    settings.DRC_REPORT_ROOT = str(tmp_path / "drc-reports")
    settings.DRC_ACCEPTING_UNIT_CODE = UNIT_CODE
    settings.DRC_ACCEPTING_UNIT_NAME = ""
    settings.DRC_PUSH_URL = ""
    settings.DRC_PUSH_TOKEN = ""
    return tmp_path / "drc-reports"


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=SHANGHAI)


def _recorded(event: CreditEvent, when: datetime) -> CreditEvent:
    """As if recorded at ``when``: its class and periods count from that day (认定日期)."""
    publication = publication_fields(
        type=event.type,
        found_on=when.date(),
        thresholds=PLAN_THRESHOLDS,
        amount_yuan=event.amount_yuan,
        voltage_kv=event.voltage_kv,
        severity=event.severity,
    )
    CreditEvent.objects.filter(pk=event.pk).update(recorded_at=when, **publication)
    return event


@dataclass
class Dataset:
    plain: Customer
    unrated: Customer
    tricky: Customer
    events: list[CreditEvent]
    letters: list[CommitmentLetter]


@pytest.fixture
def dataset(db) -> Dataset:
    """Three customers (ordered by USCC: plain, unrated, tricky), five events, two accepted letters.

    The tricky customer's name holds a quote, a comma and a newline; what the report must say about
    each record is spelt out in test_report_contents.py.
    """
    clerk = UserFactory(username="clerk")
    boss = UserFactory(username="boss")
    tricky = CustomerFactory(uscc=make_uscc(7), name=TRICKY_NAME)
    plain = CustomerFactory(uscc=make_uscc(3), name="淮阴乙机械有限公司")
    unrated = CustomerFactory(uscc=make_uscc(5), name="淮阴丙商贸有限公司")
    Customer.objects.update(created_at=at(2026, 1, 1))

    CustomerRating.objects.create(
        customer=plain, level="yellow", computed_level="yellow", rules=["yellow.1", "yellow.2"],
        as_of=REPORT_DATE, rules_version="test", changed_on=date(2026, 10, 1),
    )  # fmt: skip
    CustomerRating.objects.create(
        customer=tricky, level="green", computed_level="green", rules=["green.1", "green.2"],
        as_of=REPORT_DATE, rules_version="test", changed_on=date(2026, 1, 5),
    )  # fmt: skip

    ReportFactory(customer=plain, issued_on=date(2025, 5, 1), status="verified", shows_dishonesty=False)
    ReportFactory(customer=plain, issued_on=date(2026, 5, 1), status="verified", shows_dishonesty=False)
    ReportFactory(customer=plain, issued_on=date(2026, 11, 1))  # pending: does not count
    ReportFactory(customer=tricky, issued_on=date(2026, 9, 9), status="verified", shows_dishonesty=False)
    PublicCreditReport.objects.filter(status="verified").update(verified_at=at(2026, 9, 10))

    events = [
        # 07:00 in Shanghai is still the day before in UTC: 认定日期 is the local date.
        _recorded(EventFactory(customer=plain, type="late_payment", occurred_on=date(2026, 3, 15)), at(2026, 3, 16, 7)),
        _recorded(
            EventFactory(customer=plain, type="theft", occurred_on=date(2026, 4, 2), amount_yuan=Decimal("12345.6")),
            at(2026, 4, 3),
        ),
        _recorded(
            EventFactory(customer=plain, type="facility_damage", occurred_on=date(2026, 6, 1), severity="minor"),
            at(2026, 11, 28),
        ),
        _recorded(
            EventFactory(customer=tricky, type="dishonesty", occurred_on=date(2026, 2, 1), severity="serious"),
            at(2026, 2, 3),
        ),
        _recorded(
            EventFactory(
                customer=tricky, type="grid_outage", occurred_on=date(2026, 7, 7), voltage_kv=Decimal("10.00")
            ),
            at(2026, 7, 8),
        ),
    ]
    CreditEvent.objects.filter(pk=events[1].pk).update(status="revoked")
    # The outage repaired (信用修复) on 2026-11-01; the damage disputed by an objection still open.
    CreditEvent.objects.filter(pk=events[4].pk).update(repaired_on=date(2026, 11, 1), repair_ref="修复申请#1")
    Objection.objects.create(
        event=events[2], customer=plain, reason="不是我方所为", submitted_by=clerk
    ).disputed_events.add(events[2])
    EventRevocation.objects.create(
        event=events[1], reason='当事人提供了缴费凭证, "已核实"', status="approved", requested_by=clerk,
        decided_by=boss, decided_at=at(2026, 4, 20),
    )  # fmt: skip
    EventRevocation.objects.create(
        event=events[0], reason="误录", status="refused", requested_by=clerk, decided_by=boss, decided_at=at(2026, 4, 1)
    )

    letters = [
        CommitmentLetterFactory(
            customer=plain, committed_on=date(2026, 6, 1), status="accepted", code="32080420260601000001",
            fulfilment="full", decided_by=boss, decided_at=at(2026, 6, 3),
        ),
        CommitmentLetterFactory(
            customer=tricky, committed_on=date(2026, 7, 1), status="accepted", code="32080420260701000001",
            valid_until=date(2027, 6, 30), fulfilment="partial", unfulfilled_content='未按期整改"隐患",\n见整改通知',
            liability_pursued="-约谈法定代表人", decided_by=boss, decided_at=at(2026, 7, 2),
        ),
    ]  # fmt: skip
    CommitmentLetterFactory(customer=unrated, committed_on=date(2026, 11, 20))  # pending: not reported
    CommitmentLetterFactory(customer=plain, committed_on=date(2026, 5, 1), status="rejected", decided_at=timezone.now())
    return Dataset(plain=plain, unrated=unrated, tricky=tricky, events=events, letters=letters)


def read_csv(path: Path) -> list[list[str]]:
    """The rows of a report CSV (BOM stripped), header first."""
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def build_report(**kwargs) -> BuildResult:
    """`drc_report_build`, with what it leaves for after the commit (removing replaced folders, queueing
    the push) run as in production: the test's own transaction never commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return drc_report_build(**kwargs)
