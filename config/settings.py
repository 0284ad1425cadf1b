"""Kyoka settings: one module, read from the environment.

With nothing set, Kyoka runs embedded: SQLite and Celery's filesystem transport under ``var/``,
email to the console, DEBUG on. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and
Redis (broker and cache). ``DJANGO_ENV=production`` turns on the deploy hardening and requires
``SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("KYOKA_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
ENVIRONMENT = env.str("DJANGO_ENV", default="development")  # development | test | production
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="kyoka-development-only-not-secret")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The base URL used in emails and QR codes (the verification page must be reachable from a phone).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The authority this deployment serves (API defaults, the exporter's "new application" form).
KYOKA_DEFAULT_AUTHORITY = env.str("KYOKA_DEFAULT_AUTHORITY", default="JP")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "django_fsm",
    "simple_history",
    "axes",
    "django_htmx",
    "accounts",
    "materials",
    "whitelist",
    "licensing",
    "notifications",
    "partners",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database: SQLite under var/ unless DATABASE_URL is set -------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kyoka.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout so web, worker and beat can share the embedded database.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery: Redis when REDIS_URL is set, otherwise local/filesystem -----------------
REDIS_URL = env.str("REDIS_URL", default="")
# A publish must fail fast when Redis is down (refused: no connect retries) or hangs (accepts but
# never answers: without socket_timeout a publish waits forever). visibility_timeout must exceed
# the longest retry countdown (KYOKA_EMAIL_RETRY_BACKOFF_MAX) or a delayed retry is delivered twice.
KYOKA_REDIS_TRANSPORT_OPTIONS: dict = {
    "visibility_timeout": 3600,
    "max_retries": 0,
    "socket_connect_timeout": 2,
    "socket_timeout": 3,
}
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis keeps one connection pool per process (Django's own RedisCache built a
            # client per call: ~1 ms each under load, measured by the API benchmark).
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kyoka",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = KYOKA_REDIS_TRANSPORT_OPTIONS
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
    _queue = VAR_DIR / "celery" / "queue"
    # The embedded broker is a folder: make sure it exists for web, worker and beat alike.
    _queue.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Web requests never wait on the broker: a publish that cannot connect fails fast and is logged
# (the durable outbox rows -- events and notifications -- are swept again by beat).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The beat schedule itself is declared in code, in config/celery.py (app.conf.beat_schedule).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# One queue; a name of its own lets a test's worker share a Redis database with nothing else.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")

# --- Background work: what the sweeps notice, and how they work ------------------------------
# Kyoka's operating defaults, not law: change them per deployment.
KYOKA_DUE_SOON_BUSINESS_DAYS = env.int("KYOKA_DUE_SOON_BUSINESS_DAYS", default=2)
KYOKA_EXPIRY_REMINDER_DAYS = sorted(env.list("KYOKA_EXPIRY_REMINDER_DAYS", cast=int, default=[90, 30, 7]), reverse=True)
KYOKA_INFORMATION_REMINDER_DAYS = env.int("KYOKA_INFORMATION_REMINDER_DAYS", default=14)
KYOKA_INFORMATION_LAPSE_DAYS = env.int("KYOKA_INFORMATION_LAPSE_DAYS", default=60)
# A rule whose effective_from arrived up to this many days ago is still announced (a beat outage);
# older starts are history (the seeded 2019/2023 rules) and are never announced.
KYOKA_RULE_ANNOUNCE_LOOKBACK_DAYS = env.int("KYOKA_RULE_ANNOUNCE_LOOKBACK_DAYS", default=7)
KYOKA_SWEEP_BATCH_SIZE = env.int("KYOKA_SWEEP_BATCH_SIZE", default=200)
# Candidate ids one run takes on (ids only); a bigger backlog is finished by the next runs.
KYOKA_SWEEP_MAX_PER_RUN = env.int("KYOKA_SWEEP_MAX_PER_RUN", default=100_000)
# Tests only: seconds to sleep inside each batch's transaction (to kill a worker mid-sweep).
KYOKA_SWEEP_BATCH_DELAY = env.float("KYOKA_SWEEP_BATCH_DELAY", default=0.0)
# Sweep locks on SQLite are flock()ed files here (PostgreSQL uses advisory locks).
KYOKA_LOCK_DIR = Path(env.str("KYOKA_LOCK_DIR", default=str(VAR_DIR / "locks")))
KYOKA_EMAIL_MAX_ATTEMPTS = env.int("KYOKA_EMAIL_MAX_ATTEMPTS", default=6)
KYOKA_EMAIL_RETRY_BACKOFF_MAX = 600  # seconds; retries wait 30 s, 60 s, 120 s ... up to this
# A pending email whose last attempt is older than this (or never attempted: broker down) is
# enqueued again by the beat sweep; must exceed KYOKA_EMAIL_RETRY_BACKOFF_MAX.
KYOKA_EMAIL_RESEND_AFTER_SECONDS = env.int("KYOKA_EMAIL_RESEND_AFTER_SECONDS", default=900)
# After a failed publish, a process stops trying the broker for this long (the sweep catches up).
KYOKA_BROKER_RETRY_AFTER_SECONDS = env.int("KYOKA_BROKER_RETRY_AFTER_SECONDS", default=30)

# --- Auth ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "licensing:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"

# --- i18n: Japanese and English; stored in UTC, shown in the authority's time zone -----------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded documents are never served from a public URL: MEDIA_ROOT is outside STATIC_ROOT
    # and no URL pattern serves it; downloads go through permission-checked views.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"
KYOKA_MAX_UPLOAD_BYTES = env.int("KYOKA_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Email -----------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Kyoka <no-reply@kyoka.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- REST framework / OpenAPI ------------------------------------------------------------------
REST_FRAMEWORK = {
    # The partner API: API keys (partners.APIKey), RFC 9457 problem details for every error,
    # a per-key rate limit and a bounded JSON body.
    "DEFAULT_AUTHENTICATION_CLASSES": ["licensing.api.authentication.APIKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["licensing.api.parsers.BoundedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["licensing.api.throttling.APIKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env.str("KYOKA_API_RATE", default="1200/min")},
    "EXCEPTION_HANDLER": "licensing.api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Largest request body the API accepts (413 beyond it); requests are small JSON documents.
KYOKA_API_MAX_BODY_BYTES = env.int("KYOKA_API_MAX_BODY_BYTES", default=64 * 1024)
# The change feed holds back events younger than this: a transaction that inserted an event with a
# lower id may still be committing (see licensing/selectors/api.py).
KYOKA_CHANGES_SETTLE_SECONDS = env.float("KYOKA_CHANGES_SETTLE_SECONDS", default=3.0)
# Webhook URLs must be https; plain http is accepted only for loopback hosts, and only when this is on.
KYOKA_WEBHOOK_ALLOW_LOOPBACK_HTTP = env.bool("KYOKA_WEBHOOK_ALLOW_LOOPBACK_HTTP", default=DEBUG)
SPECTACULAR_SETTINGS = {
    "TITLE": "Kyoka partner API",
    "DESCRIPTION": "Licences, applications, regimes and the whitelist for partners.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The long description (auth, scopes, problems, polling rules) lives with the API code.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "licensing.api.schema.postprocess_schema",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"EventTypeEnum": "licensing.api.serializers.EVENT_TYPES"},
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": False, "displayOperationId": False},
}

# --- Security headers ------------------------------------------------------------------------
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
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

if ENVIRONMENT == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
    if not REDIS_URL:
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        CELERY_BROKER_URL = "memory://"
