"""Analytics summary latency at scale: GET /v1/analytics/summary over 100,000 escalations.

Builds a fresh database (SQLite in a temp file unless --database-url names one; migrated to head, so
the indexes are the product's), bulk-inserts with SQLAlchemy Core one installation's 90 days of work
(seed 7, the same data every run) plus a smaller second installation beside it:
  - escalations spread over the 90 days ending now, every status, category and team (some with none), a
    suggested and a chosen expert (mostly the same), acknowledged and resolved after log-normal delays,
    each with a stored context of about 1 KB as real ones carry;
  - about 3 assessments per escalation (every level), feedback on about 5% of them, and the outbox jobs
    of each escalation (its four steps and the acknowledgement check; a few retried, a few dead).
Then times GET /v1/analytics/summary through the Flask test client with an admin token for the 30-day
and the 90-day range, N calls each after one warm-up call, and prints p50/p95/max in ms, the row
counts and, last, one JSON line. Target: p95 under 200 ms on SQLite.

    python bench/analytics_summary.py [--escalations 100000] [--calls 50] [--database-url postgresql://...]
                                      [--keep PATH] [--explain]

--explain prints the query plan of each summary statement (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on
PostgreSQL) for the 90-day range.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a script from a checkout that need not be installed: this repository's sidecar (E402 allows a
# sys.path change before imports).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, insert, select, text

from sidecar import create_app
from sidecar.config import normalise_database_url, testing_config
from sidecar.domain.statuses import AssessmentLevel
from sidecar.intelligence.assessment import CATEGORIES
from sidecar.services.installations import create_installation
from sidecar.store.crypto import SecretBox, generate_key
from sidecar.store.db import Database
from sidecar.store.migrate import upgrade_database
from sidecar.store.models import AssessmentFeedback, AssessmentRecord, Escalation, Job

SEED = 7
DAYS = 90
CHUNK = 5_000
TEAMS = ["Billing", "Platform", "Integrations", "Security", "Mobile", "Data"]
STEPS = ["jira_issue", "jira_link", "ticket_note", "slack_message"]
FILLER = ("Customer reports the export job fails with error 500 since the last release; steps tried: cleared the "
          "cache, another browser, a new API token. ") * 6  # about 1 KB of context, as a real escalation keeps


def _status(rng: random.Random, age_days: float) -> str:
    if age_days < 1 and rng.random() < 0.3:
        return "pending"
    roll = rng.random()
    return "resolved" if roll < 0.6 else "delivered" if roll < 0.92 else "failed" if roll < 0.97 else "pending"


def escalation_rows(rng: random.Random, installation_id: str, count: int, now: datetime,
                    experts: list[str]) -> list[dict]:
    """Escalations spread evenly over DAYS days ending at `now`, with their analytics columns."""
    rows = []
    for n in range(count):
        created = now - timedelta(seconds=rng.uniform(0, DAYS * 86400))
        status = _status(rng, (now - created).total_seconds() / 86400)
        suggested = rng.choice(experts) if rng.random() < 0.8 else None
        chosen = suggested if suggested and rng.random() < 0.85 else rng.choice(experts + [None])
        ack = rng.lognormvariate(math.log(900), 1.0) if status != "pending" and rng.random() < 0.85 else None
        resolve = ack + rng.lognormvariate(math.log(6 * 3600), 1.2) if status == "resolved" and ack else None
        category = rng.choice(CATEGORIES) if rng.random() < 0.9 else None
        rows.append({
            "id": f"esc_{installation_id[-6:]}_{n:07d}", "installation_id": installation_id,
            "ticket_source": "zendesk", "ticket_external_id": str(100_000 + n),
            "open_ticket_key": None if status == "resolved" else f"zendesk:{100_000 + n}", "status": status,
            "mode": "dry_run", "agent_note": "", "score": round(rng.random(), 4),
            "level": rng.choice(list(AssessmentLevel)),
            "context": {"note": FILLER, "assessment": {"categories": [{"name": category, "confidence": 0.8}]}},
            "team": {"name": t} if (t := rng.choice(TEAMS + [None])) else None, "team_name": t,
            "expert": {"id": chosen} if chosen else None, "category": category, "suggested_expert_id": suggested,
            "chosen_expert_id": chosen, "pinged_experts": [], "reopened_count": 0,
            "created_at": created, "updated_at": created,
            "acknowledged_at": created + timedelta(seconds=ack) if ack else None, "ack_seconds": ack,
            "resolved_at": created + timedelta(seconds=resolve) if resolve else None, "resolve_seconds": resolve,
        })
    return rows


def assessment_rows(rng: random.Random, installation_id: str, count: int, now: datetime) -> list[dict]:
    """Assessments over the same days: most low or medium, a tenth recommending escalation."""
    levels = list(AssessmentLevel)
    return [{"id": f"asm_{installation_id[-6:]}_{n:07d}", "installation_id": installation_id,
             "ticket_source": "zendesk", "ticket_external_id": str(rng.randint(100_000, 999_999)),
             "score": round(rng.random(), 4), "level": rng.choices(levels, weights=[50, 30, 15, 5])[0],
             "recommendation": rng.choices(["escalate", "watch", "none"], weights=[10, 20, 70])[0],
             "model_version": "rules", "result": {"signals": FILLER[:300]}, "ticket": {"subject": FILLER[:200]},
             "created_at": now - timedelta(seconds=rng.uniform(0, DAYS * 86400))} for n in range(count)]


def job_rows(rng: random.Random, escalations: list[dict]) -> list[dict]:
    """Each escalation's outbox jobs: its four steps and the acknowledgement check; a few retried or dead."""
    rows = []
    for escalation in escalations:
        for kind in [*STEPS, "ack_check"]:
            roll = rng.random()
            status, attempts = ("dead", 8) if roll < 0.005 else ("done", rng.randint(2, 4)) if roll < 0.05 \
                else ("done", 1)
            rows.append({"id": f"job_{escalation['id'][4:]}_{kind}", "installation_id": escalation["installation_id"],
                         "kind": f"escalation.{kind}", "payload": {"escalation_id": escalation["id"], "step": kind},
                         "status": status, "attempts": attempts, "max_attempts": 8,
                         "run_after": escalation["created_at"], "escalation_id": escalation["id"],
                         "created_at": escalation["created_at"], "updated_at": escalation["created_at"],
                         "finished_at": escalation["created_at"]})
    return rows


