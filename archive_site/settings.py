"""Django settings, all read from the environment (see "Configuration" in README.md)."""

import datetime
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    value = os.getenv(name, default).strip().lower()
    if value not in ("true", "false", "1", "0"):
        raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")
    return value in ("true", "1")


def envint(name, default):
    return int(os.getenv(name, default))


DEBUG = envbool("DEBUG", "true")

SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is false")
    SECRET_KEY = "django-insecure-development-only"

ALLOWED_HOSTS = [host.strip() for host in os.getenv("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_filters",
    "axes",  # admin login throttling
    "ninja",  # the JSON API (minutes/api.py); listed for its docs page's static files
    "minutes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "minutes.bad_requests.RequestCheckMiddleware",  # a 400 for what no view can read, before the cache
    "minutes.page_cache.PageCacheMiddleware",  # inside the HTTPS redirect, around everything else
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "minutes.request_limits.RequestBodyLimitMiddleware",  # before the CSRF check reads a body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "archive_site.urls"
WSGI_APPLICATION = "archive_site.wsgi.application"

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
            ],
        },
    },
    {
        # The search page's hit and facet lists (archive_site/jinja2.py says why): asked for by name
        # with using="jinja2", so no Django template is ever looked up here, nor these there.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "archive_site.jinja2.environment"},
    },
]

# PostgreSQL only. Without DATABASE_URL, a private PostgreSQL 18 server in .pgdata/ (git-ignored) is
# started on first use and left running for later commands (minutes/embedded_postgres.py).
CONN_MAX_AGE = envint("CONN_MAX_AGE", "0")
if os.getenv("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=CONN_MAX_AGE)}
else:
    DATABASES = {
        "default": {
            # The postgresql backend; it starts the server when the first connection is wanted.
            "ENGINE": "minutes.embedded_backend",
            "DATA_DIR": BASE_DIR / ".pgdata",
            "CONN_MAX_AGE": CONN_MAX_AGE,
        }
    }
if DATABASES["default"]["ENGINE"] not in ("django.db.backends.postgresql", "minutes.embedded_backend"):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL")
# A kept connection is checked before each request reuses it, so the site recovers by itself after
# the database restarts. A server that does not answer fails the connection in DB_CONNECT_TIMEOUT
# seconds (the 503 page), and DB_STATEMENT_TIMEOUT (ms, 0 = none) cancels a runaway query; gunicorn
# sets it for the web workers only (archive_site/gunicorn.conf.py), so imports are not cut short.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = CONN_MAX_AGE != 0
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = envint("DB_CONNECT_TIMEOUT", "3")
if statement_timeout := envint("DB_STATEMENT_TIMEOUT", "0"):
    DATABASES["default"]["OPTIONS"]["options"] = f"-c statement_timeout={statement_timeout}"

# The search index (minutes/search/engine.py): derived from the database, rebuilt from it with
# `manage.py rebuild_search_index`, kept current by `manage.py search_indexer` (which `serve` starts).
# SEARCH_INDEX=false answers every search from PostgreSQL alone.
SEARCH_INDEX = envbool("SEARCH_INDEX", "true")
SEARCH_INDEX_DIR = Path(os.getenv("SEARCH_INDEX_DIR", BASE_DIR / ".local" / "search-index"))

# "pages": rendered public pages, shared by all workers, emptied when the archive changes
# (minutes/page_cache.py). Off (0) by default while DEBUG is true, so development shows every change.
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", "0" if DEBUG else "300")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "minutes_page_cache",  # created by migration 0008
        "OPTIONS": {"MAX_ENTRIES": envint("PAGE_CACHE_ENTRIES", "20000")},
    },
    # Counts that every worker must share and an import must not empty: the alerts' requests per client.
    "limits": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "minutes_limits_cache",  # created by migration 0011
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out login before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login throttling (django-axes): LOGIN_FAILURE_LIMIT wrong passwords in a row lock out the
# client's address, and the same user name from that address, for LOGIN_LOCKOUT_MINUTES; a
# successful login resets the count. Behind a reverse proxy, set TRUSTED_PROXY_COUNT so the client's
# address is read from X-Forwarded-For, not the proxy's.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_IPWARE_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0") or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "da"
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / ".staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", BASE_DIR / ".media"))  # uploaded referater, kept as uploaded
# Uploads: the largest file accepted (also import_minutes' default limit), the largest upload request
# (several files), and where files wait between preview and publication. Request bodies are checked
# by their Content-Length before they are read (minutes/request_limits.py).
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", str(20 * 1024 * 1024))
UPLOAD_MAX_REQUEST_BYTES = envint("UPLOAD_MAX_REQUEST_BYTES", str(100 * 1024 * 1024))
ANONYMOUS_MAX_BODY_BYTES = 64 * 1024  # a POST from a client that is not logged in: the login form
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # an admin form without files (a long meeting's items)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000  # Django's default, named: more parameters are a 400
DATA_UPLOAD_MAX_NUMBER_FILES = 50  # files in one upload
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploaded files wait in a temporary file, not in memory
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "minutes.request_limits.BoundedFileUploadHandler",  # keeps at most UPLOAD_MAX_BYTES of a file
]
LOGIN_REDIRECT_URL = "admin:index"  # after an admin login whose ?next= was unsafe (not /accounts/profile/)
UPLOAD_PENDING_DIR = Path(os.getenv("UPLOAD_PENDING_DIR", BASE_DIR / ".uploads-pending"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security headers and cookies. The defaults are for production (DEBUG=false) behind HTTPS; each can be
# set from the environment (README.md, "Configuration"). `manage.py check --deploy` reports nothing
# with them and a real SECRET_KEY.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(not DEBUG))
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "true")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "true")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", str(not DEBUG))
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if envbool("TRUST_X_FORWARDED_PROTO", "false"):  # only behind a proxy that sets the header itself
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer may ask over plain HTTP
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

