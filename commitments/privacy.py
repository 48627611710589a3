"""The processing notice (个人信息处理告知书) a registrant consents to: its versions and their texts.

Each version's text is one template, `commitments/privacy/notice_v<version>.html`, kept when a new
version replaces it (a consent names the version it was given to). The retention periods it states
are read from PERSONAL_DATA_RETENTION_DAYS, so the SHA-256 of the text as shown is kept with each
consent: a consent given before the settings changed can be told apart.
"""

import hashlib

from django.conf import settings
from django.template.loader import render_to_string

from credit_portal.errors import ApplicationError

from . import plan_text

NOTICE_VERSION = "1"
NOTICE_VERSIONS = ("1",)


def _template(version: str) -> str:
    if version not in NOTICE_VERSIONS:
        raise ApplicationError("没有这一版本的个人信息处理告知书", field="notice_version")
    return f"commitments/privacy/notice_v{version}.html"


def notice_context() -> dict:
    days = settings.PERSONAL_DATA_RETENTION_DAYS
    return {
        "retention": days,
        "notice_version": NOTICE_VERSION,
        "unit_name": settings.DRC_ACCEPTING_UNIT_NAME or plan_text.ACCEPTING_UNIT,
    }


def notice_text(version: str = NOTICE_VERSION) -> str:
    """The notice of this version as the registrant reads it (an HTML fragment)."""
    return render_to_string(_template(version), {**notice_context(), "notice_version": version})


def notice_sha256(version: str = NOTICE_VERSION) -> str:
    return hashlib.sha256(notice_text(version).encode()).hexdigest()
