"""The per-process embedding matrix: bounded to the newest vectors, refreshed by appending (issue 18)."""
from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from sqlalchemy import delete, insert, select, update

from sidecar.intelligence.similarity.embedding import vector_key
from sidecar.services.history import import_history_file
from sidecar.services.similar_incidents import search_and_rank
from sidecar.store import vectors
from sidecar.store.history import delete_history
from sidecar.store.models import HistoryEmbedding, HistoryTicket
from sidecar.store.vectors import encode_vector, invalidate, search_nearest, stored_vectors
from tests.intelligence.similarity import test_similar_embeddings as embedding_tests
from tests.intelligence.similarity.test_similar_embeddings import HISTORY, _write

# The embedding tests' fixtures (the app's database, a stand-in embedder) serve here too.
database = embedding_tests.database
embedder = embedding_tests.embedder


def _ids(database, installation_id, embedder, text):
    query = embedder.encode([text])[0]
    with database.session() as session:
        return [c.external_id for c in search_nearest(session, installation_id=installation_id,
                                                      model=vector_key(embedder), vector=query)]


def _all_ids(database, installation_id):
    with database.session() as session:
        return list(session.scalars(select(HistoryTicket.id).where(
            HistoryTicket.installation_id == installation_id).order_by(HistoryTicket.id)))


def test_the_matrix_holds_only_the_newest_vectors_but_every_stored_vector_is_still_read(
        database, installation, embedder, tmp_path, monkeypatch):
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    ids = _all_ids(database, installation["id"])
    with database.session() as session:
        unbounded = stored_vectors(session, installation_id=installation["id"], model=vector_key(embedder), ids=ids)
    monkeypatch.setenv(vectors.MAX_SETTING, "2")
    invalidate()
    # Tickets 1 and 2 are older than the bound: not embedding neighbours any more...
    assert _ids(database, installation["id"], embedder, "refund my money") == ["4", "3"]
    assert _ids(database, installation["id"], embedder, "printer printing")[0] == "4"
    # ...but their stored vectors are read for re-ranking, the same as without the bound.
    with database.session() as session:
        bounded = stored_vectors(session, installation_id=installation["id"], model=vector_key(embedder), ids=ids)
        assert np.array_equal(bounded, unbounded)
        found = search_and_rank(session, installation_id=installation["id"], text="Reimburse\nI want my money repaid",
                                embedder=embedder)
    assert found.ranked[0][0].external_id == "1"  # found by full text, re-ranked with its stored vector


def test_an_old_tickets_vector_from_another_model_or_installation_is_not_read(
        database, installation, make_installation, embedder, tmp_path, monkeypatch):
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    other = make_installation()
    ids = _all_ids(database, installation["id"])
    monkeypatch.setenv(vectors.MAX_SETTING, "1")
    invalidate()
    # Only ticket 4 is in the matrix: the others' vectors are read by id, and must still be this
    # installation's and this model's (the read goes by primary key alone, the rest is checked after).
    with database.engine.begin() as connection:
        connection.execute(update(HistoryEmbedding).where(HistoryEmbedding.history_ticket_id == ids[0])
                           .values(model="another-model"))
        connection.execute(update(HistoryEmbedding).where(HistoryEmbedding.history_ticket_id == ids[1])
                           .values(installation_id=other["id"]))
    with database.session() as session:
        read = stored_vectors(session, installation_id=installation["id"], model=vector_key(embedder), ids=ids)
    assert not read[0].any() and not read[1].any()
    assert read[2].any() and read[3].any()


def test_a_bound_above_the_history_changes_nothing(database, installation, embedder, tmp_path, monkeypatch):
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    before = _ids(database, installation["id"], embedder, "sign in password")
    monkeypatch.setenv(vectors.MAX_SETTING, "4")
    invalidate()
    assert _ids(database, installation["id"], embedder, "sign in password") == before
    assert before[0] == "2" and len(before) == 4


def _expire(monkeypatch):
    """Make every search check the cached matrix against the database (no 30-second trust)."""
    monkeypatch.setattr(vectors, "CACHE_CHECK_SECONDS", -1.0)


