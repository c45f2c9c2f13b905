"""Large history imports (issue 18): rows written as they were hashed, embeddings left for later past a bound."""
from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import text

from sidecar.cli.imports import import_group
from sidecar.intelligence.similarity.embedding import vector_key
from sidecar.services.history import import_history_file
from sidecar.services.history import runner as history_runner
from sidecar.services.similar_incidents import search_and_rank
from sidecar.store.history import _POSTGRESQL_STORED, _stored_versions, count_unembedded, get_history_ticket
from sidecar.store.history_rows import HASH_KEY, prepare_history_row
from sidecar.store.vectors import embed_history
from tests.conftest import ENCRYPTION_KEY
from tests.intelligence.similarity import test_similar_embeddings as similar_tests

# The test database, and the stand-in embedder that search and import use, as the similar-search tests have them.
database = similar_tests.database
embedder = similar_tests.embedder

ROWS = [
    {"id": str(number), "subject": f"Refund request {number}", "description": "I was charged twice.",
     "created_at": "2024-03-01T09:00:00Z", "updated_at": f"2024-03-0{1 + number % 9}T10:00:00+02:00",
     "escalated": number % 2 == 0, "comments": [{"author": "customer", "body": "Ünïcode ✓ please"}],
     "custom": {"nested": [1, 2.5, None, True]}}
    for number in range(12)
]


def _write(tmp_path, rows):
    path = tmp_path / "history.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def test_the_stored_json_is_the_row_with_its_hash_and_the_columns_are_typed(database, installation, tmp_path):
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, ROWS))

    prepared = prepare_history_row(ROWS[3], source="file")
    assert json.loads(prepared.data_json) == prepared.columns["data"]
    with database.session() as session:
        row = get_history_ticket(session, installation_id=installation["id"], source="file", external_id="3")
        assert row.data == {**ROWS[3], HASH_KEY: prepared.content_hash}
        assert row.escalated is False and row.search_text.endswith("Ünïcode ✓ please")
        assert row.updated_at.replace(tzinfo=None).isoformat() == "2024-03-04T08:00:00"


def test_an_import_beyond_the_bound_leaves_embeddings_to_history_embed(database, installation, embedder, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setattr(history_runner, "EMBED_AT_IMPORT", 10)
    summary = import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, ROWS))

    assert summary.inserted == 12 and embedder.encoded == 0
    assert summary.as_dict()["embeddings_pending"] == 12 and "embedded" not in summary.as_dict()
    with database.session() as session:  # search works meanwhile, from full text
        found = search_and_rank(session, installation_id=installation["id"], text="Refund request 7 charged twice",
                                embedder=embedder)
        assert found.ranked and found.ranked[0][0].external_id == "7" and not found.nearest
    assert embed_history(database, installation_id=installation["id"], embedder=embedder) == 12
    with database.session() as session:
        assert count_unembedded(session, installation_id=installation["id"], model=vector_key(embedder)) == 0


def test_an_import_within_the_bound_embeds_at_its_end(database, installation, embedder, tmp_path, monkeypatch):
    monkeypatch.setattr(history_runner, "EMBED_AT_IMPORT", 12)
    summary = import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, ROWS),
                                  batch_size=5)

    assert summary.pages == 3 and summary.as_dict()["embedded"] == 12
    assert "embeddings_pending" not in summary.as_dict()


def test_the_cli_says_how_to_embed_what_the_import_left(app, database_url, installation, embedder, tmp_path,
                                                        monkeypatch):
    monkeypatch.setattr(history_runner, "EMBED_AT_IMPORT", 10)
    result = CliRunner().invoke(import_group, ["file", str(_write(tmp_path, ROWS)), "--installation",
                                               installation["id"]],
                                env={"DATABASE_URL": database_url, "SIDECAR_ENCRYPTION_KEY": ENCRYPTION_KEY})

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["embeddings_pending"] == 12
    assert f"sidecar history embed --installation {installation['id']}" in result.stderr


def test_the_stored_version_look_up_probes_the_unique_index_per_id(database, installation, tmp_path):
    """Before: PostgreSQL ran the look-up as a scan of the installation's whole index range, filtered
    against the IN list, while its statistics (none before an ANALYZE) put the installation at a few rows.
    With statistics taken when the table was small (other tests' rows, autovacuum off) it also took the
    (installation_id, created_at) index at the same cost: the import now refreshes them as it goes."""
    rows = [{"id": f"Z-{number}", "subject": f"Ticket {number}"} for number in range(3000)]
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, rows))
    wanted = {"installation": installation["id"], "source": "file", "ids": ["Z-7", "Z-2999", "Z-missing"]}

    with database.session() as session:
        found = _stored_versions(session, wanted["installation"], wanted["source"], wanted["ids"])
        assert sorted(external_id for external_id, _, _ in found) == ["Z-2999", "Z-7"]
        if session.get_bind().dialect.name == "postgresql":
            plan = "\n".join(session.execute(text(f"EXPLAIN {_POSTGRESQL_STORED.text}"), wanted).scalars())
            assert "Nested Loop" in plan and "external_id)::text = wanted.external_id" in plan, plan
            assert "Filter" not in plan and "Hash" not in plan, plan
