"""Settings shared by every deployment; each value that varies comes from `soutien.config.env`."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from soutien.config import env as e

PACKAGE_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = e.data_dir()

SECRET_KEY = e.secret_key(DATA_DIR)
# Former keys, still accepted while secrets made with them are renewed (comma-separated).
SECRET_KEY_FALLBACKS = e.envlist("SECRET_KEY_FALLBACKS", [])
DEBUG = e.envbool("DEBUG", False)
ALLOWED_HOSTS = e.envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = e.envlist("CSRF_TRUSTED_ORIGINS", [])
# The address people use to reach the service, for links in emails and the CLI's banner.
SITE_URL = e.env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "soutien.core",
    "soutien.accounts",
    "soutien.ticketing",
    "soutien.sla",
    "soutien.contracts",
    "soutien.outbound",
    "soutien.notifications",
    "soutien.kb",
    "soutien.newsletter",
    "soutien.training",
    "soutien.agreements",
    "soutien.privacy",
    "soutien.satisfaction",
    "soutien.reports",
    "soutien.workspace",
    "soutien.presence",
    "soutien.channels.mail",
    "soutien.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "soutien.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is chosen: a 429's detail follows Accept-Language like every error.
    "soutien.api.v1.limits.ApiRateLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "soutien.web.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "soutien.core.middleware.UserTimezoneMiddleware",
]

ROOT_URLCONF = "soutien.config.urls"
WSGI_APPLICATION = "soutien.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "soutien.web.context_processors.staff_badges",
            ],
            # One date style per language in every template: |moment, |day, |zone_words.
            "builtins": ["soutien.core.templatetags.dates"],
        },
    },
]


# Seconds a request waits for a busy SQLite database before answering 503 (Retry-After).
SOUTIEN_DB_BUSY_SECONDS = e.envint("SOUTIEN_DB_BUSY_SECONDS", 5)


def _database(url: str) -> dict[str, object]:
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock when a
        # transaction starts, so web and worker processes queue for it instead of failing
        # with "database is locked" when a read transaction tries to upgrade.
        # A writer waits this long for the lock, then the request gets a 503 with Retry-After
        # (a page, or JSON on the API) instead of hanging.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": SOUTIEN_DB_BUSY_SECONDS,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                f" PRAGMA busy_timeout={SOUTIEN_DB_BUSY_SECONDS * 1000};"
            ),
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASE_URL = e.env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'soutien.sqlite3'}")
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _cache(url: str) -> dict[str, object]:
    """The cache: in-process by default; Redis or Memcached shared by every process (see
    docs/api.md: the API's rate limits count there)."""
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url.startswith("memcached://"):
        return {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": url.removeprefix("memcached://"),
        }
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "soutien"}