def _add_vector_elsewhere(database, installation_id, embedder, external_id, text):
    """A ticket and its vector written by another process (this process's cache is not told)."""
    with database.engine.begin() as connection:
        ticket_id = connection.execute(insert(HistoryTicket).values(
            installation_id=installation_id, source="file", external_id=external_id, kind="ticket",
            subject=text, description=text, search_text=text, data={},
            created_at=datetime(2024, 4, 1, tzinfo=UTC)).returning(HistoryTicket.id)).scalar_one()
        connection.execute(insert(HistoryEmbedding).values(
            history_ticket_id=ticket_id, installation_id=installation_id, model=vector_key(embedder), content_hash="",
            vector=encode_vector(embedder.encode([text])[0]), embedded_at=datetime(2030, 1, 1, tzinfo=UTC)))


def test_vectors_appended_by_another_process_are_added_without_a_reload(database, installation, embedder, tmp_path,
                                                                        monkeypatch):
    _expire(monkeypatch)
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    assert _ids(database, installation["id"], embedder, "invoice billing statement")[0] != "5"
    _add_vector_elsewhere(database, installation["id"], embedder, "5", "Invoice wrong on the billing statement")

    def no_reload(*args, **kwargs):
        raise AssertionError("a pure append must not reload the matrix")

    monkeypatch.setattr(vectors, "_load", no_reload)
    assert _ids(database, installation["id"], embedder, "invoice billing statement")[0] == "5"


def test_appending_past_the_bound_drops_the_oldest(database, installation, embedder, tmp_path, monkeypatch):
    monkeypatch.setenv(vectors.MAX_SETTING, "4")
    _expire(monkeypatch)
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    assert "1" in _ids(database, installation["id"], embedder, "refund my money")
    _add_vector_elsewhere(database, installation["id"], embedder, "5", "Invoice wrong on the billing statement")
    found = _ids(database, installation["id"], embedder, "refund my money")
    assert "1" not in found and "5" in found and len(found) == 4


def test_a_deletion_elsewhere_reloads_the_matrix(database, installation, embedder, tmp_path, monkeypatch):
    _expire(monkeypatch)
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    assert _ids(database, installation["id"], embedder, "printer printing")[0] == "4"
    _add_vector_elsewhere(database, installation["id"], embedder, "5", "Invoice wrong on the billing statement")
    with database.session() as session:  # a delete through the product also drops this process's cache...
        delete_history(session, installation_id=installation["id"], source="file", external_ids=["4"])
    assert "4" not in _ids(database, installation["id"], embedder, "printer printing")
    # ...and one count lower with a new maximum is no append: the matrix is read again.
    assert "5" in _ids(database, installation["id"], embedder, "invoice")


def _vector(database, installation_id, embedder, ticket_id):
    with database.session() as session:
        return stored_vectors(session, installation_id=installation_id, model=vector_key(embedder), ids=[ticket_id])[0]


def _held(database, installation_id, embedder):
    with database.session() as session:
        return [int(i) for i in vectors._matrices.get(session, installation_id, vector_key(embedder)).ids]


def test_a_vector_deleted_or_replaced_by_another_process_is_no_longer_used(database, installation, embedder,
                                                                           tmp_path, monkeypatch):
    _expire(monkeypatch)
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    ids = _all_ids(database, installation["id"])
    assert _held(database, installation["id"], embedder) == ids
    replacement = encode_vector(embedder.encode(["Invoice wrong on the billing statement"])[0])
    with database.engine.begin() as connection:  # another process: this one's cache is not told
        connection.execute(delete(HistoryEmbedding).where(HistoryEmbedding.history_ticket_id == ids[0]))
        connection.execute(delete(HistoryTicket).where(HistoryTicket.id == ids[0]))
    assert _held(database, installation["id"], embedder) == ids[1:]
    assert not _vector(database, installation["id"], embedder, ids[0]).any()
    with database.engine.begin() as connection:  # then re-embeds one (same count, same max id)
        connection.execute(update(HistoryEmbedding).where(HistoryEmbedding.history_ticket_id == ids[2]).values(
            vector=replacement, embedded_at=datetime(2031, 1, 1, tzinfo=UTC)))
    assert encode_vector(_vector(database, installation["id"], embedder, ids[2])) == replacement


