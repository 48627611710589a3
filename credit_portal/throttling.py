"""Throttles for what anyone may do without logging in, on the shared cache (django-ratelimit).

Each attempt counts, whether it succeeds or not: a throttle on failures alone would let a script
create accounts as fast as it likes. A throttle that cannot count (the shared cache does not answer)
fails closed: these are anonymous writes, refused with a message of their own and a log line, until
the cache answers again. Nothing a signed-in user reads is throttled.
"""

import logging
import re

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from .cache import cache_available
from .client_address import client_ip

logger = logging.getLogger(__name__)

REGISTRATION_THROTTLED = "注册尝试过于频繁，请一小时后再试。如需帮助，请联系营业厅。"
PASSWORD_CODE_THROTTLED = "获取验证码过于频繁，请稍后再试。如需帮助，请到营业厅办理密码重置。"
CANNOT_COUNT = "系统暂时无法受理此项业务，请几分钟后再试；急需办理请到营业厅。"


def _throttled(
    request: HttpRequest, *, action: str, mobile: str, per_address: str, per_mobile: str, message: str
) -> str | None:
    """Count one attempt at `action` from this client address and for this mobile number; the refusal
    to show once either has made more attempts than its rate allows, or when they cannot be counted."""
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
    if not cache_available():
        logger.warning("Throttle %s cannot count (cache unavailable): the attempt is refused", action)
        return CANNOT_COUNT
    return message if by_address or by_mobile else None


def registration_throttled(request: HttpRequest, *, mobile: str) -> str | None:
    """A registration attempt (REGISTRATION_RATE_PER_ADDRESS, _PER_MOBILE): the refusal, or None."""
    return _throttled(
        request,
        action="register",
        mobile=mobile,
        per_address=settings.REGISTRATION_RATE_PER_ADDRESS,
        per_mobile=settings.REGISTRATION_RATE_PER_MOBILE,
        message=REGISTRATION_THROTTLED,
    )


def password_code_throttled(request: HttpRequest, *, mobile: str) -> str | None:
    """A request for a password-reset code (PASSWORD_CODE_RATE_PER_ADDRESS, _PER_MOBILE): the refusal, or None."""
    return _throttled(
        request,
        action="password-code",
        mobile=mobile,
        per_address=settings.PASSWORD_CODE_RATE_PER_ADDRESS,
        per_mobile=settings.PASSWORD_CODE_RATE_PER_MOBILE,
        message=PASSWORD_CODE_THROTTLED,
    )