def _insert(database: Database, model: type, rows: list[dict]) -> None:
    with database.engine.begin() as connection:
        for start in range(0, len(rows), CHUNK):
            connection.execute(insert(model.__table__), rows[start:start + CHUNK])


def build(database: Database, box: SecretBox, escalations: int, now: datetime) -> tuple[str, str, dict[str, int]]:
    """Two installations' data; (the big one's id, its admin token, its row counts)."""
    rng = random.Random(SEED)
    with database.session() as session:
        main = create_installation(session, name="bench", source="zendesk", box=box)
        other = create_installation(session, name="bench neighbour", source="zendesk", box=box)
        ids = (main.installation.id, other.installation.id)
        token = main.api_token
        session.commit()
    counts: dict[str, int] = {}
    for installation_id, count in ((ids[0], escalations), (ids[1], escalations // 10)):
        experts = [f"exp_{installation_id[-6:]}_{n}" for n in range(30)]
        rows = escalation_rows(rng, installation_id, count, now, experts)
        _insert(database, Escalation, rows)
        _insert(database, Job, job_rows(rng, rows))
        assessments = assessment_rows(rng, installation_id, count * 3, now)
        _insert(database, AssessmentRecord, assessments)
        rated = rng.sample(assessments, len(assessments) // 20)
        _insert(database, AssessmentFeedback, [
            {"installation_id": installation_id, "assessment_id": a["id"], "rating": rng.choice(["right", "wrong"]),
             "note": "", "created_at": a["created_at"] + timedelta(minutes=5)} for a in rated])
        if installation_id == ids[0]:
            counts = {"escalations": count, "assessments": len(assessments), "feedback": len(rated),
                      "jobs": count * (len(STEPS) + 1)}
    if database.engine.dialect.name == "postgresql":
        # What autovacuum does after a bulk insert: statistics, and the visibility map without which no
        # index-only scan is chosen. SQLite gets no ANALYZE: the sidecar never runs one, so its planner works
        # without statistics, as it does in production.
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return ids[0], token, counts


def time_summary(client, token: str, *, start: str, end: str, calls: int) -> dict[str, float]:
    """p50/p95/max in ms of `calls` summary requests (after one warm-up)."""
    url = f"/v1/analytics/summary?from={start}&to={end}"
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(url, headers=headers).status_code == 200
    times = []
    for _ in range(calls):
        began = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.get_json()
    times.sort()
    p95 = times[max(0, math.ceil(0.95 * calls) - 1)]
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(p95, 1), "max_ms": round(times[-1], 1),
            "escalations_in_range": response.get_json()["escalations"]["total"]}


def explain(app, token: str, start: str, end: str) -> None:
    """Print the plan of every statement one summary request runs."""
    engine = app.extensions["sidecar"].database.engine
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001 - SQLAlchemy's signature
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and "analytics" not in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    app.test_client().get(f"/v1/analytics/summary?from={start}&to={end}", headers={"Authorization": f"Bearer {token}"})
    event.remove(engine, "before_cursor_execute", capture)
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        for statement, parameters in statements:
            if not any(f"FROM {table}" in statement for table in ("escalations", "assessment", "jobs")):
                continue
            print("--", " ".join(statement.split())[:160])
            for row in connection.exec_driver_sql(prefix + statement, parameters):
                print("   ", row[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--escalations", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", default=None, help="build the SQLite database at this path and keep it")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="sidecar-bench-"))
    path = Path(args.keep) if args.keep else workdir / "analytics.sqlite3"
    url = normalise_database_url(args.database_url) if args.database_url else f"sqlite:///{path}"
    key = generate_key()
    database = Database(url)
    upgrade_database(database)
    now = datetime.now(UTC)
    began = time.perf_counter()
    installation_id, token, counts = build(database, SecretBox((key,)), args.escalations, now)
    built = time.perf_counter() - began
    with database.engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(Escalation.__table__)).scalar_one()
    database.dispose()
    print(f"built in {built:.1f} s: {counts} (+ a neighbour installation; {total} escalations in all) on "
          f"{database.engine.dialect.name}")

    app = create_app(testing_config(url, encryption_key=key))
    client = app.test_client()
    today = now.date()
    results = {}
    for days in (30, 90):
        start = (today - timedelta(days=days - 1)).isoformat()
        results[f"{days}d"] = time_summary(client, token, start=start, end=today.isoformat(), calls=args.calls)
        print(f"summary over {days} days: " + ", ".join(f"{k} {v}" for k, v in results[f"{days}d"].items()))
    if args.explain:
        explain(app, token, (today - timedelta(days=89)).isoformat(), today.isoformat())
    print(json.dumps({"bench": "analytics_summary", "database": database.engine.dialect.name, "calls": args.calls,
                      "rows": counts, "installation": installation_id, **results}))


if __name__ == "__main__":
    main()
