"""Similar-incident search with sentence embeddings beside full-text search (issue 14, point 5).

Most tests use a tiny stand-in embedder (words mapped to concepts), so they are fast and need no model;
one test runs the bundled MiniLM when the `embeddings` extra is installed.
"""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from sidecar.cli import history as cli_history
from sidecar.intelligence.routing.embeddings import bundled_model_installed
from sidecar.intelligence.similarity import embedding as similar_embedding
from sidecar.intelligence.similarity.evaluation import format_similar_table
from sidecar.intelligence.similarity.rerank import rerank
from sidecar.intelligence.ticket import Ticket
from sidecar.services import similar_evaluation
from sidecar.services.erasure import delete_installation, erase_requester
from sidecar.services.history import import_history_file
from sidecar.services.retention import purge_installation
from sidecar.services.similar_evaluation import evaluate_product_search
from sidecar.services.similar_incidents import find_similar, search_and_rank
from sidecar.store.history import delete_history, record_ticket
from sidecar.store.models import HistoryEmbedding, HistoryTicket, Installation
from sidecar.store.vectors import (
    decode_vectors,
    embed_history,
    encode_vector,
    invalidate,
    search_nearest,
    tickets_to_embed,
)
from tests.conftest import ENCRYPTION_KEY

CONCEPTS = {
    "refund": 0, "reimburse": 0, "reimbursement": 0, "money": 0, "repay": 0, "repaid": 0,
    "login": 1, "sign": 1, "signin": 1, "password": 1, "credentials": 1,
    "crash": 2, "crashes": 2, "freezes": 2, "hangs": 2, "unresponsive": 2,
    "invoice": 3, "bill": 3, "billing": 3, "statement": 3,
    "printer": 4, "printing": 4, "print": 4,
}


class ConceptEmbedder:
    """A stand-in for the transformer: a text's vector counts the concepts its words belong to."""

    name = "test-concepts"

    def __init__(self) -> None:
        self.encoded = 0

    def encode(self, texts):
        self.encoded += len(texts)
        out = np.zeros((len(texts), 8), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                if word in CONCEPTS:
                    out[row, CONCEPTS[word]] += 1
            out[row, 7] += 0.05  # every text a little alike, as real embeddings are
        return out / np.linalg.norm(out, axis=1, keepdims=True)


HISTORY = [
    {"id": "1", "subject": "Reimburse my money", "description": "I paid twice and want it repaid.",
     "status": "solved", "assignee": "ana@example.com", "created_at": "2024-03-01T09:00:00Z"},
    {"id": "2", "subject": "Cannot sign in", "description": "My password is rejected every time.",
     "status": "solved", "created_at": "2024-03-02T09:00:00Z", "requester": {"email": "eve@example.com"}},
    {"id": "3", "subject": "Application hangs on start", "description": "It freezes and is unresponsive.",
     "status": "solved", "created_at": "2024-03-03T09:00:00Z"},
    {"id": "4", "subject": "Printer offline", "description": "Printing to the office printer fails.",
     "created_at": "2024-03-04T09:00:00Z"},
]


@pytest.fixture
def database(app):
    return app.extensions["sidecar"].database


@pytest.fixture
def embedder(monkeypatch):
    """Search and import use the stand-in embedder (as SIDECAR_SIMILAR_EMBEDDINGS would pick a model)."""
    stand_in = ConceptEmbedder()
    monkeypatch.setattr(similar_embedding, "similar_embedder", lambda setting=None: stand_in)
    invalidate()
    yield stand_in
    invalidate()


def _write(tmp_path, rows, name="history.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _vectors(database, installation_id=None):
    with database.session() as session:
        statement = select(HistoryEmbedding)
        if installation_id:
            statement = statement.where(HistoryEmbedding.installation_id == installation_id)
        return list(session.scalars(statement))


def _installation(database, installation_id):
    with database.session() as session:
        return session.get(Installation, installation_id)


def test_import_stores_one_vector_per_ticket_and_reimport_embeds_nothing_again(database, installation, embedder,
                                                                                tmp_path):
    path = _write(tmp_path, HISTORY)
    summary = import_history_file(database, installation_id=installation["id"], path=path)

    stored = _vectors(database, installation["id"])
    assert len(stored) == 4 and summary.as_dict()["embedded"] == 4
    assert {row.model for row in stored} == {"test-concepts+t2"}  # the model and the text recipe
    vectors = decode_vectors([row.vector for row in stored])
    assert vectors.shape == (4, 8) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)

    encoded = embedder.encoded
    again = import_history_file(database, installation_id=installation["id"], path=path)
    assert again.unchanged == 4 and again.as_dict()["embedded"] == 0 and embedder.encoded == encoded

    # A changed ticket is embedded again; the others are not.
    edited = [dict(HISTORY[0], description="Actually it is about my bill.")] + HISTORY[1:]
    third = import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, edited, "b.jsonl"))
    assert third.updated == 1 and third.as_dict()["embedded"] == 1


