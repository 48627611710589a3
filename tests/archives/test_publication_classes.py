"""The class of each record and its publication periods (信用修复管理办法), fixed when it is recorded."""

import copy
import importlib
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.db import connection

from archives import services, vocabulary
from archives.models import CreditEvent
from ratings import rules
from ratings.models import RuleSet, RuleSetStatus
from tests.factories import AccountFactory, CustomerFactory, EventFactory

TODAY = datetime(2026, 11, 28, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize(
    ("type", "attributes", "expected"),
    [
        ("theft", {"amount_yuan": Decimal("500000")}, "serious"),
        ("theft", {"amount_yuan": Decimal("499999.99")}, "general"),
        ("theft", {"amount_yuan": Decimal("0")}, "general"),
        ("grid_outage", {"voltage_kv": Decimal("35")}, "serious"),
        ("grid_outage", {"voltage_kv": Decimal("110")}, "serious"),
        ("grid_outage", {"voltage_kv": Decimal("10")}, "general"),
        ("grid_outage", {"voltage_kv": Decimal("20.00")}, "general"),
        ("grid_outage", {"voltage_kv": Decimal("0.4")}, "minor"),
        ("grid_outage", {"voltage_kv": Decimal("15")}, "minor"),
        ("facility_damage", {"severity": "serious"}, "serious"),
        ("facility_damage", {"severity": "minor"}, "general"),
        ("protection_zone_violation", {}, "serious"),
        ("orderly_use_refusal", {}, "serious"),
        ("order_disruption", {}, "serious"),
        ("malicious_complaint", {}, "general"),
        ("unauthorized_use", {}, "general"),
        ("late_payment", {}, "minor"),
        ("safety_hazard_unrectified", {}, "minor"),
        ("meter_fault_refusal", {}, "minor"),
        ("dishonesty", {"severity": "serious"}, "source"),
        ("dishonesty", {"severity": "general"}, "source"),
    ],
)
def test_each_event_type_and_attribute_has_its_declared_class(type, attributes, expected):
    assert vocabulary.dishonesty_class(type, **attributes) == expected


def test_every_event_type_has_a_class_whatever_its_attribute():
    assert {row.event_type for row in vocabulary.CLASS_TABLE} == set(vocabulary.EVENT_TYPES)


def test_the_theft_class_follows_the_theft_amount_of_black_3_it_is_given():
    thresholds = vocabulary.ClassThresholds(theft_amount_yuan=100000)

    assert vocabulary.dishonesty_class("theft", amount_yuan=Decimal("120000"), thresholds=thresholds) == "serious"
    assert vocabulary.dishonesty_class("theft", amount_yuan=Decimal("120000")) == "general"


def test_the_standards_wording_of_a_condition_uses_the_numbers_given():
    row = vocabulary.CLASS_TABLE[0]

    assert row.condition_text() == "窃电金额50万元及以上（黑色第3项）"
    lower = vocabulary.ClassThresholds(theft_amount_yuan=120000)
    assert row.condition_text(lower) == "窃电金额12万元及以上（黑色第3项）"


def test_the_plan_rule_book_gives_the_plan_thresholds():
    assert rules.V1.class_thresholds == vocabulary.PLAN_THRESHOLDS


@pytest.mark.parametrize(
    ("dishonesty_class", "found_on", "shortest", "longest"),
    [
        ("general", date(2026, 1, 10), date(2026, 4, 9), date(2027, 1, 9)),
        ("serious", date(2026, 1, 10), date(2027, 1, 9), date(2029, 1, 9)),
        ("minor", date(2026, 1, 10), None, date(2026, 4, 9)),
        ("source", date(2026, 1, 10), None, None),
        # A month without that day: 31 Jan + 3 months is 30 Apr, the period's last day 29 Apr.
        ("general", date(2026, 1, 31), date(2026, 4, 29), date(2027, 1, 30)),
        ("serious", date(2024, 2, 29), date(2025, 2, 27), date(2027, 2, 27)),
    ],
)
def test_the_periods_end_on_the_day_before_their_months_have_passed_since_the_finding(
    dishonesty_class, found_on, shortest, longest
):
    assert vocabulary.publication_period(dishonesty_class, found_on) == (shortest, longest)


def test_a_repair_may_be_applied_for_the_day_after_the_shortest_period_and_at_once_for_a_minor_record():
    assert vocabulary.repair_open_on("general", date(2026, 1, 10)) == date(2026, 4, 10)
    assert vocabulary.repair_open_on("serious", date(2026, 1, 10)) == date(2027, 1, 10)
    assert vocabulary.repair_open_on("minor", date(2026, 1, 10)) == date(2026, 1, 10)
    assert vocabulary.repair_open_on("source", date(2026, 1, 10)) is None


def test_the_classes_quote_the_measures_periods():
    labels = {code: c.periods_label for code, c in vocabulary.PUBLICATION_CLASSES.items()}

    assert labels == {
        "minor": "无最短公示期，最长3个月",
        "general": "最短3个月，最长1年",
        "serious": "最短1年，最长3年",
        "source": "由认定机关确定",
    }


@pytest.mark.django_db
def test_a_recorded_event_stores_its_class_and_periods_from_the_day_it_was_recorded(staff, time_machine):
    time_machine.move_to(TODAY, tick=False)
    customer = CustomerFactory()
    AccountFactory(customer=customer, opened_on=date(2015, 3, 1))

    event = services.event_record(
        customer=customer, type="theft", occurred_on=date(2026, 2, 10), amount_yuan="120000", actor=staff
    )

    event.refresh_from_db()
    assert event.found_on == date(2026, 11, 28)
    assert (event.dishonesty_class, event.publication_shortest_until, event.publication_longest_until) == (
        "general",
        date(2027, 2, 27),
        date(2027, 11, 27),
    )
    assert event.get_dishonesty_class_display() == "一般"


@pytest.mark.django_db
def test_a_recorded_theft_is_classed_with_the_theft_amount_of_the_rule_set_in_force(staff, time_machine):
    time_machine.move_to(TODAY, tick=False)
    parameters = copy.deepcopy(rules.V1_PARAMETERS)
    parameters["black.3"]["theft_amount_yuan"] = 100000
    RuleSet.objects.filter(status=RuleSetStatus.IN_FORCE).update(status=RuleSetStatus.RETIRED)
    RuleSet.objects.create(
        version=2,
        status=RuleSetStatus.IN_FORCE,
        effective_on=date(2026, 6, 1),
        parameters=parameters,
        wordings={"black.3": "3次及以上违约用电或2次及以上窃电或1次窃电金额10万元及以上"},
    )
    customer = CustomerFactory()
    AccountFactory(customer=customer, opened_on=date(2015, 3, 1))

    event = services.event_record(
        customer=customer, type="theft", occurred_on=date(2026, 2, 10), amount_yuan="120000", actor=staff
    )

    assert event.dishonesty_class == "serious"
    assert event.publication_longest_until == date(2029, 11, 27)


#: Findings at the edges of the month arithmetic and of the local day (Asia/Shanghai is UTC+8).
FOUND_AT = [
    datetime(2026, 1, 31, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai")),  # 1 month on: 28 February
    datetime(2024, 2, 29, 0, 10, tzinfo=ZoneInfo("Asia/Shanghai")),  # a leap day, just after local midnight
    datetime(2025, 8, 31, 7, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
    datetime(2026, 11, 28, 12, tzinfo=ZoneInfo("Asia/Shanghai")),
]
EVENTS = [
    {"type": "grid_outage", "voltage_kv": Decimal("35")},
    {"type": "grid_outage", "voltage_kv": Decimal("10")},
    {"type": "grid_outage", "voltage_kv": Decimal("0.4")},
    {"type": "theft", "amount_yuan": Decimal("500000")},
    {"type": "theft", "amount_yuan": Decimal("1200.50")},
    {"type": "facility_damage", "severity": "serious"},
    {"type": "facility_damage", "severity": "minor"},
    {"type": "late_payment"},
    {"type": "unauthorized_use"},
    {"type": "dishonesty"},
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["database", "batches"])
def test_the_migration_fills_the_class_of_events_recorded_before_it_as_recording_them_does(path, time_machine):
    """The migration's fill (one set-based UPDATE on PostgreSQL, batches elsewhere) gives each event
    the class and period ends recording it gives, counted from the local day of its finding."""
    migration = importlib.import_module("archives.migrations.0011_event_publication_fill")
    if path == "database" and connection.vendor != "postgresql":
        pytest.skip("the set-based fill is PostgreSQL's")
    expected = {}
    for found_at in FOUND_AT:
        time_machine.move_to(found_at, tick=False)
        for attributes in EVENTS:
            event = EventFactory(**attributes)
            expected[event.pk] = (
                event.dishonesty_class,
                event.publication_shortest_until,
                event.publication_longest_until,
            )
    CreditEvent.objects.update(dishonesty_class="", publication_shortest_until=None, publication_longest_until=None)

    if path == "database":
        migration.fill(django_apps, SimpleNamespace(connection=connection))
        with connection.cursor() as cursor:  # what the fill set for itself went with it
            cursor.execute("SHOW enable_nestloop")
            assert cursor.fetchone() == ("on",)
        migration.fill(django_apps, SimpleNamespace(connection=connection))  # twice in one transaction
    else:
        migration.fill_in_batches(django_apps)

    filled = {
        pk: (klass, shortest, longest)
        for pk, klass, shortest, longest in CreditEvent.objects.values_list(
            "pk", "dishonesty_class", "publication_shortest_until", "publication_longest_until"
        )
    }
    assert filled == expected
    assert expected[min(expected)] == ("serious", date(2027, 1, 30), date(2029, 1, 30))
    assert {klass for klass, _, _ in expected.values()} == {"minor", "general", "serious", "source"}
