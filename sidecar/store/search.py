"""Full-text candidate retrieval over past tickets and Jira issues (similar-incident search, stage one).

One interface over two indexes (migration 0003): SQLite FTS5 ranked by `bm25()`, PostgreSQL
`tsvector` ranked by `ts_rank()`. The query is an OR of the ticket's salient words, so a past
ticket that shares only a few rare words still comes back; the re-ranker
(`sidecar.intelligence.similarity`) then orders the candidates properly.

Cost is bounded by construction. Ranking costs a few microseconds per matching row, and an OR of a
ticket's words matches most of the history (700 ms a query at 100k tickets). So the words are chosen
like Lucene's MoreLikeThis (highest tf x idf first) under a posting budget: the summed document
frequency of the chosen words stays under POSTING_BUDGET. Small histories rarely reach it; at 100k
tickets it leaves out the most common words, which rank least anyway. Measured on the seamonkey
duplicates, alone and buried among 100k synthetic tickets, budgets of 1000 to 4000 find as much as
no budget, or more (common words only bring noise), and 1000 is the fastest.

User text never reaches a query language as-is. SQLite: it is cut into word tokens (letters and
digits only) and each token is quoted. PostgreSQL: the text is a bound parameter of to_tsvector(),
and the lexemes that come back are quoted into a tsquery literal. Quotes, operators (AND, OR, NOT,
NEAR, -, *, :, &, |, !, <->) and column filters in a ticket are just words.
"""
from __future__ import annotations

import math
import re
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    SmallInteger,
    Text,
    and_,
    bindparam,
    cast,
    column,
    func,
    insert,
    literal_column,
    not_,
    select,
    table,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnClause

from sidecar.store.candidates import (  # noqa: F401
    CANDIDATE_COLUMNS,
    CANDIDATE_TEXT,
    CANDIDATE_TEXT_CHARS,
    Candidate,
)
from sidecar.store.db import Database
from sidecar.store.migrate import upgrade_database
from sidecar.store.models import HistoryEmbedding, HistoryTicket, Installation
from sidecar.store.vectors import embed_history, invalidate

SEARCH_TABLE = "history_search"  # SQLite FTS5 table
SEARCH_COLUMN = "search_vector"  # PostgreSQL generated tsvector column
SEARCH_INDEX = "ix_history_tickets_search"  # its GIN index

QUERY_WORDS = 64  # distinct words of the ticket considered for the query, most frequent first
MAX_QUERY_TERMS = 32  # words actually searched
POSTING_BUDGET = 1000  # summed document frequency of the searched words: bounds the rows ranked (see module doc)
SUBJECT_WEIGHT = 2.0  # bm25 column weight of the subject (it is inside search_text too)
TERM_COUNT_SECONDS = 600.0  # how long a word's document frequency is remembered (zero never is)

_TOKEN = re.compile(r"[^\W_]+")
# Function words carry no topic; left in, every ticket would match every other. Deliberately short and
# domain-free: the rest are weighted by rarity in the history itself.
STOP_WORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be",
     "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "cannot", "could", "did",
     "do", "does", "doing", "done", "down", "during", "each", "few", "for", "from", "further", "get", "got", "had",
     "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it",
     "its", "itself", "just", "me", "more", "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once",
     "only", "or", "other", "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some", "such",
     "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through",
     "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while",
     "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "hi", "hello", "thanks", "thank",
     "please", "regards", "dear"]
)


def include_in_autogenerate(name: str | None, type_: str, parent_names: Mapping[Any, str | None]) -> bool:
    """Alembic `include_name` hook: False for the full-text objects migration 0003 keeps outside the models."""
    if type_ == "table":
        # The FTS5 table and its shadow tables (_data, _idx, _docsize, _config).
        return not (name == SEARCH_TABLE or (name or "").startswith(SEARCH_TABLE + "_"))
    if type_ == "column":
        return not (parent_names.get("table_name") == "history_tickets" and name == SEARCH_COLUMN)
    if type_ == "index":
        return name != SEARCH_INDEX
    return True


def query_words(text: str, limit: int = QUERY_WORDS) -> Counter[str]:
    """The ticket's distinct words (lower-cased, no function words) and their counts, most frequent first."""
    tokens = [token for token in _TOKEN.findall(text.lower()) if len(token) > 1 and token not in STOP_WORDS]
    # Counter keeps first-seen order among equals: the subject and the opening win ties.
    return Counter(dict(Counter(tokens).most_common(limit)))


