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


def registration_throttled(request: HttpRequest, *, mobile: str) -> bool:
    """Count a registration attempt from this client address for this mobile number; True once either
    has made more attempts than its rate allows (REGISTRATION_RATE_PER_ADDRESS, _PER_MOBILE)."""
    digits = re.sub(r"\D", "", mobile or "")[:20]
    by_address = is_ratelimited(
        request,
        group="register:address",
        key=lambda group, request: client_ip(request) or "unknown",
        rate=settings.REGISTRATION_RATE_PER_ADDRESS,
        increment=True,
    )
    by_mobile = bool(digits) and is_ratelimited(
        request,
        group="register:mobile",
        key=lambda group, request: digits,
        rate=settings.REGISTRATION_RATE_PER_MOBILE,
        increment=True,
    )
    return by_address or by_mobile


PASSWORD_CODE_THROTTLED = "获取验证码过于频繁，请稍后再试。如需帮助，请到营业厅办理密码重置。"


def password_code_throttled(request: HttpRequest, *, mobile: str) -> bool:
    """Count a request for a reset code from this address and for this mobile (PASSWORD_CODE_RATE_*)."""
    digits = re.sub(r"\D", "", mobile or "")[:20]
    by_address = is_ratelimited(
        request,
        group="password-code:address",
        key=lambda group, request: client_ip(request) or "unknown",
        rate=settings.PASSWORD_CODE_RATE_PER_ADDRESS,
        increment=True,
    )
    by_mobile = bool(digits) and is_ratelimited(
        request,
        group="password-code:mobile",
        key=lambda group, request: digits,
        rate=settings.PASSWORD_CODE_RATE_PER_MOBILE,
        increment=True,
    )
    return by_address or by_mobile