CACHES = {"default": _cache(e.env("SOUTIEN_CACHE_URL", ""))}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["soutien.accounts.backends.EmailOrUsernameBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "public:login"
LOGIN_REDIRECT_URL = "public:home"
LOGOUT_REDIRECT_URL = "public:login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = e.envint("SESSION_COOKIE_AGE", 60 * 60 * 12)
HTTPS = e.envbool("SOUTIEN_HTTPS", SITE_URL.startswith("https://"))
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Sent only on answers over HTTPS (Django's SecurityMiddleware); a year by default.
    SECURE_HSTS_SECONDS = e.envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = e.envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = e.envbool("SECURE_HSTS_PRELOAD", False)
# Scripts and styles come only from our own static files: no inline script, style or handler,
# no eval (htmx's is switched off in web/base.html). Views that show foreign content (an email,
# a downloaded file) set a narrower policy of their own.
SOUTIEN_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Browser features no page of ours uses, refused to every page and frame.
SOUTIEN_PERMISSIONS_POLICY = [
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
    "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get", "usb",
    "browsing-topics",
]  # fmt: skip

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "America/Toronto"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    # Attachments live under the data dir, never under STATIC_ROOT, and are served only
    # through a view that checks who may see them.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "files"
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# An attachment larger than this is refused with a clear message (bytes).
SOUTIEN_MAX_ATTACHMENT_BYTES = e.envint("SOUTIEN_MAX_ATTACHMENT_BYTES", 25 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = 20

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = e.env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = e.env("EMAIL_HOST", "localhost")
EMAIL_PORT = e.envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = e.env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = e.env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = e.envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = e.envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = e.envint("EMAIL_TIMEOUT", 30)
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (what `dev.py start` uses).
EMAIL_FILE_PATH = e.env("EMAIL_FILE_PATH", str(DATA_DIR / "sent-mail"))
DEFAULT_FROM_EMAIL = e.env("DEFAULT_FROM_EMAIL", "soutien@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Mail intake (soutien.channels.mail): larger messages keep only their headers and go to quarantine;
# automatic answers (acknowledgements, refusals) one address may get per hour (loop breaker).
SOUTIEN_MAIL_MAX_MESSAGE_BYTES = e.envint("SOUTIEN_MAIL_MAX_MESSAGE_BYTES", 80 * 1024 * 1024)
SOUTIEN_MAIL_AUTO_REPLIES_PER_HOUR = e.envint("SOUTIEN_MAIL_AUTO_REPLIES_PER_HOUR", 5)

# Newsletter: a batch a sender took and has not finished after this many seconds is taken back
# (its sender died); raise it if batches take longer to send at the configured pace.
SOUTIEN_NEWSLETTER_CLAIM_SECONDS = e.envint("SOUTIEN_NEWSLETTER_CLAIM_SECONDS", 120)

# API tokens expire; a client can ask for a shorter life, never a longer one.
SOUTIEN_API_TOKEN_DAYS = e.envint("SOUTIEN_API_TOKEN_DAYS", 30)
# API requests allowed per window: per live token, and per address (an IPv6 /64) for
# requests without one; counted in this cache (it must be shared: docs/api.md).
SOUTIEN_API_RATE_PER_TOKEN = e.envint("SOUTIEN_API_RATE_PER_TOKEN", 600)
SOUTIEN_API_RATE_PER_ADDRESS = e.envint("SOUTIEN_API_RATE_PER_ADDRESS", 300)
SOUTIEN_API_RATE_WINDOW_SECONDS = e.envint("SOUTIEN_API_RATE_WINDOW_SECONDS", 60)
SOUTIEN_API_RATE_CACHE = "default"
# Proxies in front of the service that add themselves to X-Forwarded-For (0: none; the peer's
# address is the client's). Used to count sign-in failures and API requests per address.
SOUTIEN_TRUSTED_PROXIES = e.envint("SOUTIEN_TRUSTED_PROXIES", 0)
# Sign-in throttle (docs/security.md): attempts allowed per account from one address, and per
# account from unknown addresses before a delay that doubles, in a window; per address, whatever
# the accounts tried.
SOUTIEN_LOGIN_MAX_FAILURES = e.envint("SOUTIEN_LOGIN_MAX_FAILURES", 10)
SOUTIEN_LOGIN_WINDOW_SECONDS = e.envint("SOUTIEN_LOGIN_WINDOW_SECONDS", 15 * 60)
SOUTIEN_LOGIN_MAX_FAILURES_PER_ADDRESS = e.envint("SOUTIEN_LOGIN_MAX_FAILURES_PER_ADDRESS", 30)
SOUTIEN_LOGIN_FIRST_DELAY_SECONDS = e.envint("SOUTIEN_LOGIN_FIRST_DELAY_SECONDS", 15)
# Two-factor sign-in (django-otp): our throttle counts failed codes per account and address;
# django-otp's own per-device delay would let anyone who knows a password lock its owner out.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_TOTP_ISSUER = "Soutien"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": e.env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Every periodic job would log twice a minute; failures are still warnings or errors.
        "django_tasks": {"level": e.env("TASKS_LOG_LEVEL", "WARNING")},
        "django_tasks_db": {"level": e.env("TASKS_LOG_LEVEL", "WARNING")},
        # WeasyPrint logs every step of every PDF (statements, agreements) at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The covering indexes the reports read (INCLUDE columns) are PostgreSQL's; SQLite builds the
# same indexes on their keys alone, which is all it can use. Said once here, not at every migrate.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
