"""One environment-driven settings module. Every variable is listed in .env.example."""

import datetime
import os
from pathlib import Path

import dj_database_url

from lianxin.env import envbool, envint, envlist, load_env_file

BASE_DIR = Path(__file__).resolve().parent.parent
# A deployment keeps its settings in .env beside the project (or where LIANXIN_ENV_FILE says); the real environment
# wins over the file. Read before anything below looks at os.environ.
load_env_file(os.getenv("LIANXIN_ENV_FILE", BASE_DIR / ".env"))
VAR_DIR = Path(os.getenv("LIANXIN_VAR_DIR", BASE_DIR / "var"))

DEBUG = envbool("DEBUG", "false")
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and envbool("LIANXIN_PRODUCTION", "false"):
        raise RuntimeError("SECRET_KEY must be set in production")
    # Development and tests only: production refuses to start without SECRET_KEY (above).
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
# The absolute address of the public site: QR codes encode SITE_URL + /d/<code> and /p/<code>.
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "lianxin.backoffice.apps.BackofficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Only for its templates and static files: /api/v1/docs serves Swagger UI from here, not from a CDN.
    "ninja",
    "lianxin.core",
    "lianxin.workdays",
    "lianxin.regions",
    "lianxin.accounts",
    "lianxin.deputies",
    "lianxin.venues",
    "lianxin.notifications",
    "lianxin.cases",
    "lianxin.demo",
    "lianxin.api",
    "lianxin.open311",
    "lianxin.portal",
    "lianxin.workbench",
    "lianxin.office",
    "lianxin.elections",
    "lianxin.projects",
    "lianxin.suggestions",
    "lianxin.duties",
    "lianxin.routing",
    "lianxin.privacy",
    "lianxin.ops",
    "lianxin.insight",
    "lianxin.supervision",
    "lianxin.legislation",
    "lianxin.circle",
    "lianxin.integrity",
    # Staff logins: lockout after repeated failures (axes) and TOTP second factor (django-otp), lianxin.accounts.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

MIDDLEWARE = [
    # First, so that the request latency it records for /metrics covers every other middleware too.
    "lianxin.ops.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, and bodies refused by Content-Length before anything reads them.
    "lianxin.core.security.ContentSecurityPolicyMiddleware",
    "lianxin.core.uploads.RequestBodyLimitMiddleware",
    # A NUL character in the path or a parameter is a 400 before any view or query sees it (PostgreSQL 500'd).
    "lianxin.core.input_guard.RejectNulMiddleware",
    # Static files served by the platform itself (no CDN: it may run on an intranet).
    "lianxin.portal.middleware.StaticFilesMiddleware",
    # Before the session is loaded: a refused API request costs one counter statement and nothing else.
    "lianxin.api.throttle.ApiRateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(), then the staff idle timeout and the second-factor gate (lianxin.accounts).
    "django_otp.middleware.OTPMiddleware",
    "lianxin.accounts.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: turns a locked-out login into the Chinese lockout page.
    "axes.middleware.AxesMiddleware",
    # A view that finds the database away answers a Chinese 503 page with Retry-After (the API answers JSON).
    "lianxin.core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "lianxin.urls"
WSGI_APPLICATION = "lianxin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "lianxin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lianxin.office.context.office_context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lianxin.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
        # A persistent connection is checked before its first use in each request (and each worker round), so a
        # database restart or a terminated backend costs a reconnect, not a failed request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the demo server and a management command share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # API intake's INSERT is prepared once per connection (lianxin.cases.intake.queue); Django's own queries bind on the
    # client and are never prepared whatever this says. Behind PgBouncer < 1.21 in transaction mode, set
    # DB_PREPARED_STATEMENTS=false.
    prepare_threshold = 5 if envbool("DB_PREPARED_STATEMENTS", "true") else None
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = prepare_threshold

REDIS_URL = os.getenv("REDIS_URL", "")
# "ratelimit" holds what every process must see (rate-limit counters, used captchas): Redis when configured, else
# the database (its tables are created after every `migrate`, lianxin.core.apps). "default" is for pages.
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "ratelimit": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "lianxin_cache"},
    }
