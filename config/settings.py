"""Settings of the 社工站 portal, read from environment variables.

One module for every environment. DJANGO_ENV picks the profile (development, test,
production); every other variable has a safe default for development, and production
refuses to start with DEBUG on, a default secret or no allowed hosts.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DJANGO_VAR_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = env_choice("DJANGO_ENV", "development", ("development", "test", "production"))
PRODUCTION = ENVIRONMENT == "production"

DEFAULT_SECRET_KEY = "dev-only-secret-key-never-use-in-production-3b7e1c"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_DEBUG must be off in production (DJANGO_ENV=production).")
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters in production."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the portal's host names in production.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "import_export",  # its admin mixins and templates (imports and exports in the admin)
    "django_tasks_db",  # the task queue's embedded backend: jobs in the portal's own database
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",  # the read API (api/, /api/v1/)
    "drf_spectacular",  # its OpenAPI 3 schema
    "drf_spectacular_sidecar",  # the documentation page's scripts, served from our own static files (no CDN)
    # The portal's own apps, lowest floor first (README, "Layout"; the import contract in pyproject.toml keeps them).
    "core",
    "accounts",
    "stations",
    "contracts",
    "staffing",
    "evaluations",
    "reports",
    "documents",
    "audit",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.language.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Every page needs a signed-in user unless its view says otherwise (login, /healthz).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.sessions.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "audit.middleware.RefusedAccessMiddleware",
    # Last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.portal",
                "reports.navigation.navigation",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another (postgres://user@host:5432/name).
_default_db = f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"
if (
    "DATABASE_URL" not in os.environ
):  # a fresh clone: the embedded database's folder (the model checks open it)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
_database_url = env_str("DATABASE_URL", _default_db)
try:
    _db = dj_database_url.parse(_database_url, conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60, minimum=0))
except Exception as exc:  # dj-database-url raises several exception types for a bad URL
    raise ImproperlyConfigured(f"DATABASE_URL={_database_url!r} cannot be read: {exc}") from None
if _db.get("ENGINE") not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
    raise ImproperlyConfigured(f"DATABASE_URL must name SQLite or PostgreSQL, not {_db.get('ENGINE')!r}.")
# A restarted PostgreSQL must not leave dead persistent connections behind.
_db["CONN_HEALTH_CHECKS"] = True
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    # A writer waits up to 20 s for another (an import's transaction) instead of failing with "database is locked",
    # and takes the write lock at the start of its transaction, so two writers queue instead of deadlocking.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA foreign_keys=ON; PRAGMA journal_mode=WAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PersonBackend",  # ModelBackend, refusing the read API's machine accounts
]
if ENVIRONMENT == "test":
    # Hashing cost is not what the tests test; a fast hasher keeps the suite quick.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The audit log's database triggers (append-only, 183 days). Tests flush tables between runs, so the test profile
# leaves them out of the migration; tests/security installs them inside a test to check them.
AUDIT_DATABASE_GUARD = ENVIRONMENT != "test"
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 183, minimum=183)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Login failures (等保 2.0 登录失败处理, accounts/throttle.py): 5 failures lock the pair (user name, address) for
# 30 minutes (django-axes) — not the user name alone, which would let anyone lock a colleague out by typing their
# name, nor the address alone, which would lock out a whole office behind one NAT address; and across addresses a
# user name that keeps failing waits 2, 4, 8 … up to 60 seconds between tries.
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
THROTTLE_AFTER = env_int("LOGIN_THROTTLE_AFTER", 5, minimum=1)
THROTTLE_MAX_SECONDS = env_int("LOGIN_THROTTLE_MAX_SECONDS", 60, minimum=1)
SILENCED_SYSTEM_CHECKS = []

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = not PRODUCTION  # development and tests serve static/ without collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files live outside the web root and are served only through permission-checked views.
# Personal identifiers (ID and phone numbers) are encrypted at rest with these Fernet keys: the first encrypts,
# every one decrypts (rotation). Required in production; development and tests derive one from the secret key.
# Make one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
FIELD_ENCRYPTION_KEYS = [k.strip() for k in env_str("DJANGO_FIELD_KEYS", "").split(",") if k.strip()]
if not FIELD_ENCRYPTION_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_FIELD_KEYS must be set in production (the key of personal data).")
    import base64
    import hashlib

    _derived = hashlib.sha256(("field-encryption:" + SECRET_KEY).encode()).digest()
    FIELD_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(_derived).decode()]
# The key of the digests that find a person by ID number without decrypting (one record per person): its own key, so
# that rotating the encryption keys changes no digest. Required in production; an installation that made its digests
# before this setting existed sets it to the first DJANGO_FIELD_KEYS key it had then (README, "Keys").
FIELD_DIGEST_KEY = env_str("DJANGO_FIELD_DIGEST_KEY", "")
if not FIELD_DIGEST_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "DJANGO_FIELD_DIGEST_KEY must be set in production (the key of ID-number digests)."
        )
    FIELD_DIGEST_KEY = FIELD_ENCRYPTION_KEYS[
        -1
    ]  # development: the key the digests of a dev database were made with

# Open contracting (OCDS): the ocid prefix registered for the district with the OCDS helpdesk, and where the
# district publishes its release packages.
OCDS_PREFIX = env_str("OCDS_PREFIX", "ocds-sgz120")
OCDS_PUBLISH_BASE = env_str("OCDS_PUBLISH_BASE", "https://mzj.dongli.example.gov.cn")

UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 20, minimum=1)  # each uploaded file
REQUEST_MAX_MB = env_int("REQUEST_MAX_MB", 100, minimum=1)  # a whole request (several files), refused unread
# Imports (documents/imports.py) are read within these bounds before anything is kept: the file, its real unpacked
# size (a zip bomb), its rows and columns, and the time spent reading. A sheet past one is refused with the reason.
IMPORT_MAX_MB = env_int("IMPORT_MAX_MB", 5, minimum=1)
IMPORT_MAX_UNPACKED_MB = env_int("IMPORT_MAX_UNPACKED_MB", 40, minimum=1)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20000, minimum=1)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 60, minimum=1)
IMPORT_MAX_SECONDS = env_int("IMPORT_MAX_SECONDS", 30, minimum=1)
# A confirmed import of more rows than this is saved by a worker of the task queue, not in the web request.
IMPORT_JOB_ROWS = env_int("IMPORT_JOB_ROWS", 1000, minimum=0)
UPLOAD_ROOT = Path(env_str("DJANGO_UPLOAD_ROOT", str(VAR_DIR / "uploads")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(UPLOAD_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
# The compliance engine's results are cached per scope and day, keyed by the data versions of the scope's districts
# (reports/findings_cache.py: any write raises its districts' versions, so a stale result is never served). A day by
# default: the daily check_compliance leaves every district's findings for the day's pages and exports. The cache is
# Redis when REDIS_URL is set (shared by every worker), else each process's memory. Off in tests, which roll back
# data between tests (dedicated tests switch it on).
FINDINGS_CACHE_SECONDS = 0 if ENVIRONMENT == "test" else env_int("FINDINGS_CACHE_SECONDS", 86400, minimum=0)
_redis = env_str("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis}
        if _redis
        # Without Redis: each process's memory, room for a province's districts' findings (one entry each).
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    )
}

# Uploads in S3-compatible object storage (MinIO, OSS/COS with S3 API, Ceph) when a bucket is named: nothing is kept
# on an app server's disk, so several app servers can share the files. Private objects, never public URLs: files are
# still served only through the permission-checked download view.
S3_BUCKET = env_str("DJANGO_S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("DJANGO_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("DJANGO_S3_REGION", "") or None,
            "access_key": env_str("DJANGO_S3_ACCESS_KEY", "") or None,
            "secret_key": env_str("DJANGO_S3_SECRET_KEY", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "location": "uploads",
        },
    }
# The bundled Chinese font (Noto Sans SC, OFL) for PDFs; `make fonts` puts it here.
FONT_DIR = Path(env_str("DJANGO_FONT_DIR", str(BASE_DIR / "assets" / "fonts")))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

_mail_backend = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _mail_backend,
        "OPTIONS": (
            {
                "host": env_str("DJANGO_EMAIL_HOST", "localhost"),
                "port": env_int("DJANGO_EMAIL_PORT", 25, minimum=1),
            }
            if _mail_backend.endswith("smtp.EmailBackend")
            else {}
        ),
    },
}
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "社工站管理平台 <noreply@localhost>")

# Security headers. Content Security Policy: no inline script, everything from this origin.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Idle logout after 30 minutes (the cookie's age, renewed by activity); an absolute limit of 12 hours after
# login (accounts.sessions); a password older than 90 days must be changed first.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = False  # accounts.sessions renews the idle timer at most once a minute
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12, minimum=1)
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90, minimum=1)
# Two-factor login (TOTP, django-otp): required for these roles under production settings; in the demo anyone may
# turn it on for their own account (and is then asked for the code at every login).
OTP_REQUIRED_ROLES = set(
    env_str("OTP_REQUIRED_ROLES", "bureau,admin,auditor" if PRODUCTION else "").replace(" ", "").split(",")
) - {""}
OTP_TOTP_ISSUER = "社工站管理平台"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_FAILURE_VIEW = "core.views.csrf_failure"  # a styled page that keeps what was typed
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if env_bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_str("DJANGO_LOG_LEVEL", "INFO" if PRODUCTION else "WARNING"),
    },
}

# The demo accounts and the story of seed_demo are never loaded in production.
DEMO_PASSWORD = "dongli-demo-2021"  # noqa: S105

# The read API (api/, README "For the systems' developers"): tokens only, read-only, JSON in UTF-8, money as decimal
# strings, times in ISO 8601 with +08:00, one error shape, a rate per token.
API_RATE = env_str("API_RATE", "600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.IsTokenReader"],
    "DEFAULT_THROTTLE_CLASSES": ["api.auth.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": API_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.handle",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": True,
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "社工站管理平台数据接口 · Social Work Station Portal read API",
    "DESCRIPTION": "只读接口，供市民政局平台、民政信息系统和政务数据共享交换平台读取社工站、合同和评估数据。"
    "令牌由区民政局系统管理员签发（Authorization: Bearer <令牌>）。不含任何个人信息。",
    "VERSION": "1.0.0",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SERVE_INCLUDE_SCHEMA": False,  # the schema's own address is not a resource
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

# django-import-export: the admin's exports escape anything Excel would read as a formula (as core.workbook does).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_USE_TRANSACTIONS = True

# The task queue (django.tasks): long work leaves the web request. One code path, two engines (README, "Background
# work"):
# - "database" (the embedded default): the queue in the portal's own database (django-tasks-db), on SQLite or
#   PostgreSQL, its worker started by `make run` (python manage.py export_worker); no extra server.
# - "redis": RQ through its django.tasks backend (django-tasks-rq), for several machines: every worker on any machine
#   takes jobs from the same Redis (TASKS_REDIS_URL, else REDIS_URL); `python manage.py export_worker` there too.
# Tests run tasks at once ("immediate") unless a test starts a worker. TASKS_BACKEND=immediate runs them in the
# request (development only).
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate" if ENVIRONMENT == "test" else "database")
_TASK_ENGINES = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_rq.RQBackend",
}
if TASKS_BACKEND not in _TASK_ENGINES:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(_TASK_ENGINES)}, not {TASKS_BACKEND!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_ENGINES[TASKS_BACKEND]}}
if TASKS_BACKEND == "redis":
    TASKS["default"]["QUEUES"] = ["default"]
    INSTALLED_APPS.append("django_rq")  # its rqworker command, which export_worker runs
    RQ_QUEUES = {
        "default": {
            "URL": env_str("TASKS_REDIS_URL", _redis or "redis://127.0.0.1:6379/0"),
            "DEFAULT_TIMEOUT": 3 * 3600,  # a province's workbook takes minutes, never hours
        }
    }
EXPORT_ROOT = Path(env_str("DJANGO_EXPORT_ROOT", str(VAR_DIR / "exports")))
EXPORT_KEEP_DAYS = env_int(
    "EXPORT_KEEP_DAYS", 7, minimum=1
)  # finished files are deleted after this many days
EXPORT_STALE_SECONDS = env_int(
    "EXPORT_STALE_SECONDS", 60, minimum=1
)  # a running job silent this long lost its worker
LIST_EXPORT_JOB_ROWS = env_int(
    "LIST_EXPORT_JOB_ROWS", 5000, minimum=0
)  # a list export with more rows than this is a background job (core/lists.py)
ROLLOUT_EXPORT_JOB_STATIONS = env_int(
    "ROLLOUT_EXPORT_JOB_STATIONS", 300, minimum=0
)  # a direct rollout or OCDS download over more stations than this goes to the job page (documents/views.py)
EXPORT_DRILL_PAUSE_SECONDS = float(
    env_str("EXPORT_DRILL_PAUSE_SECONDS", "0")
)  # fault drills only (documents/jobs.py)
