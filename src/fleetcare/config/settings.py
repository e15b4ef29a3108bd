"""Settings from environment variables (12-factor).

Every variable is listed in docs/deploy.md (and the README's configuration table).
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path(os.environ.get("FLEETCARE_BASE_DIR", Path.cwd()))
VAR_DIR = Path(os.environ.get("FLEETCARE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# FLEETCARE_ENV=production turns on every production safeguard (HTTPS-only cookies,
# HSTS, SSL redirect) and makes SECRET_KEY mandatory. The default, "local", is for a
# laptop or the test suite: the secret key is generated once under var/.
FLEETCARE_ENV = os.environ.get("FLEETCARE_ENV", "local")
LOCAL = FLEETCARE_ENV != "production"


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not DEBUG and not LOCAL:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off in production (FLEETCARE_ENV=production)."
        )
    # Local use: generated once and kept under var/.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "axes",
    "fleetcare.core",
    "fleetcare.organisations",
    "fleetcare.catalog",
    "fleetcare.billing",
    "fleetcare.fleet",
    "fleetcare.contracts",
    "fleetcare.daas",
    "fleetcare.support",
    "fleetcare.replacements",
    "fleetcare.reports",
    "fleetcare.licences",
    "fleetcare.portal",
    "fleetcare.webhooks",
]

MIDDLEWARE = [
    # Request id first (every log line carries it), then the probes: /healthz and /readyz
    # answer before host checks, sessions or login are involved.
    "fleetcare.core.logs.RequestIdMiddleware",
    "fleetcare.core.health.HealthCheckMiddleware",
    "fleetcare.core.health.ConcurrencyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "fleetcare.core.middleware.UserLanguageMiddleware",
    "fleetcare.core.middleware.UserTimeZoneMiddleware",
    "fleetcare.api.middleware.BodySizeLimitMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fleetcare.config.urls"
WSGI_APPLICATION = "fleetcare.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fleetcare.portal.context.navigation",
            ],
        },
    },
]
# Django's form templates, with inputs and selects written in Python (the same HTML,
# a few milliseconds less per list page with a filter form).
FORM_RENDERER = "fleetcare.core.forms_renderer.FastTemplates"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'fleetcare.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        # A kept connection is checked before a request reuses it (a database restart
        # costs one reconnect, never an error page).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
else:
    # Each test run gets its own test database, so parallel runs on one server never
    # collide (FLEETCARE_TEST_DB_NAME pins it, e.g. for processes that must share it).
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get(
            "FLEETCARE_TEST_DB_NAME", f"test_{DATABASES['default']['NAME']}_{os.getpid()}"
        )
    }
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # select_related lists join eight to ten tables: PostgreSQL's exhaustive join-order
    # search then costs 20 to 80 ms of planning for a query that runs in 1 ms. Joined in
    # the order written (the list's own table first, then each foreign key by primary
    # key) is the right plan for them; a small limit keeps planning near 1 ms.
    # DB_JOIN_COLLAPSE_LIMIT=8 restores PostgreSQL's default.
    _collapse = int(os.environ.get("DB_JOIN_COLLAPSE_LIMIT", "4"))
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (
        f"-c join_collapse_limit={_collapse} -c from_collapse_limit={_collapse} "
        + _options.get("options", "")  # the URL's own ?options= come last and win
    ).strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisations.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: a locked-out user or address is refused before the password
    # is even checked.
    "axes.backends.AxesStandaloneBackend",
    "fleetcare.organisations.backends.OrganisationModelBackend",
]
# Login throttling (django-axes): AXES_FAILURE_LIMIT wrong passwords for one username, or
# from one address, lock it out for AXES_COOLOFF_MINUTES. Each attempt is kept in the
# database (Django admin: Axes) and logged by the "axes" logger.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "fleetcare.portal.views.locked_out"
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("BEHIND_PROXY", False) else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env_bool("BEHIND_PROXY", False) else ["REMOTE_ADDR"]
)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
# One way to write a date per language, in pages and messages alike (config/formats).
FORMAT_MODULE_PATH = ["fleetcare.config.formats"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("FLEETCARE_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("FLEETCARE_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"  # never served directly: files go through permission-checked views
# Hashed, compressed static files (served by WhiteNoise from STATIC_ROOT after
# `collectstatic`): always in production, and whenever `fleetcare serve` runs (it sets
# FLEETCARE_STATIC_MANIFEST=1 and collects at start). Tests and `runserver` serve the
# app directories' files as they are.
STATIC_MANIFEST = env_bool("FLEETCARE_STATIC_MANIFEST", not DEBUG and not LOCAL)
# Uploaded and generated files go through Django's storage API: FileSystemStorage under
# MEDIA_ROOT by default; FLEETCARE_STORAGE_BACKEND (+ FLEETCARE_STORAGE_OPTIONS, JSON)
# swaps in a shared store, e.g. django-storages' "storages.backends.s3.S3Storage".
_storage_backend = os.environ.get(
    "FLEETCARE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
)
STORAGES = {
    "default": {
        "BACKEND": _storage_backend,
        "OPTIONS": json.loads(os.environ.get("FLEETCARE_STORAGE_OPTIONS") or "{}"),
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST and not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# With the manifest, WhiteNoise serves only collected files (hashed names cached forever).
WHITENOISE_USE_FINDERS = not (STATIC_MANIFEST and not DEBUG)
# API request bodies: a JSON body beyond API_MAX_BODY_MB, or an upload (multipart, e.g. a
# fleet import) beyond API_MAX_UPLOAD_MB, answers 413 problem+json without being read.
API_MAX_BODY_BYTES = int(float(os.environ.get("API_MAX_BODY_MB", "10")) * 1024 * 1024)
API_MAX_UPLOAD_BYTES = int(float(os.environ.get("API_MAX_UPLOAD_MB", "100")) * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
# A new API token lives this many days unless its creator chooses otherwise.
API_TOKEN_DEFAULT_DAYS = int(os.environ.get("API_TOKEN_DEFAULT_DAYS", "90"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security: secure by default; local HTTP development relaxes only what it must.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
_production = not DEBUG and not LOCAL
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _production)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _production)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _production)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000 if _production else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _production
SECURE_HSTS_PRELOAD = _production
# Load balancers probe over plain HTTP (and by IP): the probes never redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content security policy (django-csp 4): same-origin everything, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# E-mail: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = os.environ.get(
        "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )
# Absolute links in e-mails point here; the support queue's shared mailbox gets warnings.
FLEETCARE_BASE_URL = os.environ.get("FLEETCARE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
FLEETCARE_SUPPORT_QUEUE_EMAIL = os.environ.get(
    "FLEETCARE_SUPPORT_QUEUE_EMAIL", "support-queue@fleetcare.local"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "fleetcare <support@fleetcare.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: without a broker, tasks run in-process (eagerly).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A task is acknowledged once it has run (acks_late): a message whose worker died is
# delivered again after this many seconds (Redis; RabbitMQ redelivers at once).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
}
# Seconds to wait for the broker when queueing an import before answering 503.
FLEET_BROKER_CONNECT_TIMEOUT = float(os.environ.get("FLEET_BROKER_CONNECT_TIMEOUT", "2"))
# A running import beats its heartbeat this often; the job fleet.stale_imports marks an
# import failed once its heartbeat is older than FLEET_IMPORT_STALE_SECONDS.
FLEET_IMPORT_HEARTBEAT_SECONDS = float(os.environ.get("FLEET_IMPORT_HEARTBEAT_SECONDS", "10"))
FLEET_IMPORT_STALE_SECONDS = int(os.environ.get("FLEET_IMPORT_STALE_SECONDS", "900"))
# Limits on an inventory file (bombs are refused before they cost time or memory).
FLEET_IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("FLEET_IMPORT_MAX_UPLOAD_BYTES", 200 << 20))
# A full-inventory import that would retire more than this share of the account's active
# devices says so in its preview and needs a ticked confirmation (confirm_retire).
FLEET_IMPORT_RETIRE_WARN_SHARE = float(os.environ.get("FLEET_IMPORT_RETIRE_WARN_SHARE", "0.10"))
# Full error reports of refused imports are kept this many days (job fleet.old_error_reports).
FLEET_IMPORT_ERROR_REPORT_DAYS = int(os.environ.get("FLEET_IMPORT_ERROR_REPORT_DAYS", "30"))
FLEET_IMPORT_MAX_ROWS = int(os.environ.get("FLEET_IMPORT_MAX_ROWS", "2000000"))
FLEET_IMPORT_MAX_CELL_CHARS = int(os.environ.get("FLEET_IMPORT_MAX_CELL_CHARS", "1000"))
FLEET_IMPORT_MAX_XLSX_BYTES = int(os.environ.get("FLEET_IMPORT_MAX_XLSX_BYTES", 1 << 30))
FLEET_IMPORT_MAX_SHARED_STRINGS_BYTES = int(
    os.environ.get("FLEET_IMPORT_MAX_SHARED_STRINGS_BYTES", 128 << 20)
)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Currencies the vendor sells in: each has its own price list (R-CAT-1, R-MON-1); a
# contract or subscription is in one of them. Prices are never converted.
CURRENCIES: list[str] = [
    c.strip().upper()
    for c in os.environ.get("CURRENCIES", "USD,EUR,GBP,CAD").split(",")
    if c.strip()
]

# Webhooks: how long a receiver has to answer, and whether it may be on this machine or
# a private network (allowed locally, refused in production unless set).
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))
# The first retry's wait; each next one waits twice as long.
WEBHOOK_BACKOFF_SECONDS = float(os.environ.get("WEBHOOK_BACKOFF_SECONDS", "30"))
WEBHOOK_ALLOW_PRIVATE_HOSTS = env_bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", LOCAL)

# Billing: tax rate per customer country, in percent (a setting). The country is the
# document's account's (the customer billed), never the recipient's: a quote addressed to
# a distributor on behalf of a German customer is taxed at the German rate.
TAX_RATES: dict[str, str] = {
    "FR": "20",
    "DE": "19",
    "GB": "20",
    "US": "0",
    "CA": "5",
    "NL": "21",
    "ES": "21",
    "IT": "22",
    "BE": "21",
}
TAX_RATES.update(json.loads(os.environ.get("TAX_RATES", "{}")))

# Cache and sessions. Sessions live in the database, so any app server answers any
# request. REDIS_URL (or CACHE_URL) puts the cache in Redis, shared by every server, and
# sessions in "cached_db" (read from Redis, written through to the database).
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "fleetcare",
            "TIMEOUT": 300,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Per-process cache: nothing in fleetcare needs the cache to be shared to be right.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Load shedding: at most this many requests in flight per server process (0: no limit);
# beyond it the server answers 503 with Retry-After at once instead of queueing.
FLEETCARE_MAX_INFLIGHT = int(os.environ.get("FLEETCARE_MAX_INFLIGHT", "0"))

# Logs: plain text by default; LOG_FORMAT=json writes one JSON object per line, each
# with the request id (an incoming X-Request-ID is kept, else one is made up) and an
# access line per request (logger "fleetcare.access").
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
# Celery workers keep these logging settings under JSON logs (instead of their own format).
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "fleetcare.core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "fleetcare.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "fleetcare.access": {
            "level": os.environ.get(
                "ACCESS_LOG_LEVEL", "INFO" if LOG_FORMAT == "json" else LOG_LEVEL
            )
        }
    },
}
