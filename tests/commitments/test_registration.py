"""Enterprise self-registration and the staff confirmation of the binding."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from archives.models import Customer, Membership
from commitments import services
from commitments.models import EnterpriseRegistration, RegistrationStatus
from credit_portal.errors import ApplicationError
from tests.factories import CustomerFactory, make_uscc, registrant_consent

from .conftest import database_state, pdf

pytestmark = pytest.mark.django_db

PASSWORD = "Huaiyin-power-2025"


def _form(**changes) -> dict:
    data = {
        "uscc": make_uscc(90_001),
        "enterprise_name": "淮阴丁纺织有限公司",
        "contact_person": "王五",
        "phone": "13912345678",
        "password": PASSWORD,
        "password_again": PASSWORD,
        **registrant_consent(),
    }
    return {**data, **changes}


def test_registration_binds_the_user_to_the_existing_customer_with_that_uscc_unconfirmed(applicant_customer):
    registration = services.enterprise_register(**_form(uscc=applicant_customer.uscc.lower()))

    user = registration.user
    assert user.username == "13912345678"
    assert user.check_password(PASSWORD)
    assert user.groups.filter(name="applicant").exists()
    membership = Membership.objects.get(user=user)
    assert membership.customer == applicant_customer
    assert membership.confirmed_at is None
    assert registration.status == RegistrationStatus.PENDING
    assert registration.created_customer is False
    assert registration.name_differs  # 淮阴丁纺织 was entered for 淮阴甲电器's code: staff will see it


def test_registration_with_an_unknown_uscc_opens_no_archive_until_staff_confirm(staff):
    uscc = make_uscc(90_002)

    registration = services.enterprise_register(**_form(uscc=uscc))

    assert not Customer.objects.filter(uscc=uscc).exists()
    assert not Membership.objects.filter(user=registration.user).exists()
    assert (registration.customer, registration.uscc, registration.created_customer) == (None, uscc, True)

    services.registration_confirm(registration=registration, actor=staff)

    customer = Customer.objects.get(uscc=uscc)
    assert (customer.name, customer.contact_person, customer.contact_phone) == (
        "淮阴丁纺织有限公司",
        "王五",
        "13912345678",
    )
    registration.refresh_from_db()
    assert registration.customer == customer
    assert customer.history.get().history_user == staff
    assert Membership.objects.get(user=registration.user, customer=customer).confirmed_at is not None


def test_an_unconfirmed_self_registration_is_in_no_staff_list_search_drc_page_report_dashboard_or_rating(
    client, staff, drc
):
    uscc = make_uscc(90_003)
    services.enterprise_register(**_form(uscc=uscc, enterprise_name="淮阴未确认注册有限公司"))

    client.force_login(staff)
    for url in (
        reverse("archives:customer_list"),
        reverse("archives:customer_list") + f"?q={uscc}",
        reverse("ratings:dashboard"),
    ):
        assert "淮阴未确认注册有限公司" not in client.get(url).content.decode(), url
    assert client.get(reverse("archives:customer_detail", args=[uscc])).status_code == 404
    # What was entered is in the registration queue, for staff to check.
    queue = client.get(reverse("commitments:registration_list")).content.decode()
    assert "淮阴未确认注册有限公司" in queue and uscc in queue and "无档案，确认后新建" in queue
    client.force_login(drc)
    assert "淮阴未确认注册有限公司" not in client.get(reverse("drc:archives") + f"?q={uscc}").content.decode()
    from ratings.models import CustomerRating

    assert not CustomerRating.objects.exists()


def test_a_binding_to_an_existing_archive_still_waits_for_staff_confirmation(client, applicant_customer):
    registration = services.enterprise_register(**_form(uscc=applicant_customer.uscc))
    client.force_login(registration.user)

    response = client.get(reverse("commitments:enterprise_home"))

    assert response.status_code == 302
    assert not Membership.objects.get(user=registration.user).confirmed


def test_several_users_may_register_for_one_enterprise(applicant_customer):
    services.enterprise_register(**_form(uscc=applicant_customer.uscc))
    services.enterprise_register(**_form(uscc=applicant_customer.uscc, phone="13700000001", contact_person="赵六"))

    assert Membership.objects.filter(customer=applicant_customer, confirmed_at__isnull=True).count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"uscc": "91320804MA1M9QX2AX"}, "uscc", "校验码错误"),
        ({"uscc": "91320804MA1M9QX2A"}, "uscc", "应为18位"),
        ({"password_again": "Huaiyin-power-2024"}, "password_again", "两次输入的密码不一致"),
        ({"password": "12345678", "password_again": "12345678"}, "password", "密码"),
        ({"phone": "0517-8499778"}, "phone", "请填写11位手机号码"),
        ({"enterprise_name": "  "}, "enterprise_name", "请填写企业名称"),
    ],
)
def test_bad_registration_input_is_refused_with_a_message_and_changes_nothing(db, changes, field, message):
    before = database_state()
    users = get_user_model().objects.count()

    with pytest.raises(ApplicationError) as error:
        services.enterprise_register(**_form(**changes))

    assert error.value.field == field
    assert message in error.value.message
    assert database_state() == before
    assert get_user_model().objects.count() == users


def test_a_phone_number_registers_only_once(db):
    services.enterprise_register(**_form())
    before = database_state()

    with pytest.raises(ApplicationError, match="无法使用该手机号注册") as error:
        services.enterprise_register(**_form(uscc=make_uscc(90_003)))

    assert "已注册" not in error.value.message
    assert database_state() == before


@pytest.mark.parametrize(
    ("password", "resembles"),
    [
        (make_uscc(90_001), "统一社会信用代码"),
        ("淮阴丁纺织有限公司", "企业名称"),
        ("淮阴丁纺织2024!", "企业名称"),
        ("王五2024.0517", "联系人姓名"),
        ("a13912345678", "手机号码"),
    ],
)
def test_a_password_resembling_the_enterprises_own_data_is_refused(db, password, resembles):
    with pytest.raises(ApplicationError) as error:
        services.enterprise_register(**_form(password=password, password_again=password))

    assert error.value.field == "password"
    assert resembles in error.value.message
    assert not get_user_model().objects.exists()


def test_a_staff_password_change_is_checked_against_the_users_enterprise(applicant):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="企业名称"):
        validate_password("淮阴甲电器888", user=applicant)


def test_the_registration_page_shows_the_reason_and_creates_no_account(client):
    response = client.post(reverse("commitments:register"), _form(uscc="91320804MA1M9QX2AX"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "统一社会信用代码“91320804MA1M9QX2AX”无效：校验码错误" in page
    assert not get_user_model().objects.filter(username="13912345678").exists()
    assert not Customer.objects.exists()


def test_the_registration_page_refuses_mismatched_passwords(client):
    response = client.post(reverse("commitments:register"), _form(password_again="another-Password-1"))

    assert "两次输入的密码不一致" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_a_registered_user_sees_no_archive_data_until_staff_confirm(client, applicant_customer):
    response = client.post(reverse("commitments:register"), _form(uscc=applicant_customer.uscc), follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    page = response.content.decode()
    assert "营业厅工作人员确认后即可查看" in page
    assert client.get(reverse("commitments:enterprise_home")).url == reverse("home")
    assert client.get(reverse("archives:customer_detail", args=[applicant_customer.uscc])).status_code == 404
    for name in ("letter_pdf", "letter_upload", "report_upload", "application_create", "service_request_create"):
        assert client.get(reverse(f"commitments:{name}")).url == reverse("home"), name
    before = database_state()
    client.post(reverse("commitments:letter_upload"), {"committed_on": "2025-06-10", "file": pdf()})
    assert database_state() == before
    assert client.get(reverse("api:customer-detail", args=[applicant_customer.uscc])).status_code == 404


def test_staff_confirm_the_binding_and_the_user_then_sees_its_enterprise(client, staff, applicant_customer):
    registration = services.enterprise_register(**_form(uscc=applicant_customer.uscc))

    services.registration_confirm(registration=registration, actor=staff)

    membership = Membership.objects.get(user=registration.user)
    assert membership.confirmed_by == staff
    assert membership.confirmed_at is not None
    registration.refresh_from_db()
    assert (registration.status, registration.decided_by) == (RegistrationStatus.CONFIRMED, staff)
    client.force_login(registration.user)
    assert client.get(reverse("home")).url == reverse("commitments:enterprise_home")
    assert applicant_customer.name in client.get(reverse("commitments:enterprise_home")).content.decode()


def test_staff_confirm_through_the_page(client, staff, applicant_customer):
    registration = services.enterprise_register(**_form(uscc=applicant_customer.uscc))
    client.force_login(staff)

    listing = client.get(reverse("commitments:registration_list")).content.decode()
    response = client.post(reverse("commitments:registration_decide", args=[registration.pk]), {"decision": "confirm"})

    assert "名称不一致" in listing
    assert response.status_code == 302
    assert Membership.objects.get(user=registration.user).confirmed


def test_refusing_a_binding_needs_a_reason_and_disables_the_account(staff, applicant_customer):
    registration = services.enterprise_register(**_form(uscc=applicant_customer.uscc))
    before = database_state()

    with pytest.raises(ApplicationError, match="请填写不予确认的理由"):
        services.registration_reject(registration=registration, actor=staff, note=" ")
    assert database_state() == before

    services.registration_reject(registration=registration, actor=staff, note="营业执照名称与代码不符")

    registration.refresh_from_db()
    registration.user.refresh_from_db()
    assert registration.status == RegistrationStatus.REJECTED
    assert registration.user.is_active is False
    assert not Membership.objects.get(user=registration.user).confirmed


def test_drc_officers_and_applicants_cannot_confirm_a_binding(drc, applicant, applicant_customer):
    registration = services.enterprise_register(**_form(uscc=applicant_customer.uscc))

    for actor in (drc, applicant):
        with pytest.raises(ApplicationError, match="只有营业厅工作人员可以确认企业账号"):
            services.registration_confirm(registration=registration, actor=actor)

    assert EnterpriseRegistration.objects.get().status == RegistrationStatus.PENDING


def test_the_other_customer_is_untouched_by_a_registration(other_customer):
    CustomerFactory()
    before = Customer.objects.filter(pk=other_customer.pk).values().get()

    services.enterprise_register(**_form(uscc=other_customer.uscc))

    assert Customer.objects.filter(pk=other_customer.pk).values().get() == before


# What an anonymous caller learns: nothing about the archive until staff confirm.

MADE_UP_NAME = "随便填写的名称有限公司"
REAL_NAME = "淮阴档案真名电器有限公司"


def _registration_answer(api_client, uscc: str, *, on_file: bool):
    """POST a registration with a made-up name, with or without an archive for the USCC; rolled back after."""
    with transaction.atomic():
        if on_file:
            CustomerFactory(uscc=uscc, name=REAL_NAME)
        response = api_client.post("/api/registrations/", _form(uscc=uscc, enterprise_name=MADE_UP_NAME), format="json")
        transaction.set_rollback(True)
    return response


def test_the_registration_api_answers_a_known_and_an_unknown_uscc_alike(api_client, time_machine):
    time_machine.move_to(datetime(2025, 6, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    uscc = make_uscc(90_020)

    known = _registration_answer(api_client, uscc, on_file=True)
    unknown = _registration_answer(api_client, uscc, on_file=False)

    assert known.status_code == unknown.status_code == 201
    assert REAL_NAME not in known.content.decode()
    body_known, body_unknown = known.json(), unknown.json()
    body_known.pop("id"), body_unknown.pop("id")
    assert body_known == body_unknown
    assert body_known["enterprise_name"] == MADE_UP_NAME
    assert not {"customer_name", "created_customer"} & set(body_known)


def test_staff_see_the_archive_a_registration_matches_when_they_review(api_client, api_client_for, staff):
    uscc = make_uscc(90_021)
    CustomerFactory(uscc=uscc, name=REAL_NAME)
    api_client.post("/api/registrations/", _form(uscc=uscc, enterprise_name=MADE_UP_NAME), format="json")

    pending = api_client_for(staff).get("/api/registrations/").json()

    rows = pending["results"] if isinstance(pending, dict) else pending
    assert [(row["customer_name"], row["enterprise_name"]) for row in rows] == [(REAL_NAME, MADE_UP_NAME)]


def test_after_registering_on_the_page_the_user_sees_what_it_entered_not_the_archives_name(client):
    uscc = make_uscc(90_022)
    CustomerFactory(uscc=uscc, name=REAL_NAME)

    response = client.post(reverse("commitments:register"), _form(uscc=uscc, enterprise_name=MADE_UP_NAME), follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("home")
    assert MADE_UP_NAME in page and uscc in page
    assert REAL_NAME not in page
