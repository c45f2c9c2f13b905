"""Alembic environment: the URL comes from the sidecar's configuration, never from alembic.ini."""
from alembic import context
from sqlalchemy import create_engine, pool

from sidecar.store.models import Base
from sidecar.store.search import include_in_autogenerate

config = context.config
url = config.get_main_option("sqlalchemy.url")


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True,
                      include_name=include_in_autogenerate)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        context.configure(connection=connectable, target_metadata=Base.metadata, render_as_batch=True,
                          include_name=include_in_autogenerate)
        with context.begin_transaction():
            context.run_migrations()
        return
    if url is None:  # sidecar.store.migrate sets it whenever it does not pass a connection
        raise RuntimeError("alembic: neither a connection nor sqlalchemy.url was given")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        # render_as_batch lets ALTER TABLE migrations work on SQLite too.
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                          include_name=include_in_autogenerate)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
