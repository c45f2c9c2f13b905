"""Escalation delivery speed: escalations delivered per second by ONE worker against local fakes.

Starts the local fake Jira/Slack/Zendesk server (tests/fakes/vendors.py, answers at once) in a process of
its own, migrates a
fresh SQLite database, creates an installation whose connections point at the fakes (so every step is
live: find-or-create the Jira issue, property, remote link, ticket note + tags, Slack DM + permalink),
queues N escalations through the same service POST /v1/escalations uses, then times one in-process
worker delivering all of them. Prints escalations/s, jobs/s, HTTP calls per escalation and, last,
one JSON line. Target: at least 50 escalations/s on SQLite with one worker.

    python bench/escalation_delivery.py [--escalations 200] [--database-url postgresql://...] [--lease-seconds 120]
                                        [--threads N]

--threads is SIDECAR_WORKER_THREADS: the threads the one worker process runs jobs on (default: the
setting's default).

A short --lease-seconds shows what keeping leases costs: the worker renews the leases it holds
(the running job's and the claimed, not yet started ones') every third of a lease; the renewals are
counted in the output.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

# Run as a script from a checkout that need not be installed: this repository's sidecar. A sys.path
# change before the imports is what ruff's E402 allows, so ROOT is set after them.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sidecar.config import DEFAULT_WORKER_THREADS, normalise_database_url
from sidecar.demo import demo_tickets
from sidecar.intelligence.ticket import ticket_from_mapping
from sidecar.jobs.pool import CONNECTIONS_PER_THREAD, WorkerPool
from sidecar.jobs.worker import Worker
from sidecar.services.connections import configure, load_connections
from sidecar.services.escalations import start_escalation
from sidecar.services.installations import create_installation, get_installation
from sidecar.store.crypto import SecretBox, generate_key
from sidecar.store.db import Database
from sidecar.store.migrate import upgrade_database
from sidecar.store.models import Escalation

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--escalations", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--lease-seconds", type=float, default=120.0)
    parser.add_argument("--threads", type=int, default=DEFAULT_WORKER_THREADS)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="sidecar-bench-"))
    url = normalise_database_url(args.database_url) if args.database_url else f"sqlite:///{workdir / 'bench.db'}"
    database = Database(url, pool_size=CONNECTIONS_PER_THREAD * args.threads)  # as `sidecar worker` sizes it
    upgrade_database(database)
    box = SecretBox((generate_key(),))
    # One open escalation per ticket: every escalation is for a ticket of its own, known to the fake Zendesk.
    tickets = []
    for number in range(args.escalations):
        data = dict(demo_tickets()[number % len(demo_tickets())])
        data["id"] = str(100_000 + number)
        tickets.append(data)

    with fake_vendors_process(tickets, workdir) as fake:
        with database.session() as session:
            installation = create_installation(session, name="bench", source="zendesk", box=box).installation
            # The fakes listen on http://127.0.0.1: allowed as SIDECAR_ALLOW_PRIVATE_URLS=true allows it.
            configure(session, installation, box=box, allow_private=True, changes={
                "zendesk.url": fake.zendesk_url, "zendesk.email": "bench@example.com", "zendesk.api_token": "z-token",
                "zendesk.jira_key_field_id": "360001",
                "jira.url": fake.jira_url, "jira.email": "bench@example.com", "jira.api_token": "j-token",
                "jira.project": "ESC", "slack.api_url": fake.slack_url, "slack.bot_token": "xoxb-bench",
                "slack.default_channel": "C0BENCH",
            })
            installation_id = installation.id
        queued_started = time.perf_counter()
        for data in tickets:
            with database.write_lock(), database.session() as session:
                record = get_installation(session, installation_id)
                start_escalation(session, installation=record, ticket=ticket_from_mapping(data),
                                 connections=load_connections(record, box=box), note="bench")
        queued_seconds = time.perf_counter() - queued_started
        calls_before = len(fake.requests())

        worker = WorkerPool(lambda worker_id: Worker(database, box=box, worker_id=worker_id, allow_private_urls=True,
                                                     lease_seconds=args.lease_seconds),
                            threads=args.threads, worker_id="bench")
        started, cpu_started = time.perf_counter(), time.process_time()
        jobs = worker.drain()
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        calls = len(fake.requests()) - calls_before

    with database.session() as session:
        # This run's installation only: a PostgreSQL database given twice keeps the earlier runs' escalations.
        delivered = session.query(Escalation).filter(Escalation.installation_id == installation_id,
                                                     Escalation.status == "delivered").count()
    database.dispose()
    shutil.rmtree(workdir, ignore_errors=True)  # the SQLite file and the fakes' tickets
    rate = delivered / seconds if seconds else 0.0
    print(f"queued {args.escalations} escalations in {queued_seconds:.2f} s (assess + route + similar + outbox insert)")
    print(f"delivered {delivered}/{args.escalations} escalations ({jobs} jobs, {calls} HTTP calls) in {seconds:.2f} s")
    print(f"the worker's own CPU: {cpu_seconds:.2f} s "
          f"({1000 * cpu_seconds / max(delivered, 1):.1f} ms per escalation); "
          f"the rest is waiting for the fakes' answers")
    print(f"lease {args.lease_seconds:g} s: {worker.lease_renewals} lease renewals; {args.threads} thread(s)")
    print(f"{rate:.1f} escalations/s, {jobs / seconds:.1f} jobs/s, "
          f"{calls / max(delivered, 1):.1f} calls per escalation "
          f"(target >= 50 escalations/s, one worker, {database.engine.dialect.name})")
    print(json.dumps({"escalations": args.escalations, "delivered": delivered, "seconds": round(seconds, 3),
                      "escalations_per_second": round(rate, 1), "jobs": jobs, "http_calls": calls,
                      "worker_cpu_seconds": round(cpu_seconds, 3),
                      "lease_seconds": args.lease_seconds, "threads": args.threads,
                      "lease_renewals": worker.lease_renewals,
                      "database": database.engine.dialect.name}))


class RemoteFake:
    """The fake vendors running in a process of their own (so they do not share the worker's core)."""

    def __init__(self, urls: dict):
        self.jira_url, self.slack_url, self.zendesk_url = urls["jira"], urls["slack"], urls["zendesk"]
        self.control = urls["control"]

    def requests(self) -> list:
        with urllib.request.urlopen(self.control + "/requests") as answer:
            return json.loads(answer.read())


@contextlib.contextmanager
def fake_vendors_process(tickets: list, workdir: Path):
    """Start `python -m tests.fakes.vendors` on a free port with these tickets; stop it afterwards."""
    path = workdir / "tickets.json"
    path.write_text(json.dumps(tickets))
    process = subprocess.Popen([sys.executable, "-m", "tests.fakes.vendors", "--port", "0", "--tickets", str(path)],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        yield RemoteFake(json.loads(process.stdout.readline()))
    finally:
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    main()
