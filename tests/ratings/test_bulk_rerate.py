"""The set-based nightly re-rating: same results as ``rating_refresh``, written once, in ranges."""

from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command

from archives.models import Customer, EventStatus, ReportStatus
from notifications.models import Notice
from ratings import bulk, rules, tasks
from ratings.models import CustomerRating, LevelOverride, OverrideStatus, RatingCause, RatingHistory
from ratings.services import rating_refresh
from tests.factories import AccountFactory, CustomerFactory, EventFactory, ReportFactory

AS_OF = date(2026, 11, 28)
CLEAN_REPORT_ON = date(2026, 6, 1)
EVENT_TYPES = list(rules.EVENT_TYPES)


# --------------------------------------------------------------------------------------------
# The archive: named cases and seeded random customers, built with the factories
# --------------------------------------------------------------------------------------------


def _account(customer: Customer, method: str = "prepaid", arrears_since: date | None = None, **extra) -> None:
    AccountFactory(customer=customer, payment_method=method, arrears_since=arrears_since, **extra)


def _event(customer: Customer, type_: str, on: date, status: str = EventStatus.IN_FORCE, **attributes) -> None:
    EventFactory(customer=customer, type=type_, occurred_on=on, status=status, recorded_by=None, **attributes)


def _report(
    customer: Customer, on: date, shows: bool | None = False, status: str = ReportStatus.VERIFIED, uploader=None
) -> None:
    # A stored name is enough: the rating reads the report's fields, never its file.
    ReportFactory(
        customer=customer,
        issued_on=on,
        shows_dishonesty=shows,
        status=status,
        file="publiccreditreport/test.pdf",
        uploaded_by=uploader,
    )


def _override(customer: Customer, level: str, ends_on: date, requested_by, decided_by) -> LevelOverride:
    return LevelOverride.objects.create(
        customer=customer,
        level=level,
        reason="测试",
        ends_on=ends_on,
        status=OverrideStatus.ACTIVE,
        requested_by=requested_by,
        decided_by=decided_by,
        decided_at=datetime(2026, 10, 1, tzinfo=ZoneInfo("Asia/Shanghai")),
    )


def _random_customer(rng: random.Random, uploader) -> Customer:
    customer = CustomerFactory()
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        arrears = AS_OF - timedelta(days=rng.randint(0, 250)) if rng.random() < 0.2 else None
        _account(customer, rng.choice(["prepaid", "postpaid"]), arrears, opened_on=date(2015, 1, 1))
    for _ in range(rng.choice([0, 0, 1, 2, 3, 5, 8])):
        type_ = rng.choice(EVENT_TYPES)
        attributes: dict[str, object] = {}
        if type_ == "theft":
            attributes["amount_yuan"] = Decimal(rng.choice([800, 120000, 499999.99, 500000, 900000]))
        elif type_ == "grid_outage":
            attributes["voltage_kv"] = Decimal(rng.choice(["0.4", "10", "20", "35", "110"]))
        elif type_ == "facility_damage":
            attributes["severity"] = rng.choice(["minor", "serious"])
        elif type_ == "dishonesty":
            attributes["severity"] = rng.choice(["general", "serious"])
        status = EventStatus.REVOKED if rng.random() < 0.15 else EventStatus.IN_FORCE
        _event(customer, type_, AS_OF - timedelta(days=rng.randint(-30, 5 * 365)), status, **attributes)
    for _ in range(rng.choice([0, 1, 1, 2])):
        status = rng.choice([ReportStatus.VERIFIED, ReportStatus.VERIFIED, ReportStatus.PENDING])
        shows = None if status == ReportStatus.PENDING else rng.random() < 0.2
        _report(customer, AS_OF - timedelta(days=rng.randint(-20, 500)), shows, status, uploader)
    return customer


