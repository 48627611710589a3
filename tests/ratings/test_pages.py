"""The ratings pages: public standards, what-if bench, dashboard and the two-person manual override."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archives.models import EventStatus, PaymentMethod, ReportStatus
from ratings import charts, rules
from ratings.models import CustomerRating, LevelOverride, OverrideStatus, RatingCause, RatingHistory
from ratings.selectors import rating_dashboard
from ratings.services import rating_refresh
from tests.factories import AccountFactory, CustomerFactory, EventFactory, ReportFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = date(2026, 6, 30)
#: A pinned "now" for the pages that read today (override end dates, the dashboard window).
NOW = datetime(2026, 6, 30, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def green_customer(staff):
    """A prepaid customer with no arrears, no events and a clean report: green as of AS_OF."""
    customer = CustomerFactory(name="淮阴绿色示范有限公司")
    AccountFactory(customer=customer, payment_method=PaymentMethod.PREPAID, opened_on=date(2015, 3, 1))
    ReportFactory(customer=customer, issued_on=date(2026, 3, 1), status=ReportStatus.VERIFIED, shows_dishonesty=False)
    rating_refresh(customer=customer, cause=RatingCause.MANUAL, as_of=AS_OF)
    return customer


def _row_counts() -> dict[str, int]:
    """Row counts of every table of the portal's own apps that exists (history tables included)."""
    tables = set(connection.introspection.table_names())
    return {
        model._meta.label: model.objects.count()
        for app in ("archives", "ratings", "commitments", "notifications", "drc")
        if apps.is_installed(app)
        for model in apps.get_app_config(app).get_models()
        if model._meta.db_table in tables
    }


def _what_if_url(customer) -> str:
    return reverse("ratings:what_if", args=[customer.uscc])


# --------------------------------------------------------------------------------------------
# Public standards page
# --------------------------------------------------------------------------------------------


def test_standards_page_is_public_and_lists_every_criterion_and_decision(client):
    response = client.get(reverse("ratings:standards"))

    assert response.status_code == 200
    html = response.content.decode()
    for criterion in rules.CRITERIA:
        assert f'id="{criterion.id}"' in html
        assert criterion.plan_text in html
        assert criterion.condition in html
    for decision in rules.DECISIONS:
        assert f'id="decision-{decision.id}"' in html
        assert decision.text in html
    assert rules.RULES_VERSION in html
    assert "淮信用办〔2021〕7号" in html
    assert "书面告知函" in html
    assert "电话、发送短信、推送微信" in html
    assert "诚信客户" in html


def test_standards_page_does_not_promise_that_no_record_counts_for_ever_where_green_3_counts_since_opening(client):
    html = client.get(reverse("ratings:standards")).content.decode()

    assert "任何失信行为都不会永久影响信用等级" not in html
    assert "任何失信行为都不会使客户永久处于黄色、红色或黑色" in html
    assert "绿色第3项“自立户起无违约用电行为”" in html and "此后不能评为绿色" in html


def test_standards_page_lists_the_levels_in_evaluation_order(client):
    html = client.get(reverse("ratings:standards")).content.decode()

    positions = [html.index(f'id="level-{level}"') for level in ("black", "red", "yellow", "green", "blue")]
    assert positions == sorted(positions)


def test_every_page_links_the_standards_page_in_the_nav(client):
    html = client.get(reverse("ratings:standards")).content.decode()

    assert f'href="{reverse("ratings:standards")}"' in html


# --------------------------------------------------------------------------------------------
# What-if bench
# --------------------------------------------------------------------------------------------


def test_what_if_shows_the_current_facts_without_a_query(client, staff, green_customer):
    client.force_login(staff)

    response = client.get(_what_if_url(green_customer))

    assert response.status_code == 200
    assert response.context["bench"].facts.payment_method == "prepaid"


