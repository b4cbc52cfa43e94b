"""Fieldcast settings: every value read from the environment (through config/env.py).

The defaults are the embedded setup (SQLite, local media folder, database task
queue, database cache) so that `make run` works on a fresh machine. Every
variable read here is listed in the README's "Configuration" table.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent


TESTING = "pytest" in sys.modules or env_bool("FIELDCAST_TESTING")
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"  # noqa: S105 (DEBUG/tests only)

DATA_DIR = Path(env_str("FIELDCAST_DATA_DIR", str(BASE_DIR / "var")))
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Fieldcast")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
if TESTING:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "fieldcast.core",
    "fieldcast.accounts",
    "fieldcast.geo",
    "fieldcast.items",
    "fieldcast.channels",
    "fieldcast.moderation",
    "fieldcast.community",
    "fieldcast.pages",
    "fieldcast.media",
    "fieldcast.player",
    "fieldcast.notifications",
    "fieldcast.discovery",
    "fieldcast.provenance",
    "fieldcast.demo",
]

MIDDLEWARE = [
    # /healthz, /readyz and /metrics first: no HTTPS redirect, Host check, session or MFA for probes.
    "fieldcast.core.health.OpsEndpointsMiddleware",
    "fieldcast.core.request_id.RequestIdMiddleware",
    "fieldcast.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Stores guest pages only after the middleware below had their say (no cookie set).
    "fieldcast.core.pagecache.GuestPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "fieldcast.accounts.mfa.StaffMFAMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fieldcast.moderation.middleware.ViewerMiddleware",
    "fieldcast.core.middleware.SecurityHeadersMiddleware",
    "fieldcast.api.middleware.ApiMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fieldcast" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fieldcast.core.context_processors.site",
                "fieldcast.notifications.context_processors.notifications",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# SQLite (embedded default): WAL through init_command, IMMEDIATE transactions so
# writers queue on the busy timeout instead of failing with "database is locked".
SQLITE_OPTIONS = {
    "init_command": (
        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=10000;PRAGMA foreign_keys=ON;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'fieldcast.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {**SQLITE_OPTIONS, **_db.get("OPTIONS", {})}
    # Tests use a file too: an in-memory database uses table locks that ignore the busy
    # timeout, so concurrency tests would measure a setup no deployment has.
    # One file per test process, so that two runs in one checkout never share it.
    _db["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME", str(DATA_DIR / f"test-fieldcast-{os.getpid()}.sqlite3"))}
else:
    _db["CONN_HEALTH_CHECKS"] = True
    if env_str("DATABASE_TEST_NAME"):  # two runs against one server need two test databases
        _db["TEST"] = {"NAME": env_str("DATABASE_TEST_NAME")}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, sessions at scale) -----------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and TESTING and os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw"):
    # Parallel test workers (pytest -n) each get their own Redis database, since tests flush
    # theirs: worker gwN uses the configured database + 1 + N.
    from urllib.parse import urlsplit, urlunsplit

    _parts = urlsplit(REDIS_URL)
    _base_db = int(_parts.path.strip("/") or 0)
    _worker = int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw"))
    REDIS_URL = urlunsplit(_parts._replace(path=f"/{_base_db + 1 + _worker}"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "fieldcast"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "fieldcast_cache",
        }
    }

# --- Background work ------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "media"],
    }
}

# --- Accounts -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing cost is not under test; it would dominate the suite's time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
# "optional": members sign in and take part before verifying; a verified address is
# needed to be marked trusted and to turn on two-factor authentication.
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_ADAPTER = "fieldcast.accounts.adapter.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "fieldcast.accounts.forms.SignupForm"
ACCOUNT_FORMS = {"login": "fieldcast.accounts.allauth_forms.LoginForm"}
# One address per member, changed through a verified new one; mails on security changes.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
# allauth's rate format: "<count>/<period>/<ip|key|user>", several separated by commas.
SIGNUP_RATE_LIMIT = env_str("SIGNUP_RATE_LIMIT", "10/h/ip")
ACCOUNT_RATE_LIMITS = {"signup": SIGNUP_RATE_LIMIT} | ({} if TESTING else {"login_failed": "10/m/ip,5/5m/key"})
# Two-factor authentication (allauth.mfa): an authenticator app and recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# Staff and moderators must set up 2FA before /admin/ and /moderation/ (accounts/mfa.py).
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", not DEBUG and not TESTING)
# Profile pictures: refused above these sizes before any pixel is decoded.
AVATAR_MAX_BYTES = env_int("AVATAR_MAX_BYTES", 8 * 1024 * 1024)
AVATAR_MAX_PIXELS = env_int("AVATAR_MAX_PIXELS", 40_000_000)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Fieldcast <noreply@localhost>")

# --- Internationalisation --------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "fieldcast" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Serve files straight from the app folders while developing and testing (no collectstatic).
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
# Media is never served straight from MEDIA_URL: the access layer issues signed URLs.
MEDIA_URL = "/media/"

# --- Object storage (media in a private S3-compatible bucket) ---------------------------
# STORAGE_BACKEND "local": MEDIA_ROOT on this machine; "s3": originals, renditions, HLS,
# posters, sprites, avatars and banners in S3_BUCKET (django-storages). Media URLs stay
# /m/<token>/<name>; after its checks the app redirects to a presigned URL valid
# S3_URL_TTL_S seconds (media/storage.py). S3_PUBLIC_ENDPOINT_URL: the store's address for
# browsers when it differs from S3_ENDPOINT_URL (the servers'). Keys only from the environment.
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "local")
S3_ENDPOINT_URL = env_str("S3_ENDPOINT_URL")  # empty: AWS S3 in S3_REGION
S3_PUBLIC_ENDPOINT_URL = env_str("S3_PUBLIC_ENDPOINT_URL", S3_ENDPOINT_URL)
S3_BUCKET = env_str("S3_BUCKET")
S3_ACCESS_KEY_ID = env_str("S3_ACCESS_KEY_ID")
S3_SECRET_ACCESS_KEY = env_str("S3_SECRET_ACCESS_KEY")
S3_REGION = env_str("S3_REGION", "us-east-1")
S3_ADDRESSING_STYLE = env_str("S3_ADDRESSING_STYLE", "path" if S3_ENDPOINT_URL else "virtual")
S3_URL_TTL_S = env_int("S3_URL_TTL_S", 600)
if STORAGE_BACKEND not in {"local", "s3"}:
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'local' or 's3', got {STORAGE_BACKEND!r}")
if S3_ADDRESSING_STYLE not in {"path", "virtual"}:
    raise ImproperlyConfigured(f"S3_ADDRESSING_STYLE must be 'path' or 'virtual', got {S3_ADDRESSING_STYLE!r}")
if not 60 <= S3_URL_TTL_S <= 7 * 24 * 3600:
    raise ImproperlyConfigured(f"S3_URL_TTL_S must be between 60 and 604800 seconds, got {S3_URL_TTL_S}")
if STORAGE_BACKEND == "s3":
    _missing = [n for n in ("S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY") if not globals()[n]]
    if _missing:
        raise ImproperlyConfigured(f"STORAGE_BACKEND=s3 needs {', '.join(_missing)} set in the environment")
    STORAGES["default"] = {"BACKEND": "fieldcast.media.storage.MediaS3Storage"}

# --- Security -----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and SITE_URL.startswith("https"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)

# --- Fieldcast ------------------------------------------------------------------------
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
# Safe Mode's treatment of MA items in lists for visitors with Safe Mode on: "blur"
# (listed with a placeholder instead of the thumbnail), "hide" (not listed) or "show"
# (listed with the thumbnail). Item pages, embeds and media ask for 18+ whatever the policy.
SAFE_MODE_POLICY = env_str("SAFE_MODE_POLICY", "blur")
if SAFE_MODE_POLICY not in {"blur", "hide", "show"}:
    raise ImproperlyConfigured(f"SAFE_MODE_POLICY must be 'blur', 'hide' or 'show', got {SAFE_MODE_POLICY!r}")
# How many writes (items, comments) one member or address may make per minute.
WRITE_RATE_LIMIT_PER_MINUTE = env_int("WRITE_RATE_LIMIT_PER_MINUTE", 20)
# Per-scope limits per member per minute (core/ratelimit.py); an address may make
# WRITE_RATE_LIMIT_IP_FACTOR times any limit, as many members may share one.
COMMENT_RATE_LIMIT_PER_MINUTE = env_int("COMMENT_RATE_LIMIT_PER_MINUTE", 10)
VOTE_RATE_LIMIT_PER_MINUTE = env_int("VOTE_RATE_LIMIT_PER_MINUTE", 60)
WRITE_RATE_LIMIT_IP_FACTOR = env_int("WRITE_RATE_LIMIT_IP_FACTOR", 3)
# Read notifications older than this are deleted by a periodic task.
NOTIFICATIONS_KEEP_DAYS = env_int("NOTIFICATIONS_KEEP_DAYS", 180)
PAGE_SIZE = env_int("PAGE_SIZE", 24)
# The REST API (/api/v1/): requests per minute per token, member or address (reads and
# writes counted apart); personal tokens per member; origins allowed to read it from a
# browser (CORS, comma-separated, "*" for any; empty: none). Writes are never CORS-enabled.
API_READ_RATE_LIMIT_PER_MINUTE = env_int("API_READ_RATE_LIMIT_PER_MINUTE", 300)
API_WRITE_RATE_LIMIT_PER_MINUTE = env_int("API_WRITE_RATE_LIMIT_PER_MINUTE", 30)
API_TOKENS_PER_MEMBER = env_int("API_TOKENS_PER_MEMBER", 10)
API_CORS_ORIGINS = [o.strip() for o in env_str("API_CORS_ORIGINS", "").split(",") if o.strip()]
API_PAGE_SIZE_MAX = 100
# Search by relevance ranks at most this many of the newest matches (discovery.search).
SEARCH_MAX_CANDIDATES = env_int("SEARCH_MAX_CANDIDATES", 1000)
# With the optional RUM index (discovery.rum), queries whose rarest word is in at most this
# percentage of the items find their candidates in it.
SEARCH_RUM_MAX_PERCENT = env_int("SEARCH_RUM_MAX_PERCENT", 5)
# Moderation: distinct trusted members whose reports hold an item for review; whether the
# public moderation log names moderators; reports and copyright notices per guest address per hour.
REPORT_HOLD_THRESHOLD = env_int("REPORT_HOLD_THRESHOLD", 3)
MODERATION_LOG_SHOW_MODERATOR = env_bool("MODERATION_LOG_SHOW_MODERATOR", False)
GUEST_REPORT_RATE_LIMIT_PER_HOUR = env_int("GUEST_REPORT_RATE_LIMIT_PER_HOUR", 10)
# The benchmark's baseline view (same bytes as an item page, no work) is only routed when set.
BENCH_BASELINE_VIEW = env_bool("BENCH_BASELINE_VIEW", False)

# --- Counting plays, views and shares ---------------------------------------------------
# "database": F() updates and a dedup table; "redis": SET NX dedup and INCR buffers that a
# scheduler job flushes every COUNTER_FLUSH_S seconds. Redis by default when REDIS_URL is set.
COUNTER_BUFFER = env_str("COUNTER_BUFFER", "redis" if REDIS_URL else "database")
if COUNTER_BUFFER not in {"database", "redis"} or (COUNTER_BUFFER == "redis" and not REDIS_URL):
    raise ImproperlyConfigured("COUNTER_BUFFER must be 'database', or 'redis' with REDIS_URL set")
COUNTER_FLUSH_S = env_int("COUNTER_FLUSH_S", 10)
# Which sites may frame /embed/ pages (CSP frame-ancestors); every other page is DENY.
EMBED_FRAME_ANCESTORS = env_str("EMBED_FRAME_ANCESTORS", "*")
BEHIND_PROXY = env_bool("BEHIND_PROXY")

# --- Media pipeline ------------------------------------------------------------------
# Partial tus uploads live on local disk (constant-memory appends); finished originals
# and renditions go to the default storage (MEDIA_ROOT, or object storage at scale).
MEDIA_UPLOAD_DIR = Path(env_str("MEDIA_UPLOAD_DIR", str(DATA_DIR / "uploads")))
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 4 * 1024**3)
UPLOAD_EXPIRE_HOURS = env_int("UPLOAD_EXPIRE_HOURS", 24)
# New uploads per member per minute: separate from WRITE_RATE_LIMIT_PER_MINUTE because one
# item may carry many files chosen at once.
UPLOAD_RATE_LIMIT_PER_MINUTE = env_int("UPLOAD_RATE_LIMIT_PER_MINUTE", 120)
VIDEO_MAX_DURATION_S = env_int("VIDEO_MAX_DURATION_S", 4 * 3600)
VIDEO_MAX_WIDTH = env_int("VIDEO_MAX_WIDTH", 4096)
VIDEO_MAX_HEIGHT = env_int("VIDEO_MAX_HEIGHT", 4096)
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 50_000_000)
# One ffmpeg saturates two cores: run one at a time per worker process unless told otherwise.
TRANSCODE_CONCURRENCY = env_int("TRANSCODE_CONCURRENCY", 1)
FFMPEG_BINARY = env_str("FFMPEG_BINARY")  # default: ffmpeg on PATH, else imageio-ffmpeg's
PROCESSING_MAX_ATTEMPTS = env_int("PROCESSING_MAX_ATTEMPTS", 3)
PROCESSING_HEARTBEAT_STALE_S = env_int("PROCESSING_HEARTBEAT_STALE_S", 120)
MEDIA_URL_TTL_S = env_int("MEDIA_URL_TTL_S", 6 * 3600)
# With nginx in front: let it send local media bytes (internal location with this prefix).
MEDIA_ACCEL_REDIRECT_PREFIX = env_str("MEDIA_ACCEL_REDIRECT_PREFIX")

# --- Guest page cache (core/pagecache.py) ------------------------------------------------
# Item, list and embed pages for guests come from the cache for up to this many seconds
# (invalidated at once by edits, moderation, comments and counter flushes); 0 turns it off.
# Off by default under tests, which change rows behind the services' backs, and with DEBUG
# (`make run`: a developer's template edits show at once). Cached pages
# carry media URLs: they must keep most of their life (MEDIA_URL_TTL_S) when served.
GUEST_CACHE_SECONDS = env_int("GUEST_CACHE_SECONDS", 0 if TESTING or DEBUG else 60)
if not 0 <= GUEST_CACHE_SECONDS <= (MEDIA_URL_TTL_S - 300) // 2:
    raise ImproperlyConfigured(
        f"GUEST_CACHE_SECONDS must be between 0 and half of MEDIA_URL_TTL_S - 300 "
        f"({(MEDIA_URL_TTL_S - 300) // 2}), got {GUEST_CACHE_SECONDS}"
    )

# --- Operations (fieldcast/core: health.py, metrics.py, request_id.py, logs.py) ----------------
# /metrics answers these client addresses or networks (comma-separated), or a request with
# "Authorization: Bearer <METRICS_TOKEN>"; anyone else gets 403.
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
try:
    [ipaddress.ip_network(_network, strict=False) for _network in METRICS_ALLOWED_IPS]
except ValueError as _exc:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {_exc}") from _exc
METRICS_TOKEN = env_str("METRICS_TOKEN")
# Finished task results (django-tasks-db keeps every one) are deleted after this many days.
TASK_RESULTS_KEEP_DAYS = env_int("TASK_RESULTS_KEEP_DAYS", 7)

# Logs: "json" (one object per line with the request or task id; the default with DEBUG off)
# or "plain" (readable lines; the default with DEBUG on, as under `make run`).
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG or TESTING else "json")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'json' or 'plain', got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "fieldcast.core.logs.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "fieldcast.core.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One access line per request (INFO, so LOG_LEVEL=WARNING drops them): ours in JSON
        # (request id, view, duration); runserver prints its own in the plain format.
        "fieldcast.access": {"level": LOG_LEVEL if LOG_FORMAT == "json" else "WARNING"},
        "django.server": {"level": "WARNING" if LOG_FORMAT == "json" else LOG_LEVEL},
    },
}
