"""The Alembic migrations build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

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
