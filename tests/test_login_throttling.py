"""Login throttling that holds: the username is locked whatever the address, an address trying many
usernames is locked, the client address is never one the client wrote, and the token endpoint is
locked like the login form."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "right-password-123"
PROXY = "10.0.0.2"
TRUSTED = ["127.0.0.1", "10.0.0.0/8"]


def _user(username: str):
    user = UserFactory(username=username)
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, username: str, password: str, **meta):
    return client.post("/accounts/login/", {"username": username, "password": password}, **meta)


def _fail_until_locked(client, username: str, **meta) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, username, "wrong", **meta)


def test_a_forged_forwarded_for_header_in_development_neither_unlocks_nor_is_recorded(client):
    _user("victim")
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "victim", "wrong", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")

    response = _login(client, "victim", PASSWORD, REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}


def test_repeated_failures_lock_the_username_whatever_the_address(client):
    _user("victim")
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "victim", "wrong", REMOTE_ADDR=f"192.0.2.{i + 1}")

    response = _login(client, "victim", PASSWORD, REMOTE_ADDR="198.51.100.50")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_one_address_trying_many_usernames_is_locked(client):
    _user("someone")
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"guess{i}", "wrong", REMOTE_ADDR="192.0.2.66")

    assert _login(client, "someone", PASSWORD, REMOTE_ADDR="192.0.2.66").status_code == 429
    assert _login(client, "someone", PASSWORD, REMOTE_ADDR="192.0.2.67").status_code == 302


def test_behind_one_proxy_a_rotating_forged_first_entry_does_not_give_a_fresh_bucket(client, settings):
    settings.TRUSTED_PROXIES = TRUSTED
    _user("someone")
    for i in range(settings.AXES_FAILURE_LIMIT):
        forged = f"198.18.0.{i}, 203.0.113.7"  # the client's own entry, then the one the proxy appended
        _login(client, f"guess{i}", "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forged)

    response = _login(client, "someone", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.18.0.99, 203.0.113.7")

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_behind_one_proxy_two_real_clients_have_their_own_buckets(client, settings):
    settings.TRUSTED_PROXIES = TRUSTED
    _user("bob")
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"guess{i}", "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")

    locked = _login(client, "bob", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    other = _login(client, "bob", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert locked.status_code == 429
    assert other.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_a_forged_forwarded_for_header_from_an_untrusted_address_is_ignored_with_proxies_configured(client, settings):
    settings.TRUSTED_PROXIES = TRUSTED
    _user("someone")
    for i in range(settings.AXES_FAILURE_LIMIT):
        # Straight to gunicorn, past the proxy: the header is the client's own invention.
        _login(client, f"guess{i}", "wrong", REMOTE_ADDR="192.0.2.77", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}, 10.0.0.3")

    response = _login(client, "someone", PASSWORD, REMOTE_ADDR="192.0.2.77", HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.77"}


def test_through_two_trusted_proxies_a_forged_left_part_yields_the_entry_the_outer_proxy_wrote(client, settings):
    settings.TRUSTED_PROXIES = TRUSTED
    _user("someone")
    for i in range(settings.AXES_FAILURE_LIMIT):
        chain = f"198.18.0.{i}, 203.0.113.7, 10.0.0.3"  # forged, the client as the outer proxy saw it, the outer proxy
        _login(client, f"guess{i}", "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain)

    response = _login(client, "someone", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.3")

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_logging_into_ones_own_account_does_not_wipe_failures_against_another(client):
    _user("victim")
    _user("attacker")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "victim", "wrong", REMOTE_ADDR="192.0.2.20")
    assert _login(client, "attacker", PASSWORD, REMOTE_ADDR="192.0.2.21").status_code == 302
    client.logout()

    _login(client, "victim", "wrong", REMOTE_ADDR="192.0.2.22")

    assert _login(client, "victim", PASSWORD, REMOTE_ADDR="192.0.2.23").status_code == 429


def test_the_token_endpoint_answers_429_once_the_username_is_locked(api_client):
    _user("victim")
    for i in range(settings.AXES_FAILURE_LIMIT):
        api_client.post("/api/token/", {"username": "victim", "password": "wrong"}, REMOTE_ADDR=f"192.0.2.{i + 1}")

    response = api_client.post(
        "/api/token/", {"username": "victim", "password": PASSWORD}, format="json", REMOTE_ADDR="198.51.100.5"
    )

    assert response.status_code == 429
    assert "登录失败次数过多" in response.json()["message"]
    assert "token" not in response.json()


def test_the_token_endpoint_counts_towards_the_login_forms_lock(client, api_client):
    _user("victim")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api_client.post("/api/token/", {"username": "victim", "password": "wrong"}, REMOTE_ADDR="192.0.2.30")

    assert _login(client, "victim", PASSWORD, REMOTE_ADDR="192.0.2.31").status_code == 429


def test_the_token_endpoint_gives_a_token_for_the_right_password(api_client):
    _user("someone")

    response = api_client.post("/api/token/", {"username": "someone", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert len(response.json()["token"]) == 40
