"""History import speed: N realistic history rows from a JSONL file into a fresh database.

Writes N tickets (default 20,000) in the history format to a JSONL file, migrates a fresh SQLite
database (all migrations, so search-index triggers included), creates an installation, and imports
the file through the same service `sidecar import file` uses. Then imports it again (every row
unchanged), and prints tickets/s of both runs, the peak RSS of this process, the load average and,
last, one JSON line. Target (issue 18): 1,000,000 tickets in under 5 minutes (3,334 tickets/s).

    python bench/import_speed.py [--tickets 1000000] [--file /tmp/bench-import/1m.jsonl]
                                 [--database-url postgresql://...] [--embeddings off|auto]

--file keeps the generated JSONL there and reuses it when it exists (writing 1,000,000 rows takes
a minute). With --database-url the rows go into that (migrated) database under a new installation.
--embeddings is SIDECAR_SIMILAR_EMBEDDINGS for the run (default: as set, else auto).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a script from a checkout that need not be installed: this repository's sidecar (E402 allows a
# sys.path change before imports).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from sidecar.config import normalise_database_url
from sidecar.services.history import import_history_file
from sidecar.services.installations import create_installation
from sidecar.store.crypto import SecretBox, generate_key
from sidecar.store.db import Database
from sidecar.store.migrate import current_revision, upgrade_database

GROUPS = ["Billing", "Platform Engineering", "Identity", "Data & Analytics", "Mobile", "Payments", "Legal", None]
ASSIGNEES = ["Priya Shah", "Tom Becker", "Ana Silva", "Lee Wong", "Sam Patel", "Dana Owner", None]
STATUSES = ["solved", "closed", "open", "pending", "hold"]
PRIORITIES = ["low", "normal", "high", "urgent", None]
PRODUCTS = ["dashboard", "invoice", "SSO login", "API", "mobile app", "export", "webhook", "report", "sync job"]
PROBLEMS = [
    "fails with error {code}", "is very slow since the last release", "shows the wrong totals",
    "charged us twice", "stopped working after the upgrade", "returns HTTP {code}", "times out for our EU users",
    "lost data between {day} and today", "sends duplicate emails", "does not load on Safari",
]
CUSTOMER_LINES = [
    "This is blocking our month-end close, please escalate.", "We tried clearing the cache, no change.",
    "Can I talk to a human about this?", "Any update? It has been two days.", "Our CFO is asking for a refund.",
    "Attaching the screenshot from our admin console.", "It happens for every user in the EU workspace.",
]
AGENT_LINES = [
    "Thanks for the details, I have passed this to our engineers.", "Could you send the request id from the error?",
    "We rolled back the release and the issue should be gone.", "Refund issued; it shows in 3-5 business days.",
    "Internal: looks like the retry bug from last month.", "Linked to ENG-{code}; engineering is on it.",
]
ORGS = [
    {"name": "Northwind Traders", "tier": "enterprise", "arr": 480000, "renewal_date": "2025-06-30"},
    {"name": "Globex", "tier": "business", "arr": 96000},
    {"name": "Initech", "tier": "starter", "arr": 6000},
    None,
]


def history_row(number: int, rng: random.Random) -> dict:
    """One realistic history-format ticket."""
    product = rng.choice(PRODUCTS)
    problem = rng.choice(PROBLEMS).format(code=rng.choice([500, 502, 403, 4211, 429]),
                                          day=rng.choice(["Monday", "Friday"]))
    created = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 60 * 24 * 600))
    updated = created + timedelta(hours=rng.randrange(1, 240))
    comments = []
    when = created
    for _ in range(rng.randrange(0, 7)):
        when += timedelta(minutes=rng.randrange(5, 600))
        customer = rng.random() < 0.5
        comments.append({
            "author": "customer" if customer else "agent",
            "body": rng.choice(CUSTOMER_LINES if customer else AGENT_LINES).format(code=rng.randrange(1000, 9999)),
            "public": customer or rng.random() < 0.7,
            "created_at": when.isoformat(),
        })
    status = rng.choice(STATUSES)
    row = {
        "id": f"Z-{number}",
        "subject": f"{product.capitalize()} {problem}",
        "description": f"Hello, our {product} {problem}. " + " ".join(rng.sample(CUSTOMER_LINES, 2)),
        "comments": comments,
        "group": rng.choice(GROUPS),
        "assignee": rng.choice(ASSIGNEES),
        "status": status,
        "priority": rng.choice(PRIORITIES),
        "tags": rng.sample(["refund", "outage", "vip", "sso", "api", "billing", "mobile"], rng.randrange(0, 3)),
        "escalated": rng.random() < 0.15,
        "needs_human": rng.random() < 0.2,
        "created_at": created.isoformat(),
        "updated_at": updated.isoformat(),
        "organization": rng.choice(ORGS),
        "channel": rng.choice(["email", "web", "chat"]),
    }
    if status in ("solved", "closed"):
        row["resolved_at"] = updated.isoformat()
    return row


def write_file(path: Path, tickets: int) -> None:
    """The bench's JSONL file (the same rows for the same count: the generator is seeded)."""
    rng = random.Random(7)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        for number in range(tickets):
            handle.write(json.dumps(history_row(number, rng)) + "\n")
    partial.replace(path)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def server_cpu_seconds(database: Database) -> float:
    """CPU seconds used so far by the PostgreSQL backends connected to this database (0 for SQLite)."""
    if not database.url.startswith("postgresql"):
        return 0.0
    with database.engine.connect() as connection:
        pids = connection.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).scalars().all()
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # another machine, or the backend ended
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as /proc/loadavg says."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", "--rows", dest="rows", type=int, default=20_000)
    parser.add_argument("--file", help="JSONL file to reuse (written first when missing)")
    parser.add_argument("--database-url", help="import into this database instead of a fresh SQLite file")
    parser.add_argument("--embeddings", help="SIDECAR_SIMILAR_EMBEDDINGS for this run (off, auto or a model)")
    args = parser.parse_args()
    if args.embeddings:
        os.environ["SIDECAR_SIMILAR_EMBEDDINGS"] = args.embeddings

    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        path = Path(args.file) if args.file else Path(tmp) / "history.jsonl"
        if not path.exists():
            write_file(path, args.rows)
        loads = [load_average()]
        url = normalise_database_url(args.database_url) if args.database_url else f"sqlite:///{tmp}/bench.sqlite3"
        database = Database(url)
        try:
            upgrade_database(database)
            with database.session() as session:
                installation = create_installation(session, name="Import bench", source="zendesk",
                                                   box=SecretBox((generate_key(),))).installation.id
            started, cpu, server = time.perf_counter(), time.process_time(), server_cpu_seconds(database)
            first = import_history_file(database, installation_id=installation, path=path)
            first_seconds, first_cpu = time.perf_counter() - started, time.process_time() - cpu
            first_server = server_cpu_seconds(database) - server
            first_rss = peak_rss_mb()
            loads.append(load_average())
            started, cpu, server = time.perf_counter(), time.process_time(), server_cpu_seconds(database)
            again = import_history_file(database, installation_id=installation, path=path)
            again_seconds, again_cpu = time.perf_counter() - started, time.process_time() - cpu
            again_server = server_cpu_seconds(database) - server
            loads.append(load_average())
            revision = current_revision(database)
        finally:
            database.dispose()
        size_mb = path.stat().st_size / 1e6

    backend = url.split(":", 1)[0]
    print(f"{args.rows} rows ({size_mb:.1f} MB JSONL) into {backend} at schema revision {revision}")
    print(f"  first import: {first.inserted} inserted, {first.skipped} skipped in {first_seconds:.2f}s "
          f"= {first.tickets / first_seconds:,.0f} tickets/s"
          f" ({first_cpu:.2f}s CPU in this process, {first_server:.2f}s in PostgreSQL)")
    print(f"  re-import:    {again.unchanged} unchanged in {again_seconds:.2f}s "
          f"= {again.tickets / again_seconds:,.0f} tickets/s"
          f" ({again_cpu:.2f}s CPU in this process, {again_server:.2f}s in PostgreSQL)")
    print(f"  peak RSS {first_rss:.0f} MB after the first import, {peak_rss_mb():.0f} MB after both; "
          f"load average {' -> '.join(loads)}")
    if first.extra:
        print(f"  {json.dumps(first.extra)}")
    print(json.dumps({
        "rows": args.rows,
        "backend": backend,
        "schema_revision": revision,
        "first_import_seconds": round(first_seconds, 3),
        "first_import_tickets_per_second": round(first.tickets / first_seconds, 1),
        "first_import_cpu_seconds": round(first_cpu, 3),
        "reimport_seconds": round(again_seconds, 3),
        "reimport_cpu_seconds": round(again_cpu, 3),
        "first_import_server_cpu_seconds": round(first_server, 3),
        "reimport_server_cpu_seconds": round(again_server, 3),
        "reimport_tickets_per_second": round(again.tickets / again_seconds, 1),
        "inserted": first.inserted,
        "unchanged_on_reimport": again.unchanged,
        "skipped": first.skipped,
        "peak_rss_mb_first": round(first_rss),
        "peak_rss_mb": round(peak_rss_mb()),
        "load_average": loads,
        "embeddings": os.environ.get("SIDECAR_SIMILAR_EMBEDDINGS", "auto"),
        **{f"first_{key}": value for key, value in first.extra.items()},
        "target_seconds_per_million": 300,
    }))
    return 0 if first.inserted == args.rows and again.unchanged == args.rows else 1


if __name__ == "__main__":
    sys.exit(main())
