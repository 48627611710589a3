"""An enterprise user's personal information (《个人信息保护法》): the processing notice consented to at
registration, the download of its own data, the closing of its account, and the nightly job that
keeps personal data no longer than its period."""

import hashlib
import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from axes.models import AccessLog
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from archives import services as archive_services
from archives.models import CreditEvent, Customer, FileJob, Membership
from archives.services.jobs import file_job_run
from commitments import privacy, services
from commitments.models import EnterpriseRegistration, PasswordResetCode, PrivacyConsent, RegistrationStatus
from commitments.services.accounts import ANONYMISED, DATA_EXPORT_KIND
from credit_portal.errors import ApplicationError
from credit_portal.personal_data import mask_identity
from credit_portal.retention import retention_run
from notifications.models import DirectMessage, DirectMessageStatus
from tests.factories import EventFactory, make_resident_id, make_uscc, registrant_consent

from .conftest import database_state

pytestmark = pytest.mark.django_db

PASSWORD = "Huaiyin-power-2025"
REGISTRANT_ID = registrant_consent()["id_number"]


def _form(**changes) -> dict:
    data = {
        "uscc": make_uscc(93_001), "enterprise_name": "淮阴庚纺织有限公司", "contact_person": "王五",
        "phone": "13912340077", "password": PASSWORD, "password_again": PASSWORD, **registrant_consent(),
    }  # fmt: skip
    return {**data, **changes}


def _registered(customer, staff, *, phone="13912340077"):
    registration = services.enterprise_register(**_form(uscc=customer.uscc, enterprise_name=customer.name, phone=phone))
    services.registration_confirm(registration=registration, actor=staff)
    registration.refresh_from_db()
    return registration


# --------------------------------------------------------------------------------------------
# The processing notice and the consent
# --------------------------------------------------------------------------------------------


def test_a_registration_records_the_notice_version_its_digest_and_the_time_of_consent():
    registration = services.enterprise_register(**_form())

    consent = PrivacyConsent.objects.get(user=registration.user)
    assert consent.notice_version == privacy.NOTICE_VERSION
    assert consent.notice_sha256 == hashlib.sha256(privacy.notice_text().encode()).hexdigest()
    assert abs(consent.consented_at - timezone.now()) < timedelta(minutes=1)
    audit = consent.history.get()
    assert (audit.history_user, audit.history_change_reason) == (registration.user, "同意个人信息处理告知书")
    assert (registration.id_type, str(registration.id_number)) == ("resident", mask_identity(REGISTRANT_ID))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"consent": False}, "请阅读《个人信息处理告知书》并勾选“我已阅读并同意”后再注册"),
        ({"notice_version": "0"}, "《个人信息处理告知书》已更新"),
        ({"id_number": REGISTRANT_ID[:-1] + ("1" if REGISTRANT_ID[-1] != "1" else "2")}, "校验码错误"),
        ({"id_number": ""}, "请填写注册人证件号码"),
    ],
)
def test_a_registration_without_consent_or_with_a_bad_document_is_refused_and_saves_nothing(changes, message):
    before = (database_state(), get_user_model().objects.count(), PrivacyConsent.objects.count())

    with pytest.raises(ApplicationError) as refused:
        services.enterprise_register(**_form(**changes))

    assert message in refused.value.message
    assert (database_state(), get_user_model().objects.count(), PrivacyConsent.objects.count()) == before


def test_the_registration_page_shows_the_notice_links_it_and_refuses_an_unticked_box(client):
    page = client.get(reverse("commitments:register")).content.decode()
    form = {**_form(), "consent": ""}

    response = client.post(reverse("commitments:register"), form)

    assert "个人信息处理告知书（第1版）" in page and reverse("commitments:privacy_notice") in page
    assert response.status_code == 200
    assert "请阅读《个人信息处理告知书》并勾选" in response.content.decode()
    assert not EnterpriseRegistration.objects.exists() and not get_user_model().objects.exists()