def test_a_bounded_matrix_sees_deletions_and_appends_among_the_vectors_it_holds(database, installation, embedder,
                                                                               tmp_path, monkeypatch):
    monkeypatch.setenv(vectors.MAX_SETTING, "3")
    _expire(monkeypatch)
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    ids = _all_ids(database, installation["id"])
    assert _held(database, installation["id"], embedder) == ids[1:]  # the check reads only these ids' entries
    with database.engine.begin() as connection:  # another process deletes one the matrix holds
        connection.execute(delete(HistoryEmbedding).where(HistoryEmbedding.history_ticket_id == ids[2]))
    assert _held(database, installation["id"], embedder) == [ids[0], ids[1], ids[3]]
    assert not _vector(database, installation["id"], embedder, ids[2]).any()
    _add_vector_elsewhere(database, installation["id"], embedder, "5", "Invoice wrong on the billing statement")
    new_id = _all_ids(database, installation["id"])[-1]
    assert _held(database, installation["id"], embedder) == [ids[1], ids[3], new_id]
    assert _ids(database, installation["id"], embedder, "invoice billing statement")[0] == "5"


def test_a_complete_matrix_sees_a_vector_written_below_its_lowest_id(database, installation, embedder, tmp_path,
                                                                     monkeypatch):
    _expire(monkeypatch)
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    ids = _all_ids(database, installation["id"])
    with database.engine.begin() as connection:
        row = connection.execute(select(HistoryEmbedding).where(HistoryEmbedding.history_ticket_id == ids[0])).one()
        connection.execute(delete(HistoryEmbedding).where(HistoryEmbedding.history_ticket_id == ids[0]))
    invalidate()
    assert _held(database, installation["id"], embedder) == ids[1:]  # every stored vector: no read by id
    with database.engine.begin() as connection:  # another process embeds the oldest ticket
        connection.execute(insert(HistoryEmbedding).values({**row._asdict(), "embedded_at": datetime(
            2031, 1, 1, tzinfo=UTC)}))
    assert _held(database, installation["id"], embedder) == ids
    assert _vector(database, installation["id"], embedder, ids[0]).any()


def test_the_full_text_search_reads_each_candidates_stored_vector_with_it(
        database, installation, make_installation, embedder, tmp_path, monkeypatch):
    from sidecar.store.search import search_similar

    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    other = make_installation()
    ids = _all_ids(database, installation["id"])
    key = vector_key(embedder)
    with database.engine.begin() as connection:
        connection.execute(update(HistoryEmbedding).where(HistoryEmbedding.history_ticket_id == ids[0])
                           .values(model="another-model"))
        connection.execute(update(HistoryEmbedding).where(HistoryEmbedding.history_ticket_id == ids[1])
                           .values(installation_id=other["id"]))
        stored = dict(connection.execute(select(HistoryEmbedding.history_ticket_id, HistoryEmbedding.vector)).all())
    with database.session() as session:
        found = search_similar(session, installation_id=installation["id"], vector_model=key,
                               text="money password freezes printer")
        plain = search_similar(session, installation_id=installation["id"], text="money password freezes printer")
    by_id = {candidate.id: candidate.vector for candidate in found}
    assert set(by_id) == set(ids)
    # Another model's vector, or one filed under another installation, is not this search's.
    assert by_id[ids[0]] is None and by_id[ids[1]] is None
    assert by_id[ids[2]] == stored[ids[2]] and by_id[ids[3]] == stored[ids[3]]
    # Without a model nothing more is read, and the candidates are the same.
    assert all(candidate.vector is None for candidate in plain)
    assert [c.id for c in plain] == [c.id for c in found]


def test_vectors_read_with_the_candidates_are_used_as_read_by_key(database, installation, embedder, tmp_path,
                                                                   monkeypatch):
    import_history_file(database, installation_id=installation["id"], path=_write(tmp_path, HISTORY))
    ids = _all_ids(database, installation["id"])
    key = vector_key(embedder)
    monkeypatch.setenv(vectors.MAX_SETTING, "1")
    invalidate()
    with database.session() as session:
        by_key = stored_vectors(session, installation_id=installation["id"], model=key, ids=ids)
        blobs = dict(session.execute(select(HistoryEmbedding.history_ticket_id, HistoryEmbedding.vector)).all())
        # Ticket 1's vector comes with it; ticket 2 came without one (None): neither is read again.
        known = {ids[0]: blobs[ids[0]], ids[1]: None}
        given = stored_vectors(session, installation_id=installation["id"], model=key, ids=ids, known=known)
    assert np.array_equal(given[0], by_key[0])
    assert not given[1].any()
    assert np.array_equal(given[2:], by_key[2:])
