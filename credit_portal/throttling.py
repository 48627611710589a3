"""Throttles for what anyone may do without logging in, on the shared cache (django-ratelimit).

Each attempt counts, whether it succeeds or not: a throttle on failures alone would let a script
create accounts as fast as it likes.
"""

import re

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from .client_address import client_ip

REGISTRATION_THROTTLED = "注册尝试过于频繁，请一小时后再试。如需帮助，请联系营业厅。"
PASSWORD_CODE_THROTTLED = "获取验证码过于频繁，请稍后再试。如需帮助，请到营业厅办理密码重置。"


def _throttled(request: HttpRequest, *, action: str, mobile: str, per_address: str, per_mobile: str) -> bool:
    """Count one attempt at `action` from this client address and for this mobile number; True once
    either has made more attempts than its rate allows."""
    digits = re.sub(r"\D", "", mobile or "")[:20]
    by_address = is_ratelimited(
        request,
        group=f"{action}:address",
        key=lambda group, request: client_ip(request) or "unknown",
        rate=per_address,
        increment=True,
    )
    by_mobile = bool(digits) and is_ratelimited(
        request, group=f"{action}:mobile", key=lambda group, request: digits, rate=per_mobile, increment=True
    )
    return by_address or by_mobile


def registration_throttled(request: HttpRequest, *, mobile: str) -> bool:
    """A registration attempt (REGISTRATION_RATE_PER_ADDRESS, _PER_MOBILE)."""
    return _throttled(
        request,
        action="register",
        mobile=mobile,
        per_address=settings.REGISTRATION_RATE_PER_ADDRESS,
        per_mobile=settings.REGISTRATION_RATE_PER_MOBILE,
    )


def password_code_throttled(request: HttpRequest, *, mobile: str) -> bool:
    """A request for a password-reset code (PASSWORD_CODE_RATE_PER_ADDRESS, _PER_MOBILE)."""
    return _throttled(
        request,
        action="password-code",
        mobile=mobile,
        per_address=settings.PASSWORD_CODE_RATE_PER_ADDRESS,
        per_mobile=settings.PASSWORD_CODE_RATE_PER_MOBILE,
    )
