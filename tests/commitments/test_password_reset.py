"""An enterprise user who forgot the password gets a code by SMS on the registered mobile; staff can
reset it at the hall. Nothing tells a visitor whether a number has an account."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from commitments import services
from notifications.models import DirectMessage

pytestmark = pytest.mark.django_db

PHONE, PASSWORD, NEW_PASSWORD = "13600000009", "Another-Pass-2025", "Brand-New-Pass-2026"


@pytest.fixture
def enterprise_user(staff, other_customer):
    registration = services.enterprise_register(
        uscc=other_customer.uscc, enterprise_name=other_customer.name, contact_person="钱七", phone=PHONE,
        password=PASSWORD, password_again=PASSWORD,
    )  # fmt: skip
    services.registration_confirm(registration=registration, actor=staff)
    return registration


def _code_sent(capsys) -> str:
    return re.findall(r"验证码 (\d{6})", capsys.readouterr().out)[-1]


def test_an_enterprise_user_resets_the_password_with_the_code_sent_to_the_registered_mobile(
    client, enterprise_user, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("commitments:password_reset"), {"phone": PHONE}, follow=True)
    code = _code_sent(capsys)
    assert "验证码已发送" in asked.content.decode()
    message = DirectMessage.objects.get(kind="password_code")
    assert message.recipient == PHONE and code not in message.text and "******" in message.text

    wrong = client.post(
        reverse("commitments:password_reset_confirm"),
        {"phone": PHONE, "code": "000000" if code != "000000" else "111111", "password": NEW_PASSWORD,
         "password_again": NEW_PASSWORD},
    )  # fmt: skip
    assert "验证码不正确" in wrong.content.decode()
    done = client.post(
        reverse("commitments:password_reset_confirm"),
        {"phone": PHONE, "code": code, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )

    assert done.status_code == 302 and done["Location"] == reverse("login")
    assert get_user_model().objects.get(username=PHONE).check_password(NEW_PASSWORD)
    again = client.post(
        reverse("commitments:password_reset_confirm"),
        {"phone": PHONE, "code": code, "password": PASSWORD, "password_again": PASSWORD},
    )
    assert "验证码不正确" in again.content.decode()  # a code works once


def test_an_unknown_number_gets_the_same_answer_and_no_message(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("commitments:password_reset"), {"phone": "13999999999"}, follow=True)

    assert "验证码已发送" in asked.content.decode()
    assert not DirectMessage.objects.exists()


@override_settings(PASSWORD_CODE_RATE_PER_MOBILE="2/h")
def test_asking_for_codes_too_often_is_throttled(client, enterprise_user):
    for _ in range(2):
        client.post(reverse("commitments:password_reset"), {"phone": PHONE})

    refused = client.post(reverse("commitments:password_reset"), {"phone": PHONE})

    assert refused.status_code == 429 and "过于频繁" in refused.content.decode()


def test_staff_reset_an_enterprise_users_password_at_the_hall(client, staff, enterprise_user):
    client.force_login(staff)

    page = client.post(reverse("commitments:registration_password_reset", args=[enterprise_user.pk]))

    temporary = re.search(r'id="temporary-password">([^<]+)<', page.content.decode()).group(1)
    assert get_user_model().objects.get(username=PHONE).check_password(temporary)
    assert enterprise_user.history.filter(history_change_reason="营业厅重置企业用户密码").exists()