def test_what_if_hypothetical_theft_gives_red_and_changes_nothing(client, staff, green_customer):
    client.force_login(staff)
    before = _row_counts()
    rating_before = CustomerRating.objects.get(customer=green_customer)

    response = client.get(
        _what_if_url(green_customer),
        {
            "as_of": AS_OF.isoformat(),
            "payment_method": "prepaid",
            "arrears_since": "",
            "h1_type": "theft",
            "h1_occurred_on": "2026-05-10",
            "h1_amount_yuan": "120000",
        },
    )

    assert response.status_code == 200
    bench = response.context["bench"]
    assert bench.actual.level == "green"
    assert bench.result.level == "red"
    assert bench.result.rules == ("red.3",)
    html = response.content.decode()
    assert "依据条款：红色等级评定要素第3条" in html
    assert "red.3" not in html  # in words everywhere on the page: the rules, the findings, the explanation
    assert "与档案事实的评定等级不同" in html
    assert _row_counts() == before
    rating_after = CustomerRating.objects.get(customer=green_customer)
    assert (rating_after.level, rating_after.rules, rating_after.as_of) == (
        rating_before.level,
        rating_before.rules,
        rating_before.as_of,
    )


def test_what_if_big_theft_gives_black(client, staff, green_customer):
    client.force_login(staff)

    response = client.get(
        _what_if_url(green_customer),
        {
            "as_of": AS_OF.isoformat(),
            "payment_method": "prepaid",
            "h1_type": "theft",
            "h1_occurred_on": "2026-05-10",
            "h1_amount_yuan": "500000",
        },
    )

    assert response.context["bench"].result.rules == ("black.3",)


def test_what_if_can_leave_out_recorded_events_and_change_the_arrears(client, staff, green_customer):
    late = [EventFactory(customer=green_customer, type="late_payment", occurred_on=date(2026, m, 5)) for m in (2, 3)]
    client.force_login(staff)

    with_events = client.get(_what_if_url(green_customer), {"as_of": AS_OF.isoformat(), "payment_method": "prepaid"})
    left_out = client.get(
        _what_if_url(green_customer),
        {"as_of": AS_OF.isoformat(), "payment_method": "prepaid", "exclude": [late[0].pk]},
    )
    in_arrears = client.get(
        _what_if_url(green_customer),
        {
            "as_of": AS_OF.isoformat(),
            "payment_method": "prepaid",
            "exclude": [e.pk for e in late],
            "arrears_since": "2026-03-15",
        },
    )

    assert with_events.context["bench"].result.rules == ("yellow.2",)
    assert left_out.context["bench"].result.level == "unrated"  # one late payment: blue.1 unmet
    assert in_arrears.context["bench"].result.rules == ("red.1",)  # 3 whole months on 2026-06-30


