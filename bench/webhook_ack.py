"""Webhook acknowledgement latency: how fast a signed vendor webhook is answered, under load.

Starts the sidecar as production runs it (`sidecar serve`: gunicorn, 2 gthread workers, and the
embedded outbox worker working off what the webhooks queue, on SQLite unless DATABASE_URL says
otherwise), configures an installation's Jira webhook secret, signs N distinct Jira comment webhooks
beforehand (real HMAC, distinct X-Atlassian-Webhook-Identifier each), and sends them from C concurrent
keep-alive connections. Every answer must be 200 "accepted". Prints requests/s and p50/p95/p99/max
acknowledgement latency and, last, one JSON line. Target: p99 under 100 ms.

    python bench/webhook_ack.py [--requests 2000] [--connections 8]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

# Run as a script from a checkout that need not be installed: this repository's sidecar. A sys.path
# change before the imports is what ruff's E402 allows, so ROOT is set after them.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from assessment_throughput import free_port, wait_until_up

from sidecar.webhooks.verification import sign_jira

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

SECRET = "bench-jira-webhook-secret"


def jira_comment(number: int) -> bytes:
    """A Jira comment_created webhook body (as Jira Cloud sends it) for issue ESC-<n>, new every time."""
    payload = json.loads((ROOT / "tests" / "fixtures" / "jira" / "webhook_comment_created.json").read_text())
    payload["timestamp"] = int(time.time() * 1000)
    payload["issue"]["key"] = f"ESC-{number % 500 + 1}"
    payload["comment"]["id"] = str(100000 + number)
    return json.dumps(payload).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="sidecar-bench-"))
    sidecar = str(BIN / "sidecar")
    env = {**os.environ, "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}",
           "LOG_LEVEL": "warning"}
    env["SIDECAR_ENCRYPTION_KEY"] = env.get("SIDECAR_ENCRYPTION_KEY") or subprocess.run(
        [sidecar, "keygen"], capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([sidecar, "db", "upgrade"], env=env, check=True, capture_output=True)
    created = subprocess.run([sidecar, "installation", "create", "--name", "bench", "--source", "zendesk"], env=env,
                             check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    installation_id = json.loads(created)["id"]
    subprocess.run([sidecar, "installation", "configure", installation_id, "--set", f"jira.webhook_secret={SECRET}"],
                   env=env, check=True, capture_output=True)

    port = free_port()
    server = subprocess.Popen([sidecar, "serve", "--port", str(port), "--workers", str(args.workers)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/healthz")
        url = f"{base}/webhooks/jira/{installation_id}"
        bodies = [jira_comment(n) for n in range(args.requests)]
        signed = [(body, {**sign_jira(body, SECRET), "X-Atlassian-Webhook-Identifier": f"bench-{n}",
                          "Content-Type": "application/json"}) for n, body in enumerate(bodies)]
        # Warm up (imports, connection pools, prepared statements) with bodies of its own: the same signed body
        # under another delivery id would be a replay, answered "duplicate" and counted as a failure below.
        for n in range(20):
            warm = jira_comment(args.requests + n)
            requests.post(url, data=warm, headers={**sign_jira(warm, SECRET), "Content-Type": "application/json",
                                                   "X-Atlassian-Webhook-Identifier": f"warm-{n}"}, timeout=10)
        latencies: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()
        queue = list(reversed(signed))

        def sender() -> None:
            session = requests.Session()
            while True:
                with lock:
                    if not queue:
                        return
                    body, headers = queue.pop()
                started = time.perf_counter()
                response = session.post(url, data=body, headers=headers, timeout=10)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if response.status_code != 200 or response.json().get("status") != "accepted":
                        failures.append(f"{response.status_code} {response.text[:100]}")

        started = time.perf_counter()
        threads = [threading.Thread(target=sender) for _ in range(args.connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(20)

    ordered = sorted(latencies)

    def percentile(p: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    result = {"requests": len(latencies), "connections": args.connections, "seconds": round(seconds, 2),
              "rps": round(len(latencies) / seconds, 1), "p50_ms": round(percentile(50), 1),
              "p95_ms": round(percentile(95), 1), "p99_ms": round(percentile(99), 1),
              "max_ms": round(1000 * ordered[-1], 1), "mean_ms": round(1000 * statistics.mean(ordered), 1),
              "failures": len(failures)}
    print(f"{result['requests']} signed Jira webhooks, {args.connections} connections, {result['rps']} req/s")
    print(f"acknowledgement latency: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms, "
          f"max {result['max_ms']} ms (target p99 < 100 ms); failures: {len(failures)}")
    if failures:
        print("first failure:", failures[0])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
