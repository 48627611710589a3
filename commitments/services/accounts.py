"""An enterprise user's own account: closing it (注销), and the anonymisation that closing and the
retention periods share (《个人信息保护法》 §47)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.authtoken.models import Token

from archives.models import FileJob, Membership
from archives.services.jobs import file_jobs_forget
from credit_portal import roles
from credit_portal.errors import ApplicationError

from ..models import EnterpriseRegistration, PasswordResetCode, RegistrationStatus

ANONYMISED = "（已匿名化）"
DATA_EXPORT_KIND = "enterprise_data"
# A registration's personal fields: blanked (or replaced) when it is anonymised, in its history too.
PERSONAL_FIELDS = {"contact_person": ANONYMISED, "phone": "", "id_type": "", "id_number": ""}


def _user_anonymise(user) -> None:
    """The account can no longer sign in, and nothing in it names the person; its id stays for the audit trail."""
    user.username = f"closed-{user.pk}"
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.is_active = False
    user.set_unusable_password()  # also ends every session: their hash no longer matches (Django's check)
    user.save(update_fields=["username", "first_name", "last_name", "email", "is_active", "password"])
    Token.objects.filter(user=user).delete()
    PasswordResetCode.objects.filter(user=user).delete()
    file_jobs_forget(FileJob.objects.filter(created_by=user, kind=DATA_EXPORT_KIND))


def _account_anonymise(user, *, actor, reason: str) -> None:
    _user_anonymise(user)
    membership = Membership.objects.filter(user=user).first()
    if membership is not None:
        membership._history_user = actor
        membership._change_reason = reason
        membership.delete()  # audited: simple-history records the deletion


def registration_anonymise(
    *, registration: EnterpriseRegistration, actor, reason: str, now: datetime, closed: bool = False
) -> EnterpriseRegistration:
    """Close the registration's account and replace its personal data; the enterprise's archive stays.

    The audit history keeps its copies for PERSONAL_DATA_RETENTION_DAYS["closed_account_history"]
    (`registration_history_forget`)."""
    from archives.services.common import audited_save

    _account_anonymise(registration.user, actor=actor, reason=reason)
    for field, value in PERSONAL_FIELDS.items():
        setattr(registration, field, value)
    registration.anonymised_at = now
    if closed:
        registration.closed_at = now
    audited_save(registration, actor=actor, reason=reason)
    return registration


@transaction.atomic
def account_close(*, user, password: str) -> EnterpriseRegistration | None:
    """An enterprise user closes its own account, confirming with its password: it can no longer sign in,
    its sessions and tokens end, its personal data is anonymised; its enterprise's archive stays."""
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not user.groups.filter(name=roles.APPLICANT).exists():
        raise ApplicationError("只有企业用户可以在门户中注销本人账号；工作人员账号由系统管理员停用。", field="password")
    if not password or not user.check_password(password):
        raise ApplicationError("密码不正确，账号未注销。", field="password")
    registration = EnterpriseRegistration.objects.select_for_update().filter(user=user).first()
    if registration is None:  # an account the hall opened: nothing was registered, the account itself goes
        _account_anonymise(user, actor=user, reason="用户注销账号")
        return None
    return registration_anonymise(
        registration=registration, actor=user, reason="用户注销账号", now=timezone.now(), closed=True
    )


# --------------------------------------------------------------------------------------------
# Retention steps (credit_portal.retention), registered in CommitmentsConfig.ready()
# --------------------------------------------------------------------------------------------


def registrations_expire(now: datetime) -> int:
    """Registrations refused, or never confirmed, past their period: account closed, personal data anonymised."""
    from credit_portal.retention import retention_cutoff

    refused = Q(status=RegistrationStatus.REJECTED, decided_at__lt=retention_cutoff("registration_refused", now=now))
    abandoned = Q(status=RegistrationStatus.PENDING, created_at__lt=retention_cutoff("registration_abandoned", now=now))
    done = 0
    for pk in EnterpriseRegistration.objects.filter(refused | abandoned, anonymised_at__isnull=True).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            registration = (
                EnterpriseRegistration.objects.select_for_update()
                .select_related("user")
                .filter(pk=pk, anonymised_at__isnull=True)
                .first()
            )
            if registration is None:  # another run took it meanwhile
                continue
            if registration.status == RegistrationStatus.PENDING:
                registration.status = RegistrationStatus.REJECTED
                registration.decided_at = now
                registration.decision_note = "提交后长期未确认，视为放弃注册；个人信息已按保存期限匿名化。"
                reason = "逾期未确认：匿名化"
            else:
                reason = "不予确认满保存期限：匿名化"
            registration_anonymise(registration=registration, actor=None, reason=reason, now=now)
            done += 1
    return done


def registration_history_forget(now: datetime) -> int:
    """The audit history's copies of an anonymised registration's personal data, once kept long enough."""
    from credit_portal.retention import retention_cutoff

    cutoff = retention_cutoff("closed_account_history", now=now)
    ids = EnterpriseRegistration.objects.filter(anonymised_at__lt=cutoff).values("pk")
    still_personal = ~Q(contact_person=ANONYMISED) | ~Q(phone="") | ~Q(id_number="")
    return EnterpriseRegistration.history.filter(Q(id__in=ids) & still_personal).update(**PERSONAL_FIELDS)


def password_codes_forget(now: datetime) -> int:
    from credit_portal.retention import retention_cutoff

    return PasswordResetCode.objects.filter(created_at__lt=retention_cutoff("login_logs", now=now)).delete()[0]


def data_exports_forget(now: datetime) -> int:
    """The downloads of an enterprise's own data hold personal data: deleted after a few days."""
    from credit_portal.retention import retention_cutoff

    cutoff = retention_cutoff("data_downloads", now=now)
    return file_jobs_forget(FileJob.objects.filter(kind=DATA_EXPORT_KIND, created_at__lt=cutoff))
