"""Configuration read from the environment and checked once at start-up."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from sidecar.store.crypto import is_valid_key

DEFAULT_SQLITE_PATH = Path("instance") / "sidecar.sqlite3"
MIN_METRICS_TOKEN_LENGTH = 16
DEFAULT_WORKER_THREADS = 6  # on PostgreSQL; measured: README "Escalation delivery"
# On SQLite every claim and settle takes the one write lock the web processes' INSERTs need: with 6 threads
# a worker beside gunicorn cut assessments/s at 100,000 tickets by a third (README "Speed"), for delivery
# already faster than PostgreSQL's with one thread. One thread there unless SIDECAR_WORKER_THREADS says so.
DEFAULT_SQLITE_WORKER_THREADS = 1
MAX_WORKER_THREADS = 8  # 8 delivered no faster than 6 (README "Escalation delivery"); each keeps 2 connections


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = (env.get(name) or default).strip().lower()
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def default_worker_threads(database_url: str) -> int:
    """Threads a worker process runs jobs on when SIDECAR_WORKER_THREADS is not set: by database (see above)."""
    return DEFAULT_SQLITE_WORKER_THREADS if database_url.startswith("sqlite") else DEFAULT_WORKER_THREADS


def _database_url(env: Mapping[str, str]) -> str:
    return normalise_database_url(env.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}")


def normalise_database_url(url: str) -> str:
    """Check a database URL and name the driver we ship; raise ConfigError for anything else."""
    # Heroku-style URLs say postgres://, which SQLAlchemy 2 no longer accepts.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    # We ship the psycopg (3) driver; say so explicitly, SQLAlchemy 2.0 would otherwise pick psycopg2.
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if not url.startswith(("sqlite:", "postgresql:", "postgresql+")):
        raise ConfigError("DATABASE_URL must be a sqlite:/// or postgresql:// URL")
    return url


def _directory(env: Mapping[str, str], name: str) -> str | None:
    value = (env.get(name) or "").strip()
    if not value:
        return None
    if not Path(value).is_dir():
        raise ConfigError(f"{name} must name an existing directory (got {value!r})")
    return value


def _router_embeddings(env: Mapping[str, str], name: str) -> str:
    value = (env.get(name) or "auto").strip()
    if value.lower() in ("auto", "off"):
        return value.lower()
    # why: the embeddings module loads numpy (config imports in 0.08 s, with it 0.25 s); only a model value needs it
    from sidecar.intelligence.routing.embeddings import BUNDLED_MINILM, STATIC_SUFFIX

    if value.removesuffix(STATIC_SUFFIX) != BUNDLED_MINILM and not Path(value.removesuffix(STATIC_SUFFIX)).is_dir():
        raise ConfigError(f"{name} must be auto, off, {BUNDLED_MINILM}[{STATIC_SUFFIX}] or a sentence-transformers "
                          f"model directory [{STATIC_SUFFIX}] (got {value!r})")
    return value


def _port(env: Mapping[str, str], name: str) -> int | None:
    if not (env.get(name) or "").strip():
        return None
    port = _int(env, name, 0, minimum=1)
    if port > 65535:
        raise ConfigError(f"{name} must be a TCP port from 1 to 65535, got {port}")
    return port


def _metrics_token(env: Mapping[str, str], name: str) -> str | None:
    token = (env.get(name) or "").strip()
    if token and len(token) < MIN_METRICS_TOKEN_LENGTH:
        # The value is never echoed, only its fault.
        raise ConfigError(f"{name} must be at least {MIN_METRICS_TOKEN_LENGTH} characters (a random string)")
    return token or None


def _check_encryption_keys(keys: tuple[str, ...]) -> None:
    # The key is never echoed: the message names its position in SIDECAR_ENCRYPTION_KEY.
    for position, key in enumerate(keys, start=1):
        if not is_valid_key(key):
            raise ConfigError(
                f"SIDECAR_ENCRYPTION_KEY entry {position} is not a valid key "
                "(32 url-safe base64 bytes; generate one with: sidecar keygen)"
            )


@dataclass(frozen=True)
class Config:
    """Every setting the sidecar reads; `from_env` documents the variable behind each."""

    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    encryption_keys: tuple[str, ...] = ()
    encryption_key_file: str | None = None
    max_body_bytes: int = 1024 * 1024
    jwt_leeway_seconds: int = 30
    jwt_max_lifetime_seconds: int = 24 * 3600
    log_level: str = "info"
    log_format: str = "json"
    embedded_worker: bool = True
    job_lease_seconds: int = 120
    job_poll_seconds: float = 1.0
    worker_threads: int = DEFAULT_WORKER_THREADS  # threads each worker process runs jobs on (jobs/pool.py)
    templates_dir: str | None = None
    router_embeddings: str = "auto"  # sentence embeddings for the learned router: auto, off, or a model directory
    # Outbound URLs (Jira, Zendesk, Salesforce, Slack, LLM) may point at loopback and private addresses,
    # over http too; link-local and cloud-metadata addresses stay refused (sidecar/clients/url_policy.py).
    allow_private_urls: bool = False
    # Prometheus metrics (docs/metrics.md): GET /metrics on the app's port, and/or a port of their own
    # served by `sidecar serve`'s master or `sidecar worker`; with a token, scrapes must send it as a bearer.
    metrics_enabled: bool = False
    metrics_port: int | None = None
    metrics_token: str | None = None
    # Set only by `sidecar demo`: serves /preview/zendesk, a page that plays Zendesk around the real app,
    # calling the API with the demo installation's token (never for a real installation).
    preview_installation_id: str | None = None
    preview_token: str | None = None
    testing: bool = False
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        """Read and check the environment; raise ConfigError naming the first bad variable."""
        env = os.environ if env is None else env
        database_url = _database_url(env)
        keys = tuple(k.strip() for k in (env.get("SIDECAR_ENCRYPTION_KEY") or "").split(",") if k.strip())
        key_file = None
        if not keys:
            if database_url.startswith("sqlite:"):
                # Zero set-up for the embedded default: a key file beside the database, made on first use.
                key_file = env.get("SIDECAR_ENCRYPTION_KEY_FILE") or str(Path("instance") / "encryption.key")
            else:
                raise ConfigError(
                    "SIDECAR_ENCRYPTION_KEY must be set when DATABASE_URL is not SQLite "
                    "(generate one with: sidecar keygen)"
                )
        config = cls(
            database_url=database_url,
            encryption_keys=keys,
            encryption_key_file=key_file,
            max_body_bytes=_int(env, "SIDECAR_MAX_BODY_BYTES", 1024 * 1024, minimum=1024),
            jwt_leeway_seconds=_int(env, "SIDECAR_JWT_LEEWAY_SECONDS", 30),
            jwt_max_lifetime_seconds=_int(env, "SIDECAR_JWT_MAX_LIFETIME_SECONDS", 24 * 3600, minimum=60),
            log_level=_choice(env, "LOG_LEVEL", "info", ("debug", "info", "warning", "error")),
            log_format=_choice(env, "SIDECAR_LOG_FORMAT", "json", ("json", "text")),
            embedded_worker=_bool(env, "SIDECAR_EMBEDDED_WORKER", True),
            job_lease_seconds=_int(env, "SIDECAR_JOB_LEASE_SECONDS", 120, minimum=1),
            job_poll_seconds=_int(env, "SIDECAR_JOB_POLL_MS", 1000, minimum=10) / 1000.0,
            worker_threads=_int(env, "SIDECAR_WORKER_THREADS", default_worker_threads(database_url), minimum=1,
                                maximum=MAX_WORKER_THREADS),
            templates_dir=_directory(env, "SIDECAR_TEMPLATES_DIR"),
            router_embeddings=_router_embeddings(env, "SIDECAR_ROUTER_EMBEDDINGS"),
            allow_private_urls=allow_private_urls_from_env(env),
            metrics_enabled=_bool(env, "SIDECAR_METRICS", False),
            metrics_port=_port(env, "SIDECAR_METRICS_PORT"),
            metrics_token=_metrics_token(env, "SIDECAR_METRICS_TOKEN"),
        )
        _check_encryption_keys(config.encryption_keys)
        return config

    @property
    def metrics_on(self) -> bool:
        """True when metrics are served anywhere (the app's port or their own), so they must be counted."""
        return self.metrics_enabled or self.metrics_port is not None

    def with_overrides(self, **changes) -> Config:
        """A copy with some settings changed (tests, CLI flags)."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **changes)


def allow_private_urls_from_env(env: Mapping[str, str] | None = None) -> bool:
    """SIDECAR_ALLOW_PRIVATE_URLS (default false), for code that has no Config at hand."""
    return _bool(os.environ if env is None else env, "SIDECAR_ALLOW_PRIVATE_URLS", False)


def testing_config(database_url: str, *, encryption_key: str) -> Config:
    """The configuration the test-suite builds apps with."""
    return Config(
        database_url=database_url,
        encryption_keys=(encryption_key,),
        log_level="warning",
        embedded_worker=False,
        testing=True,
        allow_private_urls=True,  # the fake vendors listen on http://127.0.0.1
    )
