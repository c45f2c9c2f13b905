"""In-process CPU time per assessment against the size of the history, and a web worker's memory.

For each database given (built by bench/similar_search.py's generator when missing: `--tickets N`
beside it), the app is made in this process and `POST /v1/assessments` is sent through Flask's test
client: the 10-comment ticket of bench/assessment_throughput.py, a new ticket id and a new newest
message each time (as live traffic is). Each assessment's `time.process_time()` is recorded, so what
the rest of the machine runs does not count (the load average is printed anyway). The assessment is
measured as it is on this branch, history recording inside the request included.

With `--rss`, gunicorn (1 sync worker, the Procfile's app) is started on each database, serves
`--rss-assessments` assessments over HTTP, and the worker's VmRSS is read from /proc.

`--embeddings on` makes search use the benchmark's HashingEmbedder (the vectors similar_search.py
stores with `--embeddings on`), so the per-process embedding matrix is part of the cost and the memory;
`off` (the default) is full-text search and re-ranking only.

    python bench/assessment_cost.py --database sqlite:////tmp/b/10k.sqlite3=10000 \
        --database sqlite:////tmp/b/1m.sqlite3=1000000 [--assessments 300] [--embeddings on] [--rss]

Prints a line per database, the ratio of the last to the first and, last, one JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

# Run as a script from a checkout that need not be installed: this repository's sidecar (E402 allows a
# sys.path change before imports).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from assessment_throughput import free_port, ten_comment_ticket, wait_until_up
from similar_search import INSTALLATION_ID, HashingEmbedder, build, percentile

from sidecar import create_app
from sidecar.config import testing_config
from sidecar.intelligence.similarity import embedding as similar_embedding
from sidecar.services.installations import rotate_api_token
from sidecar.store.crypto import generate_key
from sidecar.store.db import Database
from sidecar.store.models import Installation

ROOT = Path(__file__).resolve().parent.parent
ENCRYPTION_KEY = os.environ.get("SIDECAR_ENCRYPTION_KEY") or generate_key()


def prepare(url: str, tickets: int, embeddings: bool) -> str:
    """Build the database if it is not there yet; a fresh API token for its bench installation."""
    database = Database(url)
    try:
        with database.session() as session:
            built = session.get(Installation, INSTALLATION_ID) is not None
    except Exception:  # no tables yet
        built = False
    if not built:
        build(database, tickets, HashingEmbedder() if embeddings else None)
    with database.write_session() as session:
        token = rotate_api_token(session, session.get(Installation, INSTALLATION_ID))
    database.dispose()
    return token


def body(number: int, *, new_ticket: bool = False) -> dict:
    """The 10-comment ticket, new id and new newest message (new_ticket: every message new, nothing seen before)."""
    ticket = json.loads(json.dumps(ten_comment_ticket(new_ticket=new_ticket)).replace("__N__", str(number)))
    ticket["ticket"]["id"] = f"cost-{os.getpid()}-{number}"
    return ticket


def use_hashing_embedder() -> None:
    """Similar search encodes queries with the HashingEmbedder (matches `similar_search.py --embeddings on`)."""
    embedder = HashingEmbedder()
    similar_embedding.similar_embedder = lambda setting=None: embedder  # type: ignore[assignment]


def hashing_app():
    """The app with the HashingEmbedder, for gunicorn (`assessment_cost:hashing_app()`)."""
    use_hashing_embedder()
    return create_app()


def cpu_per_assessment(url: str, token: str, count: int, *, new_ticket: bool = False) -> list[float]:
    """CPU milliseconds of each of `count` assessments through the test client (after 20 to warm up)."""
    app = create_app(testing_config(url, encryption_key=ENCRYPTION_KEY))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    times = []
    for number in range(count + 20):
        started = time.process_time()
        response = client.post("/v1/assessments", json=body(number, new_ticket=new_ticket), headers=headers)
        spent = (time.process_time() - started) * 1000
        if response.status_code != 201 and response.status_code != 200:
            raise SystemExit(f"assessment failed: {response.status_code} {response.get_data(as_text=True)[:300]}")
        if number >= 20:
            times.append(spent)
    app.extensions["sidecar"].database.dispose()
    return times


def worker_rss(url: str, token: str, count: int, embeddings: bool) -> float:
    """A gunicorn sync worker's VmRSS (MB) after serving `count` assessments over HTTP."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SIDECAR_ENCRYPTION_KEY": ENCRYPTION_KEY, "LOG_LEVEL": "warning",
           "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}"}
    app = "assessment_cost:hashing_app()" if embeddings else "sidecar:create_app()"
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--workers", "1", "--bind",
                               f"127.0.0.1:{port}", "--timeout", "300", "--log-level", "warning", app],
                              env=env, cwd=ROOT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", timeout=60)
        for number in range(count):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/v1/assessments", data=json.dumps(body(10_000_000 + number)).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, method="POST")
            with urllib.request.urlopen(request, timeout=300) as response:
                response.read()
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        status = Path(f"/proc/{children[0]}/status").read_text()
        return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", action="append", required=True,
                        help="URL=TICKETS: a database (built with TICKETS synthetic tickets when missing)")
    parser.add_argument("--assessments", type=int, default=300)
    parser.add_argument("--embeddings", choices=["on", "off"], default="off")
    parser.add_argument("--new-ticket", action="store_true",
                        help="every message of every ticket new (as assessment_throughput.py --new-ticket): the "
                             "semantic layer embeds them all; default: only the newest message is new")
    parser.add_argument("--rss", action="store_true", help="also a gunicorn worker's resident memory")
    parser.add_argument("--rss-assessments", type=int, default=50)
    args = parser.parse_args()
    embeddings = args.embeddings == "on"
    if not embeddings:
        os.environ[similar_embedding.SETTING] = "off"
    else:
        use_hashing_embedder()
    rows = []
    # The first app of a process pays one-off costs beyond its warm-up requests (measured: whichever
    # database came first cost twice as much), so one throw-away round runs first.
    first_url, _, first_tickets = args.database[0].rpartition("=")
    cpu_per_assessment(first_url, prepare(first_url, int(first_tickets), embeddings), 50)
    for spec in args.database:
        url, _, tickets = spec.rpartition("=")
        token = prepare(url, int(tickets), embeddings)
        times = cpu_per_assessment(url, token, args.assessments, new_ticket=args.new_ticket)
        rss = worker_rss(url, token, args.rss_assessments, embeddings) if args.rss else None
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        rows.append({"tickets": int(tickets), "cpu_mean_ms": round(statistics.fmean(times), 2),
                     "cpu_p50_ms": round(percentile(times, 50), 2), "cpu_p95_ms": round(percentile(times, 95), 2),
                     "worker_rss_mb": rss and round(rss), "load_average": load})
        print(f"{int(tickets):>10,} past tickets: CPU per assessment mean {rows[-1]['cpu_mean_ms']} ms, "
              f"p50 {rows[-1]['cpu_p50_ms']}, p95 {rows[-1]['cpu_p95_ms']}"
              + (f"; gunicorn worker RSS {rss:.0f} MB" if rss else "") + f" (load average {load})", flush=True)
    ratio = rows[-1]["cpu_mean_ms"] / rows[0]["cpu_mean_ms"]
    print(f"ratio {rows[-1]['tickets']:,} / {rows[0]['tickets']:,}: {ratio:.2f} (target <= 1.5); "
          f"embeddings {args.embeddings}; history recorded inside the request (this branch)")
    print(json.dumps({"embeddings": args.embeddings, "assessments": args.assessments, "ratio": round(ratio, 2),
                      "rows": rows}))


if __name__ == "__main__":
    main()