def choose_terms(
    counts: Counter[str],
    document_frequency: dict[str, int],
    total_documents: int,
    *,
    budget: int = POSTING_BUDGET,
    max_terms: int = MAX_QUERY_TERMS,
) -> list[str]:
    """The words to search: highest tf x idf first, while their summed document frequency fits the budget."""
    present = [word for word in counts if document_frequency.get(word, 0) > 0]
    if not present:
        return []
    total = max(total_documents, max(document_frequency[word] for word in present))

    def weight(word: str) -> float:
        return (1.0 + math.log(counts[word])) * math.log(1.0 + total / document_frequency[word])

    chosen: list[str] = []
    spent = 0
    for word in sorted(present, key=weight, reverse=True):
        if spent + document_frequency[word] > budget:
            continue
        chosen.append(word)
        spent += document_frequency[word]
        if len(chosen) == max_terms:
            break
    # Every word too common for the budget: the rarest alone still finds something.
    return chosen or [min(present, key=lambda word: document_frequency[word])]


def fts5_query(terms: Iterable[str]) -> str:
    """An FTS5 MATCH expression: each term a quoted string, OR-ed together."""
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def tsquery_text(terms: Iterable[str]) -> str:
    """A tsquery literal: each term a quoted lexeme (taken as is, not parsed again), OR-ed together."""
    return " | ".join("'" + term.replace("\\", "\\\\").replace("'", "''") + "'" for term in terms)


