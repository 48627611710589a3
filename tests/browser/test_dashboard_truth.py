"""The dashboard in the browser, with no beat running: a level change shows at once, with the time counted."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from archives import services as archive_services
from credit_portal import roles
from ratings.models import RatingCause
from ratings.services import rating_refresh
from tests.factories import AccountFactory, CustomerFactory, UserFactory

PASSWORD = "Hall-counter-2025"
TODAY = datetime(2025, 6, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_counts_a_new_level_at_once_and_says_when(page, time_machine):
    time_machine.move_to(TODAY, tick=True)
    staff = UserFactory(username="hall")
    staff.set_password(PASSWORD)
    staff.save()
    staff.groups.add(Group.objects.get(name=roles.STAFF))
    customer = CustomerFactory(name="淮阴丙纺织有限公司")
    AccountFactory(customer=customer, opened_on=date(2018, 3, 1))
    rating_refresh(customer=customer, cause=RatingCause.MANUAL, as_of=TODAY.date())

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("hall")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto("/ratings/dashboard/")
    expect(page.locator("#level-count-red")).to_contain_text("0")
    expect(page.locator("#dashboard-age")).to_contain_text("统计于 2025-06-16 10:0")

    time_machine.move_to(TODAY + timedelta(minutes=3), tick=True)
    archive_services.event_record(
        customer=customer, type="theft", occurred_on=TODAY.date(), actor=staff, amount_yuan=1000
    )
    page.reload()

    expect(page.locator("#level-count-red").locator("td").nth(1)).to_have_text("1")
    expect(page.locator("#dashboard-age")).to_contain_text("统计于 2025-06-16 10:03")
    expect(page.get_by_role("row", name="淮阴丙纺织有限公司")).to_be_visible()
