"""History import speed: N realistic history rows from a JSONL file into a fresh database.

Writes N rows (default 20,000) in the history format to a temporary JSONL file, migrates a fresh
SQLite database (all migrations, so search-index triggers included), creates an installation, and
imports the file through the same service `sidecar import file` uses. Then imports it again (every
row unchanged), and prints tickets/s of both runs and, last, one JSON line. Target: >= 1,000
tickets/s on first import.

    python bench/import_speed.py [--rows 20000] [--database-url postgresql://...]

With --database-url the rows go into that (migrated) database under a new installation instead.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a script from a checkout that need not be installed: this repository's sidecar (E402 allows a
# sys.path change before imports).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--database-url", help="import into this database instead of a fresh SQLite file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        path = Path(tmp) / "history.jsonl"
        rng = random.Random(7)
        with path.open("w", encoding="utf-8") as handle:
            for number in range(args.rows):
                handle.write(json.dumps(history_row(number, rng)) + "\n")
        url = normalise_database_url(args.database_url) if args.database_url else f"sqlite:///{tmp}/bench.sqlite3"
        database = Database(url)
        try:
            upgrade_database(database)
            with database.session() as session:
                installation = create_installation(session, name="Import bench", source="zendesk",
                                                   box=SecretBox((generate_key(),))).installation.id
            started = time.perf_counter()
            first = import_history_file(database, installation_id=installation, path=path)
            first_seconds = time.perf_counter() - started
            started = time.perf_counter()
            again = import_history_file(database, installation_id=installation, path=path)
            again_seconds = time.perf_counter() - started
            revision = current_revision(database)
        finally:
            database.dispose()
        size_mb = path.stat().st_size / 1e6

    backend = url.split(":", 1)[0]
    print(f"{args.rows} rows ({size_mb:.1f} MB JSONL) into {backend} at schema revision {revision}")
    print(f"  first import: {first.inserted} inserted, {first.skipped} skipped in {first_seconds:.2f}s "
          f"= {first.tickets / first_seconds:,.0f} tickets/s")
    print(f"  re-import:    {again.unchanged} unchanged in {again_seconds:.2f}s "
          f"= {again.tickets / again_seconds:,.0f} tickets/s")
    print(json.dumps({
        "rows": args.rows,
        "backend": backend,
        "schema_revision": revision,
        "first_import_seconds": round(first_seconds, 3),
        "first_import_tickets_per_second": round(first.tickets / first_seconds, 1),
        "reimport_seconds": round(again_seconds, 3),
        "reimport_tickets_per_second": round(again.tickets / again_seconds, 1),
        "inserted": first.inserted,
        "unchanged_on_reimport": again.unchanged,
        "skipped": first.skipped,
        "target_tickets_per_second": 1000,
    }))
    return 0 if first.inserted == args.rows and again.unchanged == args.rows else 1


if __name__ == "__main__":
    sys.exit(main())
