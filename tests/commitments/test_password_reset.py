"""An enterprise user who forgot the password gets a code by SMS on the registered mobile; staff can
reset it at the hall. Nothing tells a visitor whether a number has an account."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from commitments import services
from credit_portal.errors import ApplicationError
from notifications.models import DirectMessage
from tests.factories import registrant_consent

pytestmark = pytest.mark.django_db

PHONE, PASSWORD, NEW_PASSWORD = "13600000009", "Another-Pass-2025", "Brand-New-Pass-2026"


@pytest.fixture
def enterprise_user(staff, other_customer):
    registration = services.enterprise_register(
        uscc=other_customer.uscc, enterprise_name=other_customer.name, contact_person="钱七", phone=PHONE,
        password=PASSWORD, password_again=PASSWORD, **registrant_consent(),
    )  # fmt: skip
    services.registration_confirm(registration=registration, actor=staff)
    registration.refresh_from_db()
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
    assert DirectMessage.objects.filter(kind="password_reset").exists()  # not the code's SMS template
    assert enterprise_user.history.filter(history_change_reason="营业厅重置企业用户密码").exists()


def _sign_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password}, follow=True)


def test_a_temporary_password_from_the_hall_must_be_changed_before_the_portal_is_used(client, staff, enterprise_user):
    temporary = services.password_reset_by_staff(registration=enterprise_user, actor=staff)
    enterprise_user.refresh_from_db()
    assert enterprise_user.password_change_required

    page = _sign_in(client, PHONE, temporary)
    assert page.redirect_chain[-1][0] == reverse("commitments:password_change")
    assert "临时密码" in page.content.decode()
    for path in (reverse("commitments:enterprise_home"), reverse("home"), "/api/customers/"):
        answer = client.get(path)
        assert answer.status_code in (302, 403)
        if answer.status_code == 302:
            assert answer["Location"] == reverse("commitments:password_change")

    changed = client.post(
        reverse("commitments:password_change"),
        {"old_password": temporary, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
        follow=True,
    )

    assert "密码已修改" in changed.content.decode()
    enterprise_user.refresh_from_db()
    assert not enterprise_user.password_change_required
    assert client.get(reverse("commitments:enterprise_home")).status_code == 200  # still signed in
    client.logout()
    assert _sign_in(client, PHONE, NEW_PASSWORD).redirect_chain[-1][0] != reverse("commitments:password_change")


@pytest.mark.parametrize(
    ("old", "new", "again", "field", "message"),
    [
        ("wrong-password", NEW_PASSWORD, NEW_PASSWORD, "old_password", "当前密码不正确"),
        (PASSWORD, NEW_PASSWORD, "Something-Else-2026", "new_password_again", "两次输入的密码不一致"),
        (PASSWORD, PASSWORD, PASSWORD, "new_password", "新密码不能与当前密码相同"),
        (PASSWORD, "123", "123", "new_password", "密码"),
    ],
)
def test_a_password_change_that_fails_says_why_and_changes_nothing(
    client, enterprise_user, old, new, again, field, message
):
    client.force_login(enterprise_user.user)

    page = client.post(
        reverse("commitments:password_change"), {"old_password": old, "new_password": new, "new_password_again": again}
    )

    assert page.status_code == 200 and message in page.context["form"].errors[field][0]
    assert get_user_model().objects.get(username=PHONE).check_password(PASSWORD)


def test_staff_change_their_own_password_too(client, staff):
    staff.set_password(PASSWORD)
    staff.save()
    client.force_login(staff)

    client.post(
        reverse("commitments:password_change"),
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )

    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)


def test_a_code_reset_lifts_the_demand_to_change_a_temporary_password(
    staff, enterprise_user, capsys, django_capture_on_commit_callbacks
):
    services.password_reset_by_staff(registration=enterprise_user, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.password_code_send(mobile=PHONE)
    code = _code_sent(capsys)

    services.password_reset_with_code(mobile=PHONE, code=code, password=NEW_PASSWORD)

    enterprise_user.refresh_from_db()
    assert not enterprise_user.password_change_required


def test_wrong_codes_use_up_the_code_so_it_cannot_be_guessed(
    enterprise_user, capsys, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_CODE_MAX_TRIES = 3
    with django_capture_on_commit_callbacks(execute=True):
        services.password_code_send(mobile=PHONE)
    code = _code_sent(capsys)
    wrong = "000000" if code != "000000" else "111111"

    for _ in range(3):
        with pytest.raises(ApplicationError, match="验证码"):
            services.password_reset_with_code(mobile=PHONE, code=wrong, password=NEW_PASSWORD)
    with pytest.raises(ApplicationError, match="验证码"):  # the right code, but its tries are used up
        services.password_reset_with_code(mobile=PHONE, code=code, password=NEW_PASSWORD)

    assert get_user_model().objects.get(username=PHONE).check_password(PASSWORD)
