"""Self-registration is throttled per client address and per mobile number, on the page and the API,
and the API does not tell an anonymous caller whether a mobile number has an account."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import make_uscc, registrant_consent

pytestmark = pytest.mark.django_db

PASSWORD = "Huaiyin-power-2025"


def _form(n: int, **changes) -> dict:
    data = {
        "uscc": make_uscc(91_000 + n),
        "enterprise_name": f"淮阴第{n}纺织有限公司",
        "contact_person": "王五",
        "phone": f"139{n:08d}",
        "password": PASSWORD,
        "password_again": PASSWORD,
        **registrant_consent(page=True),
    }
    return {**data, **changes}


def _allowed(rate: str) -> int:
    return int(rate.split("/")[0])


def test_the_registration_page_refuses_an_address_that_registers_too_often(client):
    allowed = _allowed(settings.REGISTRATION_RATE_PER_ADDRESS)
    for n in range(allowed):
        client.post(reverse("commitments:register"), _form(n), REMOTE_ADDR="192.0.2.40")
        client.logout()

    response = client.post(reverse("commitments:register"), _form(99), REMOTE_ADDR="192.0.2.40")

    assert response.status_code == 429
    assert "注册尝试过于频繁" in response.content.decode()
    assert get_user_model().objects.count() == allowed
    assert not get_user_model().objects.filter(username=_form(99)["phone"]).exists()
    other = client.post(reverse("commitments:register"), _form(98), REMOTE_ADDR="192.0.2.41")
    assert other.status_code == 302


def test_the_registration_page_refuses_a_mobile_number_tried_too_often_from_many_addresses(client):
    allowed = _allowed(settings.REGISTRATION_RATE_PER_MOBILE)
    for n in range(allowed):
        bad = _form(1, password_again="not-the-same-Password-1")
        client.post(reverse("commitments:register"), bad, REMOTE_ADDR=f"192.0.2.{50 + n}")

    response = client.post(reverse("commitments:register"), _form(1), REMOTE_ADDR="192.0.2.99")

    assert response.status_code == 429
    assert "注册尝试过于频繁" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_a_forged_forwarded_for_header_does_not_escape_the_registration_throttle(client):
    allowed = _allowed(settings.REGISTRATION_RATE_PER_ADDRESS)
    for n in range(allowed):
        client.post(
            reverse("commitments:register"), _form(n), REMOTE_ADDR="192.0.2.40", HTTP_X_FORWARDED_FOR=f"198.18.0.{n}"
        )
        client.logout()

    response = client.post(
        reverse("commitments:register"), _form(99), REMOTE_ADDR="192.0.2.40", HTTP_X_FORWARDED_FOR="198.18.1.1"
    )

    assert response.status_code == 429


def test_with_proxies_configured_a_direct_request_cannot_escape_the_throttle_with_a_forged_header(client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    allowed = _allowed(settings.REGISTRATION_RATE_PER_ADDRESS)
    for n in range(allowed):
        forged = f"198.18.0.{n}, 10.0.0.3"  # even an entry that names a trusted proxy
        client.post(reverse("commitments:register"), _form(n), REMOTE_ADDR="192.0.2.42", HTTP_X_FORWARDED_FOR=forged)
        client.logout()

    response = client.post(
        reverse("commitments:register"), _form(99), REMOTE_ADDR="192.0.2.42", HTTP_X_FORWARDED_FOR="198.18.1.1"
    )

    assert response.status_code == 429
    assert not get_user_model().objects.filter(username=_form(99)["phone"]).exists()


def test_through_a_trusted_proxy_each_client_has_its_own_registration_count(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    allowed = _allowed(settings.REGISTRATION_RATE_PER_ADDRESS)
    for n in range(allowed):
        chain = f"198.18.0.{n}, 203.0.113.8"  # a forged part, then the client as the proxy saw it
        client.post(reverse("commitments:register"), _form(n), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=chain)
        client.logout()

    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    refused = client.post(
        reverse("commitments:register"), _form(99), **proxy, HTTP_X_FORWARDED_FOR="198.18.1.1, 203.0.113.8"
    )
    other = client.post(reverse("commitments:register"), _form(98), **proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert refused.status_code == 429
    assert other.status_code == 302


def test_the_registration_api_is_throttled_with_the_same_counters(client, api_client):
    allowed = _allowed(settings.REGISTRATION_RATE_PER_ADDRESS)
    for n in range(allowed - 1):
        client.post(reverse("commitments:register"), _form(n), REMOTE_ADDR="192.0.2.60")
        client.logout()
    assert api_client.post("/api/registrations/", _form(50), format="json", REMOTE_ADDR="192.0.2.60").status_code == 201

    response = api_client.post("/api/registrations/", _form(51), format="json", REMOTE_ADDR="192.0.2.60")

    assert response.status_code == 429
    assert "注册尝试过于频繁" in response.json()["message"]
    assert not get_user_model().objects.filter(username=_form(51)["phone"]).exists()


def test_the_registration_api_does_not_tell_an_anonymous_caller_that_a_number_is_registered(api_client):
    assert api_client.post("/api/registrations/", _form(1), format="json").status_code == 201

    response = api_client.post("/api/registrations/", _form(2, phone=_form(1)["phone"]), format="json")

    assert response.status_code == 400
    assert "已注册" not in response.content.decode()
    assert _form(1)["phone"] not in response.content.decode()
