"""Login throttling, deployment settings and the role groups."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from credit_portal import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_role_group_exists_with_exactly_its_permissions():
    for role, codes in roles.ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert granted == set(codes), role


# The DRC reads everything it is shown and writes only what the plan gives it (§三(四)): each entry
# here is a write the DRC officer makes in its own name, never a change to the utility's records.
DRC_WRITES = {
    # The 江苏省法人公共信用信息查询报告 the DRC issues for an enterprise; staff still verify it.
    "commitments.upload_report_for_enterprise",
    # A commendation (表彰评优) added to an archive, audited as the DRC's; never other credit information.
    "archives.record_commendation",
}


def test_drc_officers_hold_no_write_permission_on_the_utilitys_records():
    drc = Group.objects.get(name=roles.DRC)
    writes = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in drc.permissions.exclude(codename__startswith="view_").select_related("content_type")
    }
    assert writes == DRC_WRITES


def test_login_is_locked_after_repeated_failures(client):
    UserFactory(username="victim").set_password("right-password-123")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "victim", "password": "wrong"}, REMOTE_ADDR="10.0.0.8")

    response = client.post(
        "/accounts/login/", {"username": "victim", "password": "right-password-123"}, REMOTE_ADDR="10.0.0.8"
    )

    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_login_page_is_in_simplified_chinese(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert 'lang="zh-Hans"' in response.content.decode()
    assert "用户名" in response.content.decode()


def _production_env(**extra: str) -> dict[str, str]:
    # The browser tests allow async-unsafe calls in this process; a real deployment never does.
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SECRET_KEY")}
    return {**env, "DJANGO_SETTINGS_MODULE": "credit_portal.settings", "DJANGO_ENV": "production", **extra}


def test_production_settings_pass_the_deployment_check(tmp_path):
    env = _production_env(
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-for-the-check-0123456789",
        DJANGO_ALLOWED_HOSTS="credit.example.cn",
        DATABASE_URL="postgres://portal:secret@127.0.0.1:5432/portal",
        REDIS_URL="redis://127.0.0.1:6379/0",
        PERSONAL_DATA_KEYS="cHJvZHVjdGlvbi1rZXktZm9yLXRoZS1jaGVjay0wMDA=",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = _production_env(
        DJANGO_ALLOWED_HOSTS="x", DATABASE_URL="postgres://portal:secret@127.0.0.1:5432/portal", REDIS_URL="redis://r"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_seed_demo_is_refused_outside_demo_mode(settings):
    from django.core.management import CommandError, call_command

    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="演示模式"):
        call_command("seed_demo")
    assert not Group.objects.get(name=roles.STAFF).user_set.exists()


def test_passwords_are_hashed_with_argon2_in_production():
    from credit_portal import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_an_older_hash_is_upgraded_to_argon2_at_the_next_login(client, settings):
    from django.contrib.auth.hashers import make_password

    from credit_portal import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = UserFactory(username="old-hash")
    user.password = make_password("right-password-123", hasher="pbkdf2_sha256")
    user.save()

    response = client.post("/accounts/login/", {"username": "old-hash", "password": "right-password-123"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password("right-password-123")


def test_pages_answer_with_a_strict_content_security_policy(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]

    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "http" not in policy


# Rendered to PDF by WeasyPrint, never served to a browser: their <style> needs no nonce.
PDF_TEMPLATES = {"letter.html", "letter_pdf.html"}
INLINE = re.compile(r"""\sstyle=["']|\son[a-z]+=["']|<script(?![^>]*\ssrc=)|javascript:""", re.IGNORECASE)


def test_no_served_template_holds_an_inline_script_style_attribute_or_event_handler():
    roots = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
    offending = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)!r}"
        for root in roots
        for path in root.rglob("*.html")
        if path.name not in PDF_TEMPLATES
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]

    assert not offending, "\n".join(offending)
