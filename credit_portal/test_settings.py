"""Test settings: fast password hashing, in-process tasks, a throw-away upload folder."""

import tempfile
from pathlib import Path

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="credit-portal-test-media-"))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
AXES_FAILURE_LIMIT = 5
DEMO_MODE = True
PERSONAL_DATA_KEYS = PERSONAL_DATA_KEYS or [DEV_PERSONAL_DATA_KEY]  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Each test process has its own cache (throttle counters, permission sets, cached figures), cleared
# between tests (tests/conftest.py), so nothing leaks between parallel runs.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