@pytest.fixture
def archive(db, staff, supervisor, other_supervisor) -> dict[str, Customer]:
    """Named customers covering each kind of fact, plus 40 seeded random ones."""
    c: dict[str, Customer] = {}

    def new(name: str, *accounts: str, report: bool = True) -> Customer:
        customer = c[name] = CustomerFactory(name=name)
        for method in accounts:
            _account(customer, method)
        if report:
            _report(customer, CLEAN_REPORT_ON, uploader=staff)
        return customer

    new("green", "prepaid")
    new("blue_postpaid", "postpaid")
    new("unrated_no_report", "prepaid", report=False)
    unverified = new("unrated_unverified_report", "prepaid", report=False)
    _report(unverified, date(2026, 9, 1), None, ReportStatus.PENDING, staff)
    _report(unverified, date(2026, 8, 1), False, ReportStatus.REJECTED, staff)
    expired = new("unrated_expired_report", "prepaid", report=False)
    _report(expired, date(2025, 6, 1), uploader=staff)
    late = new("yellow_late", "prepaid")
    _event(late, "late_payment", date(2026, 3, 1))
    _event(late, "late_payment", date(2026, 8, 1))
    revoked = new("revoked", "prepaid")
    _event(revoked, "late_payment", date(2026, 3, 1))
    _event(revoked, "late_payment", date(2026, 8, 1), EventStatus.REVOKED)
    new("mixed_accounts", "prepaid", "postpaid")
    arrears = new("arrears_two_accounts")
    _account(arrears, "prepaid", date(2026, 9, 1))
    _account(arrears, "prepaid", date(2026, 7, 15))
    _event(new("big_theft", "postpaid"), "theft", date(2026, 5, 5), amount_yuan=Decimal("600000"))
    same_day = new("same_day_thefts", "postpaid")
    _event(same_day, "theft", date(2026, 4, 4), amount_yuan=Decimal("1000"))
    _event(same_day, "theft", date(2026, 4, 4), amount_yuan=Decimal("2000.50"))
    overridden = new("overridden", "prepaid")
    _event(overridden, "order_disruption", date(2026, 10, 1))
    _override(overridden, "blue", date(2027, 1, 31), supervisor, other_supervisor)
    ended = new("override_expired", "prepaid")
    _event(ended, "meter_fault_refusal", date(2026, 9, 9))
    _override(ended, "green", date(2026, 11, 1), supervisor, other_supervisor)
    _event(new("old_breach", "prepaid"), "unauthorized_use", date(2020, 1, 1))
    _event(new("old_late", "prepaid"), "late_payment", date(2022, 1, 1))
    sliding = new("sliding", "prepaid", report=False)
    _report(sliding, date(2026, 10, 1), uploader=staff)
    _event(sliding, "meter_fault_refusal", date(2026, 2, 1))
    new("no_accounts")
    outage = new("outage", "postpaid")
    _event(outage, "grid_outage", date(2026, 6, 6), voltage_kv=Decimal("10"))
    _event(outage, "grid_outage", date(2026, 7, 6), voltage_kv=Decimal("0.4"))
    _event(new("damage_minor", "prepaid"), "facility_damage", date(2026, 1, 10), severity="minor")
    two_reports = new("two_reports_same_day", "prepaid")
    _report(two_reports, CLEAN_REPORT_ON, True, uploader=staff)
    _event(new("future_event", "prepaid"), "late_payment", date(2026, 12, 15))
    theft = {"amount_yuan": Decimal("120000")}
    _event(new("repaired_theft", "prepaid"), "theft", date(2026, 2, 10), repaired_on=date(2026, 9, 1), **theft)
    _event(new("repaired_later", "prepaid"), "theft", date(2026, 2, 10), repaired_on=date(2026, 12, 10), **theft)
    rng = random.Random(20261128)
    for i in range(40):
        c[f"random{i}"] = _random_customer(rng, staff)
    return c


def _ratings(*fields: str) -> dict[int, tuple]:
    fields = fields or (
        "level",
        "computed_level",
        "rules",
        "override_id",
        "explanation",
        "as_of",
        "changed_on",
        "rules_version",
    )
    return {row[0]: row[1:] for row in CustomerRating.objects.values_list("customer_id", *fields)}


def _history() -> list[tuple]:
    return sorted(
        RatingHistory.objects.values_list(
            "customer_id", "level", "previous_level", "computed_level", "rules", "explanation", "as_of"
        )
    )


def _refresh_all(as_of: date) -> None:
    for customer in Customer.objects.order_by("pk"):
        rating_refresh(customer=customer, cause=RatingCause.MANUAL, as_of=as_of)


def _level(customer: Customer) -> tuple[str, str, list[str]]:
    rating = CustomerRating.objects.get(customer=customer)
    return rating.level, rating.computed_level, rating.rules