class _TermCounts:
    """Document frequencies of words, remembered for a while per database.

    Only an estimate for choosing query words: a stale value changes how a word is weighed or whether
    a common one is left out, never whether a word that exists is searched, so nothing here is needed
    for correctness.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[int, float]] = {}

    def get(self, database: str, term: str) -> int | None:
        entry = self._entries.get((database, term))
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, database: str, term: str, count: int) -> None:
        with self._lock:
            if len(self._entries) > 100_000:
                self._entries.clear()
            self._entries[(database, term)] = (count, time.monotonic() + TERM_COUNT_SECONDS)


_term_counts = _TermCounts()
_fts = table(SEARCH_TABLE, column("rowid", Integer), column(SEARCH_TABLE))
_vector: ColumnClause[Any] = literal_column(f"history_tickets.{SEARCH_COLUMN}")
_ENGLISH: ColumnClause[Any] = literal_column("'english'::regconfig")
POSTGRESQL_QUERY_CHARS = 20_000  # of the ticket, parsed for query lexemes
POSTGRESQL_SPLIT = ("./@:\\", "     ")  # translate() pair, as in migration 0003's search_vector


def _postgresql_query_words(session: Session, text: str, limit: int) -> Counter[str]:
    """The ticket's lexemes as PostgreSQL indexes them, with counts, most frequent first.

    The index's own parser and stemmer cut the query, so both sides agree on every lexeme.
    """
    # PostgreSQL text cannot hold NUL characters.
    text = text[:POSTGRESQL_QUERY_CHARS].replace("\x00", " ")
    lexemes: Iterable[tuple[Any, ...]] = session.connection().execute(_LEXEMES, {"text": text})
    rows = [row for row in lexemes if len(row[0]) > 1]
    rows.sort(key=lambda row: (-row[1], row[2] or 0))
    return Counter({lexeme: count for lexeme, count, _ in rows[:limit]})


def _lexemes_statement():
    parsed = func.to_tsvector(_ENGLISH, func.translate(bindparam("text", type_=Text), *POSTGRESQL_SPLIT))
    lexemes = func.unnest(parsed).table_valued(
        column("lexeme", Text), column("positions", ARRAY(SmallInteger)), column("weights", ARRAY(Text))
    )
    return select(lexemes.c.lexeme, func.coalesce(func.cardinality(lexemes.c.positions), 1), lexemes.c.positions[1])


_LEXEMES = _lexemes_statement()


def _document_frequencies(session: Session, dialect: str, terms: list[str], cap: int) -> tuple[dict[str, int], int]:
    """How many tickets (of every installation: that is what a query reads) contain each term, counted up to cap;
    and the highest ticket id, which estimates how many tickets there are."""
    database = str(session.get_bind().engine.url)  # .engine: the bind's own Engine, or a Connection's
    frequencies: dict[str, int] = {}
    unknown: list[str] = []
    common = _postgresql_common_lexemes(session, database) if dialect == "postgresql" else {}
    for term in terms:
        cached = _term_counts.get(database, term)
        if cached is None:
            cached = common.get(term)
        if cached is None:
            unknown.append(term)
        else:
            frequencies[term] = cached
    rows: Iterable[tuple[Any, ...]] = session.connection().execute(_frequency_statement(dialect, len(unknown)), {
        "cap": cap, **{f"term_{position}": _term_query(dialect, term) for position, term in enumerate(unknown)}
    })
    total = 0
    for position, documents in rows:
        if position < 0:
            total = documents or 0
            continue
        term = unknown[position]
        frequencies[term] = documents
        # A zero is not remembered: a word new to the history (a new error code) must be searched
        # as soon as a ticket has it. Other counts only steer the choice of words.
        if documents > 0:
            _term_counts.put(database, term, documents)
    return frequencies, total


_STATISTICS = sql_text(
    "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples"
    " FROM pg_stats AS s JOIN pg_class AS c ON c.oid = 'history_tickets'::regclass"
    f" WHERE s.schemaname = current_schema() AND s.tablename = 'history_tickets' AND s.attname = '{SEARCH_COLUMN}'"
)


def _postgresql_common_lexemes(session: Session, database: str) -> dict[str, int]:
    """PostgreSQL's own statistics of the commonest lexemes (from ANALYZE), as estimated document counts.

    Counting a common word's rows means visiting a thousand heap rows; the planner statistics say
    the same for free. Rarer lexemes, which the statistics leave out, are counted (they are cheap).
    """
    cached = _common_lexemes.get(database)
    if cached is not None and cached[1] > time.monotonic():
        return cached[0]
    row = session.connection().execute(_STATISTICS).first()
    common: dict[str, int] = {}
    if row is not None and row[0] and row[1]:
        # most_common_elem_freqs holds one frequency per element, then min, max and null frequency
        # (so the zip stops at the elements).
        pairs = zip(row[0], row[1], strict=False)
        common = {lexeme: int(frequency * max(row[2], 0)) for lexeme, frequency in pairs}
    _common_lexemes[database] = (common, time.monotonic() + TERM_COUNT_SECONDS)
    return common


_common_lexemes: dict[str, tuple[dict[str, int], float]] = {}


def _term_query(dialect: str, term: str) -> str:
    return fts5_query([term]) if dialect == "sqlite" else tsquery_text([term])


@lru_cache(maxsize=256)
def _frequency_statement(dialect: str, terms: int):
    """Capped document counts of `terms` bound terms, and the highest ticket id (position -1), in one query."""
    # Only numbers and constants go into the SQL text; the terms are bound parameters.
    if dialect == "sqlite":
        count = f"SELECT 1 FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :term_{{n}} LIMIT :cap"
    else:
        count = f"SELECT 1 FROM history_tickets WHERE {SEARCH_COLUMN} @@ CAST(:term_{{n}} AS tsquery) LIMIT :cap"
    parts = [
        f"SELECT {n} AS position, count(*) AS documents FROM ({count.format(n=n)}) AS matches_{n}" for n in range(terms)
    ]
    parts.append("SELECT -1 AS position, max(id) AS documents FROM history_tickets")
    return sql_text(" UNION ALL ".join(parts))


def _conditions(exclude: bool, created_before: bool) -> list:
    conditions = [HistoryTicket.installation_id == bindparam("installation_id")]
    if exclude:
        conditions.append(not_(and_(
            HistoryTicket.source == bindparam("exclude_source"), HistoryTicket.external_id == bindparam("exclude_id")
        )))
    if created_before:
        conditions.append(HistoryTicket.created_at < bindparam("created_before"))
    return conditions


# Statements are built once per shape and reused: building one costs about a millisecond of Python.
@lru_cache(maxsize=16)
def _sqlite_statement(exclude: bool, created_before: bool, prefetch: bool, newest: bool = False,
                      vectors: bool = False):
    """Best matches by bm25 (query, limit; prefetch: how many to rank before filtering, if at all).

    `newest`: only the newest `prefetch` matches are ranked (FTS5 walks its index by rowid and stops).
    """
    # bm25() is lower-is-better; negated so every backend reports higher-is-better.
    rank = -func.bm25(literal_column(SEARCH_TABLE), SUBJECT_WEIGHT, 1.0)
    matches = select(_fts.c.rowid, rank.label("score")).where(_fts.c[SEARCH_TABLE].op("MATCH")(bindparam("query")))
    if newest:
        matches = matches.order_by(_fts.c.rowid.desc()).limit(bindparam("prefetch", type_=Integer))
    elif prefetch:
        # Rank inside the index first and look up only the best rows: looking up every match in
        # history_tickets costs as much again as ranking it.
        matches = matches.order_by(rank.desc()).limit(bindparam("prefetch", type_=Integer))
    ranked = matches.subquery()
    statement = (
        select(*CANDIDATE_COLUMNS, ranked.c.score, CANDIDATE_TEXT)
        .join_from(ranked, HistoryTicket, HistoryTicket.id == ranked.c.rowid)
        .where(*_conditions(exclude, created_before))
        .order_by(ranked.c.score.desc(), HistoryTicket.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )
    return _with_vectors(statement) if vectors else statement


def _with_vectors(statement: Any) -> Any:
    """The statement with each candidate's stored vector of `vector_model` as a last column (NULL without one).

    Joined to the statement's own result, so only the candidates returned are looked up, not every match ranked.
    """
    best = statement.subquery()
    return (
        select(best, HistoryEmbedding.vector)
        .outerjoin(HistoryEmbedding, and_(HistoryEmbedding.history_ticket_id == best.c.id,
                                          HistoryEmbedding.model == bindparam("vector_model"),
                                          HistoryEmbedding.installation_id == bindparam("installation_id")))
        .order_by(best.c.score.desc(), best.c.id.desc())
    )


@lru_cache(maxsize=8)
def _postgresql_statement(exclude: bool, created_before: bool, newest: bool = False, vectors: bool = False):
    """Best matches by ts_rank (query, limit); `newest`: of the newest `prefetch` matches only."""
    query = cast(bindparam("query", type_=Text), TSQUERY)
    # Normalisation 1 divides by 1 + log(length): a long ticket does not win on length alone. ts_rank (how
    # often the words occur), not ts_rank_cd (how close together): the query is an OR of separate salient
    # words, so proximity says little, and at a million tickets cover density doubled the ranking statement
    # (10.2 -> 5.2 ms for 947 matches). On seamonkey in PostgreSQL the candidate pool is the same (0.978) and
    # the product's MRR 0.768 -> 0.772.
    rank = func.ts_rank(_vector, query, 1)
    ranked = select(HistoryTicket.id, rank.label("score"))
    if newest:
        recent = (
            select(HistoryTicket.id).where(_vector.op("@@")(query), *_conditions(exclude, created_before))
            .order_by(HistoryTicket.id.desc()).limit(bindparam("prefetch", type_=Integer)).subquery()
        )
        ranked = ranked.join_from(recent, HistoryTicket, HistoryTicket.id == recent.c.id)
    else:
        ranked = ranked.where(_vector.op("@@")(query), *_conditions(exclude, created_before))
    # Ids first, then the candidates' columns for the best `limit` only: carrying every match's text through the
    # sort (detoasting the long ones) cost as much again as ranking (947 matches: 15.0 -> 6.8 ms).
    best = ranked.order_by(rank.desc(), HistoryTicket.id.desc()).limit(bindparam("limit", type_=Integer)).subquery()
    statement = (
        select(*CANDIDATE_COLUMNS, best.c.score, CANDIDATE_TEXT)
        .join_from(best, HistoryTicket, HistoryTicket.id == best.c.id)
        .order_by(best.c.score.desc(), HistoryTicket.id.desc())
    )
    return _with_vectors(statement) if vectors else statement


def search_similar(
    session: Session,
    *,
    installation_id: str,
    text: str,
    limit: int = 50,
    exclude: tuple[str, str] | None = None,
    created_before: datetime | None = None,
    vector_model: str | None = None,
) -> list[Candidate]:
    """Past tickets of one installation that share salient words with `text`, best full-text match first.

    With `vector_model`, each candidate carries its stored vector of that model (`Candidate.vector`), read in the
    same statement.
    """
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"history search has no index for the {dialect} dialect")
    if limit <= 0 or not (text or "").strip():
        return []
    if dialect == "postgresql":
        counts = _postgresql_query_words(session, text, QUERY_WORDS)
    else:
        counts = query_words(text, QUERY_WORDS)
    if not counts:
        return []
    frequencies, total = _document_frequencies(session, dialect, list(counts), cap=POSTING_BUDGET + 1)
    terms = choose_terms(counts, frequencies, total, budget=POSTING_BUDGET, max_terms=MAX_QUERY_TERMS)
    if not terms:
        return []
    parameters: dict[str, Any] = {"installation_id": installation_id, "limit": limit}
    if exclude is not None:
        parameters.update(exclude_source=exclude[0], exclude_id=str(exclude[1]))
    if created_before is not None:
        parameters["created_before"] = created_before
    shape = (exclude is not None, created_before is not None)
    # Every word of the ticket too common for the budget (choose_terms fell back to the rarest): ranking
    # all its matches would cost what the budget is there to prevent (0.3 s at 1M tickets), so only its
    # newest matches are ranked.
    newest = sum(frequencies.get(term, 0) for term in terms) > POSTING_BUDGET
    connection = session.connection()
    parameters["prefetch"] = max(4 * limit, 200)
    vectors = vector_model is not None
    if vectors:
        parameters["vector_model"] = vector_model
    if dialect == "postgresql":
        parameters["query"] = tsquery_text(terms)
        statement = _postgresql_statement(*shape, newest, vectors)
        return _candidates(connection.execute(statement, parameters).all())
    parameters["query"] = fts5_query(terms)
    found = _candidates(connection.execute(_sqlite_statement(*shape, True, newest, vectors), parameters).all())
    if len(found) < limit and not newest:
        # Other installations' tickets or the date filter may have taken the prefetched places.
        found = _candidates(connection.execute(_sqlite_statement(*shape, False, False, vectors), parameters).all())
    return found


def _candidates(rows: Iterable[Any]) -> list[Candidate]:
    # Positional: a row ends with the text, or with the text and the stored vector.
    return [Candidate(*row) for row in rows]


def optimize_search_index(session: Session) -> None:
    """Compact the full-text index after a large import: SQLite merges FTS5 segments, PostgreSQL analyzes."""
    # Rows added one by one through the triggers leave FTS5 with many small segments; one merge makes
    # every later query read fewer b-trees (at 100k tickets: 1 s once, then ~25% faster searches).
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sql_text(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('optimize')"))
    else:
        session.execute(sql_text("ANALYZE history_tickets"))


@contextmanager
def scratch_history_index(tickets: Iterable[Mapping[str, Any]]) -> Iterator[Callable[..., list[Candidate]]]:
    """A throw-away SQLite history (migrated like the product's) holding `tickets`; yields a search function.

    `tickets` are dicts of HistoryTicket fields (external_id, subject, description, search_text,
    created_at, ...; source defaults to "file"). The function takes search_similar's keyword arguments
    minus session and installation_id. Used to measure search on a file through the product's own
    index and query.
    """
    with scratch_history(tickets) as (session, installation_id):
        yield lambda **arguments: search_similar(session, installation_id=installation_id, **arguments)


@contextmanager
def scratch_history(
    tickets: Iterable[Mapping[str, Any]], *, embedder: Any = None
) -> Iterator[tuple[Session, str]]:
    """A throw-away SQLite history holding `tickets` (see scratch_history_index); yields (session, installation id).

    With an `embedder`, every ticket is embedded and stored the way an import stores it.
    """
    installation_id = "scratch"
    defaults = {"installation_id": installation_id, "source": "file", "kind": "ticket", "description": "", "data": {}}
    with tempfile.TemporaryDirectory(prefix="sidecar-search-") as directory:
        database = Database(f"sqlite:///{directory}/history.sqlite3")
        try:
            upgrade_database(database)
            with database.engine.begin() as connection:
                connection.execute(insert(Installation), [{
                    "id": installation_id, "name": "scratch", "source": "file", "api_token_hash": "-",
                    "shared_secret_encrypted": "", "settings": {},
                }])
                rows = [{**defaults, **ticket} for ticket in tickets]
                if rows:
                    connection.execute(insert(HistoryTicket), rows)
            if embedder is not None:
                embed_history(database, installation_id=installation_id, embedder=embedder)
            with database.session() as session:
                yield session, installation_id
        finally:
            if embedder is not None:
                invalidate(installation_id)
            database.dispose()
