"""firegrid settings: one module, driven by the environment.

FIREGRID_ENV=development (default) runs on SQLite under var/ with DEBUG on;
FIREGRID_ENV=production requires SECRET_KEY and ALLOWED_HOSTS and turns on every HTTPS hardening
that `manage.py check --deploy` asks for. DATABASE_URL picks the database in either mode.
"""

import ipaddress
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from firegrid.core.env import env_bool, env_int, env_int_map, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("FIREGRID_VAR_DIR", str(REPO_DIR / "var")))

FIREGRID_ENV = env_str("FIREGRID_ENV", "development")
if FIREGRID_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"FIREGRID_ENV={FIREGRID_ENV!r}: use development or production.")
PRODUCTION = FIREGRID_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY", required=True)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names in production.")
else:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production-0123456789")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "firegrid.core",
    "firegrid.org",
    "firegrid.places",
    "firegrid.inspections",
    "firegrid.hazards",
    "firegrid.iot",
    "firegrid.facilities",
    "firegrid.outreach",
    "firegrid.tasks",
    "firegrid.dashboard",
    "firegrid.fieldapp",
    "firegrid.ops",
]

MIDDLEWARE = [
    "firegrid.ops.logging.RequestIdMiddleware",  # first: every later log line carries the request id
    "firegrid.ops.metrics.MetricsMiddleware",  # counts and times everything below
    "firegrid.ops.endpoints.OpsEndpointsMiddleware",  # /healthz, /readyz, /metrics: no host check
    "firegrid.places.cache.EarlyAnswerMiddleware",  # stored place pages for remembered API tokens
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
    "firegrid.core.middleware.AuditActorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "firegrid.urls"
WSGI_APPLICATION = "firegrid.wsgi.application"

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
                "firegrid.core.context_processors.firegrid",
            ],
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'firegrid.sqlite3'}"
if not env_str("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default needs its folder
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db), conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["TEST"] = {"NAME": None}  # in-memory test database

# An optional read replica: report and dashboard reads inside core.db_router.reading_from_replica() go
# there; writes and everything else stay on the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    MIDDLEWARE.append("firegrid.core.replica.ReplicaReadsMiddleware")
DATABASE_ROUTERS = ["firegrid.core.db_router.ReplicaRouter"]
# The pages whose reads go to the replica (URL names): the command view, the map layers, the reports.
REPLICA_URL_NAMES = env_list(
    "REPLICA_URL_NAMES",
    [
        "dashboard",
        "api-dashboard",
        "map",
        "api-map-grids",
        "api-map-hazards",
        "api-map-devices",
        "reports",
        "report-assessment-pdf",
        "report-assessment-xlsx",
        "report-ledger",
        "report-exchange-export",
        "api-exchange-export",
    ],
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with the user of a session remembered per process under the auth version (Redis)
    "firegrid.core.backends.SessionUserBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (django-axes), per user name and address together.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]  # project-wide assets: vendored Pico/htmx, firegrid.css
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads: local files under MEDIA_ROOT by default; MEDIA_STORAGE=s3 keeps them in an S3-compatible
# bucket (django-storages) so that several web servers share them.
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "local")
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET", required=True),
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", ""),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", ""),
            "default_acl": None,
            "querystring_auth": True,  # uploads are private: links are signed and expire
            "file_overwrite": False,
        },
    }
elif MEDIA_STORAGE != "local":
    raise ImproperlyConfigured(f"MEDIA_STORAGE={MEDIA_STORAGE!r}: use local or s3.")