# --------------------------------------------------------------------------------------------
# Same result as the per-customer service
# --------------------------------------------------------------------------------------------


def test_bulk_rerate_gives_every_customer_the_rating_that_rating_refresh_gives(archive):
    _refresh_all(AS_OF)
    expected, expected_history = _ratings(), _history()
    CustomerRating.objects.all().delete()
    RatingHistory.objects.all().delete()

    stats = bulk.rerate_all(as_of=AS_OF, range_size=7)

    assert _ratings() == expected  # level, computed level, rules, override, explanation, dates
    assert _history() == expected_history
    assert stats.customers == Customer.objects.count()
    assert sum(stats.levels.values()) == stats.customers
    assert stats.created == stats.written == stats.level_changes == stats.customers - stats.overrides_ended


def test_bulk_rerate_reads_the_facts_as_the_portal_does(archive):
    bulk.rerate_all(as_of=AS_OF, range_size=10)

    assert _level(archive["green"]) == ("green", "green", ["green.1", "green.2", "green.3", "green.4"])
    assert _level(archive["blue_postpaid"])[0] == "blue"
    assert _level(archive["mixed_accounts"])[0] == "blue"  # prepaid only when every account is
    assert _level(archive["unrated_no_report"]) == ("unrated", "unrated", ["blue.3"])
    assert _level(archive["unrated_unverified_report"]) == ("unrated", "unrated", ["blue.3"])
    assert _level(archive["unrated_expired_report"]) == ("unrated", "unrated", ["blue.3"])
    assert _level(archive["yellow_late"]) == ("yellow", "yellow", ["yellow.2"])
    assert _level(archive["revoked"]) == ("unrated", "unrated", ["blue.1"])  # the revoked one is ignored
    assert _level(archive["arrears_two_accounts"]) == ("red", "red", ["red.1"])  # earliest arrears: 4 months
    assert _level(archive["big_theft"]) == ("black", "black", ["black.3"])
    assert _level(archive["same_day_thefts"]) == ("black", "black", ["black.3"])
    assert _level(archive["old_breach"])[0] == "blue"  # green.3 counts since the account was opened
    assert _level(archive["old_late"])[0] == "green"
    assert _level(archive["no_accounts"])[0] == "blue"
    assert _level(archive["outage"]) == ("red", "red", ["red.7"])
    assert _level(archive["damage_minor"]) == ("red", "red", ["red.8"])
    assert _level(archive["two_reports_same_day"]) == ("unrated", "unrated", ["blue.3"])
    assert _level(archive["future_event"])[0] == "green"
    assert _level(archive["repaired_theft"])[0] == "green"  # repaired: no longer breaks green.3
    assert _level(archive["repaired_later"]) == ("red", "red", ["red.3"])  # repaired after AS_OF
    later = CustomerRating.objects.get(customer=archive["repaired_later"])
    assert later.stable_until == date(2026, 12, 9)  # the day before its repair


def test_an_active_override_keeps_its_level_in_force_and_an_expired_one_ends(archive):
    stats = bulk.rerate_all(as_of=AS_OF, range_size=10)

    overridden = CustomerRating.objects.get(customer=archive["overridden"])
    assert (overridden.level, overridden.computed_level, overridden.rules) == ("blue", "black", ["black.11"])
    assert overridden.override_id == LevelOverride.objects.get(customer=archive["overridden"]).pk
    assert stats.overrides_ended == 1
    assert LevelOverride.objects.get(customer=archive["override_expired"]).status == OverrideStatus.ENDED
    assert _level(archive["override_expired"]) == ("yellow", "yellow", ["yellow.4"])
    assert CustomerRating.objects.get(customer=archive["override_expired"]).override_id is None


def test_explanations_do_not_depend_on_the_account_opening_date_which_the_memo_leaves_out():
    facts = rules.Facts(
        as_of=AS_OF,
        payment_method="postpaid",
        account_opened_on=date(2010, 1, 1),
        reports=(rules.Report(CLEAN_REPORT_ON, False),),
        events=(rules.Event("late_payment", date(2026, 3, 1)),),
    )
    other = rules.Facts(**{**{f: getattr(facts, f) for f in facts.__slots__}, "account_opened_on": None})
    assert rules.evaluate(facts).explanation == rules.evaluate(other).explanation


