"""Demo mode as `make run` starts it: DEBUG off, its own static files, the portal's Chinese error pages."""

import http.cookiejar
import os
import re
import socket
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from archives.management.commands.serve_demo import Command, demo_server
from credit_portal import roles
from tests.factories import CustomerFactory, EventFactory, MembershipFactory, UserFactory

PASSWORD = "Demo-walk-2026"

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _free_address() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


def _database_url() -> str:
    database = connection.settings_dict
    password = f":{urllib.parse.quote(database['PASSWORD'])}" if database["PASSWORD"] else ""
    return f"postgres://{database['USER']}{password}@{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}"


@pytest.fixture
def demo(settings):
    """The demo's server against the test database, with the demo's settings (not the test settings)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL shared with the demo's server process: set DATABASE_URL=postgres://…")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment |= {"DATABASE_URL": _database_url(), "PORTAL_DEMO_MODE": "true"}
    address = _free_address()
    server = demo_server(address, environment=environment, reload=False)
    try:
        assert Command._wait_until_up(f"http://{address}/healthz", 60, server), "the demo server did not start"
        yield f"http://{address}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _get(opener, url: str) -> tuple[int, str, dict]:
    try:
        with opener.open(url, timeout=10) as answer:
            return answer.status, answer.read().decode(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def _log_in(opener, base: str, username: str) -> None:
    _status, page, _headers = _get(opener, f"{base}/accounts/login/")
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    form |= {"username": username, "password": PASSWORD}
    request = urllib.request.Request(f"{base}/accounts/login/", data=urllib.parse.urlencode(form).encode())
    with opener.open(request, timeout=10) as answer:
        assert "/accounts/login/" not in answer.url, "the demo server refused the login"


def test_the_demo_answers_an_enterprise_opening_another_enterprises_event_with_the_chinese_404(demo, settings):
    # The demo server checks passwords with the portal's own hashers, not the test settings' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = UserFactory(username="13700000009")
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=roles.APPLICANT))
    MembershipFactory(user=user, customer=CustomerFactory(name="淮阴庚包装有限公司"))
    others = EventFactory(customer=CustomerFactory(name="淮阴辛五金有限公司"), type="late_payment")
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    _log_in(opener, demo, user.username)
    status, page, _headers = _get(opener, f"{demo}/enterprise/events/{others.pk}/objection/")

    assert status == 404
    assert "没有找到您要的页面" in page
    assert "URLconf" not in page and "Page not found" not in page and "DEBUG = True" not in page
    assert "淮阴辛五金有限公司" not in page


def test_the_demo_runs_without_debug_and_serves_its_static_files_itself(demo):
    opener = urllib.request.build_opener()

    status, page, _headers = _get(opener, f"{demo}/no-such-page/")
    assert status == 404
    assert "没有找到您要的页面" in page and "URLconf" not in page
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    status, css, headers = _get(opener, f"{demo}{stylesheet}")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert ".skip-link" in css