# Redis: shared cache and sessions (stateless web processes) and the Celery broker. Without it
# (development) the cache is per process, sessions live in the database and background tasks run inline.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "firegrid.core.cache.TolerantRedisCache",  # a miss, not an error, if Redis is down
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "firegrid",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves it queued for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # outcomes are recorded as ops.JobRun rows
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_TIMEZONE = env_str("TIME_ZONE", "Asia/Shanghai")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The schedule (celery beat): seconds between runs per job; JOB_INTERVALS overrides any subset.
JOB_INTERVALS = env_int_map(
    "JOB_INTERVALS",
    {
        "sweep_hazards": 900,
        "sweep_devices": 60,
        "sweep_tasks": 3600,
        "publish_due_draws": 3600,
        "extend_plans": 86400,
        "schedule_duties": 86400,
        "gb26875_purge": 86400,
        "requeue_exports": 300,
        "prune_records": 86400,
        "purge_messages": 86400,
    },
    minimum=10,
)
# Job runs and claimed side effects are deleted after this many days (prune_records). A side effect's
# key must outlive any retry of its job: keep this well above the longest retry back-off.
JOB_RECORDS_KEEP_DAYS = env_int("JOB_RECORDS_KEEP_DAYS", 30, minimum=1)
CELERY_BEAT_SCHEDULE = {
    job: {"task": job, "schedule": float(seconds)} for job, seconds in JOB_INTERVALS.items()
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's TokenAuthentication, the token's user remembered per process under the auth version (Redis)
        "firegrid.core.tokens.RememberedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSONRenderer's bytes written by orjson (core/renderers.py), then DRF's browsable API
    "DEFAULT_RENDERER_CLASSES": [
        "firegrid.core.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "firegrid.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "firegrid API",
    "DESCRIPTION": "Grassroots fire-safety governance: organisation, places, inspections, hazards, IoT.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "HazardStatusEnum": "firegrid.hazards.choices.CaseStatus",
        "HazardChannelEnum": "firegrid.hazards.choices.Channel",
        "HazardSourceEnum": "firegrid.hazards.choices.Source",
        "HazardLevelEnum": "firegrid.hazards.choices.Level",
        "HazardCloseReasonEnum": "firegrid.hazards.choices.CloseReason",
        "SeverityEnum": "firegrid.inspections.choices.Severity",
        "FacilityStatusEnum": "firegrid.facilities.choices.FacilityStatus",
        "FacilityPlanStatusEnum": "firegrid.facilities.choices.PlanStatus",
        "FacilityPolicyStatusEnum": "firegrid.facilities.choices.PolicyStatus",
        "OutreachAudienceEnum": "firegrid.outreach.choices.AudienceGroup",
        "OutreachAttendanceResultEnum": "firegrid.outreach.choices.AttendanceResult",
        "AnswerResultEnum": "firegrid.inspections.choices.AnswerResult",
        "PlaceKindEnum": "firegrid.places.choices.PlaceKind",  # a place and its list row share them
        "PlaceStatusEnum": "firegrid.places.choices.PlaceStatus",
    },
}

# "双随机、一公开": results of a draw are published within this many working days.
DRAW_PUBLISH_WORKING_DAYS = env_int("DRAW_PUBLISH_WORKING_DAYS", 20, minimum=1)