def test_what_if_later_as_of_lets_events_leave_the_window(client, staff, green_customer):
    EventFactory(customer=green_customer, type="meter_fault_refusal", occurred_on=date(2026, 1, 10))
    client.force_login(staff)

    now = client.get(_what_if_url(green_customer), {"as_of": AS_OF.isoformat(), "payment_method": "prepaid"})
    later = client.get(
        _what_if_url(green_customer),
        {
            "as_of": "2027-01-10",
            "payment_method": "prepaid",
            "report_issued_on": "2027-01-01",
            "report_shows_dishonesty": "no",
        },
    )

    assert now.context["bench"].result.rules == ("yellow.4",)
    assert later.context["bench"].result.level == "green"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"as_of": "2026-02-30"}, "日期格式应为 YYYY-MM-DD"),
        ({"h1_type": "arson", "h1_occurred_on": "2026-05-01"}, "未知的失信行为类型“arson”"),
        ({"h2_type": "theft", "h2_occurred_on": "2026-05-01", "h2_amount_yuan": "-5"}, "窃电金额不能为负数"),
        ({"h1_type": "theft", "h1_occurred_on": "2026-05-01", "h1_amount_yuan": "abc"}, "窃电金额“abc”应为数字"),
        ({"h1_type": "grid_outage", "h1_occurred_on": "2026-05-01", "h1_voltage_kv": "0"}, "电压等级应大于0千伏"),
        ({"h1_type": "facility_damage", "h1_occurred_on": "2026-05-01"}, "须选择情节"),
        ({"h1_type": "theft", "h1_occurred_on": "2026-07-01", "h1_amount_yuan": "1"}, "晚于评定日期"),
        ({"h3_occurred_on": "2026-05-01"}, "假设记录3：请选择失信行为类型"),
        ({"report_issued_on": "2026-05-01"}, "请选择假设报告的结果"),
    ],
)
def test_what_if_bad_input_shows_a_clear_message_and_no_result(client, staff, green_customer, query, message):
    client.force_login(staff)
    before = _row_counts()

    response = client.get(
        _what_if_url(green_customer), {"as_of": AS_OF.isoformat(), "payment_method": "prepaid"} | query
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "输入有误" in response.content.decode()
    assert response.context["bench"] is None
    assert _row_counts() == before


def test_what_if_cannot_exclude_another_customers_event(client, staff, green_customer):
    foreign = EventFactory(type="late_payment", occurred_on=date(2026, 2, 5))
    client.force_login(staff)

    response = client.get(
        _what_if_url(green_customer), {"as_of": AS_OF.isoformat(), "payment_method": "prepaid", "exclude": [foreign.pk]}
    )

    assert "不是该用户的有效失信记录" in response.content.decode()


def test_what_if_of_an_unknown_customer_is_404(client, staff):
    client.force_login(staff)

    assert client.get(reverse("ratings:what_if", args=["91320804MA00000000"])).status_code == 404


# --------------------------------------------------------------------------------------------
# Dashboard
# --------------------------------------------------------------------------------------------


def _rating(customer, level: str) -> CustomerRating:
    return CustomerRating.objects.create(
        customer=customer, level=level, computed_level=level, as_of=AS_OF, rules_version="test", changed_on=AS_OF
    )


def _change(customer, previous: str, level: str, on: datetime) -> RatingHistory:
    row = RatingHistory.objects.create(
        customer=customer,
        level=level,
        previous_level=previous,
        computed_level=level,
        as_of=on.date(),
        rules_version="test",
        cause=RatingCause.EVENT,
    )
    RatingHistory.objects.filter(pk=row.pk).update(created_at=on)
    return row


@time_machine.travel(NOW, tick=False)
def test_dashboard_counts_customers_per_level_and_recent_changes(client, drc):
    levels = ["green", "green", "blue", "yellow", "red", "red", "red", "black", "unrated"]
    customers = [CustomerFactory() for _ in levels]
    for customer, level in zip(customers, levels, strict=True):
        _rating(customer, level)
    CustomerFactory.create_batch(2)  # not rated yet
    _change(customers[4], "yellow", "red", NOW - timedelta(days=2))
    _change(customers[5], "yellow", "red", NOW - timedelta(days=2, hours=1))
    _change(customers[3], "blue", "yellow", NOW - timedelta(days=10))
    _change(customers[0], "", "green", NOW - timedelta(days=1))  # first rating: not a change
    _change(customers[7], "red", "black", NOW - timedelta(days=31))  # outside the window
    client.force_login(drc)

    response = client.get(reverse("ratings:dashboard"))

    assert response.status_code == 200
    board = response.context["board"]
    assert board.counts == {
        "green": 2,
        "blue": 1,
        "yellow": 1,
        "red": 3,
        "black": 1,
        "unrated": 1,
        "": 2,
    }
    assert board.total == 11
    assert board.changes_total == 3
    by_day = dict(board.changes_by_day)
    assert len(by_day) == 30
    assert by_day[date(2026, 6, 28)] == 2
    assert by_day[date(2026, 6, 20)] == 1
    assert [(t.previous_level, t.level, t.count) for t in board.transitions] == [
        ("yellow", "red", 2),
        ("blue", "yellow", 1),
    ]
    html = response.content.decode()
    assert html.count("<svg") == 2
    assert charts.LEVEL_COLOURS["red"] in html
    assert 'id="level-count-red"' in html


@time_machine.travel(NOW, tick=False)
def test_dashboard_day_boundaries_follow_local_time(staff):
    customer = CustomerFactory()
    # 23:30 local on 29 June is 15:30 UTC: it belongs to the 29th, not the 30th.
    _change(customer, "blue", "yellow", datetime(2026, 6, 29, 23, 30, tzinfo=SHANGHAI))

    board = rating_dashboard(today=AS_OF)

    assert dict(board.changes_by_day)[date(2026, 6, 29)] == 1


@time_machine.travel(NOW, tick=False)
def test_dashboard_is_read_from_the_shared_cache_and_shows_its_age_until_refreshed(client, drc):
    from ratings.tasks import dashboard_refresh_task

    customer = CustomerFactory()
    _rating(customer, "red")
    client.force_login(drc)
    assert client.get(reverse("ratings:dashboard")).context["board"].counts["red"] == 1

    _rating(CustomerFactory(), "red")  # written behind the one writer's back: nothing announces it
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("ratings:dashboard"))
    assert response.context["board"].counts["red"] == 1  # the cached figures, with their age shown
    assert "统计于 2026-06-30 10:00（已计入此前的全部等级变更；有新的等级变更或满 5 分钟即重新统计）" in (
        response.content.decode()
    )
    assert not any("ratings_customerrating" in query["sql"] for query in queries)

    dashboard_refresh_task()

    assert client.get(reverse("ratings:dashboard")).context["board"].counts["red"] == 2


