"""The Alembic migrations build exactly the schema the models describe."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from sidecar.store.db import Database
from sidecar.store.migrate import current_revision, head_revision
from sidecar.store.models import Base
from sidecar.store.search import include_in_autogenerate


def test_database_is_at_head_and_matches_the_models(database_url):
    database = Database(database_url)
    try:
        assert current_revision(database) == head_revision()
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": include_in_autogenerate})
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
    finally:
        database.dispose()


def test_postgresql_samples_the_search_column_widely_enough_to_know_mid_frequency_words(database_url):
    # Similar search counts a word's tickets through the index unless the planner's statistics list it; at the
    # default target the mid-frequency words were counted (13 ms a search at a million tickets, 3.7 ms at 1,000).
    database = Database(database_url)
    try:
        if database.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's planner statistics; SQLite counts from its FTS5 index")
        with database.engine.connect() as connection:
            target = connection.execute(text(
                "SELECT attstattarget FROM pg_attribute WHERE attrelid = 'history_tickets'::regclass"
                " AND attname = 'search_vector'")).scalar()
        assert target == 1000
    finally:
        database.dispose()
