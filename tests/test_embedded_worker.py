"""`sidecar serve`'s embedded worker runs in a spawned process of its own and delivers as a worker does.

It is not a thread of gunicorn's master: the worker runs the models, and ONNX Runtime, once used in a
process, makes the first session of every process forked from it hang (a web process gunicorn forks
later would never answer its first assessment).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from sidecar.cli.serve import start_embedded_worker
from sidecar.demo import set_up_demo
from tests.conftest import bearer

REFUND_TICKET = json.loads((Path(__file__).resolve().parents[1] / "sidecar" / "demo" / "refund_ticket.json")
                           .read_text(encoding="utf-8"))


def _status(client, token: str, escalation_id: str) -> str:
    return client.get(f"/v1/escalations/{escalation_id}", headers=bearer(token)).get_json()["status"]


def test_the_embedded_worker_is_a_spawned_process_that_delivers(app, client, box, config):
    with app.extensions["sidecar"].database.session() as session:
        demo = set_up_demo(session, box=box)
    created = client.post("/v1/escalations", json=REFUND_TICKET, headers=bearer(demo["api_token"]))
    assert created.status_code == 202, created.get_json()
    escalation_id = created.get_json()["id"]
    assert _status(client, demo["api_token"], escalation_id) == "pending"

    process = start_embedded_worker(config.with_overrides(job_poll_seconds=0.2))
    try:
        assert process.pid != os.getpid() and process.daemon
        deadline = time.monotonic() + 90  # a spawned interpreter imports the sidecar first
        while _status(client, demo["api_token"], escalation_id) == "pending" and time.monotonic() < deadline:
            time.sleep(0.3)
        assert _status(client, demo["api_token"], escalation_id) == "delivered"  # dry-run: every step planned
    finally:
        process.terminate()  # SIGTERM: the worker finishes its job and stops
        process.join(30)
    assert process.exitcode == 0