def test_dashboard_counts_a_level_change_at_once_and_says_when_with_no_beat(
    client, staff, django_capture_on_commit_callbacks
):
    from archives.services import event_record

    customer = CustomerFactory()
    AccountFactory(customer=customer, payment_method=PaymentMethod.PREPAID, opened_on=date(2015, 3, 1))
    client.force_login(staff)
    with time_machine.travel(NOW, tick=False):
        rating_refresh(customer=customer, cause=RatingCause.MANUAL, as_of=AS_OF)
        before = client.get(reverse("ratings:dashboard")).context["board"]
    assert before.counts["red"] == 0

    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            event_record(customer=customer, type="theft", occurred_on=AS_OF, actor=staff, amount_yuan=1000)
        response = client.get(reverse("ratings:dashboard"))

    board = response.context["board"]
    assert board.counts["red"] == 1
    assert board.changes_total == 1
    assert "统计于 2026-06-30 10:02" in response.content.decode()


def test_one_view_counts_the_dashboard_again_and_the_others_meanwhile_say_so(client, drc):
    from django.core.cache import cache

    from ratings.selectors import dashboard as dashboard_selectors

    client.force_login(drc)
    _rating(CustomerFactory(), "red")
    with time_machine.travel(NOW, tick=False):
        assert client.get(reverse("ratings:dashboard")).context["board"].counts["red"] == 1
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        _rating(CustomerFactory(), "red")
        dashboard_selectors.dashboard_outdated()  # what a committed level change does
        assert cache.add(dashboard_selectors._RECOUNT_KEY, 1, 30)  # another view is counting
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("ratings:dashboard"))
        board = response.context["board"]
        assert board.counts["red"] == 1 and board.recounting
        assert not any("ratings_customerrating" in query["sql"] for query in queries)
        assert "统计于 2026-06-30 10:00" in response.content.decode()
        assert "正在重新统计，稍后刷新页面可见最新数字" in response.content.decode()

        cache.delete(dashboard_selectors._RECOUNT_KEY)  # that view has stored its figures (here: it died)
        response = client.get(reverse("ratings:dashboard"))

    assert response.context["board"].counts["red"] == 2 and not response.context["board"].recounting
    assert "统计于 2026-06-30 10:01" in response.content.decode() and "正在重新统计" not in response.content.decode()
    assert cache.add(dashboard_selectors._RECOUNT_KEY, 1, 30)  # let go once counted


