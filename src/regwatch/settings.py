"""Settings for every mode, read from the environment.

Embedded mode (the default) needs nothing: SQLite under ``var/``, a secret key
generated once into ``var/secret_key``, local-memory cache.  Production mode
(``REGWATCH_ENV=production``) refuses to start with DEBUG on or without a real
secret, because those mistakes are silent otherwise.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("REGWATCH_VAR_DIR", Path.cwd() / "var")).resolve()
ENV = os.environ.get("REGWATCH_ENV", "embedded")  # embedded | production | test


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _embedded_secret() -> str:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = _flag("REGWATCH_DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY") or ""
if ENV == "production":
    if DEBUG:
        raise ImproperlyConfigured("REGWATCH_ENV=production refuses to start with REGWATCH_DEBUG on.")
    if len(SECRET_KEY) < 40 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured("REGWATCH_ENV=production needs SECRET_KEY of at least 40 random characters.")
elif not SECRET_KEY:
    SECRET_KEY = _embedded_secret()

# Column encryption (core/crypto.py; docs/security.md, "Cryptography"): "id:base64key,id2:…", the
# first encrypts, all decrypt; 16-byte keys are SM4, 32-byte keys AES-256 (REGWATCH_FIELD_CIPHER=aes256
# where OpenSSL lacks SM4).  Embedded and test mode derive a key from SECRET_KEY when none is set;
# production refuses to start without keys, since values encrypted with a derived key die with SECRET_KEY.
REGWATCH_FIELD_KEYS = os.environ.get("REGWATCH_FIELD_KEYS", "")
REGWATCH_FIELD_CIPHER = os.environ.get("REGWATCH_FIELD_CIPHER", "sm4")
if ENV == "production" and not REGWATCH_FIELD_KEYS:
    raise ImproperlyConfigured("REGWATCH_ENV=production needs REGWATCH_FIELD_KEYS (see docs/security.md, Cryptography).")
if REGWATCH_FIELD_KEYS:
    from regwatch.core.crypto import parse_keys

    parse_keys(REGWATCH_FIELD_KEYS, REGWATCH_FIELD_CIPHER)  # a malformed keyring stops the start, naming no key

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("REGWATCH_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("REGWATCH_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "huey.contrib.djhuey",
    "captcha",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "regwatch.core",
    "regwatch.accounts",
    "regwatch.audit",
    "regwatch.subjects",
    "regwatch.packs",
    "regwatch.ops",
    "regwatch.intake",
    "regwatch.quality",
    "regwatch.catalog",
    "regwatch.indicators",
    "regwatch.scoring",
    "regwatch.warnings",
    "regwatch.workorders",
    "regwatch.notifications",
    "regwatch.approvals",
    "regwatch.web",
    "regwatch.api",
]
# Apps with their own pages and API endpoints, mounted at /<app>/ and /api/v1/<app>/.
REGWATCH_APP_URLS = ["ops", "intake", "quality", "catalog", "indicators", "scoring", "warnings", "workorders", "notifications", "approvals"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads the body: upload limits are checked and files hashed first.
    "regwatch.web.uploads.UploadMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "regwatch.accounts.middleware.IdleTimeoutMiddleware",
    "regwatch.accounts.middleware.SingleSessionMiddleware",
    "regwatch.accounts.middleware.OTPRequiredMiddleware",
    "regwatch.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "regwatch.audit.middleware.AuditContextMiddleware",
    "regwatch.web.middleware.SecureHeadersMiddleware",
]

ROOT_URLCONF = "regwatch.urls"
WSGI_APPLICATION = "regwatch.wsgi.application"

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
                "regwatch.web.context.navigation",
            ],
        },
    },
]


def _database(url: str) -> dict[str, Any]:
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0 if url.startswith("sqlite") else 60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock
        # at BEGIN so concurrent writers wait (busy timeout) instead of failing mid-transaction.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        if ENV == "test":
            # A file, not Django's shared in-memory database: live-server tests then talk to
            # it over their own connections, and contend for its write lock, as a real server does.
            config["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    return config


DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'regwatch.sqlite3'}"
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "regwatch"}}
    CACHES["login"] = {**CACHES["default"], "KEY_PREFIX": "regwatch-login"}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "regwatch"},
        "login": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "login-throttle")},
    }

AUTH_USER_MODEL = "accounts.User"
# Password sign-in first; single sign-on backends (an OIDC client, docs/security.md "Authentication")
# are added by dotted path, comma-separated, without a code change.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    *[b.strip() for b in os.environ.get("REGWATCH_AUTH_BACKENDS", "").split(",") if b.strip()],
]
# Login throttling (regwatch.accounts.lockout; docs/operations.md): growing delays per username and
# address, a CAPTCHA after failures, a per-address block.  Its counters must be shared by every
# process (web workers and the `regwatch unlock` command): Redis when configured, else files.
REGWATCH_LOGIN_LIMITS = {"lock_after": int(os.environ.get("REGWATCH_LOGIN_FAILURE_LIMIT", "5"))}
# Proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed: behind the
# production proxy every request comes from the proxy, and without this all users share one address.
REGWATCH_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("REGWATCH_TRUSTED_PROXIES", "").split(",") if p.strip()]
CAPTCHA_LENGTH = 4
CAPTCHA_IMAGE_SIZE = (120, 40)
CAPTCHA_FONT_SIZE = 28
CAPTCHA_TIMEOUT = 10  # minutes
# Letters and digits that cannot be confused with one another when read from the image.
CAPTCHA_CHALLENGE_FUNCT = "regwatch.accounts.lockout.captcha_challenge"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "regwatch.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "regwatch.accounts.validators.PasswordHistoryValidator"},
]
# A new password may not be any of the last N (0: no check); a password older than this many days
# must be changed at the next sign-in (0: never).  See docs/security.md "Authentication".
REGWATCH_PASSWORD_HISTORY = int(os.environ.get("REGWATCH_PASSWORD_HISTORY", "5"))
REGWATCH_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("REGWATCH_PASSWORD_MAX_AGE_DAYS", "90"))
# Roles that must sign in with a one-time code from an authenticator app (TOTP) as well as the
# password; comma-separated role codes, empty for none.  Superusers always must, while any role does.
REGWATCH_OTP_REQUIRED_ROLES = [
    r.strip() for r in os.environ.get("REGWATCH_OTP_REQUIRED_ROLES", "system_admin,security_admin,auditor").split(",") if r.strip()
]
OTP_TOTP_ISSUER = "监管风险智治平台"
# A new sign-in ends the user's other browser sessions (on by default in production).
REGWATCH_SINGLE_SESSION = _flag("REGWATCH_SINGLE_SESSION", ENV == "production")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
# Embedded mode serves static files straight from the app folders (WhiteNoise finders);
# production collects them into STATIC_ROOT.
STATIC_ROOT = VAR_DIR / "static" if ENV == "production" else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = True

# Secure by default; HTTPS-only flags switch on in production where TLS terminates in front of us.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600  # the longest a sign-in lasts, however active
# Signed out after this many minutes without activity (0: never); see accounts.middleware.
REGWATCH_SESSION_IDLE_MINUTES = int(os.environ.get("REGWATCH_SESSION_IDLE_MINUTES", "30"))
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if ENV == "production":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _flag("REGWATCH_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    # Only when every host under the domain serves HTTPS (docs/operations.md, "TLS at the proxy").
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("REGWATCH_HSTS_INCLUDE_SUBDOMAINS")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so an anonymous call gets 401 with WWW-Authenticate, not a bare 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # JSON in and out; file uploads get their own parsers on the views that take files.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PERMISSION_CLASSES": ["regwatch.api.permissions.ModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "regwatch.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "regwatch.api.problems.exception_handler",
    # Every API call is rate-limited: per account, and per address for anonymous callers (api/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": ["regwatch.api.throttling.ClientRateThrottle", "regwatch.api.throttling.AnonymousRateThrottle"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
REGWATCH_API_RATE = os.environ.get("REGWATCH_API_RATE", "6000/min")
REGWATCH_API_ANON_RATE = os.environ.get("REGWATCH_API_ANON_RATE", "60/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "监管风险智治平台 接口文档",
    "DESCRIPTION": (
        "监管风险智治平台对外接口。所有列表接口只返回调用方数据权限范围内的数据；"
        "认证方式为令牌（Token）或登录会话；错误以 RFC 9457 问题文档返回。"
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Tags are the segment after /api/v1/ (an object type's slug, or an app), named in Chinese by
    # regwatch.api.schema.chinese_operations.
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the installed sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "regwatch.api.schema.add_problem_responses",
        "regwatch.api.schema.chinese_operations",
    ],
    "SWAGGER_UI_SETTINGS": {"docExpansion": "none", "filter": True, "persistAuthorization": True},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("REGWATCH_LOG_LEVEL", "WARNING")},
}

# Background tasks and the one periodic scheduler: `regwatch run_huey` runs both.
# Embedded mode keeps the queue in a SQLite file; production uses Redis; tests run tasks
# immediately, in-process, so a test sees a task's effect when the call returns.
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "regwatch", "url": REDIS_URL, "immediate": ENV == "test"}
else:
    HUEY = {"huey_class": "huey.SqliteHuey", "name": "regwatch", "filename": str(VAR_DIR / "tasks.sqlite3"), "immediate": ENV == "test"}
HUEY["consumer"] = {"workers": 2, "worker_type": "thread"}

# Extra folders holding packs (one sub-folder per pack), searched after src/regwatch/packs.
REGWATCH_PACK_DIRS = [d for d in os.environ.get("REGWATCH_PACK_DIRS", "").split(os.pathsep) if d.strip()]
REGWATCH_DEMO_SUBJECTS = int(os.environ.get("REGWATCH_DEMO_SUBJECTS", "20000"))
REGWATCH_EXPORT_MAX_ROWS = int(os.environ.get("REGWATCH_EXPORT_MAX_ROWS", "200000"))
# Approvals (docs/security.md): a list export above this many rows needs an approved request; an
# export with clear sensitive values above the second; an approval may be used once within the hours.
REGWATCH_EXPORT_APPROVAL_ROWS = int(os.environ.get("REGWATCH_EXPORT_APPROVAL_ROWS", "5000"))
REGWATCH_UNMASKED_EXPORT_ROWS = int(os.environ.get("REGWATCH_UNMASKED_EXPORT_ROWS", "20"))
REGWATCH_APPROVAL_VALID_HOURS = int(os.environ.get("REGWATCH_APPROVAL_VALID_HOURS", "24"))
# Seconds a burst of record writes is collected before one incremental re-grade runs (scoring/tasks.py).
REGWATCH_REGRADE_DELAY = float(os.environ.get("REGWATCH_REGRADE_DELAY", "10"))

# Audit trail (docs/security.md, "Audit trail"): the HMAC-SM3 key of the event chain (else derived
# from SECRET_KEY; set it explicitly so a SECRET_KEY rotation keeps old events verifiable), and how
# many days events are kept before the purge removes them: at least 180 (等保 level 3).
REGWATCH_AUDIT_KEY = os.environ.get("REGWATCH_AUDIT_KEY", "")
try:
    REGWATCH_AUDIT_RETENTION_DAYS = int(os.environ.get("REGWATCH_AUDIT_RETENTION_DAYS", "180"))
except ValueError:
    raise ImproperlyConfigured("REGWATCH_AUDIT_RETENTION_DAYS must be a whole number of days (at least 180).") from None
if REGWATCH_AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured(
        f"REGWATCH_AUDIT_RETENTION_DAYS={REGWATCH_AUDIT_RETENTION_DAYS}: audit records must be kept at least 180 days"
        " (审计日志保存期限不得少于 180 天)."
    )

# Notifications that leave the machine (see docs/workorders.md, "Notifications").
# E-mail: REGWATCH_EMAIL_URL = smtp://user:pass@host:25 | smtp+tls://…:587 (STARTTLS) |
# smtps://…:465 (TLS) | console: | file:/path; without it, embedded mode writes each mail to a
# file under var/mail, tests keep them in memory (Django's locmem backend) and production uses
# Django's default, SMTP on localhost:25 (a failure shows on the outbox page if none answers).
_email_url = os.environ.get("REGWATCH_EMAIL_URL", "")
if _email_url:
    from regwatch.notifications.email_url import parse_email_url

    globals().update(parse_email_url(_email_url))
elif ENV not in ("test", "production"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = os.environ.get("REGWATCH_EMAIL_FROM", "regwatch@localhost")
EMAIL_TIMEOUT = int(os.environ.get("REGWATCH_EMAIL_TIMEOUT", "10"))
# SMS and instant messages go to an HTTP gateway each (signed POST, HMAC-SHA256). Without a URL,
# embedded mode appends them to var/outbox/<channel>.jsonl, tests keep them in memory, and
# production records a failure, so nothing is ever marked sent that no gateway accepted.
REGWATCH_GATEWAYS = {
    channel: {
        "url": os.environ.get(f"REGWATCH_{channel.upper()}_GATEWAY_URL", ""),
        "app_key": os.environ.get(f"REGWATCH_{channel.upper()}_APP_KEY", ""),
        "app_secret": os.environ.get(f"REGWATCH_{channel.upper()}_APP_SECRET", ""),
    }
    for channel in ("sms", "im")
}
REGWATCH_GATEWAY_TIMEOUT = float(os.environ.get("REGWATCH_GATEWAY_TIMEOUT", "5"))
REGWATCH_GATEWAY_RETRIES = int(os.environ.get("REGWATCH_GATEWAY_RETRIES", "2"))
REGWATCH_GATEWAY_BACKOFF = float(os.environ.get("REGWATCH_GATEWAY_BACKOFF", "0.5"))  # seconds before the first retry, doubling
REGWATCH_GATEWAY_FALLBACK = {"test": "memory", "production": ""}.get(ENV, "file")
REGWATCH_OUTBOX_DIR = VAR_DIR / "outbox"
REGWATCH_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("REGWATCH_OUTBOX_MAX_ATTEMPTS", "6"))

# Upload limits (bytes), checked before the body is read (web/uploads.py): attachments and any
# other file field, and data files for intake, which are larger by nature.
REGWATCH_UPLOAD_MAX_BYTES = int(os.environ.get("REGWATCH_UPLOAD_MAX_BYTES", str(100 * 1024 * 1024)))
REGWATCH_INTAKE_MAX_BYTES = int(os.environ.get("REGWATCH_INTAKE_MAX_BYTES", str(500 * 1024 * 1024)))
# What one uploaded file may ask of the reader (intake/safety.py, intake/isolation.py; docs/intake.md
# "Hostile files"): xlsx checked before it is read, then read in a child with memory and CPU limits.
REGWATCH_XLSX_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("REGWATCH_XLSX_MAX_UNCOMPRESSED_BYTES", str(1024 * 1024 * 1024)))
REGWATCH_XLSX_MAX_MEMBER_BYTES = int(os.environ.get("REGWATCH_XLSX_MAX_MEMBER_BYTES", str(512 * 1024 * 1024)))
REGWATCH_XLSX_MAX_RATIO = int(os.environ.get("REGWATCH_XLSX_MAX_RATIO", "200"))
REGWATCH_XLSX_MAX_ROWS = int(os.environ.get("REGWATCH_XLSX_MAX_ROWS", "1048576"))
REGWATCH_XLSX_MAX_COLUMNS = int(os.environ.get("REGWATCH_XLSX_MAX_COLUMNS", "1024"))
REGWATCH_XLSX_MAX_CELLS = int(os.environ.get("REGWATCH_XLSX_MAX_CELLS", "20000000"))
REGWATCH_INTAKE_READER_MEMORY_MB = int(os.environ.get("REGWATCH_INTAKE_READER_MEMORY_MB", "4096"))
REGWATCH_INTAKE_READER_CPU_SECONDS = int(os.environ.get("REGWATCH_INTAKE_READER_CPU_SECONDS", "600"))
REGWATCH_INTAKE_READER_TIMEOUT_SECONDS = int(os.environ.get("REGWATCH_INTAKE_READER_TIMEOUT_SECONDS", "900"))
