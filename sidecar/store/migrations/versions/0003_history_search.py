"""Full-text index over history tickets, for similar-incident search.

SQLite: an FTS5 external-content table `history_search` over history_tickets(subject, search_text),
kept in step by triggers. PostgreSQL: a stored generated tsvector column `search_vector` (subject
weighted A, search_text B) with a GIN index. Neither object is in the models; autogenerate is told to
ignore them by `sidecar.store.search.include_in_autogenerate`.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# porter: "crashes"/"crashed"/"crashing" meet; unicode61 with remove_diacritics 2 folds accents, so
# "café" and "cafe" match (what customers type varies). External content: the text lives once, in
# history_tickets; FTS5 keeps only the index.
SQLITE_UPGRADE = [
    """
    CREATE VIRTUAL TABLE history_search USING fts5(
        subject, search_text,
        content='history_tickets', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER history_search_after_insert AFTER INSERT ON history_tickets BEGIN
        INSERT INTO history_search(rowid, subject, search_text)
        VALUES (new.id, new.subject, new.search_text);
    END
    """,
    # An external-content index must be told the OLD values to forget them.
    """
    CREATE TRIGGER history_search_after_delete AFTER DELETE ON history_tickets BEGIN
        INSERT INTO history_search(history_search, rowid, subject, search_text)
        VALUES ('delete', old.id, old.subject, old.search_text);
    END
    """,
    """
    CREATE TRIGGER history_search_after_update AFTER UPDATE OF subject, search_text ON history_tickets BEGIN
        INSERT INTO history_search(history_search, rowid, subject, search_text)
        VALUES ('delete', old.id, old.subject, old.search_text);
        INSERT INTO history_search(rowid, subject, search_text)
        VALUES (new.id, new.subject, new.search_text);
    END
    """,
    # Rows imported before this migration.
    "INSERT INTO history_search(history_search) VALUES ('rebuild')",
]

SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS history_search_after_update",
    "DROP TRIGGER IF EXISTS history_search_after_delete",
    "DROP TRIGGER IF EXISTS history_search_after_insert",
    "DROP TABLE IF EXISTS history_search",
]

# 'english' is spelled as a regconfig so the expression is immutable, as a generated column requires.
# translate() turns . / @ : \ into spaces first: PostgreSQL's parser would keep host names, paths,
# e-mail addresses and versions whole ("dict.leo.org", "2.53.7"), so "leo.org" could never find
# "dict.leo.org"; split, they match word by word as they do in SQLite's unicode61. The query side
# (sidecar.store.search) applies the same translate().
# left(..., 100000): a tsvector is capped at 1 MB, so one ticket with a huge pasted log must not make
# its INSERT fail; the first 100k characters carry what search needs.
POSTGRESQL_UPGRADE = [
    """
    ALTER TABLE history_tickets ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig,
                              translate(left(coalesce(subject, ''), 2000), './@:\\', '     ')), 'A') ||
        setweight(to_tsvector('english'::regconfig,
                              translate(left(coalesce(search_text, ''), 100000), './@:\\', '     ')), 'B')
    ) STORED
    """,
    "CREATE INDEX ix_history_tickets_search ON history_tickets USING gin (search_vector)",
]

POSTGRESQL_DOWNGRADE = [
    "DROP INDEX IF EXISTS ix_history_tickets_search",
    "ALTER TABLE history_tickets DROP COLUMN IF EXISTS search_vector",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UPGRADE)
    elif dialect == "postgresql":
        _run(POSTGRESQL_UPGRADE)
    else:
        raise NotImplementedError(f"history search has no index for the {dialect} dialect")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWNGRADE)
    elif dialect == "postgresql":
        _run(POSTGRESQL_DOWNGRADE)