def test_tickets_stored_without_vectors_are_backfilled_by_the_next_import_or_history_embed(database, installation,
                                                                                            tmp_path, monkeypatch):
    # Imported with embeddings off (or before migration 0007): no vectors.
    monkeypatch.setattr(similar_embedding, "similar_embedder", lambda setting=None: None)
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    assert _vectors(database) == []

    stand_in = ConceptEmbedder()
    with database.session() as session:
        key = similar_embedding.vector_key(stand_in)
        assert len(tickets_to_embed(session, installation_id=installation["id"], model=key)) == 4
    assert embed_history(database, installation_id=installation["id"], embedder=stand_in, batch=3) == 4
    assert len(_vectors(database)) == 4
    assert embed_history(database, installation_id=installation["id"], embedder=stand_in) == 0

    # Another model: every ticket is embedded again, replacing the old vectors.
    class Other(ConceptEmbedder):
        name = "other-model"

    monkeypatch.setattr(similar_embedding, "similar_embedder", lambda setting=None: Other())
    summary = import_history_file(database, installation_id=installation["id"],
                                  path=_write(tmp_path, HISTORY[:1], "one.jsonl"))
    assert summary.as_dict()["embedded"] == 4  # the page's ticket, then the backfill of the other three
    assert {row.model for row in _vectors(database)} == {"other-model+t2"}


def test_a_duplicate_worded_with_no_shared_words_is_found_through_embeddings(database, installation, embedder,
                                                                              tmp_path):
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    record = _installation(database, installation["id"])
    ticket = Ticket(id="900", source="zendesk", subject="Refund", description="Charged double, refund please")

    with database.session() as session:
        found = find_similar(session, installation=record, ticket=ticket)
        full_text = search_and_rank(session, installation_id=installation["id"], text="Refund\nCharged double, "
                                    "refund please", embedder=None).full_text
    assert found and found[0].id == "1" and found[0].solved_by == "ana@example.com"
    assert "1" not in [candidate.external_id for candidate in full_text]  # no word in common


def test_nearest_respects_exclusion_and_creation_time(database, installation, embedder, tmp_path):
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    query = embedder.encode(["my password and sign in fail"])[0]
    key = similar_embedding.vector_key(embedder)
    with database.session() as session:
        nearest = search_nearest(session, installation_id=installation["id"], model=key, vector=query)
        assert nearest[0].external_id == "2" and nearest[0].score > 0.9
        excluded = search_nearest(session, installation_id=installation["id"], model=key, vector=query,
                                  exclude=("file", "2"))
        assert "2" not in [c.external_id for c in excluded]
        earlier = search_nearest(session, installation_id=installation["id"], model=key, vector=query,
                                 created_before=datetime(2024, 3, 2, 9, 0, tzinfo=UTC))
        assert [c.external_id for c in earlier] == ["1"]


def test_deleting_history_tickets_deletes_their_vectors_and_search_never_returns_them(database, installation,
                                                                                      embedder, tmp_path):
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    query = embedder.encode(["printer printing"])[0]
    with database.session() as session:
        assert search_nearest(session, installation_id=installation["id"], model=similar_embedding.vector_key(embedder),
                              vector=query)[0].external_id == "4"
    with database.session() as session:
        assert delete_history(session, installation_id=installation["id"], source="file", external_ids=["4"]) == 1
    assert len(_vectors(database)) == 3
    with database.session() as session:
        ids = [c.external_id for c in search_nearest(session, installation_id=installation["id"],
                                                     model=similar_embedding.vector_key(embedder), vector=query)]
    assert "4" not in ids


def test_erasing_a_requester_deletes_the_vectors_of_their_tickets(database, installation, embedder, tmp_path):
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    report = erase_requester(database, installation_id=installation["id"], email="eve@example.com")

    assert report.erased["history_tickets"] == 1 and report.erased["history_embeddings"] == 1
    with database.session() as session:
        remaining = session.scalars(select(HistoryTicket.external_id).join(
            HistoryEmbedding, HistoryEmbedding.history_ticket_id == HistoryTicket.id)).all()
    assert sorted(remaining) == ["1", "3", "4"]