# Content-Security-Policy (django-csp): the pages use only their own stylesheets, scripts (the admin's
# and the API docs') and images; no inline script or style, no other origin, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
    }
}

# Errors of requests go to stderr (gunicorn's error log) also when DEBUG is false; a database outage
# is one line a request, not a traceback (minutes/health.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"outage": {"()": "minutes.health.OutageLogFilter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "filters": ["outage"]}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False}},
}

# E-mail (the alerts, minutes/alerts/): EMAIL_URL names the SMTP server in one value, as DATABASE_URL
# names the database: smtp://user:password@host:587 (STARTTLS with smtp+tls://, TLS from the first byte
# with smtps://; user and password percent-encoded), console:// prints mails instead of sending them.
# Without it the usual EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS apply.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "false")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "30")
if email_url := os.getenv("EMAIL_URL", ""):
    # Parsed here with urllib: the library for it (dj-email-url) has had no release since 2022.
    parsed_email_url = urlsplit(email_url)
    if parsed_email_url.scheme == "console":
        EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    elif parsed_email_url.scheme in ("smtp", "smtp+tls", "smtps"):
        EMAIL_HOST = parsed_email_url.hostname or "localhost"
        default_port = {"smtp": 25, "smtp+tls": 587, "smtps": 465}[parsed_email_url.scheme]
        EMAIL_PORT = parsed_email_url.port or default_port
        EMAIL_HOST_USER = unquote(parsed_email_url.username or "")
        EMAIL_HOST_PASSWORD = unquote(parsed_email_url.password or "")
        EMAIL_USE_TLS = parsed_email_url.scheme == "smtp+tls"
        EMAIL_USE_SSL = parsed_email_url.scheme == "smtps"
    else:
        raise ImproperlyConfigured("EMAIL_URL must start with smtp://, smtp+tls://, smtps:// or console://")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "Referatarkivet <referatarkivet@localhost>")
# The archive's address as mails link to it (no request to read it from): scheme and host, no slash.
SITE_URL = os.getenv("SITE_URL", "http://localhost:8000").rstrip("/")
# Alerts: how long a confirmation link works, and how many subscribe requests a client may make an hour.
ALERT_CONFIRMATION_HOURS = envint("ALERT_CONFIRMATION_HOURS", "48")
ALERT_REQUESTS_PER_CLIENT_HOUR = envint("ALERT_REQUESTS_PER_CLIENT_HOUR", "10")
# Daily subscriptions get their mail from the first run after this hour (local time).
ALERT_DAILY_HOUR = envint("ALERT_DAILY_HOUR", "6")
# SMTP connections send_alerts uses at once (the waits for the server overlap).
ALERT_SMTP_CONNECTIONS = envint("ALERT_SMTP_CONNECTIONS", "4")
