import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from archives.models import Customer, Membership
from archives.services import customer_create
from archives.services.common import audited_save
from archives.validation import check_plain_text, normalize_identity, normalize_uscc
from credit_portal import roles
from credit_portal.errors import ApplicationError

from .. import privacy
from ..models import EnterpriseRegistration, PrivacyConsent, RegistrationStatus
from .passwords import password_validated

MOBILE_PHONE = re.compile(r"^1[3-9]\d{9}$")
PHONE_NOT_AVAILABLE = "无法使用该手机号注册。如您此前已用它注册，请直接登录；否则请核对号码或联系营业厅。"
CONSENT_MISSING = "请阅读《个人信息处理告知书》并勾选“我已阅读并同意”后再注册；未同意的，我们不收集您的任何信息。"
NOTICE_CHANGED = "《个人信息处理告知书》已更新，请重新阅读最新版本后再勾选同意。"


def _check_consent(*, consent: bool, notice_version: str) -> None:
    """Nothing is collected before the registrant agrees to the version of the notice in force."""
    if consent is not True:
        raise ApplicationError(CONSENT_MISSING, field="consent")
    if notice_version != privacy.NOTICE_VERSION:
        raise ApplicationError(NOTICE_CHANGED, field="consent")


def _clean_registration(*, enterprise_name: str, contact_person: str, phone: str) -> tuple[str, str, str]:
    enterprise_name = (enterprise_name or "").strip()
    contact_person = (contact_person or "").strip()
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    if not enterprise_name:
        raise ApplicationError("请填写企业名称", field="enterprise_name")
    if not contact_person:
        raise ApplicationError("请填写联系人", field="contact_person")
    check_plain_text(enterprise_name, field="enterprise_name", label="企业名称")
    check_plain_text(contact_person, field="contact_person", label="联系人")
    if not MOBILE_PHONE.match(phone):
        raise ApplicationError("请填写11位手机号码（登录时用作用户名）", field="phone")
    return enterprise_name, contact_person, phone


def _check_password(*, password: str, password_again: str, user) -> None:
    if not password:
        raise ApplicationError("请设置密码", field="password")
    if password != password_again:
        raise ApplicationError("两次输入的密码不一致", field="password_again")
    password_validated(password, user=user)


@transaction.atomic
def enterprise_register(
    *, uscc: str, enterprise_name: str, contact_person: str, phone: str, password: str, password_again: str,
    id_type: str, id_number: str, consent: bool, notice_version: str,
) -> EnterpriseRegistration:  # fmt: skip
    """Create an enterprise user (login name: the mobile phone) bound, unconfirmed, to the customer with
    that USCC, once it has consented to the processing notice (the version and time recorded).
    Without such a customer no archive is opened: staff open it when they confirm."""
    _check_consent(consent=consent, notice_version=notice_version)
    uscc = normalize_uscc(uscc)
    enterprise_name, contact_person, phone = _clean_registration(
        enterprise_name=enterprise_name, contact_person=contact_person, phone=phone
    )
    id_type, id_number = normalize_identity(id_type, id_number, label="注册人证件号码")
    User = get_user_model()
    user = User(username=phone, first_name=contact_person)
    # Read by credit_portal.passwords: the password must not resemble the enterprise's own data.
    user.enterprise_attributes = {
        "uscc": uscc, "enterprise_name": enterprise_name, "contact_person": contact_person, "mobile": phone,
    }  # fmt: skip
    _check_password(password=password, password_again=password_again, user=user)
    if User.objects.filter(username=phone).exists():
        # Worded so that an anonymous caller is not told whether the number has an account.
        raise ApplicationError(PHONE_NOT_AVAILABLE, field="phone")
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=roles.APPLICANT))

    # No archive is opened here: what was entered waits in the registration until staff confirm it.
    customer = Customer.objects.filter(uscc=uscc).first()
    if customer is not None:
        audited_save(Membership(user=user, customer=customer), actor=user, reason="企业用户注册")
    registration = EnterpriseRegistration(
        user=user, customer=customer, uscc=uscc, enterprise_name=enterprise_name, contact_person=contact_person,
        phone=phone, id_type=id_type, id_number=id_number, created_customer=customer is None,
    )  # fmt: skip
    audited_save(registration, actor=user, reason="企业用户注册")
    consent_record = PrivacyConsent(
        user=user, notice_version=notice_version, notice_sha256=privacy.notice_sha256(notice_version),
        consented_at=timezone.now(),
    )  # fmt: skip
    audited_save(consent_record, actor=user, reason="同意个人信息处理告知书")
    return registration


def _pending(registration: EnterpriseRegistration, *, actor) -> EnterpriseRegistration:
    if not actor.has_perm("commitments.confirm_enterpriseregistration"):
        raise ApplicationError("只有营业厅工作人员可以确认企业账号", field="registration")
    registration = EnterpriseRegistration.objects.select_for_update().select_related("user").get(pk=registration.pk)
    if registration.status != RegistrationStatus.PENDING:
        raise ApplicationError("该注册已处理", field="registration")
    return registration


@transaction.atomic
def registration_confirm(*, registration: EnterpriseRegistration, actor) -> EnterpriseRegistration:
    """Confirm that the user acts for the enterprise: from now on it sees the enterprise's archive."""
    registration = _pending(registration, actor=actor)
    now = timezone.now()
    membership = Membership.objects.select_for_update().filter(user=registration.user).first()
    if membership is None:
        # Open the archive now, from what was entered; one opened meanwhile for this USCC is bound to instead.
        customer = Customer.objects.filter(uscc=registration.uscc).first() or customer_create(
            actor=actor, uscc=registration.uscc, name=registration.enterprise_name,
            contact_person=registration.contact_person, contact_phone=registration.phone,
        )  # fmt: skip
        registration.customer = customer
        membership = Membership(user=registration.user, customer=customer)
    membership.confirmed_at = now
    membership.confirmed_by = actor
    audited_save(membership, actor=actor, reason="确认企业账号绑定")
    registration.status = RegistrationStatus.CONFIRMED
    registration.decided_by = actor
    registration.decided_at = now
    audited_save(registration, actor=actor, reason="确认企业账号绑定")
    return registration


@transaction.atomic
def registration_reject(*, registration: EnterpriseRegistration, actor, note: str) -> EnterpriseRegistration:
    """Refuse the binding with a reason; the account is disabled and never sees the archive."""
    registration = _pending(registration, actor=actor)
    note = (note or "").strip()
    if not note:
        raise ApplicationError("请填写不予确认的理由", field="note")
    user = registration.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    registration.status = RegistrationStatus.REJECTED
    registration.decided_by = actor
    registration.decided_at = timezone.now()
    registration.decision_note = note
    audited_save(registration, actor=actor, reason="不予确认企业账号绑定")
    return registration
