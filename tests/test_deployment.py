"""How the portal starts and answers its operators: production refuses to run half-configured,
`/healthz` tells the container whether this process can serve, and every message is Chinese."""

import os
import re
import subprocess
import sys
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.utils import translation

from credit_portal import health

COMPLETE_PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SETTINGS_MODULE": "credit_portal.settings",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-for-the-check-0123456789",
    "DJANGO_ALLOWED_HOSTS": "credit.example.cn",
    "DATABASE_URL": "postgres://portal:secret@127.0.0.1:5432/portal",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "PERSONAL_DATA_KEYS": "cHJvZHVjdGlvbi1rZXktZm9yLXRoZS1jaGVjay0wMDA=",
}


ENGINE = "print(settings.DATABASES['default']['ENGINE'])"


def _start(code: str = ENGINE, **changes: str | None) -> subprocess.CompletedProcess:
    """Import the production settings in a fresh process, as gunicorn or a worker would at start-up."""
    env = {k: v for k, v in os.environ.items() if k not in COMPLETE_PRODUCTION and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(COMPLETE_PRODUCTION)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    setup = "import django; django.setup(); from django.conf import settings; "
    return subprocess.run(
        [sys.executable, "-c", setup + code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


def test_complete_production_settings_start():
    result = _start()

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"DATABASE_URL": None}, "DATABASE_URL must be set"),
        ({"DATABASE_URL": "sqlite:////tmp/portal.sqlite3"}, "DATABASE_URL must name PostgreSQL"),
        ({"DATABASE_URL": "mysql://portal:secret@db/portal"}, "DATABASE_URL must name PostgreSQL"),
        ({"REDIS_URL": None}, "REDIS_URL must be set"),
        ({"REDIS_URL": ""}, "REDIS_URL must be set"),
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS must be set"),
        ({"PERSONAL_DATA_KEYS": None}, "PERSONAL_DATA_KEYS must be set"),
        ({"PERSONAL_DATA_KEYS": "not-a-key"}, "PERSONAL_DATA_KEYS must list Fernet keys"),
        ({"PERSONAL_DATA_KEYS": settings.DEV_PERSONAL_DATA_KEY}, "not the development key"),
    ],
)
def test_production_refuses_to_start_half_configured_with_one_line(changes, named):
    result = _start(**changes)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # one clear line, no traceback
    assert lines[0].startswith("DJANGO_ENV=production refused to start")
    assert named in lines[0]


def test_production_uses_redis_as_a_shared_cache_that_survives_an_outage_and_checks_reused_connections():
    result = _start(
        "print(settings.CACHES['default']['BACKEND']); print(settings.DATABASES['default']['CONN_HEALTH_CHECKS'])"
    )

    assert result.stdout.split() == ["credit_portal.cache.ResilientRedisCache", "True"], result.stderr


def test_healthz_answers_without_login_and_without_data(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "cache": "ok", "private_storage": "ok"},
    }
    assert response["Cache-Control"] == "no-store"


def test_healthz_answers_any_host_before_the_host_check(client, db):
    # The container's probe asks for localhost, which production's ALLOWED_HOSTS does not list.
    response = client.get("/healthz", HTTP_HOST="not-an-allowed-host.invalid")

    assert response.status_code == 200


def test_healthz_says_which_check_failed_and_answers_503(client, db, settings, tmp_path):
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("x")
    settings.PRIVATE_MEDIA_ROOT = blocked

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "ok", "cache": "ok", "private_storage": "fail"}


def test_healthz_reports_an_unreachable_broker_as_degraded_not_down(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from credit_portal.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = previous

    # Pages still serve without Redis: the container must not be restarted for it.
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["broker"] == "fail"


def test_healthz_refuses_writes(client, db):
    assert client.post("/healthz").status_code == 405


def test_health_checks_are_the_ones_the_compose_file_relies_on():
    assert list(health.CHECKS) == ["database", "broker", "cache", "private_storage"]
    assert set(health.DEGRADABLE) == {"broker", "cache"}


def test_an_english_browser_still_gets_django_messages_in_chinese(client, db):
    # Django's own validation texts (here the password-length rule) follow LANGUAGE_CODE, not the browser.
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-Hans"' in response.content.decode()
    assert "用户名" in response.content.decode()
    assert translation.get_language() in (None, "zh-hans")

    with pytest.raises(ValidationError) as refused:
        validate_password("a1b")
    assert "密码太短" in " ".join(refused.value.messages)


def _django_source_messages() -> set[str]:
    """The literal messages Django's forms, models, validators and auth pass to gettext/ngettext."""
    root = Path(django.__file__).parent
    call = re.compile(r'(?:\b_|gettext(?:_lazy)?|ngettext(?:_lazy)?)\(\s*((?:"[^"]*"\s*)+)')
    found = set()
    for folder in ("core", "forms", "db", "contrib/auth"):
        for path in (root / folder).rglob("*.py"):
            for match in call.finditer(path.read_text(encoding="utf-8")):
                found.add("".join(re.findall(r'"([^"]*)"', match.group(1))))
    return found - {""}


def test_every_django_message_a_user_can_meet_has_a_chinese_translation():
    catalog = translation.trans_real.translation("zh-hans")._catalog
    translated = {key[0] if isinstance(key, tuple) else key for key, _ in catalog.items()}

    missing = sorted(message for message in _django_source_messages() if message not in translated)

    assert missing == [], "add them to locale/zh_Hans/LC_MESSAGES/django.po and compile it"


def test_the_portal_offers_one_language():
    assert settings.LANGUAGES == [("zh-hans", "简体中文")]
    assert "django.middleware.locale.LocaleMiddleware" not in settings.MIDDLEWARE


def test_production_trusts_only_the_local_proxy_by_default_and_reads_the_list_from_the_environment():
    assert _start("print(settings.TRUSTED_PROXIES)").stdout.strip() == "['127.0.0.1']"
    listed = _start("print(settings.TRUSTED_PROXIES)", TRUSTED_PROXIES="127.0.0.1,10.0.0.0/8")
    assert listed.stdout.strip() == "['127.0.0.1', '10.0.0.0/8']", listed.stderr


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"TRUSTED_PROXIES": "127.0.0.1,proxy.example.cn"}, "TRUSTED_PROXIES refused"),
        ({"AXES_PROXY_COUNT": "1"}, "AXES_PROXY_COUNT is no longer read"),
    ],
)
def test_a_wrong_proxy_setting_stops_start_up_with_one_line(changes, named):
    result = _start(**changes)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()], result.stderr
    assert named in result.stderr


def test_gunicorn_listens_on_the_loopback_unless_told_otherwise(monkeypatch):
    import runpy

    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    assert runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))["bind"] == "127.0.0.1:8000"
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:8000")
    assert runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))["bind"] == "0.0.0.0:8000"
