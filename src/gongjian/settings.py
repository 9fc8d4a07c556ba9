"""One settings module, driven by the environment, with embedded defaults.

Embedded defaults: SQLite (WAL) under ``var/``, tasks in-process, local-memory cache, and keys
generated once into ``var/``. With ``GONGJIAN_PRODUCTION=1`` every key must come from the
environment and nothing is generated.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("GONGJIAN_VAR_DIR", REPO_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

PRODUCTION = os.environ.get("GONGJIAN_PRODUCTION", "") in {"1", "true", "yes"}
DEBUG = os.environ.get("GONGJIAN_DEBUG", "") in {"1", "true", "yes"}


def _key_from_env_or_var(name: str, make: object) -> str:
    """A key from the environment, else one generated once into var/ (never in production)."""
    value = os.environ.get(name)
    if value:
        return value
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} must be set when GONGJIAN_PRODUCTION=1")
    path = VAR_DIR / name.lower()
    if not path.exists():
        assert callable(make)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
    return path.read_text().strip()


SECRET_KEY = _key_from_env_or_var("GONGJIAN_SECRET_KEY", lambda: secrets.token_urlsafe(50))
# 32 bytes, base64: the AES-GCM key for personal data; the blind-index and audit keys derive from it.
GONGJIAN_PII_KEY = _key_from_env_or_var(
    "GONGJIAN_PII_KEY", lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
)

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("GONGJIAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("GONGJIAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "treebeard",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "gongjian.core",
    "gongjian.accounts",
    "gongjian.orgs",
    "gongjian.members",
    "gongjian.cobuild",
    "gongjian.lists",
    "gongjian.matching",
    "gongjian.service",
    "gongjian.appeals",
    "gongjian.honours",
    "gongjian.stats",
    "gongjian.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "gongjian.core.api.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gongjian.accounts.middleware.IdleTimeoutMiddleware",
    "gongjian.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongjian.urls"
WSGI_APPLICATION = "gongjian.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongjian.home.navigation",
                "gongjian.accounts.views.care_context",
                "gongjian.accounts.views.account_context",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'gongjian.sqlite3'}"
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("GONGJIAN_CONN_MAX_AGE", "60")))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    _db.setdefault("TEST", {})["NAME"] = os.environ.get("GONGJIAN_TEST_SQLITE", "")  # "" = in memory
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------------------------------------
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- background work ------------------------------------------------------------------------
# Long work (imports, exports, reports, matching) never runs inside a web request: `./run` starts
# a Celery worker beside the web server. Without CELERY_BROKER_URL the broker is kombu's
# filesystem transport under var/broker/ (no server to install; one machine); with it, Redis or
# RabbitMQ and as many workers as wanted. GONGJIAN_TASKS_INLINE=1 runs tasks in the caller's
# process instead (scripts; the test suite does the same for its in-process tests).
CELERY_TASK_ALWAYS_EAGER = os.environ.get("GONGJIAN_TASKS_INLINE", "") in {"1", "true", "yes"}
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    BROKER_DIR = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),
        "polling_interval": 0.5,
    }
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Daily work for `celery -A gongjian beat` (times in TIME_ZONE): the ledgers' reminders as
# notifications (the same as `gongjian reminders`), deleting expired unmasked export files, and
# every other app's daily work (`gongjian daily`: GONGJIAN_DAILY below).
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE = {
    "ledger-reminders-daily": {"task": "members.reminders", "schedule": crontab(hour=6, minute=30)},
    "job-files-expire-daily": {
        "task": "gongjian.core.job_files_expire",
        "schedule": crontab(hour=3, minute=15),
    },
    "daily": {"task": "gongjian.core.daily", "schedule": crontab(hour=6, minute=0)},
}
# The daily work of each app (`gongjian daily`, the beat task `gongjian.core.daily`): functions
# taking `today=` (or `on=`/`now=`) and returning a count; see gongjian.core.daily.
GONGJIAN_DAILY = [
    "gongjian.cobuild.services.agreements.agreements_refresh_status",
    "gongjian.cobuild.services.agreements.agreements_remind",
    "gongjian.cobuild.services.meetings.meetings_remind",
    "gongjian.lists.services.claims.demands_expire",
    "gongjian.lists.services.claims.resources_expire",
    "gongjian.service.services.activities_remind",
    "gongjian.stats.tally.repair",
    "gongjian.stats.quality.quality_run",
    "gongjian.cobuild.services.resolutions.action_items_remind",
    "gongjian.lists.services.projects.milestones_remind",
    "gongjian.core.notify.digest_send",
    "gongjian.appeals.services.working_day_calendar_warn",
    "gongjian.core.audit.audit_checkpoint",
    "gongjian.core.jobs.job_files_expire",
]
# Reminders on the clock (an activity in 30 minutes, a rating an hour after): `gongjian remind`,
# run every few minutes by beat; each message is sent once (dedupe keys).
GONGJIAN_REMIND = [
    "gongjian.service.services.activities_sequence",
    "gongjian.appeals.services.appeals_remind_due",
    "gongjian.appeals.services.appeal_handoffs_expire",
]
CELERY_BEAT_SCHEDULE["remind"] = {"task": "gongjian.core.remind", "schedule": crontab(minute="*/5")}
# A running job whose worker gave no sign of life for this long is marked failed (every minute).
GONGJIAN_JOB_HEARTBEAT_SECONDS = int(os.environ.get("GONGJIAN_JOB_HEARTBEAT_SECONDS", "20"))
GONGJIAN_JOB_STALE_SECONDS = int(os.environ.get("GONGJIAN_JOB_STALE_SECONDS", "300"))
CELERY_BEAT_SCHEDULE["jobs-mark-dead"] = {"task": "gongjian.core.jobs_mark_dead", "schedule": 60.0}
# The audit log's signed checkpoints, outside the database (see gongjian.core.audit), every hour.
CELERY_BEAT_SCHEDULE["audit-checkpoint"] = {
    "task": "gongjian.core.audit_checkpoint",
    "schedule": crontab(minute=7),
}
GONGJIAN_AUDIT_CHECKPOINTS = os.environ.get("GONGJIAN_AUDIT_CHECKPOINTS", "")

# --- text messages (notifications) ------------------------------------------------------------
# `console` (default: logged, the phone masked), `http` (JSON POST to GONGJIAN_SMS_URL with the
# bearer GONGJIAN_SMS_TOKEN), or the dotted path of a gateway class (see gongjian.core.sms).
GONGJIAN_SMS_BACKEND = os.environ.get("GONGJIAN_SMS_BACKEND", "console")
GONGJIAN_SMS_URL = os.environ.get("GONGJIAN_SMS_URL", "")
GONGJIAN_SMS_TOKEN = os.environ.get("GONGJIAN_SMS_TOKEN", "")
# Where a user's phone is: the sealed phone of the member linked to the account.
GONGJIAN_SMS_PHONES = "gongjian.members.audience.phones_for_users"

# --- e-mail (notifications) -----------------------------------------------------------------
# Embedded default: messages are printed on the console (the server's log); tests use locmem.
EMAIL_BACKEND = os.environ.get("GONGJIAN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("GONGJIAN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("GONGJIAN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("GONGJIAN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("GONGJIAN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("GONGJIAN_EMAIL_TLS", "") in {"1", "true", "yes"}
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("GONGJIAN_EMAIL_FROM", "gongjian@localhost")
# Links in e-mails point here (notifications themselves store paths inside the site).
GONGJIAN_SITE_URL = os.environ.get("GONGJIAN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Unmasked exports are kept sealed for their owner this many hours, then deleted (daily task).
GONGJIAN_CLEAR_EXPORT_HOURS = int(os.environ.get("GONGJIAN_CLEAR_EXPORT_HOURS", "24"))
# An uploaded workbook may not inflate beyond this (zip-based .xlsx/.ods; a decompression bomb is
# refused at upload, from the zip directory, before anything reads it).
GONGJIAN_IMPORT_MAX_INFLATED_BYTES = int(
    os.environ.get("GONGJIAN_IMPORT_MAX_INFLATED_BYTES", str(2 * 1024**3))
)
# Residents' appeals: count the time limits in days (general 7, complex 15) as working days of the
# State Council's calendar (copied onto each appeal when it is registered); hours run on the clock.
GONGJIAN_APPEALS_WORKING_DAYS = os.environ.get("GONGJIAN_APPEALS_WORKING_DAYS", "") in {"1", "true", "yes"}
# The monthly ranking of the appeals' rates: the fewest cases (appeals registered in the period) an
# entity needs to be ranked, and the weights of 响应率, 解决率 and 满意率 in the score ("1,1,1").
# Days after its closure a resident may reopen an appeal (the closure then counts as not solved).
GONGJIAN_APPEALS_REOPEN_DAYS = int(os.environ.get("GONGJIAN_APPEALS_REOPEN_DAYS", "7"))
# Hours the receiving organisation has to accept or return a hand-off (转办) before it goes back.
GONGJIAN_APPEALS_HANDOFF_HOURS = int(os.environ.get("GONGJIAN_APPEALS_HANDOFF_HOURS", "24"))
GONGJIAN_APPEALS_RANKING_MIN_CASES = int(os.environ.get("GONGJIAN_APPEALS_RANKING_MIN_CASES", "10"))
GONGJIAN_APPEALS_RANKING_WEIGHTS = tuple(
    float(w) for w in os.environ.get("GONGJIAN_APPEALS_RANKING_WEIGHTS", "1,1,1").split(",")
)

# --- auth and security ----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = int(os.environ.get("GONGJIAN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_LOCKOUT_CALLABLE = "gongjian.core.api.lockout_response"  # JSON under /api/, the page elsewhere
# Look-ups by ID number are reveals: per person, at most this many (DRF-style rate) …
GONGJIAN_LOOKUP_RATE = os.environ.get("GONGJIAN_LOOKUP_RATE", "20/hour")
# … and this many misses in the window are audited and told to the administrators above.
GONGJIAN_LOOKUP_MISS_ALERT = os.environ.get("GONGJIAN_LOOKUP_MISS_ALERT", "5/hour")
# API tokens: the longest a token may be made for, and how long one asked for at
# POST /api/v1/auth/token/ (without an expiry date) works.
GONGJIAN_TOKEN_MAX_DAYS = int(os.environ.get("GONGJIAN_TOKEN_MAX_DAYS", "365"))
GONGJIAN_TOKEN_DAYS = int(os.environ.get("GONGJIAN_TOKEN_DAYS", "90"))
# The largest JSON request body the API reads (bytes); larger is a 413 (files go as multipart).
GONGJIAN_API_MAX_BODY = int(os.environ.get("GONGJIAN_API_MAX_BODY", str(2 * 1024 * 1024)))
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
# A page session ends after this many minutes without a request (0: only SESSION_COOKIE_AGE).
GONGJIAN_IDLE_MINUTES = int(os.environ.get("GONGJIAN_IDLE_MINUTES", "30"))
# A second factor (TOTP, django-otp) is required of city and district administrators and the
# platform's administrators: on in production, else by GONGJIAN_2FA_REQUIRED=1. Anyone who set one
# up is asked for it at every sign-in either way.
GONGJIAN_2FA_REQUIRED = os.environ.get("GONGJIAN_2FA_REQUIRED", "1" if PRODUCTION else "") in {
    "1",
    "true",
    "yes",
}
OTP_TOTP_ISSUER = "共建 Gongjian"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"


def proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """``GONGJIAN_PROXY_SSL_HEADER``: the header the reverse proxy sets on requests that came in by
    HTTPS, as ``X-Forwarded-Proto: https`` (or ``=``); None when unset. Set it only behind a proxy
    that always sets or strips that header, or a client could claim HTTPS."""
    if not value.strip():
        return None
    name, sep, expected = value.replace("=", ":", 1).partition(":")
    if not sep or not name.strip() or not expected.strip():
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"GONGJIAN_PROXY_SSL_HEADER must read like 'X-Forwarded-Proto: https', not {value!r}"
        )
    return "HTTP_" + name.strip().upper().replace("-", "_"), expected.strip()


# Behind a reverse proxy with TLS (how every deployment runs): see README "Deployment".
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(os.environ.get("GONGJIAN_PROXY_SSL_HEADER", ""))
USE_X_FORWARDED_HOST = os.environ.get("GONGJIAN_USE_X_FORWARDED_HOST", "") in {"1", "true", "yes"}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("GONGJIAN_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("GONGJIAN_HSTS_SUBDOMAINS", "") in {"1", "true", "yes"}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: a missing or bad token answers 401 with `WWW-Authenticate: Token`, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gongjian.accounts.authentication.NamedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "gongjian.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "gongjian.core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "gongjian.core.parsers.JSONParser",
        "gongjian.core.parsers.FormParser",
        "gongjian.core.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": "10/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gongjian API",
    "DESCRIPTION": "共建 Gongjian: regional Party building. Every list is scoped to the caller's roles.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "MemberStatusEnum": "gongjian.members.models.MemberStatus",
        "ReportStatusEnum": "gongjian.members.models.ReportStatus",
        "TransferStatusEnum": "gongjian.members.models.TransferStatus",
        "LedgerCategoryEnum": "gongjian.members.models.Category",
        "ContactKindEnum": "gongjian.members.models.ContactKind",
        "AreaLevelEnum": "gongjian.orgs.models.Level",
        "AllianceLevelEnum": "gongjian.orgs.models.AllianceLevel",
        "PartyOrgKindEnum": "gongjian.orgs.models.PartyOrgKind",
        "UnitKindEnum": "gongjian.orgs.models.UnitKind",
        "AgreementStatusEnum": "gongjian.cobuild.models.AgreementStatus",
        "AgreementClauseEnum": "gongjian.cobuild.models.Clause",
        "ReviewRatingEnum": "gongjian.cobuild.models.ReviewRating",
        "CommitteeKindEnum": "gongjian.cobuild.models.CommitteeKind",
        "SeatStepEnum": "gongjian.cobuild.models.SeatStep",
        "MeetingLevelEnum": "gongjian.cobuild.models.MeetingLevel",
        "MeetingStatusEnum": "gongjian.cobuild.models.MeetingStatus",
        "AgendaSourceEnum": "gongjian.cobuild.models.AgendaSource",
        "AgendaStatusEnum": "gongjian.cobuild.models.AgendaStatus",
        "ActionStatusEnum": "gongjian.cobuild.models.ActionStatus",
        "ConsultationKindEnum": "gongjian.cobuild.models.ConsultationKind",
        "AttendanceMethodEnum": "gongjian.cobuild.models.Attendance.Method",
        "DemandKindEnum": "gongjian.lists.models.DemandKind",
        "ListCategoryEnum": "gongjian.lists.models.Category",
        "DemandSourceEnum": "gongjian.lists.models.DemandSource",
        "DemandStatusEnum": "gongjian.lists.models.DemandStatus",
        "UrgencyEnum": "gongjian.lists.models.Urgency",
        "ResourceKindEnum": "gongjian.lists.models.ResourceKind",
        "ResourceStatusEnum": "gongjian.lists.models.ResourceStatus",
        "ClaimStatusEnum": "gongjian.lists.models.ClaimStatus",
        "ProjectStatusEnum": "gongjian.lists.models.ProjectStatus",
        "ProjectRatingEnum": "gongjian.lists.models.Rating",
        "EvidenceKindEnum": "gongjian.lists.models.Evidence.Kind",
        "AppealStatusEnum": "gongjian.appeals.models.AppealStatus",
        "AppealKindEnum": "gongjian.appeals.models.AppealKind",
        "AppealChannelEnum": "gongjian.appeals.models.Channel",
        "AppealEventKindEnum": "gongjian.appeals.models.EventKind",
        "CallBackResultEnum": "gongjian.appeals.models.CallBackResult",
        "AppealRatingEnum": "gongjian.appeals.models.Rating",
        "AppealOutcomeEnum": "gongjian.appeals.models.Outcome",
        "CallBackChannelEnum": "gongjian.appeals.models.CallBackChannel",
        "ServiceSignMethodEnum": "gongjian.service.models.Method",
        "ActivityOrganiserKindEnum": "gongjian.service.models.OrganiserKind",
        "ActivityAudienceEnum": "gongjian.service.models.Audience",
        "ActivityStatusEnum": "gongjian.service.models.ActivityStatus",
    },
}

# --- logging: personal data is masked in every record ---------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "gongjian.core.logging.MaskPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_pii"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("GONGJIAN_LOG_LEVEL", "WARNING")},
}