# Reverse proxies (addresses or CIDRs) whose X-Forwarded-For is believed (lianxin.core.net.client_ip).
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "")
# Rate limits as "requests/seconds" ("0" switches one off): the API per caller (token or session) and per address,
# Open311's writes per api_key and per address, receipt-code lookups (Open311, one per code) per address.
API_RATE_CALLER = os.getenv("API_RATE_CALLER", "1200/60")
API_RATE_IP = os.getenv("API_RATE_IP", "2400/60")
# Public pages that are the same for everyone (deputy, place, home, results, the projects map) are kept per process
# for PUBLIC_PAGE_SECONDS and phones may keep them for PUBLIC_PAGE_BROWSER_SECONDS: never more than a minute stale
# (lianxin/core/pagecache.py). 0 turns the page cache off.
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "lianxin-pages",
    "OPTIONS": {"MAX_ENTRIES": envint("PUBLIC_PAGE_CACHE_ENTRIES", "2000")},
}
PUBLIC_PAGE_SECONDS = envint("PUBLIC_PAGE_SECONDS", "25")
PUBLIC_PAGE_BROWSER_SECONDS = envint("PUBLIC_PAGE_BROWSER_SECONDS", "30")
OPEN311_RATE_WRITE = os.getenv("OPEN311_RATE_WRITE", "600/3600")
OPEN311_RATE_LOOKUP = os.getenv("OPEN311_RATE_LOOKUP", "240/3600")
# Request bodies: any request larger than UPLOAD_MAX_BYTES is refused by its Content-Length before it is read (the
# portal's photo form and the import forms have lower caps of their own, lianxin.core.uploads). Form fields other
# than files may take DATA_UPLOAD_MAX_MEMORY_SIZE; uploaded files above FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary
# file instead of memory.
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", str(64 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440))
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440))
# Content-Security-Policy (lianxin.core.security); true sends it as Report-Only, to try a change first.
CSP_REPORT_ONLY = envbool("CSP_REPORT_ONLY", "false")

