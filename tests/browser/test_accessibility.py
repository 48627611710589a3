"""Every page a role's navigation offers, on the demo data: no serious or critical axe-core finding at
desktop and 390 px, and no page wider than a 390 px screen."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from archives.management.commands.seed_demo import DEMO_USERS
from ratings.rulesets import ruleset_plan
from tests.browser.conftest import accessibility_problems

TODAY = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _nav_paths(page) -> list[str]:
    links = page.get_by_role("navigation", name="主导航").get_by_role("link").all()
    return list(dict.fromkeys(link.get_attribute("href") for link in links))


@pytest.mark.parametrize("username", ["staff", "supervisor", "applicant", "drc"])
def test_every_page_of_a_roles_navigation_passes_axe_core_at_desktop_and_phone_width(
    username, chromium, live_server, axe_source, time_machine
):
    time_machine.move_to(TODAY, tick=True)
    ruleset_plan()  # version 1 comes from a migration; a transactional test's flush may have emptied the table
    call_command("seed_demo", customers=24, stdout=open("/dev/null", "w"))  # noqa: SIM115
    password = next(password for name, _role, _full, password in DEMO_USERS if name == username)
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")

    problems = accessibility_problems(page, axe_source)
    paths = _nav_paths(page)
    assert len(paths) >= 5, paths
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
        problems += accessibility_problems(page, axe_source)
    context.close()

    assert not problems, "\n".join(problems)
