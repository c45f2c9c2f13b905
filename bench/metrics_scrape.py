"""The database gauges' cost: one uncached read of escalations, outbox jobs and the ack SLA at scale.

Fills a fresh database (SQLite unless DATABASE_URL says otherwise) with N escalations over 50
installations and 4 N outbox jobs, then times `DatabaseCollector` reads with the cache off. A scrape
pays this at most once per 5-second window per process; in between it reads the cache.

    python bench/metrics_scrape.py [--escalations 100000] [--reads 20]
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

from sidecar.metrics.database import DatabaseCollector
from sidecar.store.db import Database
from sidecar.store.migrate import upgrade_database
from sidecar.store.models import Escalation, Installation, Job, utcnow

STATUSES = ("pending", "delivered", "failed", "resolved")
KINDS = ("escalation.jira_issue", "escalation.ticket_note", "escalation.slack_message", "inbound.event")


def fill(database: Database, escalations: int) -> None:
    """50 installations, `escalations` escalations, four jobs each (mostly done, some queued, retrying, dead)."""
    now = utcnow()
    installations = [{"id": f"inst_{i:04d}", "name": f"bench {i}", "source": "zendesk", "api_token_hash": f"h{i}",
                      "shared_secret_encrypted": "x",
                      "settings": {"ack_minutes": 15 if i % 2 else 30}} for i in range(50)]
    with database.engine.begin() as connection:
        connection.execute(insert(Installation.__table__), installations)
        for start in range(0, escalations, 10_000):
            rows, jobs = [], []
            for n in range(start, min(start + 10_000, escalations)):
                rows.append({"id": f"esc_{n:08d}", "installation_id": f"inst_{n % 50:04d}", "ticket_source": "zendesk",
                             "ticket_external_id": str(n), "status": STATUSES[n % 4], "context": {},
                             "created_at": now - timedelta(minutes=n % 600),
                             "acknowledged_at": None if n % 3 else now, "pinged_experts": []})
                for k, kind in enumerate(KINDS):
                    jobs.append({"id": f"job_{n:08d}_{k}", "installation_id": f"inst_{n % 50:04d}", "kind": kind,
                                 "payload": {}, "status": "done" if n % 10 else ("queued", "dead")[k % 2],
                                 "attempts": n % 3, "run_after": now})
            connection.execute(insert(Escalation.__table__), rows)
            connection.execute(insert(Job.__table__), jobs)


def main() -> None:
    """Fill, read, print the timings and one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--escalations", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        upgrade_database(database)
        fill(database, args.escalations)
        collector = DatabaseCollector(database, cache_seconds=0)
        timings = []
        for _ in range(args.reads):
            started = time.perf_counter()
            families = list(collector.collect())
            timings.append((time.perf_counter() - started) * 1000)
        overdue = next(f for f in families if f.name == "sidecar_escalations_ack_overdue").samples[0].value
        timings.sort()
        result = {"escalations": args.escalations, "jobs": 4 * args.escalations, "reads": args.reads,
                  "p50_ms": round(statistics.median(timings), 1),
                  "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1), "ack_overdue": overdue}
        print(f"uncached read over {args.escalations} escalations and {4 * args.escalations} jobs: "
              f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms")
        print(json.dumps(result))


if __name__ == "__main__":
    main()