# --------------------------------------------------------------------------------------------
# Writes: only what changed, once
# --------------------------------------------------------------------------------------------


def test_a_second_run_as_of_the_same_date_writes_nothing(archive):
    bulk.rerate_all(as_of=AS_OF, range_size=10)
    before, history = _ratings(), _history()

    again = bulk.rerate_all(as_of=AS_OF, range_size=10)

    assert (again.written, again.created, again.level_changes, again.skipped) == (0, 0, 0, 0)
    assert again.customers == Customer.objects.count()
    assert _ratings() == before
    assert _history() == history


def test_changed_rules_without_a_changed_level_update_the_rating_but_add_no_history(archive):
    customer = archive["yellow_late"]
    bulk.rerate_all(as_of=AS_OF, range_size=10)
    history = RatingHistory.objects.filter(customer=customer).count()
    _event(customer, "meter_fault_refusal", date(2026, 10, 10))
    # The event is written behind the portal's back (no re-rating): only a full pass sees it.
    stats = bulk.rerate_range(start_id=customer.pk, end_id=customer.pk + 1, as_of=AS_OF, skip_stable=False)

    assert (stats.written, stats.level_changes) == (1, 0)
    assert _level(customer) == ("yellow", "yellow", ["yellow.2", "yellow.4"])
    assert RatingHistory.objects.filter(customer=customer).count() == history
    rating = CustomerRating.objects.get(customer=customer)
    assert "yellow.4" in rating.explanation


def test_a_level_change_adds_one_history_row_with_the_previous_level(archive):
    customer = archive["yellow_late"]
    bulk.rerate_all(as_of=AS_OF, range_size=10)
    _event(customer, "late_payment", date(2026, 10, 10))
    # The event is written behind the portal's back (no re-rating): only a full pass sees it.
    stats = bulk.rerate_all(as_of=AS_OF, range_size=10, skip_stable=False)

    assert (stats.written, stats.level_changes) == (1, 1)
    row = RatingHistory.objects.filter(customer=customer).order_by("-id").first()
    assert (row.previous_level, row.level, row.rules, row.cause) == ("yellow", "red", ["red.2"], "nightly")
    assert CustomerRating.objects.get(customer=customer).changed_on == AS_OF
    # The written notification letter and the SMS that a red level calls for, written with it.
    assert sorted(Notice.objects.filter(rating_change=row).values_list("channel", flat=True)) == ["letter", "sms"]
    assert stats.notices == 2


def test_windows_slide_when_the_date_advances(archive):
    customer = archive["sliding"]
    bulk.rerate_all(as_of=AS_OF, range_size=10)
    assert _level(customer)[0] == "yellow"
    later = date(2027, 2, 2)  # the meter fault of 2026-02-01 has left the one-year window

    bulk.rerate_all(as_of=later, range_size=10)

    rating = CustomerRating.objects.get(customer=customer)
    assert (rating.level, rating.rules, rating.changed_on, rating.as_of) == (
        "green",
        ["green.1", "green.2", "green.3", "green.4"],
        later,
        later,
    )
    row = RatingHistory.objects.filter(customer=customer).order_by("-id").first()
    assert (row.previous_level, row.level, row.as_of) == ("yellow", "green", later)


def test_after_the_windows_slide_levels_still_equal_rating_refresh(archive):
    later = date(2027, 5, 20)
    bulk.rerate_all(as_of=AS_OF, range_size=10)
    bulk.rerate_all(as_of=later, range_size=10)
    incremental = _ratings("level", "computed_level", "rules", "override_id")

    _refresh_all(later)

    assert incremental == _ratings("level", "computed_level", "rules", "override_id")


