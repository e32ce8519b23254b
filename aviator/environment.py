"""Reading the environment for `aviator/settings.py`: typed values, and the database and transport
configurations each mode needs (DESIGN.md §8).

Every helper fails loudly (ImproperlyConfigured naming the variable): a typo in the environment
stops the process at start instead of surfacing as a strange error on a family's first message.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()


def env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default="").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_positive_int(name: str, default: int) -> int:
    raw = env.str(name, default=str(default)).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value <= 0:
        raise ImproperlyConfigured(f"{name} must be greater than zero, not {value}.")
    return value


def env_parsed[T](name: str, parse: Callable[[str], T]) -> T:
    """`parse` applied to the variable (empty when unset); its ValueError names the variable."""
    try:
        return parse(env.str(name, default=""))
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}") from None


def default_database(database_url: str, *, data_dir: Path, pool_size: int) -> dict[str, Any]:
    """The `default` database: DATABASE_URL's (PostgreSQL, or a SQLite file), else the embedded
    default's SQLite file in `data_dir`."""
    if database_url:
        scheme = urlsplit(database_url).scheme
        if scheme not in {"postgres", "postgresql", "sqlite"}:
            raise ImproperlyConfigured(
                f"DATABASE_URL must be postgres://... or sqlite:///..., not a {scheme!r} URL."
            )
        database = env.db_url_config(database_url)
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        database = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(data_dir / "aviator.sqlite3"),
            # A file, not memory, so that processes started by the tests see the test database.
            "TEST": {"NAME": str(data_dir / "test.sqlite3")},
        }
    if database["ENGINE"] == "django.db.backends.postgresql":
        # Under ASGI, persistent connections leak across threads; Django's pool reuses them safely.
        database["CONN_MAX_AGE"] = 0
        database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": pool_size,
            "timeout": 10,
        }
        # Parameters bound by the server, so psycopg prepares the statements a connection runs
        # often (every turn runs the same few dozen): PostgreSQL then skips parsing and planning
        # them. (Behind a transaction-pooling PgBouncer, that needs its prepared-statement
        # support, 1.21+.)
        database["OPTIONS"]["server_side_binding"] = True
        database["TEST"] = {"NAME": f"test_{database['NAME']}"}
    else:
        # Web, worker and beat share the SQLite file: WAL lets readers work beside a writer, and
        # IMMEDIATE transactions take the write lock up front instead of failing half-way.
        database["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return database


def catalog_database(catalog_database_url: str, *, uses_postgres: bool) -> dict[str, Any]:
    """The `catalog` database: the least-privileged role that reads the catalog table only."""
    scheme = urlsplit(catalog_database_url).scheme
    if scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"CATALOG_DATABASE_URL must be postgres://..., not a {scheme!r} URL."
        )
    if not uses_postgres:
        # The role reads the catalog table of the default database; on SQLite there is none.
        raise ImproperlyConfigured("CATALOG_DATABASE_URL needs DATABASE_URL=postgres://... too.")
    database = env.db_url_config(catalog_database_url)
    # Same reasoning as for `default`: no persistent connections across ASGI threads, a pool.
    database["CONN_MAX_AGE"] = 0
    database.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": 10, "timeout": 10}
    return database


def redis_url_checked(redis_url: str, *, uses_postgres: bool) -> str:
    if redis_url and urlsplit(redis_url).scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(
            f"REDIS_URL must be redis://... or rediss://..., not {redis_url!r}."
        )
    if not redis_url and uses_postgres:
        # The database relay reads events by increasing id. On SQLite writes are serialized, so
        # ids commit in order; on PostgreSQL concurrent transactions commit ids out of order, and
        # a poll between them would skip an event for good. Production pairs PostgreSQL with Redis.
        raise ImproperlyConfigured(
            "DATABASE_URL is PostgreSQL but REDIS_URL is not set: set REDIS_URL (the channel "
            "layer and the Celery broker). Only the embedded default (SQLite) runs without Redis."
        )
    return redis_url


def embedded_broker_options(data_dir: Path) -> dict[str, Any]:
    """The embedded default's Celery broker: folders under `data_dir` (kombu's filesystem
    transport), made here so that web, worker and beat find them."""
    broker_dir = data_dir / "broker"
    for sub in ("queue", "processed", "control"):
        (broker_dir / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(broker_dir / "queue"),
        "data_folder_out": str(broker_dir / "queue"),
        "processed_folder": str(broker_dir / "processed"),
        # Broadcast (pidbox) state too, or kombu writes a `control/` folder where it runs.
        "control_folder": str(broker_dir / "control"),
        "store_processed": False,
        # kombu polls the folder once a second by default, so every task hop (a tool call, its
        # resume) could wait up to a second; a listing every 50 ms costs little and keeps the
        # embedded default's answers well under a second.
        "polling_interval": 0.05,
    }


def redis_channel_layer(redis_url: str) -> dict[str, Any]:
    return {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            # Longer than the layer's own 5-second blocking read, which redis-py's default
            # socket timeout (also 5 s) would otherwise cut (django/channels_redis#422).
            "hosts": [{"address": redis_url, "socket_timeout": 15}],
            "capacity": 500,
            "expiry": 30,
        },
    }


def coach_model_checked(name: str) -> str:
    if name != "offline" and not name.startswith(("openai:", "anthropic:", "ollama:")):
        raise ImproperlyConfigured(
            "COACH_MODEL must be 'offline' or provider:model, e.g. openai:gpt-4.1-mini, "
            f"anthropic:claude-sonnet-4-5 or ollama:llama3.1 — not {name!r}."
        )
    return name


def langsmith_refused_unless_text_hidden() -> None:
    """LangChain sends every model call to LangSmith when tracing is on: the family's words would
    leave the system, against the scrubbing Sentry and the logs get. Allowed only with inputs and
    outputs hidden (LangSmith then keeps timings and structure, not text)."""
    tracing = env_bool("LANGSMITH_TRACING", default=False) or env_bool(
        "LANGCHAIN_TRACING_V2", default=False
    )
    hides_text = env_bool("LANGSMITH_HIDE_INPUTS", default=False) and env_bool(
        "LANGSMITH_HIDE_OUTPUTS", default=False
    )
    if tracing and not hides_text:
        raise ImproperlyConfigured(
            "LANGSMITH_TRACING is on: set LANGSMITH_HIDE_INPUTS=true and "
            "LANGSMITH_HIDE_OUTPUTS=true too, or family messages would be sent to LangSmith."
        )
