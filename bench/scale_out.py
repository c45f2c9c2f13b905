"""Scale-out check: 4 gunicorn web processes and 3 `sidecar worker` processes on PostgreSQL, exactly once.

Two cases, each on a fresh database and fresh fakes (the local fake Jira/Slack/Zendesk server,
tests/fakes/vendors.py, in a process of its own):

- faults: the fakes answer some writes with 500s, some with 429s (Retry-After 1 s) and some only
  after the clients' read timeout (the vendor did the work; the worker cannot know);
- slow: the fakes answer some writes later than the workers' lease (3 s answers, 2 s lease).

In both, 100 tickets are each escalated 3 times at once through POST /v1/escalations, and one
worker process is killed with SIGKILL mid-run. The check passes when every ticket has exactly one
Jira issue, one ticket note and one Slack message and every escalation is `delivered`. It prints the
figures, then one JSON line per case; the exit status is 1 when a case fails.

    python bench/scale_out.py --database-url postgresql://postgres@127.0.0.1:5432/h_delivery_scale
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from escalation_delivery import fake_vendors_process  # noqa: E402 - bench/ is not a package

from sidecar.config import normalise_database_url  # noqa: E402
from sidecar.demo import demo_tickets  # noqa: E402
from sidecar.services.connections import configure  # noqa: E402
from sidecar.services.installations import create_installation  # noqa: E402
from sidecar.store.crypto import SecretBox, generate_key  # noqa: E402
from sidecar.store.db import Database  # noqa: E402
from sidecar.store.migrate import upgrade_database  # noqa: E402
from sidecar.store.models import AuditEntry, Escalation, Job  # noqa: E402

WEB_PROCESSES = 3 + 1
WORKER_PROCESSES = 3
CLICKS = 3  # each ticket escalated this many times at once
KILL_AFTER = 4.0  # seconds after the first escalation is delivered, at the latest
READ_TIMEOUT = 10.0  # the clients' read timeout (clients/base.DEFAULT_TIMEOUT)
CASES = {
    # name: (lease seconds, faults armed before the escalations arrive)
    "faults": (5, [
        *({"system": s, "method": m, "path": p, "status": 500, "times": 6} for s, m, p in (
            ("jira", "POST", r"^/rest/api/3/issue$"), ("zendesk", "PUT", r"^/api/v2/tickets/"),
            ("slack", "POST", r"^/chat.postMessage$"))),
        *({"system": s, "method": m, "path": p, "status": 429, "retry_after": 1, "times": 6} for s, m, p in (
            ("jira", "POST", r"^/rest/api/3/issue$"), ("zendesk", "PUT", r"^/api/v2/tickets/"),
            ("slack", "POST", r"^/chat.postMessage$"))),
        *({"system": s, "method": m, "path": p, "status": None, "delay": READ_TIMEOUT + 1, "times": 1}
          for s, m, p in (("jira", "POST", r"^/rest/api/3/issue$"), ("zendesk", "PUT", r"^/api/v2/tickets/"),
                          ("slack", "POST", r"^/chat.postMessage$"))),
    ]),
    "slow": (2, [
        {"system": s, "method": m, "path": p, "status": None, "delay": 3.0, "times": 12} for s, m, p in (
            ("jira", "POST", r"^/rest/api/3/issue$"), ("zendesk", "PUT", r"^/api/v2/tickets/"),
            ("slack", "POST", r"^/chat.postMessage$"))
    ]),
}


def fresh_database(url: str) -> Database:
    """Drop and create the database named in `url` (never `test`), migrated to head."""
    name = make_url(url).database
    if name in (None, "test", "postgres"):
        raise SystemExit(f"refusing to recreate database {name!r}: name one of your own")
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    database = Database(url)
    upgrade_database(database)
    return database


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_env(url: str, key: str, lease: int) -> dict[str, str]:
    """The environment of the web and worker processes."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": url, "SIDECAR_ENCRYPTION_KEY": key,
            "SIDECAR_EMBEDDED_WORKER": "false", "SIDECAR_JOB_LEASE_SECONDS": str(lease),
            "SIDECAR_JOB_POLL_MS": "100", "SIDECAR_ALLOW_PRIVATE_URLS": "true", "LOG_LEVEL": "warning"}


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A `sidecar` command in a process of its own, its output in `log`."""
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "sidecar.cli", *args], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def wait_until_serving(base: str, seconds: float = 90) -> None:
    """Wait for the web processes to answer /healthz (or any answer at all)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the web processes did not start (see the log in the work directory)")


