"""Shared fixtures: an app on SQLite (default) or PostgreSQL (SIDECAR_TEST_DATABASE_URL), installations, auth."""
from __future__ import annotations

import os
import time
from pathlib import Path

import jwt
import pytest
from sqlalchemy import text

from sidecar import create_app
from sidecar.config import normalise_database_url, testing_config
from sidecar.intelligence.similarity.embedding import forget_query_vectors
from sidecar.store.crypto import SecretBox, generate_key
from sidecar.store.db import Database
from sidecar.store.migrate import upgrade_database
from sidecar.store.models import Base

ENCRYPTION_KEY = generate_key()


def _test_database_url(tmp_path_factory) -> str:
    url = os.environ.get("SIDECAR_TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _reset_schema(database: Database) -> None:
    # A PostgreSQL test database outlives the run: start from nothing so migrations are exercised.
    with database.engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade_database(database)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The URL of the migrated test database."""
    url = _test_database_url(tmp_path_factory)
    database = Database(url)
    _reset_schema(database)
    database.dispose()
    return url


@pytest.fixture(scope="session")
def config(database_url):
    """The app configuration used by every test."""
    return testing_config(database_url, encryption_key=ENCRYPTION_KEY)


@pytest.fixture(scope="session")
def app(config):
    """One app for the session; tables are emptied after each test."""
    return create_app(config)


@pytest.fixture(autouse=True)
def _fresh_query_vectors():
    # Each test's stand-in embedders start unseen: the process caches query vectors by model name and text.
    forget_query_vectors()


@pytest.fixture(autouse=True)
def _empty_tables(request):
    yield
    if "app" not in request.fixturenames:
        return
    database = request.getfixturevalue("app").extensions["sidecar"].database
    with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def client(app):
    """A Flask test client."""
    return app.test_client()


@pytest.fixture
def box() -> SecretBox:
    """The secret box the test app uses."""
    return SecretBox((ENCRYPTION_KEY,))


@pytest.fixture
def make_installation(app, box):
    """Create an installation and return its id, api_token and shared_secret."""
    from sidecar.services.installations import create_installation

    def _make(name: str = "Acme Support", source: str = "zendesk") -> dict:
        with app.extensions["sidecar"].database.session() as session:
            return create_installation(session, name=name, source=source, box=box).as_dict()

    return _make


@pytest.fixture
def installation(make_installation) -> dict:
    """A Zendesk installation."""
    return make_installation()


def bearer(token: str) -> dict[str, str]:
    """Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


def zaf_jwt(installation: dict, *, expires_in: int = 300, secret: str | None = None, **claims) -> str:
    """A JWT as the Zendesk app signs it (HS256 with the installation's shared secret)."""
    now = int(time.time())
    payload = {"iss": installation["id"], "iat": now, "exp": now + expires_in, **claims}
    return jwt.encode(payload, secret or installation["shared_secret"], algorithm="HS256")


FIXTURES = Path(__file__).parent / "fixtures"