def test_a_rating_refreshed_while_the_run_was_reading_is_left_to_the_fresher_evaluation(archive, monkeypatch):
    customer = archive["green"]
    bulk.rerate_all(as_of=AS_OF, range_size=10)
    _event(customer, "late_payment", date(2026, 11, 1))  # now unrated (blue.1) as of AS_OF
    evaluate_level = rules.evaluate_level

    def refreshed_meanwhile(facts: rules.Facts, book: rules.RuleBook = rules.V1):
        # As if rating_refresh committed a newer rating after the run had read the stored one.
        if any(e.type == "late_payment" and e.occurred_on == date(2026, 11, 1) for e in facts.events):
            CustomerRating.objects.filter(customer=customer).update(level="yellow", computed_level="yellow")
        return evaluate_level(facts, book)

    monkeypatch.setattr(rules, "evaluate_level", refreshed_meanwhile)
    stats = bulk.rerate_all(as_of=AS_OF, range_size=10, skip_stable=False)  # the event came behind its back

    assert (stats.written, stats.skipped) == (0, 1)
    assert _level(customer)[:2] == ("yellow", "yellow")


def test_rerate_customers_rates_only_the_given_customers(archive):
    chosen = [archive["green"].pk, archive["big_theft"].pk, archive["random3"].pk]

    stats = bulk.rerate_customers(customer_ids=chosen + chosen[:1], as_of=AS_OF, cause=RatingCause.IMPORT)

    assert stats.customers == 3
    assert sorted(CustomerRating.objects.values_list("customer_id", flat=True)) == sorted(chosen)
    assert set(RatingHistory.objects.values_list("cause", flat=True)) == {"import"}


# --------------------------------------------------------------------------------------------
# Ranges, the command and the tasks
# --------------------------------------------------------------------------------------------


def test_ranges_cover_every_customer_once(archive):
    ids = sorted(Customer.objects.values_list("pk", flat=True))

    ranges = bulk.plan_ranges(size=7)

    assert ranges[0][0] == ids[0] and ranges[-1][1] == ids[-1] + 1
    assert all(end == next_start for (_, end), (next_start, _) in zip(ranges, ranges[1:], strict=False))
    assert all(sum(start <= i < end for start, end in ranges) == 1 for i in ids)
    bulk.rerate_all(as_of=AS_OF, range_size=3)
    assert CustomerRating.objects.count() == len(ids)


def test_no_customers_means_no_ranges(db):
    assert bulk.plan_ranges(size=100) == []
    with pytest.raises(ValueError):
        bulk.plan_ranges(size=0)


def test_rerate_command_prints_customers_per_level_and_the_changes(archive):
    out = io.StringIO()
    call_command("rerate", "--as-of", AS_OF.isoformat(), "--range-size", "9", stdout=out)

    text = out.getvalue()
    counts = {level: CustomerRating.objects.filter(level=level).count() for level in rules.LEVEL_LABELS}
    for level, label in rules.LEVEL_LABELS.items():
        line = next(line for line in text.splitlines() if line.split()[:2] == [level, label])
        assert int(line.split()[-1]) == counts[level]
    assert f"变更 changed: {Customer.objects.count() - 1} " in text  # one rated when its override ended
    again = io.StringIO()
    call_command("rerate", "--as-of", AS_OF.isoformat(), stdout=again)
    assert "变更 changed: 0 " in again.getvalue()


def test_rerate_command_with_queue_dispatches_one_task_per_range(archive):
    out = io.StringIO()
    call_command("rerate", "--as-of", AS_OF.isoformat(), "--range-size", "20", "--queue", stdout=out)

    assert out.getvalue().startswith(f"已派发 dispatched {len(bulk.plan_ranges(size=20))} range tasks as of 2026-11-28")
    # Eager in the tests, as on the embedded default: the tasks ran in this process.
    assert CustomerRating.objects.count() == Customer.objects.count()
    assert set(RatingHistory.objects.values_list("cause", flat=True)) >= {"manual"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-13-01"], "--as-of: must be a date YYYY-MM-DD, got '2026-13-01'"),
        (["--as-of", "28/11/2026"], "--as-of: must be a date YYYY-MM-DD, got '28/11/2026'"),
        (["--as-of", "2999-01-01"], "--as-of: 2999-01-01 is after today"),
        (["--range-size", "0"], "--range-size: must be a whole number ≥ 1, got '0'"),
    ],
)
def test_rerate_command_rejects_bad_input_with_one_line_and_exit_status_2(archive, capsys, args, message):
    with pytest.raises(SystemExit) as raised:
        call_command("rerate", *args)

    assert raised.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith(message)
    assert not CustomerRating.objects.exists()