def test_dashboard_is_counted_again_once_older_than_its_five_minutes(client, drc):
    client.force_login(drc)
    with time_machine.travel(NOW, tick=False):
        assert client.get(reverse("ratings:dashboard")).context["board"].total == 0
        CustomerFactory()  # no level change: only the age makes the figures stale
    with time_machine.travel(NOW + timedelta(minutes=4, seconds=59), tick=False):
        assert client.get(reverse("ratings:dashboard")).context["board"].total == 0
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        response = client.get(reverse("ratings:dashboard"))

    assert response.context["board"].total == 1
    assert "统计于 2026-06-30 10:05" in response.content.decode()


def test_drc_report_page_says_when_its_charts_were_counted(client, drc):
    client.force_login(drc)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("drc:reports")).content.decode()

    assert "统计于 2026-06-30 10:00（已计入此前的全部等级变更" in html


def test_nav_shows_the_dashboard_to_staff_and_drc_only(client, staff, drc, applicant):
    url = reverse("ratings:dashboard")
    for user, shown in ((staff, True), (drc, True), (applicant, False)):
        client.force_login(user)
        html = client.get(reverse("ratings:standards")).content.decode()
        assert (f'href="{url}"' in html) is shown, user.username


def test_bar_chart_escapes_labels():
    svg = charts.bar_chart([charts.Bar("<b>&", 3)], title="t<")

    assert "<b>" not in svg
    assert "&lt;b&gt;&amp;" in svg
    assert "t&lt;" in svg


def test_nice_ceiling_gives_round_steps():
    assert charts.nice_ceiling(0) == (4, 1)
    assert charts.nice_ceiling(3) == (3, 1)
    assert charts.nice_ceiling(9) == (10, 2)
    assert charts.nice_ceiling(1000) == (1000, 200)
    assert charts.nice_ceiling(1001) == (1500, 500)


# --------------------------------------------------------------------------------------------
# Manual overrides
# --------------------------------------------------------------------------------------------


def _request_override(client, user, customer, level="blue"):
    client.force_login(user)
    return client.post(
        reverse("ratings:override_request", args=[customer.uscc]),
        {"level": level, "ends_on": "2026-12-31", "reason": "已结清欠费，营销系统尚未同步"},
    )


@time_machine.travel(NOW, tick=False)
def test_the_override_request_page_names_the_rules_criteria_in_words(client, supervisor, green_customer):
    client.force_login(supervisor)

    html = client.get(reverse("ratings:override_request", args=[green_customer.uscc])).content.decode()

    assert "依据 绿色等级评定要素第1条、绿色等级评定要素第2条" in html
    assert "green.1" not in html


@time_machine.travel(NOW, tick=False)
def test_override_approved_by_another_supervisor_is_the_level_in_force(
    client, supervisor, other_supervisor, green_customer
):
    rating_refresh(customer=green_customer, cause=RatingCause.MANUAL)
    response = _request_override(client, supervisor, green_customer, level="yellow")
    assert response.status_code == 302
    override = LevelOverride.objects.get(customer=green_customer)
    assert override.status == OverrideStatus.PENDING

    client.force_login(other_supervisor)
    queue = client.get(reverse("ratings:override_list"))
    assert override in queue.context["pending"]
    assert reverse("ratings:override_decide", args=[override.pk]) in queue.content.decode()
    response = client.post(
        reverse("ratings:override_decide", args=[override.pk]), {"decision": "approve", "note": "同意"}
    )

    assert response.status_code == 302
    override.refresh_from_db()
    assert override.status == OverrideStatus.ACTIVE
    assert override.decided_by == other_supervisor
    rating = CustomerRating.objects.get(customer=green_customer)
    assert (rating.level, rating.computed_level) == ("yellow", "green")
    page = client.get(reverse("archives:customer_detail", args=[green_customer.uscc]))
    html = page.content.decode()
    assert "人工调整生效中" in html
    assert "按规则评定为" in html
    assert '<span class="badge green">绿色</span>' in html


