"""Configuration is checked at start: a bad value stops start-up with a message naming it."""
import pytest

from sidecar.config import Config, ConfigError
from sidecar.store.crypto import generate_key


@pytest.mark.parametrize(
    "env, needle",
    [
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://db/x"}, "SIDECAR_ENCRYPTION_KEY"),
        ({"SIDECAR_ENCRYPTION_KEY": "short"}, "SIDECAR_ENCRYPTION_KEY"),
        ({"SIDECAR_MAX_BODY_BYTES": "lots"}, "SIDECAR_MAX_BODY_BYTES"),
        ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL"),
        ({"SIDECAR_EMBEDDED_WORKER": "maybe"}, "SIDECAR_EMBEDDED_WORKER"),
        ({"SIDECAR_WORKER_THREADS": "0"}, "SIDECAR_WORKER_THREADS"),
        ({"SIDECAR_WORKER_THREADS": "64"}, "SIDECAR_WORKER_THREADS"),
    ],
)
def test_bad_values_are_named(env, needle):
    with pytest.raises(ConfigError) as caught:
        Config.from_env(env)
    assert needle in str(caught.value)


def test_bad_key_is_not_echoed():
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"SIDECAR_ENCRYPTION_KEY": "hunter2-not-a-key"})
    assert "hunter2" not in str(caught.value)


def test_defaults_and_heroku_postgres_url():
    key = generate_key()
    config = Config.from_env({"DATABASE_URL": "postgres://u@h/db", "SIDECAR_ENCRYPTION_KEY": key})
    assert config.database_url == "postgresql+psycopg://u@h/db"
    assert config.encryption_keys == (key,)
    assert config.max_body_bytes == 1024 * 1024
    embedded = Config.from_env({})
    assert embedded.database_url.startswith("sqlite:///")
    assert embedded.encryption_key_file


def test_worker_threads_default_by_database_and_can_be_set():
    key = generate_key()
    postgres = {"DATABASE_URL": "postgresql://u@h/db", "SIDECAR_ENCRYPTION_KEY": key}
    assert Config.from_env(postgres).worker_threads == 6  # commits and vendor calls overlap
    assert Config.from_env({}).worker_threads == 1  # SQLite: one write lock, shared with the web processes
    assert Config.from_env({"SIDECAR_WORKER_THREADS": "4"}).worker_threads == 4
    assert Config.from_env({**postgres, "SIDECAR_WORKER_THREADS": "2"}).worker_threads == 2