def control(fake, path: str, body=None, method: str | None = None):
    """Call the fakes' control API."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(fake.control + path, data=data, method=method or ("POST" if data else "GET"),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"null")


def escalate_all(base: str, token: str, tickets: list[dict]) -> Counter:
    """POST every ticket CLICKS times, all at once (16 clients); the answers' status codes."""
    def post(ticket: dict) -> int:
        request = urllib.request.Request(base + "/v1/escalations", data=json.dumps({"ticket": ticket}).encode(),
                                         method="POST", headers={"Content-Type": "application/json",
                                                                 "Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=16) as pool:
        return Counter(pool.map(post, [ticket for ticket in tickets for _ in range(CLICKS)]))


def delivered_count(database: Database) -> tuple[int, int]:
    """(delivered escalations, escalations)."""
    with database.session() as session:
        total = session.query(Escalation).count()
        return session.query(Escalation).filter(Escalation.status == "delivered").count(), total


def kill_one_mid_run(database: Database, workers: list[subprocess.Popen], expected: int, killed: dict) -> None:
    """Kill one worker (SIGKILL) a quarter of the way, or KILL_AFTER seconds after the first escalation was
    delivered, whichever is first: while the escalations still come in and the workers are in the middle
    of (slow) calls (a worker on several threads keeps up with the web, so waiting for the escalations to
    be in first could find nothing left to interrupt)."""
    started, first_delivered = time.monotonic(), None
    while True:
        done, _total = delivered_count(database)
        if done and first_delivered is None:
            first_delivered = time.monotonic()
        if done >= expected // 4 or (first_delivered is not None and time.monotonic() - first_delivered >= KILL_AFTER):
            workers[0].send_signal(signal.SIGKILL)
            killed.update(seconds=round(time.monotonic() - started, 1), delivered=done)
            return
        time.sleep(0.2)


def run_until_delivered(database: Database, expected: int, seconds: float) -> dict:
    """Wait until every escalation is delivered; how long it took after the escalations were in."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        done, total = delivered_count(database)
        if total >= expected and done == total:
            break
        time.sleep(0.5)
    return {"delivery_seconds": round(time.monotonic() - started, 1)}


ESCALATION_ID = re.compile(r"esc[_-]([0-9a-f]{20})")


def settled_requests(fake, wait: float = READ_TIMEOUT + 5) -> list[dict]:
    """The fakes' request log once no request is still being answered: a write whose answer is held back
    past the clients' timeout is done (the vendor did the work) but has no status until its late answer
    goes out, and the workers may have finished (finding it on retry) before that."""
    deadline = time.monotonic() + wait
    while True:
        requests = control(fake, "/requests")
        if all(r.get("status") is not None for r in requests) or time.monotonic() >= deadline:
            return requests
        time.sleep(0.5)


def tally(fake, database: Database) -> dict:
    """Per ticket: Jira issues, ticket notes and Slack messages the fakes hold or accepted; the outcome."""
    with database.session() as session:
        tickets = {e.id: e.ticket_external_id for e in session.query(Escalation)}
        statuses = Counter(e.status for e in session.query(Escalation))
        discarded = session.query(AuditEntry).filter(AuditEntry.action == "late_result_discarded").count()
        taken_over = session.query(Job).filter(Job.attempts > 1).count()
        jobs = Counter(job.status for job in session.query(Job))
    ticket_of = tickets
    state, requests = control(fake, "/state"), settled_requests(fake)
    issues = Counter(ticket_of.get("esc_" + m.group(1)) for issue in state["jira"]["issues"].values()
                     for m in [ESCALATION_ID.search(" ".join(issue["fields"].get("labels") or []))] if m)
    ok = [r for r in requests if (r.get("status") or 0) < 300 and r.get("status")]
    notes = Counter(r["path"].split("/")[-1].removesuffix(".json") for r in ok if r["system"] == "zendesk"
                    and r["method"] == "PUT" and "comment" in ((r.get("body") or {}).get("ticket") or {}))
    posts = Counter(ticket_of.get("esc_" + m.group(1)) for r in ok if r["path"] == "/chat.postMessage"
                    for m in [ESCALATION_ID.search(json.dumps(r.get("body")))] if m)
    per_ticket = Counter((issues[t], notes[t], posts[t]) for t in set(tickets.values()))
    return {"tickets": len(set(tickets.values())), "escalations": len(tickets), "statuses": dict(statuses),
            "per_ticket_issue_note_message": {f"{a}/{b}/{c}": n for (a, b, c), n in sorted(per_ticket.items())},
            "late_results_discarded": discarded, "jobs_taken_over_or_retried": taken_over, "jobs": dict(jobs),
            "fault_answers": sum(1 for r in requests if r.get("fault"))}


def run_case(name: str, url: str, tickets: list[dict], workdir: Path) -> dict:
    """One case end to end: fresh database and fakes, 4 web + 3 worker processes, the escalations, the tally."""
    lease, faults = CASES[name]
    database = fresh_database(url)
    key = generate_key()
    box = SecretBox((key,))
    with fake_vendors_process(tickets, workdir) as fake, database.session() as session:
        created = create_installation(session, name="scale-out", source="zendesk", box=box)
        configure(session, created.installation, box=box, allow_private=True, changes={
            "zendesk.url": fake.zendesk_url, "zendesk.email": "bench@example.com", "zendesk.api_token": "z-token",
            "jira.url": fake.jira_url, "jira.email": "bench@example.com", "jira.api_token": "j-token",
            "jira.project": "ESC", "slack.api_url": fake.slack_url, "slack.bot_token": "xoxb-bench",
            "slack.default_channel": "C0BENCH"})
        session.commit()
        env, port = process_env(url, key, lease), free_port()
        log = workdir / f"{name}.log"
        processes = [start(["serve", "--workers", str(WEB_PROCESSES), "--port", str(port)], env, log)]
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_serving(base)
            control(fake, "/faults", faults)
            workers = [start(["worker"], env, log) for _ in range(WORKER_PROCESSES)]
            processes += workers
            started, killed = time.monotonic(), {}
            killer = threading.Thread(target=kill_one_mid_run, args=(database, workers, len(tickets), killed))
            killer.start()
            answers = escalate_all(base, created.api_token, tickets)
            figures = {"case": name, "lease_seconds": lease, "escalate_seconds": round(time.monotonic() - started, 1),
                       "answers": dict(answers)}
            figures.update(run_until_delivered(database, len(tickets), seconds=240))
            killer.join()
            figures["killed_worker_at"] = killed
            figures.update(tally(fake, database))
        finally:
            for process in processes:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
            for process in processes:
                process.wait(30)
    database.dispose()
    figures["passed"] = (figures["per_ticket_issue_note_message"] == {"1/1/1": len(tickets)}
                         and figures["statuses"] == {"delivered": len(tickets)})
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/h_delivery_scale")
    parser.add_argument("--tickets", type=int, default=100)
    parser.add_argument("--case", choices=sorted(CASES), action="append")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="sidecar-scale-"))
    tickets = []
    for number in range(args.tickets):
        data = dict(demo_tickets()[number % len(demo_tickets())])
        data["id"] = str(300_000 + number)
        tickets.append(data)
    failed = False
    for name in args.case or sorted(CASES):
        figures = run_case(name, normalise_database_url(args.database_url), tickets, workdir)
        failed = failed or not figures["passed"]
        print(f"{name}: lease {figures['lease_seconds']} s; {figures['tickets']} tickets x {CLICKS} clicks "
              f"answered {figures['answers']} in {figures['escalate_seconds']} s; delivered in "
              f"{figures['delivery_seconds']} s; worker killed at {figures['killed_worker_at']}; "
              f"issue/note/message per ticket {figures['per_ticket_issue_note_message']}; escalations "
              f"{figures['statuses']}; {figures['fault_answers']} fault answers; late results discarded "
              f"{figures['late_results_discarded']}; {'PASS' if figures['passed'] else 'FAIL'}")
        print(json.dumps(figures))
    print(f"logs: {workdir}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