def test_deleting_an_installation_or_purging_old_history_deletes_vectors(database, make_installation, embedder,
                                                                          tmp_path):
    first, second = make_installation("First"), make_installation("Second")
    path = _write(tmp_path, HISTORY)
    for installation in (first, second):
        import_history_file(database, installation_id=installation["id"], path=path)
    assert len(_vectors(database)) == 8

    result = delete_installation(database, installation_id=first["id"])
    assert result["deleted"]["history_embeddings"] == 4
    assert len(_vectors(database, first["id"])) == 0 and len(_vectors(database, second["id"])) == 4

    with database.session() as session:
        session.get(Installation, second["id"]).settings = {"retention_days": 30}
    report = purge_installation(database, installation_id=second["id"],
                                now=datetime(2024, 3, 3, 12, 0, tzinfo=UTC) + timedelta(days=30))
    assert report.deleted["history_embeddings"] == 3 and report.deleted["history_tickets"] == 3
    assert len(_vectors(database)) == 1


def test_without_embeddings_search_is_full_text_and_rerank_as_before(database, installation, tmp_path, monkeypatch):
    monkeypatch.setattr(similar_embedding, "similar_embedder", lambda setting=None: None)
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    record = _installation(database, installation["id"])
    ticket = Ticket(id="901", source="zendesk", subject="Printer is offline again",
                    description="The office printer fails")
    with database.session() as session:
        found = find_similar(session, installation=record, ticket=ticket)
        search = search_and_rank(session, installation_id=installation["id"], text="Printer is offline again\n"
                                 "The office printer fails", subject="Printer is offline again")
    assert found[0].id == "4"
    assert search.nearest == []
    expected = rerank("Printer is offline again\nThe office printer fails", search.full_text,
                      query_subject="Printer is offline again")
    assert [(c.id, s) for c, s in search.ranked] == [(c.id, s) for c, s in expected]
    assert _vectors(database) == []


def test_a_failing_embedder_leaves_import_and_search_working(database, installation, tmp_path, monkeypatch):
    class Broken:
        name = "broken"

        def encode(self, texts):
            raise RuntimeError("model files missing")

    monkeypatch.setattr(similar_embedding, "similar_embedder", lambda setting=None: Broken())
    summary = import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    assert summary.inserted == 4 and "model files missing" in summary.as_dict()["embeddings_error"]
    record = _installation(database, installation["id"])
    with database.session() as session:
        found = find_similar(session, installation=record,
                             ticket=Ticket(id="9", source="zendesk", subject="Printer offline", description=""))
    assert found[0].id == "4"


def test_live_recorded_tickets_get_vectors_from_the_next_backfill(database, installation, embedder):
    with database.session() as session:
        record_ticket(session, installation_id=installation["id"],
                      ticket=Ticket(id="77", source="zendesk", subject="Bill is wrong", description="statement"))
    assert embed_history(database, installation_id=installation["id"], embedder=embedder) == 1
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(HistoryEmbedding)) == 1


def test_float16_storage_keeps_the_vector():
    vector = np.random.default_rng(1).standard_normal(384).astype(np.float32)
    vector /= np.linalg.norm(vector)
    back = decode_vectors([encode_vector(vector)])[0]
    assert back.dtype == np.float32 and float(back @ vector) > 0.9999


def test_evaluation_runs_the_product_path_and_reports_each_stage(monkeypatch):
    stand_in = ConceptEmbedder()
    monkeypatch.setattr(similar_evaluation, "similar_embedder", lambda setting=None: stand_in)
    rows = [*HISTORY, {"id": "5", "subject": "Refund", "description": "Charged double, refund please",
                       "created_at": "2024-03-05T09:00:00Z", "duplicate_of": ["1"]}]
    metrics = evaluate_product_search(rows)
    assert metrics["embedding_model"] == "test-concepts"
    assert metrics["recall_at_1"] == 1.0 and metrics["embeddings_recall_at_1"] == 1.0
    assert metrics["full_text_recall_at_10"] == 0.0
    table = format_similar_table(metrics, "tiny")
    assert "embeddings" in table and "product" in table