def test_nightly_task_rerates_everyone_as_of_today_in_process_when_eager(archive):
    with time_machine.travel(datetime(2026, 11, 28, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        tasks.nightly_rerate_task.delay()

    assert CustomerRating.objects.count() == Customer.objects.count()
    assert set(CustomerRating.objects.values_list("as_of", flat=True)) == {AS_OF}
    assert "nightly" in set(RatingHistory.objects.values_list("cause", flat=True))


def test_nightly_task_fans_out_one_range_task_per_range_when_a_broker_is_configured(archive, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent: list[list] = []

    class FakeGroup:
        def __init__(self, signatures):
            self.signatures = list(signatures)

        def apply_async(self):
            sent.append(self.signatures)

    monkeypatch.setattr(tasks, "group", FakeGroup)
    monkeypatch.setattr(bulk, "DEFAULT_RANGE_SIZE", 10)
    with time_machine.travel(datetime(2026, 11, 28, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        tasks.nightly_rerate_task()

    (signatures,) = sent
    assert [tuple(s.args) for s in signatures] == [
        (start, end, "2026-11-28", "nightly") for start, end in bulk.plan_ranges(size=10)
    ]
    assert {s.task for s in signatures} == {"ratings.tasks.rerate_range_task"}
    assert LevelOverride.objects.get(customer=archive["override_expired"]).status == OverrideStatus.ENDED
    signatures[0].apply()  # what a worker would do with the first one
    assert CustomerRating.objects.filter(customer_id__lt=signatures[0].args[1]).exists()


def test_the_nightly_rerate_is_scheduled_at_half_past_midnight_shanghai_time(db):
    from django_celery_beat.models import CrontabSchedule

    entry = django_settings.CELERY_BEAT_SCHEDULE["nightly-rerate"]
    schedule = CrontabSchedule.from_schedule(entry["schedule"])

    assert entry["task"] == tasks.nightly_rerate_task.name
    assert (str(schedule.minute), str(schedule.hour), str(schedule.day_of_week)) == ("30", "0", "*")
    assert str(schedule.timezone) == "Asia/Shanghai"


def test_a_customer_whose_rating_holds_is_neither_read_nor_evaluated_until_its_next_window_boundary(
    archive, monkeypatch
):
    customer = archive["yellow_late"]  # late payments on 2026-03-01 and 2026-08-01
    bulk.rerate_all(as_of=AS_OF, range_size=10)
    rating = CustomerRating.objects.get(customer=customer)
    assert rating.stable_until == date(2027, 2, 28)  # the day before the March event leaves the year
    evaluated: list[rules.Facts] = []
    evaluate_level = rules.evaluate_level

    def counting(facts: rules.Facts, book: rules.RuleBook = rules.V1):
        evaluated.append(facts)
        return evaluate_level(facts, book)

    monkeypatch.setattr(rules, "evaluate_level", counting)
    quiet = bulk.rerate_range(start_id=customer.pk, end_id=customer.pk + 1, as_of=date(2027, 2, 28))

    assert (quiet.customers, quiet.stable, quiet.written, evaluated) == (1, 1, 0, [])
    assert quiet.levels == {"yellow": 1}

    moved = bulk.rerate_range(start_id=customer.pk, end_id=customer.pk + 1, as_of=date(2027, 3, 1))

    assert (moved.stable, len(evaluated), moved.level_changes) == (0, 1, 1)
    assert CustomerRating.objects.get(customer=customer).level == "unrated"


def test_a_re_evaluated_rating_that_holds_longer_gets_only_its_new_date(archive):
    bulk.rerate_all(as_of=AS_OF, range_size=10)
    CustomerRating.objects.update(stable_until=AS_OF)  # as if each was rated when a boundary was near
    before = _ratings()

    later = bulk.rerate_all(as_of=AS_OF + timedelta(days=1), range_size=10)
    again = bulk.rerate_all(as_of=AS_OF + timedelta(days=1), range_size=10)

    assert later.extended > 0 and later.stable == 0
    assert (again.written, again.extended, again.stable) == (0, 0, again.customers - _with_overrides())
    assert {pk: row[:5] for pk, row in _ratings().items()} == {pk: row[:5] for pk, row in before.items()}


def _with_overrides() -> int:
    return CustomerRating.objects.filter(override__isnull=False).count()
