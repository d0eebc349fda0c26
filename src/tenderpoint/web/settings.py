"""The one settings module, read from the environment (see docs/configuration.md).

Nothing here has a production default that could be unsafe: no committed secret key, DEBUG off
unless asked for, HTTPS-only cookies and HSTS outside debug. ``tenderpoint demo`` sets the
variables a local demo needs (its own secret key file, plain HTTP on loopback).
"""

from __future__ import annotations

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from tenderpoint.web.api.scopes import all_scopes
from tenderpoint.web.datadir import DATABASE_FILE, data_dir
from tenderpoint.web.env import env_bool, env_int, env_list, env_secret, env_str

DATA_DIR = data_dir()

DEBUG = env_bool("TENDERPOINT_DEBUG", default=False)

SECRET_KEY = env_secret("TENDERPOINT_SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "TENDERPOINT_SECRET_KEY (or TENDERPOINT_SECRET_KEY_FILE) is not set. Generate one with "
        "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`; "
        "`tenderpoint demo` creates its own in the data directory."
    )


def _required_secret(name: str, purpose: str) -> str:
    value = env_secret(name)
    if not value:
        raise ImproperlyConfigured(
            f"{name} (or {name}_FILE) is not set: it {purpose}. Generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'` and keep it out of "
            "the database and its backups; `tenderpoint demo` creates its own."
        )
    return value


# Encrypts TOTP secrets and recovery-code seeds at rest (accounts/mfa.py).
TENDERPOINT_TOTP_KEY = _required_secret("TENDERPOINT_TOTP_KEY", "encrypts second-factor secrets")
# Keys the audit trail's HMACs and checkpoints (audit/anchoring.py).
TENDERPOINT_AUDIT_KEY = _required_secret("TENDERPOINT_AUDIT_KEY", "keys the audit trail's HMACs")
# Checkpoints of the audit chain are appended here (make the file append-only: chattr +a).
TENDERPOINT_AUDIT_CHECKPOINT_FILE = env_str(
    "TENDERPOINT_AUDIT_CHECKPOINT_FILE", str(DATA_DIR / "audit-checkpoints.log")
)
TENDERPOINT_AUDIT_CHECKPOINT_EVERY = env_int(
    "TENDERPOINT_AUDIT_CHECKPOINT_EVERY", default=20, minimum=1
)

ALLOWED_HOSTS = env_list("TENDERPOINT_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("TENDERPOINT_CSRF_TRUSTED_ORIGINS", [])

# --- applications --------------------------------------------------------------------------

INSTALLED_APPS = [
    "tenderpoint.web.common",
    "tenderpoint.web.accounts",
    "tenderpoint.web.audit",
    "tenderpoint.web.patients",
    "tenderpoint.web.public",
    "tenderpoint.web.portal",
    "tenderpoint.web.diary",
    "tenderpoint.web.questionnaires",
    "tenderpoint.web.messaging",
    "tenderpoint.web.assessments",
    "tenderpoint.web.infusions",
    "tenderpoint.web.api",
    "tenderpoint.web.outcomes",
    "tenderpoint.web.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "django_htmx",
    "template_partials",
    "csp",
    "oauth2_provider",
    "django_tasks",
    "django_tasks_db",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First: an anonymous visitor's public page is answered from the shared page cache with one
    # query, before sessions, authentication, CSRF and audit; what it serves was stored with the
    # headers the whole stack below set (security headers included). See page_cache.py.
    "tenderpoint.web.public.page_cache.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Views activate a clinic's or patient's zone; never let it leak into the next request.
    "tenderpoint.web.common.middleware.ResetTimeZoneMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "tenderpoint.web.common.middleware.CMSContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenderpoint.web.common.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "tenderpoint.web.common.middleware.IdleTimeoutMiddleware",
    "tenderpoint.web.common.middleware.StaffMFARequiredMiddleware",
    "tenderpoint.web.common.middleware.ClinicTimeZoneMiddleware",
    "tenderpoint.web.audit.admin_audit.OperatorAdminReadAuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "tenderpoint.web.urls"
WSGI_APPLICATION = "tenderpoint.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenderpoint.web.common.context_processors.site",
            ],
        },
    }
]

# --- database ------------------------------------------------------------------------------

SQLITE_PATH = DATA_DIR / DATABASE_FILE
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Each thread keeps its connection (as on PostgreSQL): opening one runs the PRAGMAs below,
    # and closing the last one checkpoints and removes the WAL, ~5 ms a request (a page-cache
    # hit is ~0.5 ms; docs/performance.md, "Public site under a crowd").
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue on the busy timeout instead of failing on a lock upgrade.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared across processes: TOTP replay protection and log-in rate limits must hold for every
# app server, so the cache lives in the database (created by `createcachetable`).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tenderpoint_cache",
        # Django's default (300) would cull a clinic's cached pages many times an hour; a
        # culled page is only rebuilt, never served wrong (portal.cache uses unique versions).
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
    # Public pages as anonymous visitors see them, in their own table so that publishing can
    # empty it without touching rate limits (tenderpoint.web.public.page_cache).
    "public_pages": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tenderpoint_public_pages",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
TENDERPOINT_PUBLIC_CACHE_SECONDS = env_int(
    "TENDERPOINT_PUBLIC_CACHE_SECONDS", default=600, minimum=0
)