@pytest.mark.skipif(not bundled_model_installed(), reason="needs the embeddings extra")
def test_the_bundled_transformer_finds_a_paraphrase_full_text_misses(database, installation, tmp_path, monkeypatch):
    monkeypatch.delenv(similar_embedding.SETTING, raising=False)
    invalidate()
    rows = [
        {"id": "1", "subject": "Browser quits unexpectedly when opening a PDF", "created_at": "2024-01-01T00:00:00Z"},
        {"id": "2", "subject": "Spell checker underlines correct words", "created_at": "2024-01-02T00:00:00Z"},
        {"id": "3", "subject": "Mail folders are empty after upgrade", "created_at": "2024-01-03T00:00:00Z"},
    ]
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, rows))
    assert len(_vectors(database)) == 3
    record = _installation(database, installation["id"])
    ticket = Ticket(id="9", source="zendesk", subject="Application crashes while viewing portable documents",
                    description="")
    with database.session() as session:
        found = find_similar(session, installation=record, ticket=ticket)
    assert found and found[0].id == "1"
    invalidate()


def _cli(database_url, *args, **env):
    environment = {"DATABASE_URL": database_url, "SIDECAR_ENCRYPTION_KEY": ENCRYPTION_KEY, **env}
    return CliRunner().invoke(cli_history.history_group, list(args), env=environment, catch_exceptions=False)


def test_cli_history_embed_backfills_and_reports_json(app, database_url, database, installation, tmp_path,
                                                      monkeypatch):
    # The command's own name for it: sidecar.cli.history imports similar_embedder.
    monkeypatch.setattr(cli_history, "similar_embedder", lambda setting=None: None)
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    refused = _cli(database_url, "embed", "--installation", installation["id"])
    assert refused.exit_code != 0 and "no embedding model" in refused.output

    stand_in = ConceptEmbedder()
    monkeypatch.setattr(cli_history, "similar_embedder", lambda setting=None: stand_in)
    result = _cli(database_url, "embed", "--installation", installation["id"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["embedded"], summary["stored"], summary["model"]) == (4, 4, "test-concepts")
    again = _cli(database_url, "embed", "--installation", installation["id"])
    assert json.loads(again.stdout.strip().splitlines()[-1])["embedded"] == 0
    unknown = _cli(database_url, "embed", "--installation", "inst_nope")
    assert unknown.exit_code != 0 and "inst_nope" in unknown.output


def test_a_ticket_searched_again_is_not_encoded_again_and_no_query_vector_outlives_its_time(monkeypatch):
    embedder = ConceptEmbedder()
    first = similar_embedding.query_vector(embedder, "Refund my money please")
    again = similar_embedding.query_vector(embedder, "Refund my money please")
    assert embedder.encoded == 1 and np.array_equal(first, again)
    assert not again.flags.writeable  # shared between requests
    similar_embedding.query_vector(embedder, "The printer is offline")
    assert embedder.encoded == 2

    # Derived from a customer's words: gone after QUERY_CACHE_SECONDS in every process, at once on erasure.
    clock = [1000.0]
    monkeypatch.setattr(similar_embedding.time, "monotonic", lambda: clock[0])
    similar_embedding.query_vector(embedder, "My password is rejected")
    clock[0] += similar_embedding.QUERY_CACHE_SECONDS + 1
    similar_embedding.query_vector(embedder, "My password is rejected")
    assert embedder.encoded == 4
    similar_embedding.forget_query_vectors()
    similar_embedding.query_vector(embedder, "My password is rejected")
    assert embedder.encoded == 5


def test_erasing_a_requester_forgets_this_process_query_vectors(database, installation, embedder, tmp_path):
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    similar_embedding.query_vector(embedder, "Printer offline")
    assert similar_embedding._queries
    erase_requester(database, installation_id=installation["id"], email="eve@example.com")
    assert not similar_embedding._queries


def test_embedding_text_reads_the_words_not_the_bug_form_fields_or_link_addresses():
    text = ("Pages lose their background after editing\nUser Agent: Mozilla/5.0 (X11; Linux x86_64; rv:99.0) "
            "Gecko/20100101\n\nSteps to reproduce:\n\nOpen [this page](https://example.com/a/very/long/path) and "
            "save it, see https://example.org/x?y=1\n\nActual results:\n\nThe background is gone.")
    assert similar_embedding.embedding_text(text) == (
        "Pages lose their background after editing Open this page and save it, see The background is gone.")


def test_stored_vectors_are_kept_under_the_model_and_the_text_recipe():
    assert similar_embedding.vector_key(ConceptEmbedder()) == f"test-concepts+{similar_embedding.TEXT_RECIPE}"
