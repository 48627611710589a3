"""Settings for the Power Credit Portal, all read from the environment (django-environ).

With nothing set the portal runs on its embedded default: SQLite in the project folder, Celery
tasks in-process, demo mode on. `DJANGO_ENV=production` turns on the deployment settings and
requires every secret to be given.

Over 500 lines: Django's settings are one module by convention, each setting beside the environment
variable that sets it.
"""

import base64
import binascii
import ipaddress
import os
import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"


# The published development key: the demo and the tests only, refused in production.
DEV_PERSONAL_DATA_KEY = "ZGV2LW9ubHktcGVyc29uYWwtZGF0YS1rZXktMDAwMDA="


def _is_fernet_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode())) == 32
    except (ValueError, binascii.Error):
        return False


def _refuse_half_configured_production() -> None:
    """Production never falls back to a laptop default: stop start-up with one line naming what is missing."""
    required = ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "REDIS_URL", "PERSONAL_DATA_KEYS")
    missing = [name for name in required if not env.str(name, "")]
    database_url = env.str("DATABASE_URL", "")
    if not database_url:
        missing.append("DATABASE_URL")
    problems = [f"{', '.join(missing)} must be set"] if missing else []
    if database_url and not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        problems.append(f"DATABASE_URL must name PostgreSQL (postgres://…), not {database_url.split(':', 1)[0]}")
    keys = env.list("PERSONAL_DATA_KEYS", default=[])
    if any(not _is_fernet_key(key) or key == DEV_PERSONAL_DATA_KEY for key in keys):
        problems.append("PERSONAL_DATA_KEYS must list Fernet keys (Fernet.generate_key()), not the development key")
    if problems:
        sys.exit(f"DJANGO_ENV=production refused to start: {'; '.join(problems)} (see README, Configuration).")


if PRODUCTION:
    _refuse_half_configured_production()
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-0123456789abcdefghijkl")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Demo data and the printed demo logins exist only in demo mode, never in production.
DEMO_MODE = env.bool("PORTAL_DEMO_MODE", default=not PRODUCTION)

# Identity numbers are stored encrypted (credit_portal.personal_data): Fernet keys, newest first; an older
# key stays listed until `manage.py rotate_personal_data_keys` has re-encrypted everything with the newest.
# Production refuses to start without them; the demo and the tests use the published development key.
PERSONAL_DATA_KEYS = env.list("PERSONAL_DATA_KEYS", default=[])
if not PERSONAL_DATA_KEYS and DEMO_MODE and not PRODUCTION:
    PERSONAL_DATA_KEYS = [DEV_PERSONAL_DATA_KEY]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "django_celery_beat",
    "credit_portal",
    "archives",
    "ratings",
    "commitments",
    "notifications",
    # The DRC's room (label drc): last, so that the roles are given once every app's permissions exist.
    "notifications.drc",
]