AUTH_USER_MODEL = "accounts.User"
# Every account is staff, a deputy or a grid worker (citizens have none): all get the staff password policy,
# checked wherever a password is set or changed (back office, `changepassword`). Messages in Chinese.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "lianxin.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("PASSWORD_MIN_LENGTH", "12")},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "lianxin.accounts.passwords.CharacterClassesValidator",
        "OPTIONS": {"min_classes": envint("PASSWORD_MIN_CLASSES", "3")},
    },
]
# The lockout (axes) stands first: a locked-out username + address is refused before its password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Staff logins (lianxin/accounts/logins.py, docs/security.md). After LOGIN_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is refused for LOGIN_LOCKOUT_MINUTES (an admin may lift it sooner).
AXES_ENABLED = envbool("LOGIN_LOCKOUT_ENABLED", "true")
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "lianxin.accounts.logins.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "lianxin.accounts.logins.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # accounts.LoginEvent is the login audit; axes keeps only its failure counters
AXES_ENABLE_ADMIN = False  # its English pages: a clerk unlocks from the login log (lianxin.backoffice.third_party)
AXES_VERBOSE = False
# Staff (back-office roles) are logged out after this many idle minutes; deputies' workbench is not affected.
STAFF_IDLE_MINUTES = envint("STAFF_IDLE_MINUTES", "30")
# TOTP second factor for staff: on by default in production, off in development, the demo and tests.
STAFF_2FA_REQUIRED = envbool("STAFF_2FA_REQUIRED", os.getenv("LIANXIN_PRODUCTION", "false"))
OTP_TOTP_ISSUER = os.getenv("OTP_TOTP_ISSUER", "连心")
# A device's secret is never shown again, not even to a superuser in the back office (who may delete the device
# when a phone is lost; its owner then enrols anew).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
LOGIN_URL = "admin:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Serve from the apps' static folders too, so a deployment works before (or without) collectstatic.
WHITENOISE_USE_FINDERS = True
# Static files that pages of several apps share; lianxin/publicweb is not an app (the vendored ECharts).
STATICFILES_DIRS = [BASE_DIR / "lianxin" / "publicweb" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

# Files the web server never serves (nginx publishes /media/): long jobs' uploads and results (ops/longjobs.py).
PRIVATE_FILES_ROOT = VAR_DIR / "private"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Production hardening: `lianxin check --deploy` is clean when LIANXIN_PRODUCTION=true.
if envbool("LIANXIN_PRODUCTION", "false"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Notifications and the background worker (`lianxin run_worker`). Every channel writes to the log until it is
# configured: e.g. NOTIFICATION_SMS_CHANNEL=lianxin.notifications.channels.HttpSmsChannel with SMS_GATEWAY_URL.
_LOG_CHANNEL = "lianxin.notifications.channels.LogChannel"
NOTIFICATION_CHANNELS = {
    "log": _LOG_CHANNEL,
    "sms": os.getenv("NOTIFICATION_SMS_CHANNEL", _LOG_CHANNEL),
    "wechat": os.getenv("NOTIFICATION_WECHAT_CHANNEL", _LOG_CHANNEL),
    "email": os.getenv("NOTIFICATION_EMAIL_CHANNEL", _LOG_CHANNEL),
}
NOTIFICATION_STAFF_CHANNEL = os.getenv("NOTIFICATION_STAFF_CHANNEL", "log")  # how staff, deputies, units hear
NOTIFICATION_MAX_ATTEMPTS = envint("NOTIFICATION_MAX_ATTEMPTS", "10")  # then "failed", retried by staff
NOTIFICATION_BATCH = envint("NOTIFICATION_BATCH", "100")
SMS_GATEWAY_URL = os.getenv("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.getenv("SMS_GATEWAY_TOKEN", "")
WECHAT_GATEWAY_URL = os.getenv("WECHAT_GATEWAY_URL", "")
WECHAT_GATEWAY_TOKEN = os.getenv("WECHAT_GATEWAY_TOKEN", "")
WECHAT_TEMPLATE_ID = os.getenv("WECHAT_TEMPLATE_ID", "")
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "lianxin@localhost")
# Bearer tokens may be kept per process for this many seconds (lianxin/accounts/services.py). With Redis, every
# saved revocation, deactivation or role change bumps a generation there and takes effect at once in every
# process; without Redis there is no shared place to bump it, so by default nothing is kept (0: every request
# reads its token, one indexed statement).
API_TOKEN_CACHE_SECONDS = envint("API_TOKEN_CACHE_SECONDS", "10" if REDIS_URL else "0")
# Tokens expire after API_TOKEN_DAYS; a rotated token keeps working API_TOKEN_ROTATION_GRACE_MINUTES more
# (0: revoked at once), so a program can switch to the new one without an outage.
API_TOKEN_DAYS = envint("API_TOKEN_DAYS", "90")
API_TOKEN_ROTATION_GRACE_MINUTES = envint("API_TOKEN_ROTATION_GRACE_MINUTES", "60")
WORKER_POLL_SECONDS = envint("WORKER_POLL_SECONDS", "1")
WORKER_DEADLINE_MINUTES = envint("WORKER_DEADLINE_MINUTES", "15")  # reminders, overdue, escalation
WORKER_SUMMARY_TIME = os.getenv("WORKER_SUMMARY_TIME", "07:00")  # Beijing time; weekly on Monday, monthly on the 1st
CASE_ESCALATE_AFTER_DAYS = envint("CASE_ESCALATE_AFTER_DAYS", "3")  # working days late before automatic 督办

# Personal data (PIPL): retention periods applied daily by the worker and by `lianxin purge_personal_data`
# (lianxin/privacy/retention.py, docs/privacy.md), and who answers for it on the privacy notice (/privacy/).
RETENTION_CASE_CONTACT_YEARS = envint("RETENTION_CASE_CONTACT_YEARS", "3")  # after the case ended
RETENTION_SUBMISSION_DAYS = envint("RETENTION_SUBMISSION_DAYS", "30")  # unregistered API submissions
RETENTION_NOTIFICATION_DAYS = envint("RETENTION_NOTIFICATION_DAYS", "90")  # sent notifications' text
RETENTION_PROPOSAL_CONTACT_YEARS = envint("RETENTION_PROPOSAL_CONTACT_YEARS", "3")  # project proposers
RETENTION_LOGIN_AUDIT_DAYS = envint("RETENTION_LOGIN_AUDIT_DAYS", "180")  # 网络安全法 art. 21: at least 6 months
PRIVACY_PURGE_TIME = os.getenv("PRIVACY_PURGE_TIME", "03:30")  # Beijing time, daily
RETENTION_JOB_FILES_DAYS = envint("RETENTION_JOB_FILES_DAYS", "7")  # imports' files and rejected rows, exports
PRIVACY_CONTROLLER = os.getenv("PRIVACY_CONTROLLER", "本级人大常委会办公室")
PRIVACY_CONTACT = os.getenv("PRIVACY_CONTACT", "所在地人大代表联络站，或拨打本级人大常委会办公室电话")
# Health (/api/v1/health answers 503 past these) and Prometheus metrics (/metrics; see lianxin/ops/metrics.py).
HEALTH_WORKER_STALE_SECONDS = envint("HEALTH_WORKER_STALE_SECONDS", "120")
HEALTH_QUEUE_MAX_AGE_SECONDS = envint("HEALTH_QUEUE_MAX_AGE_SECONDS", "300")
METRICS_TOKEN = os.getenv("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = envlist("METRICS_ALLOWED_IPS", "")
# Livelihood-project votes: an account that also holds a staff role may not cast a deputy's ballot (issue 12, item 6).
VOTE_ALLOW_STAFF_ACCOUNTS = envbool("VOTE_ALLOW_STAFF_ACCOUNTS", "false")
# Public disclosure (公开问效, lianxin/insight/disclosure.py): a figure of a group (a township, a category) counting
# fewer cases than this is shown as "<N" and its rates are hidden, so that no one's case can be singled out.
DISCLOSURE_MIN_COUNT = envint("DISCLOSURE_MIN_COUNT", "5")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Time, level, process and thread on every line: the worker's log must tell when a job ran and which loop ran it.
    "formatters": {"timed": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d %(threadName)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "timed"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
    # The worker logs each run, and LogChannel writes the notifications themselves, at INFO.
    "loggers": {
        "lianxin.worker": {"level": os.getenv("WORKER_LOG_LEVEL", "INFO")},
        "lianxin.notifications": {"level": os.getenv("WORKER_LOG_LEVEL", "INFO")},
    },
}
