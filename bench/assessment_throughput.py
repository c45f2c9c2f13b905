"""Assessment throughput and latency under gunicorn, beside a trivial endpoint of the same app.

Starts the app as production runs it (gunicorn, 2 gthread workers, SQLite unless DATABASE_URL says
otherwise) and drives it with wrk (Debian package `wrk`) at 16 concurrent connections:
  1. GET /healthz                 (trivial: no auth, no database)
  2. POST /v1/assessments         (auth, validation, scoring, one INSERT) for a 10-comment ticket
Prints requests/s and p50/p99 latency of each, the throughput ratio, and, last, one JSON line.

    python bench/assessment_throughput.py [--seconds 10] [--connections 16]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

WRK_REPORT = r"""
wrk.method = os.getenv("BENCH_METHOD") or "GET"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("BENCH_TOKEN")
if token then wrk.headers["Authorization"] = "Bearer " .. token end
local body_file = os.getenv("BENCH_BODY")
local template = nil
if body_file then
  local f = io.open(body_file, "r"); template = f:read("*a"); f:close()
end
local threads = {}
setup = function(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
local counter = 0
-- Every request carries new text where the template says __N__, so the scorer's per-message cache
-- cannot serve it: the benchmark measures new messages, not repeats.
request = function()
  if not template then return wrk.format() end
  counter = counter + 1
  local n = tostring((id or 0) * 100000000 + counter)
  return wrk.format(nil, nil, nil, (template:gsub("__N__", n)))
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.status + summary.errors.timeout
  io.write(string.format('BENCH {"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
"""

COMMENT_TEXTS = [
    ("customer", "Hi, our invoices for October show two charges of $1,200 for the same Pro plan. Can you check?"),
    ("bot", "Thanks for reaching out! You can find your invoices under Settings > Billing."),
    ("customer", "I know where the invoices are. We were charged twice and need one refunded."),
    ("bot", "Thanks for reaching out! You can find your invoices under Settings > Billing."),
    ("customer", "This is going in circles. Also our export job fails with error 500 since Tuesday."),
    ("agent", "Sorry about the trouble. Could you share the export job id?"),
    ("customer", "Job 88213. It worked fine last week, before your update."),
    ("agent", "Thanks, I have passed this to our team."),
    ("customer", "It's been three days. Our renewal is next month and we are evaluating alternatives."),
    ("customer", "Please have a manager call me today."),
]


_SENTENCE_END = re.compile(r"([.!?])(?=\s|$)")


def each_sentence_marked(text: str, marker: str) -> str:
    """The text with " (ref MARKER)" before every sentence end (at its end when it has none): no sentence of
    it was seen before, for the semantic layer's sentence cache (also used by semantic_cost.py)."""
    marked = _SENTENCE_END.sub(rf" (ref {marker})\1", text)
    return marked if marked != text or not text else f"{text} (ref {marker})"


def ten_comment_ticket(*, cold: bool = False, new_ticket: bool = False) -> dict:
    """The benchmark ticket: ten comments mixing billing, a bug, churn risk and a request for a person.

    The newest customer message holds a __N__ placeholder that the load generator replaces with a number
    unique to each request (a re-assessment after the customer wrote again). With cold=True every
    sentence of every message does, so nothing of the ticket was seen before. With new_ticket=True the
    ticket id and its subject do too: every request is a ticket the sidecar has never seen, as live traffic is.
    (Until 2026-12-06 cold messages only ended in "(ref N)": the semantic layer, which reads and caches
    sentence by sentence, had seen every other sentence already.)
    """
    cold = cold or new_ticket
    texts = [(author, each_sentence_marked(body, "__N__") if cold
              else f"{body} (ref __N__)" if index == len(COMMENT_TEXTS) - 1 else body)
             for index, (author, body) in enumerate(COMMENT_TEXTS)]
    return {
        "ticket": {
            "id": "bench-__N__" if new_ticket else "bench-1",
            "source": "zendesk",
            "subject": "Double charge and failing exports" + (" (case __N__)" if new_ticket else ""),
            "description": texts[0][1],
            "comments": [
                {"author": author, "body": body, "public": True, "created_at": f"2026-11-2{i // 4}T1{i % 10}:00:00Z"}
                for i, (author, body) in enumerate(texts)
            ],
            "requester": {"name": "Dana", "email": "dana@example.com"},
            "organization": {"name": "Northwind", "tier": "enterprise", "arr": 240000, "renewal_date": "2026-12-20"},
            "priority": "high",
            "status": "open",
            "tags": ["billing", "exports"],
            "reopens": 1,
        }
    }


def seed_history(path: Path, count: int) -> None:
    """Write `count` synthetic past tickets (bench/similar_search.py's generator) as history-format JSONL."""
    from similar_search import TicketFactory  # same folder

    factory = TicketFactory()
    groups = ["billing", "platform", "integrations", "security", "accounts"]
    with path.open("w") as handle:
        for number in range(count):
            ticket = factory.ticket()
            handle.write(json.dumps({
                "id": f"h{number}", "subject": ticket["subject"], "description": ticket["description"],
                "comments": [{"author": "customer", "body": body, "public": True} for body in ticket["comments"]],
                "group": groups[number % len(groups)], "status": "solved",
                "assignee": f"agent{number % 40}@example.com",
                "created_at": "2025-06-01T10:00:00Z",
            }) + "\n")


def free_port() -> int:
    """An unused TCP port on localhost."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout: float = 120.0) -> None:
    """Poll `url` until it answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not come up at {url}")


def run_wrk(url: str, *, seconds: int, connections: int, threads: int, script: Path, env: dict) -> dict:
    """Run wrk and return the JSON its done() hook prints."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url]
    output = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=True).stdout
    line = next(text for text in output.splitlines() if text.startswith("BENCH "))
    result = json.loads(line[len("BENCH "):])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def main() -> None:
    """Start gunicorn, measure both endpoints in the same run, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class (the Procfile uses gthread)")
    parser.add_argument("--server-threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--cold", action="store_true", help="every message new on every request (default: the newest)")
    parser.add_argument("--new-ticket", action="store_true",
                        help="every request a new ticket id with new text (live traffic); implies --cold")
    parser.add_argument("--history", type=int, default=10_000,
                        help="past tickets imported first, so similar-incident search has real work")
    parser.add_argument("--database", type=Path,
                        help="a SQLite file to keep: built (migrated, installation, history) on the first run, "
                             "copied and reused by later runs with the same --history")
    parser.add_argument("--no-worker", action="store_true",
                        help="run no outbox worker beside gunicorn (the Procfile runs one)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("this benchmark needs wrk: apt-get install -y wrk")

    workdir = Path(tempfile.mkdtemp(prefix="sidecar-bench-"))
    try:
        env, token = prepare_database(args, workdir)
        trivial, assess = measure(args, env, token, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report(args, env, trivial, assess)


def prepare_database(args: argparse.Namespace, workdir: Path) -> tuple[dict, str]:
    """The server's environment and an API token: a fresh database, or a copy of the kept `--database`."""
    kept = args.database.with_suffix(".json") if args.database else None
    if kept is not None and kept.exists() and json.loads(kept.read_text())["history"] == args.history:
        saved = json.loads(kept.read_text())
        shutil.copy(args.database, workdir / "bench.sqlite3")  # each run writes: the kept file stays as built
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
               "SIDECAR_ENCRYPTION_KEY": saved["key"], "LOG_LEVEL": "warning"}
        subprocess.run([str(BIN / "sidecar"), "db", "upgrade"], env=env, check=True, capture_output=True)
        return env, saved["token"]
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}",
        "SIDECAR_ENCRYPTION_KEY": os.environ.get("SIDECAR_ENCRYPTION_KEY")
        or subprocess.run([BIN / "sidecar", "keygen"], capture_output=True, text=True, check=True).stdout.strip(),
        "LOG_LEVEL": "warning",
    }
    sidecar = str(BIN / "sidecar")
    subprocess.run([sidecar, "db", "upgrade"], env=env, check=True, capture_output=True)
    created = subprocess.run(
        [sidecar, "installation", "create", "--name", "bench", "--source", "zendesk"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]
    token = json.loads(created)["api_token"]
    installation_id = json.loads(created)["id"]
    if args.history:
        seed_history(workdir / "history.jsonl", args.history)
        subprocess.run([sidecar, "import", "file", str(workdir / "history.jsonl"), "--installation", installation_id],
                       env=env, check=True, capture_output=True)
    if kept is not None and not os.environ.get("DATABASE_URL"):
        shutil.copy(workdir / "bench.sqlite3", args.database)
        kept.write_text(json.dumps({"history": args.history, "token": token, "key": env["SIDECAR_ENCRYPTION_KEY"]}))
    return env, token


def measure(args: argparse.Namespace, env: dict, token: str, workdir: Path) -> tuple[dict, dict]:
    """Run gunicorn (and the outbox worker, as the Procfile does) and drive both endpoints with wrk."""
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(args.workers), "--worker-class", args.worker_class,
         "--threads", str(args.server_threads),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "sidecar:create_app()"],
        env=env, cwd=ROOT,
    )
    worker = None if args.no_worker else subprocess.Popen([str(BIN / "sidecar"), "worker"], env=env, cwd=ROOT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/healthz")
        script = workdir / "report.lua"
        script.write_text(WRK_REPORT)
        body = workdir / "ticket.json"
        body.write_text(json.dumps(ten_comment_ticket(cold=args.cold, new_ticket=args.new_ticket)))
        common = dict(seconds=args.seconds, connections=args.connections, threads=args.threads, script=script)
        assessing = {"BENCH_METHOD": "POST", "BENCH_TOKEN": token, "BENCH_BODY": str(body)}
        # Warm both paths (imports, connection pools, SQLite page cache) before measuring.
        run_wrk(base + "/healthz", **{**common, "seconds": 2}, env={})
        run_wrk(base + "/v1/assessments", **{**common, "seconds": 2}, env=assessing)
        trivial = run_wrk(base + "/healthz", **common, env={})
        assess = run_wrk(base + "/v1/assessments", **common, env=assessing)
    finally:
        for process in (server, worker):
            if process is not None:
                stop(process)
    return trivial, assess


def stop(process: subprocess.Popen) -> None:
    """Terminate a process, and kill it if a loaded machine keeps it from exiting within 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def report(args: argparse.Namespace, env: dict, trivial: dict, assess: dict) -> None:
    """Print the comparison, then one JSON line."""
    ratio = assess["rps"] / trivial["rps"]
    traffic = "a new ticket" if args.new_ticket else "every message new" if args.cold else "newest message new"
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    print(f"gunicorn {args.workers} {args.worker_class} workers x {args.server_threads} threads, "
          f"{'no' if args.no_worker else 'one'} outbox worker, wrk {args.connections} connections, "
          f"{args.seconds}s each, {os.cpu_count()} CPUs, database {env['DATABASE_URL'].split(':')[0]}, "
          f"{traffic} per request, {args.history} past tickets, load average {' '.join(load)}")
    print(f"{'endpoint':<28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for name, r in (("GET /healthz (trivial)", trivial), ("POST /v1/assessments", assess)):
        print(f"{name:<28}{r['rps']:>10.0f}{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}{r['errors']:>8}")
    print(f"assessment / trivial throughput ratio: {ratio:.3f} (target >= 0.10); "
          f"assessment p99 {assess['p99_ms']:.1f} ms (target < 50 ms)")
    print(json.dumps({
        "trivial_rps": round(trivial["rps"], 1), "assessment_rps": round(assess["rps"], 1),
        "ratio": round(ratio, 3), "assessment_p50_ms": round(assess["p50_ms"], 2),
        "assessment_p99_ms": round(assess["p99_ms"], 2), "trivial_p99_ms": round(trivial["p99_ms"], 2),
        "errors": assess["errors"] + trivial["errors"], "cold": args.cold, "new_ticket": args.new_ticket,
        "history": args.history, "loadavg": " ".join(load),
    }))


if __name__ == "__main__":
    main()
