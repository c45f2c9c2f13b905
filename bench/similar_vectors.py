"""Embedding nearest-neighbour search at scale: ms per query over 10,000 and 100,000 stored ticket vectors.

Builds a fresh SQLite database migrated to head, bulk-inserts synthetic history tickets and one random
unit-length 384-dimension vector each (float16, as stored), then times for queries not in the database:

- the first query of a process (reads every vector of the installation into the cached matrix);
- `search_nearest` (matrix-vector product over the cached float32 matrix, top CANDIDATE_POOL, and the
  candidates read back from history_tickets), with and without a created_before filter;
- the bare matrix product, float32 against float16 (why the cache keeps float32).

Wall times depend on what else the machine runs; "cpu ms" (process time per query, all threads) is
what a query costs when the cores are free.

The query's own encoding is not included (the transformer: ~15-40 ms a ticket on two cores; see
`sidecar eval similar`).

    python bench/similar_vectors.py [--sizes 10000,100000] [--queries 200]

Prints a table and, last, one JSON line.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a script from a checkout that need not be installed: this repository's sidecar (E402 allows a
# sys.path change before imports).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from sqlalchemy import insert

from sidecar.intelligence.similarity.rerank import CANDIDATE_POOL
from sidecar.store.db import Database
from sidecar.store.migrate import upgrade_database
from sidecar.store.models import HistoryEmbedding, HistoryTicket, Installation
from sidecar.store.vectors import encode_vector, invalidate, search_nearest

INSTALLATION_ID = "bench-installation"
START = datetime(2021, 1, 1, tzinfo=UTC)
DIMENSIONS = 384
MODEL = "all-MiniLM-L6-v2"


def unit_rows(rng: np.random.Generator, count: int) -> np.ndarray:
    rows = rng.standard_normal((count, DIMENSIONS)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def build(database: Database, tickets: int, rng: np.random.Generator) -> None:
    with database.engine.begin() as connection:
        connection.execute(insert(Installation), [{
            "id": INSTALLATION_ID, "name": "bench", "source": "file", "api_token_hash": "-",
            "shared_secret_encrypted": "", "settings": {}}])
    batch = 5000
    for start in range(0, tickets, batch):
        count = min(batch, tickets - start)
        vectors = unit_rows(rng, count)
        with database.engine.begin() as connection:
            connection.execute(insert(HistoryTicket), [{
                "id": start + n + 1, "installation_id": INSTALLATION_ID, "source": "file",
                "external_id": str(start + n + 1), "kind": "ticket", "subject": f"ticket {start + n + 1}",
                "description": "", "search_text": f"ticket {start + n + 1}", "data": {"_hash": "h"},
                "created_at": START + timedelta(minutes=start + n)} for n in range(count)])
            connection.execute(insert(HistoryEmbedding), [{
                "history_ticket_id": start + n + 1, "installation_id": INSTALLATION_ID, "model": MODEL,
                "content_hash": "h", "vector": encode_vector(vectors[n]), "embedded_at": START}
                for n in range(count)])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(tickets: int, queries: int) -> dict:
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory(prefix="sidecar-bench-") as directory:
        database = Database(f"sqlite:///{directory}/bench.sqlite3")
        upgrade_database(database)
        started = time.perf_counter()
        build(database, tickets, rng)
        built = time.perf_counter() - started
        asked = unit_rows(rng, queries)
        invalidate()
        with database.session() as session:
            started = time.perf_counter()
            search_nearest(session, installation_id=INSTALLATION_ID, model=MODEL, vector=asked[0],
                           limit=CANDIDATE_POOL)
            first = (time.perf_counter() - started) * 1000
            plain, dated = [], []
            middle = START + timedelta(minutes=tickets // 2)
            cpu_started = time.process_time()
            for vector in asked:
                started = time.perf_counter()
                found = search_nearest(session, installation_id=INSTALLATION_ID, model=MODEL, vector=vector,
                                       limit=CANDIDATE_POOL)
                plain.append((time.perf_counter() - started) * 1000)
                assert len(found) == CANDIDATE_POOL
                started = time.perf_counter()
                search_nearest(session, installation_id=INSTALLATION_ID, model=MODEL, vector=vector,
                               limit=CANDIDATE_POOL, created_before=middle)
                dated.append((time.perf_counter() - started) * 1000)
            cpu = (time.process_time() - cpu_started) * 1000 / (2 * len(asked))
        database.dispose()
        invalidate()
    matrix32 = unit_rows(rng, tickets)
    matrix16 = matrix32.astype(np.float16)
    product32, product16 = [], []
    for vector in asked[:50]:
        started = time.perf_counter()
        matrix32 @ vector
        product32.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        matrix16 @ vector.astype(np.float16)
        product16.append((time.perf_counter() - started) * 1000)
    return {
        "tickets": tickets, "build_seconds": round(built, 1), "first_query_ms": round(first, 1),
        "search_p50_ms": round(statistics.median(plain), 2), "search_p95_ms": round(percentile(plain, 0.95), 2),
        "cpu_ms_per_query": round(cpu, 2),
        "dated_p50_ms": round(statistics.median(dated), 2), "dated_p95_ms": round(percentile(dated, 0.95), 2),
        "product_float32_ms": round(statistics.median(product32), 2),
        "product_float16_ms": round(statistics.median(product16), 2),
        "matrix_mb": round(tickets * DIMENSIONS * 4 / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    arguments = parser.parse_args()
    results = [measure(int(size), arguments.queries) for size in arguments.sizes.split(",")]
    print(f"{'tickets':>8} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'cpu ms':>7} {'dated p50':>10} {'f32 @':>7} "
          f"{'f16 @':>7} {'MB':>6}")
    for r in results:
        print(f"{r['tickets']:>8} {r['first_query_ms']:>9} {r['search_p50_ms']:>8} {r['search_p95_ms']:>8} "
              f"{r['cpu_ms_per_query']:>7} {r['dated_p50_ms']:>10} {r['product_float32_ms']:>7} "
              f"{r['product_float16_ms']:>7} {r['matrix_mb']:>6}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
