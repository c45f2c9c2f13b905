"""Tests' helper: run the queued `history.record` jobs, as the outbox worker does after an assessment."""
from __future__ import annotations

from sidecar.jobs import history_recording
from sidecar.jobs.worker import Worker
from sidecar.store.crypto import SecretBox
from sidecar.store.db import Database
from tests.conftest import ENCRYPTION_KEY


def record_assessed_tickets(database: Database) -> int:
    """Record every assessed ticket still queued for the history; returns how many worker runs it took."""
    worker = Worker(database, box=SecretBox((ENCRYPTION_KEY,)), handlers=history_recording.HANDLERS,
                    worker_id="history-test", claim_batch=1)
    return worker.drain()