# Map tiles are optional: grid boundaries are drawn as a layer of their own.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
# Public base URL printed into QR codes on cards and notices.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Hazard case deadlines in days (hazards.deadlines): confirm a report, rectify a general or a major
# hazard, re-inspect after rectification, a department's check-in after a whistle (部门报到), the
# district's supervision (督办), and how often an overdue case is reminded again.
HAZARD_DEADLINE_DAYS = env_int_map(
    "HAZARD_DEADLINE_DAYS",
    {"confirm": 3, "general": 15, "major": 60, "reinspect": 5, "checkin": 3, "supervise": 15, "remind": 2},
    minimum=1,
)
# Who is told about overdue cases: dotted paths of notifier classes (hazards.notify).
HAZARD_NOTIFIERS = env_list("HAZARD_NOTIFIERS", ["firegrid.hazards.notify.EmailNotifier"])
# Public reports: at most this many per client address per hour; photos per report and their size.
PUBLIC_REPORTS_PER_HOUR = env_int("PUBLIC_REPORTS_PER_HOUR", 10, minimum=1)
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 8 * 1024 * 1024, minimum=1024)
UPLOAD_MAX_PHOTOS = env_int("UPLOAD_MAX_PHOTOS", 4, minimum=1)
# Reporters in the loop: open cases of the same category this close (metres) are offered as possible
# duplicates while reporting; a reporter may say "not fixed" this many days after a case is closed.
DUPLICATE_RADIUS_METRES = env_int("DUPLICATE_RADIUS_METRES", 50, minimum=1)
REOPEN_DAYS = env_int("REOPEN_DAYS", 30, minimum=1)
# The public fire-literacy survey: answers per client address per hour.
PUBLIC_SURVEYS_PER_HOUR = env_int("PUBLIC_SURVEYS_PER_HOUR", 5, minimum=1)
# Open311 GeoReport v2: the jurisdiction_id this server answers to.
OPEN311_JURISDICTION_ID = env_str("OPEN311_JURISDICTION_ID", "firegrid")
# Public facilities: a place or grid with no working water source this close (metres) is a coverage gap
# (default 150 m: hydrant protection radius of GB 50974, to be confirmed).
FACILITY_COVERAGE_METRES = env_int("FACILITY_COVERAGE_METRES", 150, minimum=1)

# IoT ingest (firegrid/iot): the broker, message limits and alarm behaviour.
MQTT_URL = env_str("MQTT_URL", "mqtt://127.0.0.1:1883")
MQTT_TOPIC = env_str("MQTT_TOPIC", "firegrid/v1/+/up")
MQTT_SHARED_GROUP = env_str("MQTT_SHARED_GROUP", "firegrid")  # empty: a plain subscription
IOT_MAX_MESSAGE_BYTES = env_int("IOT_MAX_MESSAGE_BYTES", 16 * 1024, minimum=256)
IOT_MAX_BATCH_BYTES = env_int("IOT_MAX_BATCH_BYTES", 1024 * 1024, minimum=1024)
IOT_MAX_BATCH_MESSAGES = env_int("IOT_MAX_BATCH_MESSAGES", 500, minimum=1)
IOT_MAX_FUTURE_SECONDS = env_int("IOT_MAX_FUTURE_SECONDS", 300, minimum=0)
IOT_MAX_AGE_DAYS = env_int("IOT_MAX_AGE_DAYS", 30, minimum=1)
# Device messages are deleted after this many days (purge_messages); longer than IOT_MAX_AGE_DAYS so a
# replayed message is always either a known duplicate or refused as too old.
IOT_MESSAGE_KEEP_DAYS = env_int("IOT_MESSAGE_KEEP_DAYS", 90, minimum=IOT_MAX_AGE_DAYS + 1)
# The ingest's per-minute counts are summed to one row a day after this many days (same job).
INGEST_COUNT_MINUTES_KEEP_DAYS = env_int("INGEST_COUNT_MINUTES_KEEP_DAYS", 14, minimum=1)
IOT_OFFLINE_FACTOR = env_int("IOT_OFFLINE_FACTOR", 3, minimum=1)
IOT_FLAP_SECONDS = env_int("IOT_FLAP_SECONDS", 300, minimum=0)
# The command view's figures may be served again for this many seconds per scope (0: always fresh).
DASHBOARD_CACHE_SECONDS = min(env_int("DASHBOARD_CACHE_SECONDS", 0, minimum=0), 60)
# The place list and map layer API answers may be served again for this many seconds per scope and
# query (0: always fresh); any write to a place makes them stale at once (places.cache).
PLACE_LIST_CACHE_SECONDS = min(env_int("PLACE_LIST_CACHE_SECONDS", 0, minimum=0), 60)
# GB/T 26875.3 gateway: raw frames are kept this many days (`firegrid gb26875 purge`).
GB26875_RAW_DAYS = env_int("GB26875_RAW_DAYS", 30, minimum=1)
# ... and where `firegrid gb26875 serve` listens by default.
GB26875_HOST = env_str("GB26875_HOST", "0.0.0.0")  # noqa: S104 - devices connect from the network
GB26875_PORT = env_int("GB26875_PORT", 9000, minimum=1)
# Background exports (ops.Export): their files and rows are deleted after this many days (requeue_exports).
EXPORT_KEEP_DAYS = env_int("EXPORT_KEEP_DAYS", 7, minimum=1)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "firegrid@localhost")

