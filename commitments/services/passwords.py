"""Password resets of enterprise users: by an SMS code to the registered mobile, or by staff at the hall."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from archives.models import mask_phone
from archives.services.common import audited_save
from credit_portal.errors import ApplicationError
from credit_portal.signals import enterprise_message

from ..models import EnterpriseRegistration, PasswordResetCode, RegistrationStatus

CODE_WRONG = "验证码不正确或已失效，请重新获取"


def _digest(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def _registration_for(mobile: str) -> EnterpriseRegistration | None:
    mobile = (mobile or "").strip()
    return (
        EnterpriseRegistration.objects.select_related("user", "customer")
        .filter(phone=mobile, status=RegistrationStatus.CONFIRMED, user__is_active=True)
        .first()
    )


@transaction.atomic
def password_code_send(*, mobile: str) -> bool:
    """Send a 6-digit code to a confirmed enterprise user's registered mobile; False (silently) for any other
    number, so the page says the same whatever was typed."""
    registration = _registration_for(mobile)
    if registration is None:
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = settings.PASSWORD_CODE_MINUTES
    PasswordResetCode.objects.filter(user=registration.user, used_at__isnull=True).update(used_at=timezone.now())
    PasswordResetCode.objects.create(
        user=registration.user, code_hash=_digest(code), expires_at=timezone.now() + timedelta(minutes=minutes)
    )
    text = f"【淮阴供电营业部】您正在重置电力信用门户密码，验证码 {code}，{minutes} 分钟内有效。如非本人操作请忽略。"
    enterprise_message.send(
        sender=PasswordResetCode,
        kind="password_code",
        recipient=registration.phone,
        text=text,
        customer_id=registration.customer_id,
        stored_text=text.replace(code, "******"),
    )
    return True


def password_reset_with_code(*, mobile: str, code: str, password: str) -> None:
    """Set the new password if the latest code for this mobile is right, unused, in time and not over-tried.

    A wrong code counts as a try that is committed before the refusal is raised: were it written in
    the transaction the refusal rolls back, no code would ever run out of tries.
    """
    with transaction.atomic():
        registration = _registration_for(mobile)
        if registration is None:
            raise ApplicationError(CODE_WRONG, field="code")
        latest = (
            PasswordResetCode.objects.select_for_update()
            .filter(user=registration.user, used_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if latest is None or latest.tries >= settings.PASSWORD_CODE_MAX_TRIES:
            raise ApplicationError(CODE_WRONG, field="code")
        right = hmac.compare_digest(latest.code_hash, _digest((code or "").strip()))
        if right:
            _set_password(registration.user, password)
            latest.used_at = timezone.now()
            latest.save(update_fields=["used_at"])
            # A password the user chose: a temporary one from the hall, if any, is gone.
            _password_change_done(registration.user, reason="短信验证码重置密码")
        else:
            latest.tries += 1
            latest.save(update_fields=["tries"])
    if not right:
        raise ApplicationError(CODE_WRONG, field="code")


@transaction.atomic
def password_change(*, user, old_password: str, new_password: str) -> None:
    """A signed-in user replaces their password (a temporary one from the hall must be replaced so).

    The current password is checked first; the new one passes the password validators and differs
    from it. The enterprise's demand to change a temporary password is then lifted.
    """
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password or ""):
        raise ApplicationError("当前密码不正确", field="old_password")
    if new_password == old_password:
        raise ApplicationError("新密码不能与当前密码相同", field="new_password")
    _set_password(user, new_password, field="new_password")
    _password_change_done(user, reason="用户修改密码")


def _password_change_done(user, *, reason: str) -> None:
    """The user chose a password: lift the demand to replace a temporary one, in the registration's history."""
    registration = EnterpriseRegistration.objects.filter(user=user, password_change_required=True).first()
    if registration is not None:
        registration.password_change_required = False
        audited_save(registration, actor=user, reason=reason)


def password_change_required(user) -> bool:
    """Whether the user signed in with a temporary password from the hall that is still to be replaced."""
    return EnterpriseRegistration.objects.filter(user=user, password_change_required=True).exists()


def password_validated(password: str, *, user, field: str = "password") -> None:
    """The password validators' verdict (settings.AUTH_PASSWORD_VALIDATORS) as a refusal on the form's field."""
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ApplicationError("；".join(error.messages), field=field) from None


def _set_password(user, password: str, *, field: str = "password") -> None:
    password_validated(password, user=user, field=field)
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def password_reset_by_staff(*, registration: EnterpriseRegistration, actor) -> str:
    """Staff give an enterprise user a temporary password at the hall; returned once, never stored in clear.

    The user is told by SMS that the password was reset (so a reset they did not ask for is noticed).
    """
    if not actor.has_perm("commitments.confirm_enterpriseregistration"):
        raise ApplicationError("无权重置企业用户密码")
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ApplicationError("只能为已确认绑定的企业账号重置密码")
    user = get_user_model().objects.select_for_update().get(pk=registration.user_id)
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
    temporary = "".join(secrets.choice(alphabet) for _ in range(10))
    user.set_password(temporary)
    user.save(update_fields=["password"])
    registration.password_change_required = True
    audited_save(registration, actor=actor, reason="营业厅重置企业用户密码")
    enterprise_message.send(
        sender=EnterpriseRegistration,
        kind="password_reset",
        recipient=registration.phone,
        text=(
            f"【淮阴供电营业部】您的电力信用门户密码已于营业厅重置（账号 {mask_phone(registration.phone)}）。"
            "如非本人办理，请致电95598。"
        ),
        customer_id=registration.customer_id,
    )
    return temporary
