"""Settings for the Paralympics newsroom site.

Everything that differs between a laptop and production is read from the
environment. The defaults are safe for a laptop: SQLite, a local-memory cache
and a secret key generated once and kept in `.secret_key`. Production
(`DJANGO_ENV=production`) refuses to start without a real secret.
"""

import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = os.environ.get("DJANGO_ENV", "development") == "production"
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1" and not PRODUCTION


def _secret_key():
    key = os.environ.get("DJANGO_SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production.")
    # A laptop or CI keeps one generated key so sessions survive restarts.
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "team.apps.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    # Editors' second factor: authenticator apps (TOTP) and single-use recovery codes (team.twofactor).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",  # passkeys (team.passkeys)
    "team",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # WhiteNoise serves static files before anything else touches the request.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Repeat visits to readers' pages are answered here, before sessions and routing.
    # The language: readers' pages by their address (/az/…, /ru/…), the admin by the editor's choice.
    "team.languages.LanguageMiddleware",
    "team.caching.CachedPageMiddleware",
    # A view that cannot reach the database answers 503 with Retry-After, not 500 with a traceback.
    "team.outages.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Says whether this session passed the second factor (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "paralympics.urls"
WSGI_APPLICATION = "paralympics.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # A readers' page's ETag and check interval, for its live updates (static/js/live.js).
                "team.context_processors.live_updates",
            ],
        },
    },
]


