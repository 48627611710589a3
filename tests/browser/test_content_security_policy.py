"""The main pages load under the Content-Security-Policy without a single violation, in a real browser."""

import pytest

from tests.browser.conftest import accessibility_problems
from tests.factories import AccountFactory, EventFactory

PASSWORD = "Hall-counter-2025"

# Collects what the browser refuses, whether or not it also logs it to the console.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def _watch(page) -> list[str]:
    messages: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: messages.append(message.text) if message.type in ("error", "warning") else None)
    return messages


def _visit(page, path: str, messages: list[str]) -> list[str]:
    response = page.goto(path)
    assert response.status < 400, (path, response.status)
    assert "Content-Security-Policy" in {name.title() for name in response.headers} or (
        "content-security-policy" in response.headers
    ), path
    page.wait_for_load_state("load")
    violations = page.evaluate("window.__cspViolations")
    found = [*violations, *(m for m in messages if "Content Security Policy" in m)]
    messages.clear()
    return [f"{path}: {item}" for item in found]


def _log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_main_pages_load_without_a_policy_violation_or_an_accessibility_failure(
    page, staff, applicant, applicant_customer, axe_source
):
    """No CSP violation; no serious or critical axe-core finding at desktop and 390 px; no page wider than 390 px."""
    for user in (staff, applicant):
        user.set_password(PASSWORD)
        user.save()
    AccountFactory(customer=applicant_customer)
    EventFactory(customer=applicant_customer)
    messages = _watch(page)
    uscc = applicant_customer.uscc
    found: list[str] = []

    for path in ("/accounts/login/", "/register/", "/standards/", "/commitments/public/"):
        found += _visit(page, path, messages)
        found += accessibility_problems(page, axe_source)
    _log_in(page, "staff")
    for path in (
        "/archives/customers/",
        f"/archives/customers/{uscc}/",
        f"/archives/customers/{uscc}/events/new/",
        "/archives/imports/",
        "/ratings/dashboard/",
        f"/ratings/what-if/{uscc}/",
        "/notifications/",
        "/notifications/letters/",
        "/commitments/applications/",
        "/api/docs/",
    ):
        found += _visit(page, path, messages)
        if not path.startswith("/api/"):  # Swagger UI's own page is drf-spectacular's, not ours
            found += accessibility_problems(page, axe_source)
    page.context.clear_cookies()
    _log_in(page, "applicant")
    found += _visit(page, "/enterprise/", messages)
    found += accessibility_problems(page, axe_source)

    assert not found, "\n".join(found)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_select_all_still_ticks_every_letter_without_an_inline_script(page, staff):
    staff.set_password(PASSWORD)
    staff.save()
    messages = _watch(page)
    _log_in(page, "staff")

    assert not _visit(page, "/notifications/letters/", messages)
    # Two rows' checkboxes, as the queue shows them (the behaviour under test is the page's script).
    page.evaluate(
        """() => { for (const pk of [1, 2]) { const box = document.createElement("input");
        box.type = "checkbox"; box.name = "notice"; box.value = pk; document.querySelector("form").append(box); } }"""
    )
    page.get_by_label("全选").check()
    assert page.locator("input[name=notice]").count() == 2
    assert all(box.is_checked() for box in page.locator("input[name=notice]").all())