def test_the_registration_api_refuses_a_registration_without_consent(api_client):
    response = api_client.post("/api/registrations/", {**_form(), "consent": False}, format="json")

    assert response.status_code == 400
    assert "我已阅读并同意" in response.json()["errors"]["consent"][0]
    assert not EnterpriseRegistration.objects.exists()


def test_the_registration_api_answers_with_the_number_it_was_given_masked(api_client):
    response = api_client.post("/api/registrations/", _form(), format="json")

    assert response.status_code == 201
    assert response.json()["id_number"] == mask_identity(REGISTRANT_ID)
    assert REGISTRANT_ID not in response.content.decode()
    assert PrivacyConsent.objects.get().notice_version == privacy.NOTICE_VERSION


def test_the_public_notice_says_what_why_how_long_and_that_the_drc_report_has_no_identity_numbers(client, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = {**settings.PERSONAL_DATA_RETENTION_DAYS, "registration_refused": 45}

    page = client.get(reverse("commitments:privacy_notice")).content.decode()
    unknown = client.get(reverse("commitments:privacy_notice") + "?version=99")

    for said in (
        "证件类型和证件号码",
        "处理目的",
        "淮阴区发展和改革委员会",
        "不含注册人的手机号码和任何证件号码",
        "45 天",
    ):
        assert said in page
    assert unknown.status_code == 404


# --------------------------------------------------------------------------------------------
# The enterprise's own data
# --------------------------------------------------------------------------------------------


def _download(client, user) -> dict[str, bytes]:
    client.force_login(user)
    response = client.post(reverse("commitments:privacy_home"))
    job = FileJob.objects.get(created_by=user, kind=DATA_EXPORT_KIND)
    assert response.url == reverse("archives:file_job", args=[job.pk])
    assert file_job_run(job_id=job.pk) == "done"  # the worker, once the request has committed
    download = client.get(reverse("archives:file_job_download", args=[job.pk]))
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_an_enterprise_user_downloads_its_own_and_its_enterprises_data_and_nothing_of_another(
    client, staff, applicant_customer, other_customer
):
    legal_id = make_resident_id(555)
    archive_services.customer_update(
        customer=applicant_customer, actor=staff, legal_representative_id_type="resident",
        legal_representative_id_number=legal_id,
    )  # fmt: skip
    EventFactory(customer=applicant_customer, occurred_on=date(2025, 2, 3))
    EventFactory(customer=other_customer, occurred_on=date(2025, 2, 4))
    registration = _registered(applicant_customer, staff)

    files = _download(client, registration.user)

    mine = json.loads(files["my_data.json"])
    enterprise = json.loads(files["enterprise.json"])
    assert mine["registration"]["id_number"] == REGISTRANT_ID  # the user's own number, in full
    assert mine["privacy_consents"][0]["notice_version"] == privacy.NOTICE_VERSION
    assert enterprise["customer"]["uscc"] == applicant_customer.uscc
    assert enterprise["customer"]["legal_representative_id_number"] == mask_identity(legal_id)  # another person's
    assert [event["occurred_on"] for event in enterprise["events"]] == ["2025-02-03"]
    assert "notices" in enterprise and files["events.csv"].startswith("\ufeff".encode())
    everything = b"".join(files.values()).decode()
    assert other_customer.uscc not in everything and legal_id not in everything


def test_another_user_cannot_open_or_download_someone_elses_data_file(
    client, staff, applicant_customer, other_applicant
):
    registration = _registered(applicant_customer, staff)
    _download(client, registration.user)
    job = FileJob.objects.get(kind=DATA_EXPORT_KIND)
    client.force_login(other_applicant)

    assert client.get(reverse("archives:file_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("archives:file_job_download", args=[job.pk])).status_code == 404


# --------------------------------------------------------------------------------------------
# Closing one's own account
# --------------------------------------------------------------------------------------------


def test_a_wrong_password_closes_nothing(client, staff, applicant_customer):
    registration = _registered(applicant_customer, staff)
    client.force_login(registration.user)
    before = database_state()

    response = client.post(reverse("commitments:account_close"), {"password": "not-my-password", "confirm": "on"})

    assert response.status_code == 400
    assert "密码不正确，账号未注销" in response.content.decode()
    registration.refresh_from_db()
    assert (registration.user.is_active, registration.phone, registration.closed_at) == (True, "13912340077", None)
    assert database_state() == before


def test_closing_an_account_anonymises_the_person_ends_its_sessions_and_keeps_the_enterprises_archive(
    client, staff, applicant_customer
):
    event = EventFactory(customer=applicant_customer, occurred_on=date(2025, 2, 3))
    registration = _registered(applicant_customer, staff)
    user = registration.user
    elsewhere = Client()
    elsewhere.force_login(user)  # the same user signed in on another device
    client.force_login(user)

    response = client.post(reverse("commitments:account_close"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302 and response.url == reverse("login")
    user.refresh_from_db()
    registration.refresh_from_db()
    assert (user.is_active, user.has_usable_password(), user.username, user.first_name) == (
        False, False, f"closed-{user.pk}", ""
    )  # fmt: skip
    assert (registration.contact_person, registration.phone, registration.id_number) == (ANONYMISED, "", "")
    assert registration.closed_at is not None and registration.anonymised_at is not None
    assert not Membership.objects.filter(user=user).exists()
    assert registration.history.first().history_change_reason == "用户注销账号"
    # The enterprise's archive stays, with its records.
    assert Customer.objects.filter(pk=applicant_customer.pk).exists()
    assert CreditEvent.objects.filter(pk=event.pk).exists()
    # Signed out everywhere, and no way back in with the old password.
    assert elsewhere.get(reverse("commitments:enterprise_home")).status_code == 302
    signing_in = Client()
    signing_in.post(reverse("login"), {"username": "13912340077", "password": PASSWORD})
    assert "_auth_user_id" not in signing_in.session


def test_an_account_the_hall_opened_downloads_its_data_and_closes_without_a_registration(
    client, applicant, applicant_customer
):
    files = _download(client, applicant)
    client.force_login(applicant)

    client.post(reverse("commitments:account_close"), {"password": "portal-test-password", "confirm": "on"})

    assert json.loads(files["my_data.json"])["registration"] is None
    assert json.loads(files["enterprise.json"])["customer"]["uscc"] == applicant_customer.uscc
    applicant.refresh_from_db()
    assert (applicant.is_active, applicant.username) == (False, f"closed-{applicant.pk}")
    assert not Membership.objects.filter(user=applicant).exists()
    assert not FileJob.objects.filter(created_by=applicant).exists()  # the download held its personal data


def test_closing_needs_the_box_ticked(client, staff, applicant_customer):
    registration = _registered(applicant_customer, staff)
    client.force_login(registration.user)

    response = client.post(reverse("commitments:account_close"), {"password": PASSWORD})

    assert response.status_code == 400 and "请勾选确认后再注销" in response.content.decode()
    registration.user.refresh_from_db()
    assert registration.user.is_active


def test_staff_cannot_close_their_account_through_the_enterprise_page(client, staff):
    client.force_login(staff)

    response = client.post(reverse("commitments:account_close"), {"password": "portal-test-password", "confirm": "on"})

    assert response.status_code == 404
    staff.refresh_from_db()
    assert staff.is_active


# --------------------------------------------------------------------------------------------
# The nightly retention job
# --------------------------------------------------------------------------------------------


def test_the_retention_job_anonymises_what_expired_only_and_a_second_run_changes_nothing(staff, applicant_customer):
    now = timezone.now()
    refused_long_ago = services.enterprise_register(**_form(phone="13900000001", uscc=make_uscc(93_002)))
    services.registration_reject(registration=refused_long_ago, actor=staff, note="营业执照不符")
    EnterpriseRegistration.objects.filter(pk=refused_long_ago.pk).update(decided_at=now - timedelta(days=181))
    refused_lately = services.enterprise_register(**_form(phone="13900000002", uscc=make_uscc(93_003)))
    services.registration_reject(registration=refused_lately, actor=staff, note="营业执照不符")
    abandoned = services.enterprise_register(**_form(phone="13900000003", uscc=applicant_customer.uscc))
    EnterpriseRegistration.objects.filter(pk=abandoned.pk).update(created_at=now - timedelta(days=91))
    pending = services.enterprise_register(**_form(phone="13900000004", uscc=make_uscc(93_004)))
    confirmed = _registered(applicant_customer, staff, phone="13900000005")
    EnterpriseRegistration.objects.filter(pk=confirmed.pk).update(created_at=now - timedelta(days=400))
    event = EventFactory(customer=applicant_customer, occurred_on=date(2025, 2, 3))
    old_log = AccessLog.objects.create(username="13900000005", ip_address="10.0.0.1", user_agent="x")
    AccessLog.objects.filter(pk=old_log.pk).update(attempt_time=now - timedelta(days=181))
    fresh_log = AccessLog.objects.create(username="13900000005", ip_address="10.0.0.1", user_agent="x")
    code = PasswordResetCode.objects.create(user=confirmed.user, code_hash="x", expires_at=now)
    PasswordResetCode.objects.filter(pk=code.pk).update(created_at=now - timedelta(days=181))
    text = DirectMessage.objects.create(
        customer=applicant_customer, kind="password_code", recipient="13900000005", text="验证码 ******",
        status=DirectMessageStatus.SENT,
    )  # fmt: skip
    DirectMessage.objects.filter(pk=text.pk).update(created_at=now - timedelta(days=366))

    first = retention_run(now=now)
    second = retention_run(now=now)

    for registration in (refused_long_ago, abandoned):
        registration.refresh_from_db()
        assert (registration.contact_person, registration.phone, registration.id_number) == (ANONYMISED, "", "")
        assert registration.status == RegistrationStatus.REJECTED and not registration.user.is_active
        assert registration.user.username == f"closed-{registration.user.pk}"
    abandoned.refresh_from_db()
    assert "视为放弃" in abandoned.decision_note
    assert not Membership.objects.filter(user=abandoned.user).exists()
    for untouched in (refused_lately, pending, confirmed):
        untouched.refresh_from_db()
        assert untouched.anonymised_at is None and untouched.phone.startswith("139")
    assert first["registrations"] == 2 and first["login_records"] >= 1 and first["password_codes"] == 1
    assert first["message_recipients"] == 1
    assert set(second.values()) == {0}  # idempotent: nothing left to do
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [fresh_log.pk]
    assert DirectMessage.objects.get(pk=text.pk).recipient == "139****0005"
    # Credit records are the enterprise's: never touched.
    assert (
        CreditEvent.objects.filter(pk=event.pk).exists() and Customer.objects.filter(pk=applicant_customer.pk).exists()
    )


def test_the_audit_historys_copies_are_anonymised_after_the_closed_account_period(client, staff, applicant_customer):
    registration = _registered(applicant_customer, staff)
    services.account_close(user=registration.user, password=PASSWORD)
    closed_at = EnterpriseRegistration.objects.get(pk=registration.pk).anonymised_at
    with_the_person = registration.history.exclude(phone="").count()  # registered, confirmed (closing: none)

    kept = retention_run(now=closed_at + timedelta(days=1094))["registration_history"]
    history_phones = set(registration.history.values_list("phone", flat=True))
    forgotten = retention_run(now=closed_at + timedelta(days=1096))["registration_history"]

    assert kept == 0 and "13912340077" in history_phones  # kept for the audit trail's period
    assert forgotten == with_the_person == 2
    assert set(registration.history.values_list("phone", "contact_person")) == {("", ANONYMISED)}
    assert retention_run(now=closed_at + timedelta(days=1097))["registration_history"] == 0