MIDDLEWARE = [
    # First: /healthz answers before host validation and the HTTPS redirect, for the container's probe.
    "credit_portal.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before static files, the session and the login: a NUL or other control character answers 400 here.
    "credit_portal.input_guard.ControlCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in pages and API answers are never stored by a cache (answers from the middlewares below too).
    "credit_portal.no_store.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A temporary password given at the hall is replaced before anything else.
    "commitments.middleware.PasswordChangeRequiredMiddleware",
    # A page form sent twice (a double click, a resend) is handled once: its one-time token is claimed.
    "credit_portal.idempotency.FormOnceMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "credit_portal.urls"
WSGI_APPLICATION = "credit_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "credit_portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A laptop demo has a web server and in-process tasks writing at once: wait, don't fail.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # The events' covering index (archives.CreditEvent, event_customer_facts) is a plain index here.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    # A connection kept across requests is checked before reuse, so a restarted PostgreSQL costs no error.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with each user's permission set in the shared cache (one round trip per request).
    "credit_portal.auth_backends.CachedPermissionsBackend",
]
PERMISSION_CACHE_SECONDS = env.int("PERMISSION_CACHE_SECONDS", default=300)
# The navigation's badge counts, shared by every staff page (credit_portal.navigation): a staff member's
# own committed change shows at once; the workers' sends and failures within this many seconds.
NAV_COUNT_SECONDS = env.int("NAV_COUNT_SECONDS", default=30)
AUTH_PASSWORD_VALIDATORS = [
    # Django's UserAttributeSimilarityValidator, also against the enterprise's USCC, name, contact and mobile.
    {"NAME": "credit_portal.passwords.EnterpriseAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 first (Django's recommendation); a hash of an older hasher is upgraded at the user's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "login"
# A form posted with a stale or missing CSRF token gets the portal's Chinese page, with a way back.
CSRF_FAILURE_VIEW = "credit_portal.views.csrf_failure"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The reverse proxies in front of the portal (addresses or networks, e.g. 127.0.0.1,10.0.0.0/8) that
# append the client's address to X-Forwarded-For: the header is read only on a request one of them
# passed on, from the right, skipping their own entries (credit_portal.client_address). Empty, as in
# development, believes only REMOTE_ADDR and never the header.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1"] if PRODUCTION else [])
# Checked here, so that a typo stops start-up instead of every login.
try:
    for _proxy in TRUSTED_PROXIES:
        ipaddress.ip_network(_proxy.strip(), strict=False)
except ValueError as error:
    sys.exit(f"TRUSTED_PROXIES refused: {error} (addresses or networks, comma-separated; see README).")
if "AXES_PROXY_COUNT" in os.environ:
    sys.exit("AXES_PROXY_COUNT is no longer read: list the proxies' addresses in TRUSTED_PROXIES (see README).")

# Login throttling: repeated failures lock the username, whatever the address they come from, and
# separately lock an address that tries many usernames. A success does not wipe the failures: with
# separate counters it would also wipe those an attacker with an account of its own ran up against
# other usernames from the same address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "credit_portal.client_address.client_ip"

# Self-registration (page and API): attempts per client address and per mobile number (django-ratelimit
# on the default cache, which must be shared between the processes in production).
REGISTRATION_RATE_PER_ADDRESS = env.str("REGISTRATION_RATE_PER_ADDRESS", default="10/h")
REGISTRATION_RATE_PER_MOBILE = env.str("REGISTRATION_RATE_PER_MOBILE", default="5/h")
# Password reset by SMS code to the registered mobile: codes per address and per mobile, code life, tries.
PASSWORD_CODE_RATE_PER_ADDRESS = env.str("PASSWORD_CODE_RATE_PER_ADDRESS", default="10/h")
PASSWORD_CODE_RATE_PER_MOBILE = env.str("PASSWORD_CODE_RATE_PER_MOBILE", default="3/h")
PASSWORD_CODE_MINUTES = env.int("PASSWORD_CODE_MINUTES", default=10)
PASSWORD_CODE_MAX_TRIES = env.int("PASSWORD_CODE_MAX_TRIES", default=5)

# One language: the portal is Simplified Chinese only, Django's own messages included, whatever the browser asks.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# Fills the gaps of Django's own zh_Hans catalogue (see locale/zh_Hans/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
FORMAT_MODULE_PATH = ["credit_portal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The demo (`make run`) runs with DEBUG off and no collectstatic: WhiteNoise serves from the finders there.
WHITENOISE_USE_FINDERS = DEBUG or (DEMO_MODE and not PRODUCTION)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploaded evidence and reports live outside any web root, under server-chosen names, and are
# served only through permission-checked views. MEDIA_URL is deliberately not routed.
PRIVATE_MEDIA_ROOT = Path(env.str("PORTAL_PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
UPLOAD_MAX_BYTES = env.int("PORTAL_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# A scan of an A4 page at 600 dpi is 35 million pixels; a photo of a phone, 12 to 50.
UPLOAD_MAX_IMAGE_PIXELS = env.int("PORTAL_UPLOAD_MAX_IMAGE_PIXELS", default=60_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
# The CJK font cut once for the PDFs (`manage.py prepare_pdf_font`; the image cuts it at build time).
PDF_FONT_DIR = Path(env.str("PORTAL_PDF_FONT_DIR", default=str(BASE_DIR / "var" / "fonts")))
IMPORT_MAX_BYTES = env.int("PORTAL_IMPORT_MAX_BYTES", default=100 * 1024 * 1024)

# Celery: without REDIS_URL the tasks run in-process (eager), so one command gives a working portal.
REDIS_URL = env.str("REDIS_URL", default="")

# The cache holds what several processes must share: the WeChat access token, rate limits, throttles.
# Redis whenever it is configured (always in production); one process's local memory on a laptop.
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
CACHES = {
    "default": (
        # An accelerator, not a dependency: an operation Redis does not answer is a miss (credit_portal.cache).
        {
            "BACKEND": "credit_portal.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "portal",
            "OPTIONS": {"RETRY_SECONDS": env.float("CACHE_RETRY_SECONDS", default=5.0)},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "credit-portal"}
    )
}
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2.0
CELERY_BEAT_SCHEDULE: dict = {
    # Every customer re-rated as of the new day (windows slide, arrears age), in CELERY_TIMEZONE.
    "nightly-rerate": {"task": "ratings.tasks.nightly_rerate_task", "schedule": crontab(hour=0, minute=30)},
    # The dashboard's figures (whole-archive aggregates) into the shared cache: pages read them from there.
    "dashboard-refresh": {"task": "ratings.tasks.dashboard_refresh_task", "schedule": 300.0},
    # Impact reports quiet for ten minutes lost a range task: their unfinished ranges are queued again.
    "impact-rerun-pending": {"task": "ratings.tasks.impact_rerun_pending_task", "schedule": 300.0},
    # Idempotency keys and form tokens are answered for IDEMPOTENCY_KEEP_HOURS, then forgotten.
    "idempotent-requests-forget": {"task": "credit_portal.tasks.idempotent_requests_forget_task", "schedule": 3600.0},
    # File jobs and imports whose worker died (lease run out), and file jobs never delivered (broker
    # down at the request): queued again (archives.services.jobs.jobs_sweep).
    "archives-jobs-sweep": {"task": "archives.tasks.jobs_sweep_task", "schedule": 60.0},
    # Records whose longest publication period has passed (公示期满): each enterprise told once, before
    # the DRC report of the day (01:00) shares them as such.
    "archives-publication-expiry": {
        "task": "archives.tasks.publication_expiry_task",
        "schedule": crontab(hour=0, minute=25),
    },
    # Measures a level in force calls that no level change opened (an optional measure switched on later):
    # opened after the nightly re-rating (00:30).
    "commitments-measures-backfill": {
        "task": "commitments.tasks.measures_backfill_task",
        "schedule": crontab(hour=1, minute=30),
    },
}
# How long personal information is kept (《个人信息保护法》 §19: no longer than the purpose needs), in days;
# the nightly job (credit_portal.tasks.personal_data_retention_task, 02:30) removes or anonymises what
# has expired. Credit records (customers, events, ratings, letters) are the enterprise's and never expire here.
PERSONAL_DATA_RETENTION_DAYS = {
    # a registration staff refused: the person's data is anonymised this long after the decision
    "registration_refused": env.int("RETENTION_REGISTRATION_REFUSED_DAYS", default=180),
    # a registration nobody confirmed (abandoned): anonymised, and its account closed, this long after it was made
    "registration_abandoned": env.int("RETENTION_REGISTRATION_ABANDONED_DAYS", default=90),
    # a closed account: its data is anonymised at once; the audit history's copies this long after
    "closed_account_history": env.int("RETENTION_CLOSED_ACCOUNT_DAYS", default=1095),
    # sign-in records (django-axes attempts and logs, expired sessions, password-reset codes): 6 months,
    # the minimum the Cybersecurity Law (网络安全法 §21) asks of network logs
    "login_logs": env.int("RETENTION_LOGIN_LOG_DAYS", default=180),
    # the log of who looked at a full identity number
    "identity_access_log": env.int("RETENTION_IDENTITY_ACCESS_LOG_DAYS", default=1095),
    # the mobile number a text (reset code, objection decision) was sent to
    "message_recipients": env.int("RETENTION_MESSAGE_RECIPIENT_DAYS", default=365),
    # the ZIP of an enterprise's own data (it holds the user's personal data): deleted after a week
    "data_downloads": env.int("RETENTION_DATA_DOWNLOAD_DAYS", default=7),
}
CELERY_BEAT_SCHEDULE["personal-data-retention"] = {
    "task": "credit_portal.tasks.personal_data_retention_task",
    "schedule": crontab(hour=2, minute=30),
}

# How long an Idempotency-Key (API) or a form's one-time token is answered with its first result.
IDEMPOTENCY_KEEP_HOURS = env.int("IDEMPOTENCY_KEEP_HOURS", default=24)

# Notifications (reminders, SMS, WeChat, notification letters). Channel backends are chosen like
# Django's e-mail backends: console by default; the HTTP SMS gateway and WeChat template messages
# with notifications.backends.sms.SmsGatewayBackend / notifications.backends.wechat.WeChatTemplateBackend.
# Measures for red/black customers that the plan does not name (ratings.consequences.MEASURES with
# plan_named=False): the utility's own choice, none switched on unless listed here.
CREDIT_OPTIONAL_MEASURES = env.list("CREDIT_OPTIONAL_MEASURES", default=[])
# A manual override that raises a level above the computed one lasts at most this many days (issue 22).
CREDIT_OVERRIDE_RAISE_MAX_DAYS = env.int("CREDIT_OVERRIDE_RAISE_MAX_DAYS", default=90)
NOTIFICATION_BACKENDS = {
    "sms": env.str("NOTIFICATION_SMS_BACKEND", default="notifications.backends.console.ConsoleBackend"),
    "wechat": env.str("NOTIFICATION_WECHAT_BACKEND", default="notifications.backends.console.ConsoleBackend"),
    "call": "notifications.backends.staff.StaffQueueBackend",
    "letter": "notifications.backends.staff.StaffQueueBackend",
}
NOTIFICATION_FILE_DIR = env.str("NOTIFICATION_FILE_DIR", default=str(BASE_DIR / "var" / "notices"))
NOTIFICATION_HTTP_PROXY = env.str("NOTIFICATION_HTTP_PROXY", default="")
NOTIFICATION_HOTLINE = env.str("NOTIFICATION_HOTLINE", default="95598")
# An objection (异议) is answered within this many working days of the official calendar (chinesecalendar).
OBJECTION_REPLY_WORKING_DAYS = env.int("OBJECTION_REPLY_WORKING_DAYS", default=10)
# How long after being told of a new record an enterprise is asked to object (the letter's 十五个工作日).
OBJECTION_WINDOW_WORKING_DAYS = env.int("OBJECTION_WINDOW_WORKING_DAYS", default=15)
# 公示期满 is told for records whose longest publication period ended within this many days: records that
# ended long before the portal began telling (the go-live) are not all texted in one night; their status
# shows on every page and in the DRC report all the same.
PUBLICATION_EXPIRY_TELL_DAYS = env.int("PUBLICATION_EXPIRY_TELL_DAYS", default=30)
# A credit-repair application (信用修复) is decided within this many working days of the official calendar.
REPAIR_DECISION_WORKING_DAYS = env.int("REPAIR_DECISION_WORKING_DAYS", default=10)
# A reminder call not answered comes back the next working day; after this many tries, a letter or SMS instead.
NOTIFICATION_CALL_ATTEMPTS = env.int("NOTIFICATION_CALL_ATTEMPTS", default=3)
# A customer's first rating: "warnings" (yellow/red/black get their reminder or letter; no honest-customer
# SMS to every archive at go-live), "all", or "none".
NOTIFICATION_ON_FIRST_RATING = env.str("NOTIFICATION_ON_FIRST_RATING", default="warnings")
NOTIFICATION_QUEUE = env.str("NOTIFICATION_QUEUE", default="")  # "" = Celery's default queue
NOTIFICATION_BATCH_SIZE = env.int("NOTIFICATION_BATCH_SIZE", default=50)
# Workers import WeasyPrint and prepare the cut PDF font at start, so the first letter is quick.
NOTIFICATION_PDF_WARM_UP = env.bool("NOTIFICATION_PDF_WARM_UP", default=True)
# A print batch is cut into this many parts rendered side by side (0 = one per core; credit_portal.pdf_parts).
PDF_BATCH_PROCESSES = env.int("PDF_BATCH_PROCESSES", default=0)
SMS_GATEWAY = {
    "URL": env.str("SMS_GATEWAY_URL", default=""),
    "API_KEY": env.str("SMS_GATEWAY_API_KEY", default=""),
    "SIGN_NAME": env.str("SMS_GATEWAY_SIGN_NAME", default="淮阴供电营业部"),
    "TEMPLATE_IDS": {
        "reminder": env.str("SMS_TEMPLATE_REMINDER", default=""),
        "letter": env.str("SMS_TEMPLATE_LETTER", default=""),
        "honest": env.str("SMS_TEMPLATE_HONEST", default=""),
        "objection": env.str("SMS_TEMPLATE_OBJECTION", default=""),
        "repair": env.str("SMS_TEMPLATE_REPAIR", default=""),
        "password_code": env.str("SMS_TEMPLATE_PASSWORD_CODE", default=""),
        "password_reset": env.str("SMS_TEMPLATE_PASSWORD_RESET", default=""),
    },
    "TIMEOUT": env.float("SMS_GATEWAY_TIMEOUT", default=10.0),
}
WECHAT_GATEWAY = {
    "BASE_URL": env.str("WECHAT_API_BASE_URL", default="https://api.weixin.qq.com"),
    "APP_ID": env.str("WECHAT_APP_ID", default=""),
    "APP_SECRET": env.str("WECHAT_APP_SECRET", default=""),
    "TEMPLATE_IDS": {
        "reminder": env.str("WECHAT_TEMPLATE_REMINDER", default=""),
        "letter": env.str("WECHAT_TEMPLATE_LETTER", default=""),
        "honest": env.str("WECHAT_TEMPLATE_HONEST", default=""),
    },
    "TIMEOUT": env.float("WECHAT_API_TIMEOUT", default=10.0),
}
# Reminders of public credit reports running out (30 days before, and on the day), before the re-rating.
CELERY_BEAT_SCHEDULE["notifications-report-expiry"] = {
    "task": "notifications.tasks.report_expiry_reminders_task",
    "schedule": crontab(hour=0, minute=20),
}
CELERY_BEAT_SCHEDULE["notifications-sweep"] = {
    "task": "notifications.tasks.notices_sweep_task",
    "schedule": env.float("NOTIFICATION_SWEEP_EVERY_SECONDS", default=60.0),
}

# The daily report to the DRC (报送, DESIGN.md "DRC report format"): built at 01:00 into a folder
# under the private storage root ("" = PRIVATE_MEDIA_ROOT/drc-reports), offered to DRC officers, and
# uploaded when a push target is set. A build holds its date for DRC_REPORT_LEASE_SECONDS at most.
DRC_REPORT_ROOT = env.str("DRC_REPORT_ROOT", default="")
DRC_REPORT_LEASE_SECONDS = env.int("DRC_REPORT_LEASE_SECONDS", default=1800)
DRC_REPORT_CHUNK_SIZE = env.int("DRC_REPORT_CHUNK_SIZE", default=5000)
DRC_REPORT_WORK_MEM_MB = env.int("DRC_REPORT_WORK_MEM_MB", default=64)  # PostgreSQL's, for the build's sorts
# 承诺受理单位 and 数据来源单位: the plan's name of the utility unless set; its code (统一社会信用代码)
# is not in the plan and must be configured.
DRC_ACCEPTING_UNIT_NAME = env.str("DRC_ACCEPTING_UNIT_NAME", default="")
DRC_ACCEPTING_UNIT_CODE = env.str("DRC_ACCEPTING_UNIT_CODE", default="")
# Push target: the zipped report is POSTed with "Authorization: Bearer <token>"; no URL, no push.
DRC_PUSH_URL = env.str("DRC_PUSH_URL", default="")
DRC_PUSH_TOKEN = env.str("DRC_PUSH_TOKEN", default="")
DRC_PUSH_TIMEOUT = env.float("DRC_PUSH_TIMEOUT", default=120.0)
CELERY_BEAT_SCHEDULE["drc-daily-report"] = {
    "task": "notifications.tasks_report.drc_report_daily_task",
    "schedule": crontab(hour=1, minute=0),  # CELERY_TIMEZONE: Asia/Shanghai
}
CELERY_BEAT_SCHEDULE["drc-report-push-sweep"] = {
    "task": "notifications.tasks_report.drc_report_push_sweep_task",
    "schedule": 600.0,
}

# Retries and back-off, in one place for every kind of work (read through credit_portal.retries):
# MAX_ATTEMPTS counts every try, the first included; the back-off before try n+1 is BACKOFF_BASE·2^(n−1)
# seconds, capped at BACKOFF_MAX, half of it random (credit_portal.retries.backoff_seconds). A worker
# holds a lease of LEASE_SECONDS on what it works on; the sweeper takes back what waited SWEEP_AFTER_SECONDS.
RETRY = {
    # A notice (SMS, WeChat) whose gateway failed: tried again per notice; a database hiccup re-runs its batch.
    "notice": {
        "MAX_ATTEMPTS": env.int("NOTIFICATION_MAX_ATTEMPTS", default=5),
        "BACKOFF_BASE": env.float("NOTIFICATION_BACKOFF_BASE", default=30.0),
        "BACKOFF_MAX": env.float("NOTIFICATION_BACKOFF_MAX", default=3600.0),
        "LEASE_SECONDS": env.int("NOTIFICATION_LEASE_SECONDS", default=300),
        "SWEEP_AFTER_SECONDS": env.int("NOTIFICATION_SWEEP_AFTER_SECONDS", default=120),
    },
    # An enterprise's text outside the notices (an objection's decision, a reset code).
    "direct_message": {"MAX_ATTEMPTS": 6, "BACKOFF_BASE": 30.0, "BACKOFF_MAX": 3600.0},
    # Background file jobs (letters to print, exports): a build holds a lease its worker renews every third
    # of it (and with each progress report); one whose lease ran out is built again from the start. A job
    # pending (or stalled) for SWEEP_AFTER_SECONDS since it was last queued is queued again.
    "file_job": {
        "MAX_ATTEMPTS": 3,
        "LEASE_SECONDS": env.int("FILE_JOB_LEASE_SECONDS", default=120),
        "SWEEP_AFTER_SECONDS": 120,
    },
    # The DRC report's build (a failed build leaves nothing behind) and its upload to the push target.
    "drc_report_build": {"MAX_ATTEMPTS": 4, "BACKOFF_BASE": 60.0, "BACKOFF_MAX": 1800.0},
    "drc_report_push": {
        "MAX_ATTEMPTS": env.int("DRC_PUSH_MAX_ATTEMPTS", default=6),
        "BACKOFF_BASE": env.float("DRC_PUSH_BACKOFF_BASE", default=60.0),
        "BACKOFF_MAX": env.float("DRC_PUSH_BACKOFF_MAX", default=3600.0),
    },
    # Publishing a task: a request that queues one after commit gives up on a dead broker in about a
    # second; the rows it wrote are the outbox, and each kind of job has a sweeper that queues again what
    # was never delivered (Celery's retry_policy).
    "publish": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
}
CELERY_TASK_PUBLISH_RETRY_POLICY = RETRY["publish"]

# The Prometheus scrape (`GET /metrics`, credit_portal.metrics) sends "Authorization: Bearer <token>".
# No token, no endpoint: /metrics answers 404 to everyone.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

REST_FRAMEWORK = {
    # Token first: its challenge makes missing or bad credentials a 401 with WWW-Authenticate, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "credit_portal.api_parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "credit_portal.pagination.PortalPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "credit_portal.api_schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "credit_portal.errors.api_exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # ISO 8601 (date.isoformat): always four-digit years, where strftime("%Y") writes 801 for 0801.
    "DATE_FORMAT": "iso-8601",
    "DATE_INPUT_FORMATS": ["%Y-%m-%d"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "电力信用门户 Power Credit Portal API",
    "DESCRIPTION": "淮阴供电营业部电力用户信用档案、评级与报送接口。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets of fields named "status" in several components: each enum named once.
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "commitments.models.ApplicationStatus",
        "ServiceRequestStatusEnum": "commitments.models.ServiceStatus",
        "RegistrationStatusEnum": "commitments.models.RegistrationStatus",
        # Two choice sets share each field name: each keeps its own name.
        "RouteEnum": "commitments.models.ApplicationRoute",
        "RepairRouteEnum": "commitments.models.RepairRoute",
        "RecommendationEnum": "commitments.models.Recommendation",
        "RepairRecommendationEnum": "commitments.models.RepairRecommendation",
        "IdentityDocumentTypeEnum": "archives.models.IDENTITY_TYPE_CHOICES",
    },
    # Every status an operation can answer is documented in one place (credit_portal.api_schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "credit_portal.api_schema.document_error_answers",
    ],
}

# Content-Security-Policy (django-csp): every script, style, font and image is the portal's own; no inline
# script or style attribute runs (the pages' behaviour is in static/portal/portal.js). A template that
# needs an inline element gives it nonce="{{ request.csp_nonce }}".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"one_line_client_errors": {"()": "credit_portal.logging.OneLineClientErrors"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["one_line_client_errors"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own default config adds a second console handler for "django" in DEBUG: one line, once.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        "kombu": {"level": "ERROR"},
    },
}
