"""Aviator settings, read from the environment (DESIGN.md §8).

Two modes, chosen by what is set:
- the *embedded default* (nothing set): SQLite, a SQLite LangGraph checkpointer, a database-backed
  channel-layer relay and a Celery broker on the filesystem, so a newcomer needs only Python;
- *services* (`DATABASE_URL=postgres://...` and `REDIS_URL=redis://...`): PostgreSQL with the
  Postgres checkpointer, the Redis channel layer and the Redis broker, as in production and tests.

Every value is read through `aviator.environment`, whose helpers fail loudly: a typo in the
environment stops the process at start instead of surfacing as a strange error on a family's
first message.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from aviator.environment import (
    catalog_database,
    coach_model_checked,
    default_database,
    embedded_broker_options,
    env,
    env_bool,
    env_parsed,
    env_positive_int,
    langsmith_refused_unless_text_hidden,
    redis_channel_layer,
    redis_url_checked,
)
from aviator.faults import parse_faults
from review.drift import parse_drift_thresholds

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
TESTING = env_bool("AVIATOR_TESTING", default=False)

# Runtime files of the embedded default (SQLite databases, broker folders) live here.
DATA_DIR = Path(env.str("AVIATOR_DATA_DIR", default=str(BASE_DIR / "var"))).resolve()

_secret_key = env.str("SECRET_KEY", default="")
_runs_on_services = bool(env.str("DATABASE_URL", default=""))
if not _secret_key:
    if _runs_on_services and not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when running against real services.")
    # The embedded default and the tests are local-only; a fixed key there keeps sessions stable
    # across restarts. Production (DATABASE_URL set, DEBUG off) refuses to start without one.
    _secret_key = "aviator-embedded-insecure-key-never-use-in-production"
SECRET_KEY = _secret_key

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "guardian",
    "axes",
    # The API's interactive docs page (Swagger UI) is served from ninja's static files.
    "ninja",
    "aviator.accounts",
    "aviator.realtime",
    "aviator.ops",
    "aviator.audit",
    "coach",
    "coach.catalog",
    "review",
    "handoff",
]

MIDDLEWARE = [
    "aviator.logs.LogContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # The API answers a wrong method in its error shape (ninja answers it in plain text).
    "aviator.jsonapi.json_method_not_allowed",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "aviator.urls"
ASGI_APPLICATION = "aviator.asgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

# --- Transport security ------------------------------------------------------------------------
# Production runs behind a TLS-terminating proxy that sets X-Forwarded-Proto. On by default when
# running against real services outside DEBUG and the tests; the embedded default is plain http on
# localhost. `manage.py check --deploy --fail-level WARNING` passes with it on (CI checks that).
HTTPS = env_bool("AVIATOR_HTTPS", default=_runs_on_services and not (DEBUG or TESTING))
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Load balancers probe health over plain http inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_positive_int("AVIATOR_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
# Pages load only their own scripts and styles: a message that smuggles markup in can never run
# script, even if some template forgot to escape it. Django's admin uses the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Database --------------------------------------------------------------------------------
# Connections each process may hold (per thread at most one): raise it for many worker threads.
DB_POOL_SIZE = env_positive_int("AVIATOR_DB_POOL_SIZE", default=10)
DATABASES = {
    "default": default_database(
        env.str("DATABASE_URL", default=""), data_dir=DATA_DIR, pool_size=DB_POOL_SIZE
    )
}
USES_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# Least privilege (DESIGN.md §6): the catalog tools run on text a family typed, so they read
# through a role that can SELECT the catalog table and nothing else. A bug or an injected query
# there then cannot touch conversations or accounts. `manage.py create_catalog_reader` creates the
# role; unset (the embedded default, the tests), the catalog is read through `default`.
CATALOG_DATABASE_URL = env.str("CATALOG_DATABASE_URL", default="")
if CATALOG_DATABASE_URL:
    DATABASES["catalog"] = catalog_database(CATALOG_DATABASE_URL, uses_postgres=USES_POSTGRES)
CATALOG_DB_ALIAS = "catalog" if CATALOG_DATABASE_URL else "default"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The LangGraph checkpointer: PostgreSQL in its own schema beside Django's tables, or a SQLite
# file of its own in the embedded default (coach.graph.checkpointer builds it).
CHECKPOINT_SCHEMA = "langgraph"
CHECKPOINT_SQLITE_PATH = DATA_DIR / "checkpoints.sqlite3"
# Checkpoint retention (aviator.ops.retention): a thread untouched this long keeps only its newest
# checkpoint, unless its conversation is escalated, awaiting approval or under review.
CHECKPOINT_PRUNE_AFTER_HOURS = env_positive_int("AVIATOR_CHECKPOINT_PRUNE_AFTER_HOURS", default=24)

# --- Turns ------------------------------------------------------------------------------------
# A family message is stored by the web and answered by a worker (the `turns` queue): the web
# never runs a turn. The API waits this long for the turn's end before answering 202 (busy).
TURN_WAIT_SECONDS = env_positive_int("AVIATOR_TURN_WAIT_SECONDS", default=20)
# Back-pressure: past this many turns waiting in the queue, a new message is refused (503 with
# Retry-After) instead of stored to wait minutes for its answer.
TURN_QUEUE_LIMIT = env_positive_int("AVIATOR_TURN_QUEUE_LIMIT", default=400)
# Only the tests turn this on: the turn then runs in the process that stored the message, as a
# worker would run it (the same task, applied locally); tests that need the queue use a worker.
TURNS_INLINE = False
# Turns one turn worker process runs at once (threads: a turn mostly waits on the model and the
# database). Each holds a database connection while it runs: keep AVIATOR_DB_POOL_SIZE above it.
TURN_WORKER_THREADS = env_positive_int("AVIATOR_TURN_WORKER_THREADS", default=8)
if USES_POSTGRES and TURN_WORKER_THREADS >= DB_POOL_SIZE:
    raise ImproperlyConfigured(
        f"AVIATOR_TURN_WORKER_THREADS ({TURN_WORKER_THREADS}) must be below AVIATOR_DB_POOL_SIZE "
        f"({DB_POOL_SIZE}): every running turn holds a database connection."
    )
TASK_VISIBILITY_SECONDS = 60
CELERY_TASK_ROUTES = {"coach.answer_conversation": {"queue": "turns"}}

# --- Redis: channel layer and Celery broker ---------------------------------------------------
REDIS_URL = redis_url_checked(env.str("REDIS_URL", default=""), uses_postgres=USES_POSTGRES)
EMBEDDED = not REDIS_URL
CHANNEL_LAYERS: dict[str, dict[str, Any]]
if EMBEDDED:
    # The in-memory layer does not cross processes; this one relays events written by any process
    # (web, worker) through the database to the web process's consumers.
    CHANNEL_LAYERS = {"default": {"BACKEND": "aviator.realtime.layer.DatabaseRelayChannelLayer"}}
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = embedded_broker_options(DATA_DIR)
else:
    CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL)}
    CELERY_BROKER_URL = REDIS_URL
    # A task taken by a worker that then died goes back to the queue after this many seconds
    # (kombu's default is an hour). Every task here is idempotent, and no retry waits longer
    # than this (a task held past it would be delivered twice, harmlessly but needlessly).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": TASK_VISIBILITY_SECONDS}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# The cache holds the per-address rate-limit counters: shared through Redis by every web process
# in production; in memory for the single web process of the embedded default, and per test
# process (each test starts from a clean cache).
if EMBEDDED or TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Celery's scheduler, writing beat's heartbeat as it ticks (aviator/ops/heartbeat.py).
CELERY_BEAT_SCHEDULER = "aviator.ops.heartbeat:HeartbeatScheduler"
CELERY_BEAT_SCHEDULE = {
    "resend-stale-tool-calls": {"task": "coach.resend_stale_tool_calls", "schedule": 60.0},
    "answer-waiting-messages": {"task": "coach.answer_waiting_messages", "schedule": 5.0},
    "sweep-approvals": {"task": "coach.sweep_approvals", "schedule": 60.0},
    "notify-overdue-escalations": {
        "task": "handoff.notify_overdue_escalations",
        "schedule": 60.0,
    },
    "check-drift": {"task": "review.check_drift", "schedule": 3600.0},
    "prune-checkpoints": {"task": "coach.prune_checkpoints", "schedule": 3600.0},
}
# E-mail: printed to the console unless an SMTP server is configured.
MAILERS = {
    "default": {
        "BACKEND": env.str(
            "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
        ),
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Aviator <aviator@localhost>")

# --- Coach -------------------------------------------------------------------------------------
COACH_MODEL = coach_model_checked(env.str("COACH_MODEL", default="offline"))
COACH_FAULTS = env_parsed("COACH_FAULTS", parse_faults)
MESSAGE_MAX_CHARS = env_positive_int("AVIATOR_MESSAGE_MAX_CHARS", default=4000)
# Rate limits (429 past them). Families: per account; sign-up and login: per client address.
FAMILY_MESSAGES_PER_MINUTE = env_positive_int("AVIATOR_FAMILY_MESSAGES_PER_MINUTE", default=20)
FAMILY_CONVERSATIONS_PER_DAY = env_positive_int("AVIATOR_FAMILY_CONVERSATIONS_PER_DAY", default=20)
LOGIN_ATTEMPTS_PER_MINUTE = env_positive_int("AVIATOR_LOGIN_ATTEMPTS_PER_MINUTE", default=10)
# Per account (django-axes, its attempts in the database): after AXES_FAILURE_LIMIT wrong
# passwords the account is locked for AXES_COOLOFF_TIME, from any address, on the login page and
# the admin alike; an admin unlocks it early by deleting its access attempt in the admin.
AXES_FAILURE_LIMIT = env_positive_int("AVIATOR_LOGIN_FAILURES_BEFORE_LOCKOUT", default=5)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = timedelta(minutes=env_positive_int("AVIATOR_LOCKOUT_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# axes.W006 asks to lock addresses too. Addresses have their own limit here (the login page's
# LOGIN_ATTEMPTS_PER_MINUTE throttle); locking an address for 15 minutes would lock out every
# family behind one school or library network after a few typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
SIGNUPS_PER_HOUR = env_positive_int("AVIATOR_SIGNUPS_PER_HOUR", default=30)
# A proposed write the family has not answered expires after this long (nothing is written).
APPROVAL_TTL_MINUTES = env_positive_int("AVIATOR_APPROVAL_TTL_MINUTES", default=60 * 24)
# Drift monitoring (review.drift): the hourly check compares the last DRIFT_RECENT_HOURS with
# the DRIFT_BASELINE_DAYS before them; a signal needs DRIFT_MIN_SAMPLE conversations or events in
# both windows. AVIATOR_DRIFT_THRESHOLDS overrides thresholds: `escalation_rate=0.05,fit_mix=0.3`.
DRIFT_RECENT_HOURS = env_positive_int("AVIATOR_DRIFT_RECENT_HOURS", default=24)
DRIFT_BASELINE_DAYS = env_positive_int("AVIATOR_DRIFT_BASELINE_DAYS", default=14)
DRIFT_MIN_SAMPLE = env_positive_int("AVIATOR_DRIFT_MIN_SAMPLE", default=20)
DRIFT_THRESHOLDS = env_parsed("AVIATOR_DRIFT_THRESHOLDS", parse_drift_thresholds)

# --- Auth --------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: a locked-out account is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing a password the production way takes ~0.4 s on purpose; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Anonymous visitors never hold object permissions here, so guardian needs no "AnonymousUser" row.
ANONYMOUS_USER_NAME = None
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "coach:conversation-list"
LOGOUT_REDIRECT_URL = "login"

# --- Static files and locale ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve straight from the apps' static folders too, so a fresh checkout works before collectstatic.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Errors and logs ---------------------------------------------------------------------------
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from aviator.observability import sentry_init

    sentry_init(dsn=SENTRY_DSN, environment=env.str("SENTRY_ENVIRONMENT", default="production"))

# JSON lines with services (what log shippers read); plain text for a newcomer's embedded run.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if _runs_on_services else "plain")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "aviator.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
# Web, worker and beat all log through the configuration above.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False


# --- LangSmith -------------------------------------------------------------------------------
langsmith_refused_unless_text_hidden()