# --- accounts and authentication -----------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "tenderpoint.web.accounts.adapter.AccountAdapter"
MFA_ADAPTER = "tenderpoint.web.accounts.mfa.MFAAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[tenderpoint] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "tenderpoint"
# Accept the code of the neighbouring 30-s step too (RFC 6238's allowance for clock drift and
# for a code typed as the step turns over); each code is still accepted only once: the last
# accepted step is kept on the authenticator (accounts/mfa.py), not for 30 s in a cache.
MFA_TOTP_TOLERANCE = 1

# Staff must enrol a second factor before they see any patient data (tenderpoint.E002).
TENDERPOINT_STAFF_MFA_REQUIRED = env_bool("TENDERPOINT_STAFF_MFA_REQUIRED", default=True)
TENDERPOINT_STAFF_IDLE_TIMEOUT_MIN = env_int(
    "TENDERPOINT_STAFF_IDLE_TIMEOUT_MIN", default=15, minimum=1
)
TENDERPOINT_PATIENT_IDLE_TIMEOUT_MIN = env_int(
    "TENDERPOINT_PATIENT_IDLE_TIMEOUT_MIN", default=60, minimum=1
)
TENDERPOINT_SQLITE_IN_PRODUCTION = env_bool("TENDERPOINT_SQLITE_IN_PRODUCTION", default=False)
TENDERPOINT_DEMO = env_bool("TENDERPOINT_DEMO", default=False)

SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- security headers ----------------------------------------------------------------------

HTTPS = env_bool("TENDERPOINT_HTTPS", default=not DEBUG)
# "TLS is terminated by a proxy I trust": the app speaks plain HTTP to that proxy, browsers
# speak HTTPS to it. Cookies stay secure and HSTS stays on; the proxy's X-Forwarded-Proto
# says whether the browser's request was HTTPS. `serve` refuses TENDERPOINT_HTTPS=false
# without it (only the loopback demo runs plain HTTP end to end).
TLS_TERMINATED_BY_PROXY = env_bool("TENDERPOINT_TLS_TERMINATED_BY_PROXY", default=False)
BROWSER_USES_HTTPS = HTTPS or TLS_TERMINATED_BY_PROXY
SESSION_COOKIE_SECURE = BROWSER_USES_HTTPS
CSRF_COOKIE_SECURE = BROWSER_USES_HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS  # behind a TLS proxy, redirecting to HTTPS is the proxy's job
SECURE_HSTS_SECONDS = 31_536_000 if BROWSER_USES_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = BROWSER_USES_HTTPS
SECURE_HSTS_PRELOAD = BROWSER_USES_HTTPS
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# How many proxies of ours sit in front of the app servers; their X-Forwarded-For entries give
# the client address for the audit trail and the rate limits (allauth's and the contact form's).
TENDERPOINT_TRUSTED_PROXY_COUNT = env_int("TENDERPOINT_TRUSTED_PROXY_COUNT", default=0, minimum=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TENDERPOINT_TRUSTED_PROXY_COUNT
if TLS_TERMINATED_BY_PROXY or env_bool("TENDERPOINT_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- public site (Wagtail) and background tasks -------------------------------------------

WAGTAIL_SITE_NAME = "tenderpoint"
WAGTAILADMIN_LOGIN_URL = "cms_login"  # sign-in for visitors, 403 for the signed-in
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAIL_PASSWORD_RESET_ENABLED = False  # allauth's reset, with its rate limits, is the only one
WAGTAILADMIN_BASE_URL = env_str("TENDERPOINT_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "txt"]
WAGTAIL_ENABLE_UPDATE_CHECK = False  # no calls home from a clinic's server
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no staff e-mail hashes sent to a third party
WAGTAIL_ALLOW_UNICODE_SLUGS = False

# Contact requests are stored first; staff are told by a background task (retried by the
# worker, never blocking the visitor). The worker is `tenderpoint manage db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
TENDERPOINT_CONTACT_RATE_LIMIT = env_int("TENDERPOINT_CONTACT_RATE_LIMIT", default=5, minimum=1)
TENDERPOINT_CONTACT_RATE_WINDOW_MIN = env_int(
    "TENDERPOINT_CONTACT_RATE_WINDOW_MIN", default=60, minimum=1
)

# --- FHIR API (OAuth 2.0 with SMART scopes; docs/interop.md) -------------------------------

OAUTH2_PROVIDER = {
    "SCOPES": all_scopes(),
    "DEFAULT_SCOPES": [],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "PKCE_REQUIRED": True,
    # RFC 9700 (OAuth 2.0 Security BCP): no implicit or password grant, S256 PKCE only, tokens
    # only in the Authorization header.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# Named explicitly: our models point at them (django-oauth-toolkit's swappable models).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105  (a model name)
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
# Personal API tokens (security page, `issue_api_token`) live at most this many days.
TENDERPOINT_API_TOKEN_MAX_DAYS = env_int("TENDERPOINT_API_TOKEN_MAX_DAYS", default=90, minimum=1)

# --- e-mail --------------------------------------------------------------------------------

EMAIL_HOST = env_str("TENDERPOINT_EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("TENDERPOINT_EMAIL_PORT", default=587, minimum=1)
    EMAIL_HOST_USER = env_str("TENDERPOINT_EMAIL_USER", "") or ""
    EMAIL_HOST_PASSWORD = env_secret("TENDERPOINT_EMAIL_PASSWORD") or ""
    EMAIL_USE_TLS = env_bool("TENDERPOINT_EMAIL_USE_TLS", default=True)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("TENDERPOINT_DEFAULT_FROM_EMAIL", "tenderpoint <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- internationalisation and time ---------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- static files --------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "tenderpoint.web.common.storage.GzipManifestStaticFilesStorage"},
}

# --- logging -------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("TENDERPOINT_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