def database_from_url(url):
    """Turn `sqlite:///path` or `postgres://user@host:port/name` into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        name = unquote(parts.path[1:]) if parts.path not in ("", "/") else ":memory:"
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
    if parts.scheme in ("postgres", "postgresql"):
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path[1:]),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            # Keep connections between requests; checked before reuse.
            "CONN_MAX_AGE": int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported; use sqlite:// or postgres://.")


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# English at the site's addresses, the others under /az/ and /ru/ (team.languages); names as Django's own.
LANGUAGES = [("en", _("English")), ("az", _("Azerbaijani")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# The admin lives at a configurable path so it is not where scanners look first.
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/").strip("/") + "/"

# Requests' errors and the app's own messages go to standard output, one line each,
# for the platform to collect (gunicorn writes its access log there too).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "line"}},
    "root": {"handlers": ["stdout"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "WARNING"}},
}

# Fixtures that `manage.py load_initial_data` loads, in order, into an empty database.
INITIAL_FIXTURES = os.environ.get("DJANGO_INITIAL_FIXTURES", "reference,paris-2024-aze").split(",")

# The delegation the site follows, as "games-slug/NPC".
FEATURED_DELEGATION = os.environ.get("DJANGO_FEATURED_DELEGATION", "paris-2024/AZE")

# Admin login throttling (team.throttle): failures allowed per username at one client, and per
# client; then each further failure locks for twice as long, from FIRST_DELAY seconds up to WINDOW
# (which is also how long a quiet count is remembered after its lock). Keyed per client so nobody
# can lock an editor out from elsewhere.
ADMIN_LOGIN_FAILURE_LIMIT = int(os.environ.get("DJANGO_ADMIN_LOGIN_FAILURE_LIMIT", "5"))
ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("DJANGO_ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT", "50"))
ADMIN_LOGIN_FIRST_DELAY = int(os.environ.get("DJANGO_ADMIN_LOGIN_FIRST_DELAY", "30"))
ADMIN_LOGIN_FAILURE_WINDOW = int(os.environ.get("DJANGO_ADMIN_LOGIN_FAILURE_WINDOW", "900"))


def forwarded_allow_ips(value):
    """FORWARDED_ALLOW_IPS's entries, split and checked as gunicorn does: IP addresses, networks, or `*`.

    A value gunicorn would refuse is refused here too, so the two never disagree about who the proxy is.
    """
    entries = [entry.strip() for entry in value.strip().split(",") if entry]
    for entry in entries:
        if entry != "*":
            try:
                ipaddress.ip_network(entry)
            except ValueError:
                raise ImproperlyConfigured(
                    f"FORWARDED_ALLOW_IPS: {entry!r} is not an IP address, a network (such as 10.0.0.0/8) or '*'."
                ) from None
    return entries


# The reverse proxies allowed to say who the client is (X-Forwarded-For), for the login throttle:
# the variable and default gunicorn.conf.py gives gunicorn, which trusts the same peers for X-Forwarded-Proto.
FORWARDED_ALLOW_IPS = forwarded_allow_ips(os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"))

# Editors' second factor (team.twofactor): required for every staff account in production, optional
# on a laptop so that `make run` stays one command. Authenticator apps show the issuer beside the code.
ADMIN_TWO_FACTOR_REQUIRED = os.environ.get("DJANGO_ADMIN_TWO_FACTOR", "1" if PRODUCTION else "0") == "1"
OTP_TOTP_ISSUER = os.environ.get("DJANGO_OTP_ISSUER", "Newsroom desk")
# Passkeys (team.passkeys): bound to the site's domain (changing it later orphans every passkey), accepted
# only from these origins, and never instead of the password.
OTP_WEBAUTHN_RP_ID = os.environ.get(
    "DJANGO_PASSKEY_RP_ID", ALLOWED_HOSTS[0].lstrip(".") if PRODUCTION and ALLOWED_HOSTS else "localhost"
)
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get(
        "DJANGO_PASSKEY_ORIGINS",
        f"https://{OTP_WEBAUTHN_RP_ID}" if PRODUCTION else f"http://localhost:{os.environ.get('PORT', '8000')}",
    ).split(",")
    if origin.strip()
]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# Recovery codes and TOTP secrets are never shown in django-otp's own admin pages (not registered anyway).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Sessions (only editors have one: readers' pages never start a session). A session ends after
# DJANGO_SESSION_IDLE_SECONDS without a request, and, by default, when the browser closes.
# Changing one's password ends every other session of the account (Django's session hash).
# Each admin request restarts the idle clock (team.accounts.keep_alive); readers' pages leave the session alone.
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_IDLE_SECONDS", str(60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = os.environ.get("DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE", "1") == "1"

# Caching: Redis when REDIS_URL is set (shared by every process and host), else this
# process's memory (fine for `make run`, which serves from one process).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache that degrades instead of failing when Redis does (see team.outages).
            "BACKEND": "team.outages.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # Give up quickly on an unreachable Redis: a page rendered without the cache beats a hung worker.
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_CONNECT_TIMEOUT", "0.25")),
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "paralympics"}}

# Readers' pages are kept in the cache above, keyed by the database's generation of readers' data
# (team.caching), which each process re-reads at most once per PAGE_GENERATION_TTL seconds.
PUBLIC_PAGE_CACHE = os.environ.get("DJANGO_PUBLIC_PAGE_CACHE", "1") == "1"
PAGE_GENERATION_TTL = float(os.environ.get("DJANGO_PAGE_GENERATION_TTL", "1"))
# Pages each process may render at once; a miss beyond that gets a 503 with Retry-After at once, so that
# a flood of addresses no cache has seen leaves threads and CPU to cached pages (GUNICORN_THREADS is 4).
RENDER_CONCURRENCY = int(os.environ.get("DJANGO_RENDER_CONCURRENCY", "1"))
# An open readers' page asks every LIVE_UPDATE_INTERVAL_MS milliseconds (30 to 60 s) whether it is still
# current, sending its ETag (a 304 from the cache while it is); once it is not, the reader is offered a reload.
LIVE_UPDATE_INTERVAL_MS = min(max(int(os.environ.get("DJANGO_LIVE_UPDATE_INTERVAL_MS", "45000")), 30_000), 60_000)

# Security headers. Pages need nothing from other hosts, no inline script or style:
# the policy allows only this site's own files and forbids framing.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"  # for browsers that predate frame-ancestors
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"  # other sites see our origin, never a full URL
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # the admin reads the token from the form, never from JavaScript
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = [
    origin.strip() for origin in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if origin.strip()
]

if PRODUCTION:
    # Served over HTTPS only: browsers remember it for two years, cookies never travel in clear.
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(2 * 365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SSL_REDIRECT", "1") == "1"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Behind a proxy that terminates TLS, trust its X-Forwarded-Proto (and only then).
    if os.environ.get("DJANGO_BEHIND_PROXY", "1") == "1":
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        USE_X_FORWARDED_HOST = False

# A second database for the benchmark's synthetic Games (`manage.py generate_games`),
# kept apart from the site's own data.
if BENCH_DATABASE_URL := os.environ.get("BENCH_DATABASE_URL", ""):
    DATABASES["bench"] = database_from_url(BENCH_DATABASE_URL)