# Health, metrics and logs (firegrid/ops: health.py, metrics.py, logging.py; README "Operations").
# /readyz: Redis down is "degraded" (200: pages work without it) unless READY_REDIS_REQUIRED; the MQTT
# broker is checked only with READY_CHECK_MQTT (some web servers cannot reach it); scheduled jobs are
# checked when a broker runs them (READY_CHECK_JOBS unset) or as READY_CHECK_JOBS says.
READY_REDIS_REQUIRED = env_bool("READY_REDIS_REQUIRED", False)
READY_CHECK_MQTT = env_bool("READY_CHECK_MQTT", False)
READY_CHECK_JOBS = env_bool("READY_CHECK_JOBS", None)
INGEST_LAG_WARN_SECONDS = env_int("INGEST_LAG_WARN_SECONDS", 900, minimum=1)
# /metrics: scrapers from these addresses or networks, or with "Authorization: Bearer METRICS_TOKEN".
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
for _entry in METRICS_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_entry, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {_entry!r} is not an address or network.") from None
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# One JSON object per line in production (LOG_FORMAT=json), plain lines otherwise; both with the request id.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or text.")
# Celery worker and beat log through LOGGING below too (JSON in production), not Celery's own set-up.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "firegrid.ops.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "firegrid.ops.logging.JsonFormatter"},
        "text": {"()": "firegrid.ops.logging.TextFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # PDF cards: no per-step progress lines
        "fontTools": {"level": "WARNING"},
    },
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# ---- Browser hardening: Content Security Policy (django-csp 4), Referrer/Opener/Permissions policies,
# and the client address behind reverse proxies. On in development and tests too, so the browser tests
# run under the same policy as production. No inline scripts anywhere: page data goes through data-*
# attributes or json_script; the API docs (Swagger UI) relax style-src in firegrid/urls.py.
from csp.constants import NONE as _CSP_NONE  # noqa: E402
from csp.constants import SELF as _CSP_SELF  # noqa: E402

from firegrid.core.net import csp_source  # noqa: E402

INSTALLED_APPS += ["csp"]  # system checks for the CSP settings
_after_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE[_after_security:_after_security] = [
    "csp.middleware.CSPMiddleware",
    "firegrid.core.middleware.PermissionsPolicyMiddleware",
]
_tile_source = csp_source(MAP_TILE_URL)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_CSP_SELF],
        "script-src": [_CSP_SELF],
        "style-src": [_CSP_SELF],
        "img-src": [_CSP_SELF, "data:", "blob:"] + ([_tile_source] if _tile_source else []),
        "connect-src": [_CSP_SELF],
        "font-src": [_CSP_SELF, "data:"],
        "object-src": [_CSP_NONE],
        "base-uri": [_CSP_SELF],
        "frame-ancestors": [_CSP_NONE],
        "form-action": [_CSP_SELF],
        "worker-src": [_CSP_SELF],  # the field app's service worker at /sw.js
        "manifest-src": [_CSP_SELF],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
PERMISSIONS_POLICY = "camera=(self), geolocation=(self), microphone=()"
# Reverse proxies in front of the app that append to X-Forwarded-For (nginx: 1). 0: the header is
# ignored and REMOTE_ADDR is the client. Every rate limit and the login lockout use core.net.client_ip.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "firegrid.core.net.client_ip"
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT  # DRF throttles: the same rule (None would trust any XFF)