@time_machine.travel(NOW, tick=False)
def test_requester_cannot_approve_their_own_override(client, supervisor, green_customer):
    _request_override(client, supervisor, green_customer)
    override = LevelOverride.objects.get(customer=green_customer)

    queue = client.get(reverse("ratings:override_list")).content.decode()
    response = client.post(reverse("ratings:override_decide", args=[override.pk]), {"decision": "approve", "note": ""})

    assert "本人申请，须由他人审批" in queue
    assert response.status_code == 200
    assert "不能审批本人提出的申请" in response.content.decode()
    override.refresh_from_db()
    assert override.status == OverrideStatus.PENDING
    assert CustomerRating.objects.get(customer=green_customer).override is None


@time_machine.travel(NOW, tick=False)
def test_staff_may_request_but_not_approve(client, staff, green_customer):
    response = _request_override(client, staff, green_customer)
    override = LevelOverride.objects.get(customer=green_customer)

    assert response.status_code == 302
    assert client.get(reverse("ratings:override_list")).status_code == 403
    assert (
        client.post(reverse("ratings:override_decide", args=[override.pk]), {"decision": "approve"}).status_code == 403
    )


@time_machine.travel(NOW, tick=False)
def test_override_request_with_a_past_end_date_shows_the_message(client, staff, green_customer):
    client.force_login(staff)

    response = client.post(
        reverse("ratings:override_request", args=[green_customer.uscc]),
        {"level": "blue", "ends_on": "2026-06-30", "reason": "测试"},
    )

    assert response.status_code == 200
    assert "截止日期应晚于今天" in response.content.decode()
    assert not LevelOverride.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_refusing_needs_a_note(client, staff, supervisor, green_customer):
    _request_override(client, staff, green_customer)
    override = LevelOverride.objects.get(customer=green_customer)
    client.force_login(supervisor)

    response = client.post(reverse("ratings:override_decide", args=[override.pk]), {"decision": "refuse", "note": ""})

    assert "驳回时请填写理由" in response.content.decode()
    override.refresh_from_db()
    assert override.status == OverrideStatus.PENDING


def test_archive_panel_links_to_the_override_and_what_if_pages_for_staff(client, staff, green_customer):
    client.force_login(staff)

    html = client.get(reverse("archives:customer_detail", args=[green_customer.uscc])).content.decode()

    assert reverse("ratings:override_request", args=[green_customer.uscc]) in html
    assert _what_if_url(green_customer) in html


# --------------------------------------------------------------------------------------------
# Access
# --------------------------------------------------------------------------------------------


def _staff_pages(customer, override) -> list[str]:
    return [
        reverse("ratings:what_if", args=[customer.uscc]),
        reverse("ratings:override_request", args=[customer.uscc]),
        reverse("ratings:override_list"),
        reverse("ratings:override_decide", args=[override.pk]),
    ]


@pytest.fixture
def pending_override(green_customer, staff):
    return LevelOverride.objects.create(
        customer=green_customer, level="blue", reason="测试", ends_on=date(2099, 1, 1), requested_by=staff
    )


@pytest.mark.parametrize("persona", ["applicant", "drc"])
def test_applicant_and_drc_get_403_on_what_if_and_override_pages(
    client, request, persona, green_customer, pending_override
):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    for url in _staff_pages(green_customer, pending_override):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(reverse("ratings:override_decide", args=[pending_override.pk]), {"decision": "approve"}).status_code
        == 403
    )
    pending_override.refresh_from_db()
    assert pending_override.status == OverrideStatus.PENDING


def test_applicant_gets_403_on_the_dashboard(client, applicant):
    client.force_login(applicant)

    assert client.get(reverse("ratings:dashboard")).status_code == 403


def test_anonymous_is_sent_to_login(client, green_customer, pending_override):
    for url in [*_staff_pages(green_customer, pending_override), reverse("ratings:dashboard")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_revoked_events_are_not_offered_on_the_bench(client, staff, green_customer):
    revoked = EventFactory(customer=green_customer, occurred_on=date(2026, 2, 1), status=EventStatus.REVOKED)
    client.force_login(staff)

    response = client.get(_what_if_url(green_customer))

    assert revoked.pk not in [event.pk for event, _ in response.context["event_rows"]]
