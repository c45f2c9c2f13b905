"""What a job handler gets and may raise: the job's context, the permanent-failure error, the handler shape.

Its own module (not the worker's) so handlers import it while the worker imports the handlers
(`jobs.registry`) at module level, without a circle.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from sidecar.clients.errors import ApiError
from sidecar.domain.statuses import AuditOutcome
from sidecar.jobs import outbox
from sidecar.jobs.connections import HeldConnections
from sidecar.jobs.outbox import ClaimedJob
from sidecar.metrics.families import count_delivery
from sidecar.store.crypto import SecretBox
from sidecar.store.db import Database
from sidecar.store.models import AuditEntry, utcnow

MAX_CACHED = 256
# Audit outcomes that are delivery attempts (metrics): a vendor called, or (dry-run) the request planned.
_DELIVERY_MODES: dict[str, str] = {AuditOutcome.OK: "live", AuditOutcome.ERROR: "live", AuditOutcome.DRY_RUN: "dry_run"}


class PermanentJobError(Exception):
    """A job cannot succeed until a person changes something (configuration, data); do not retry it."""


@dataclass
class JobContext:
    """What a handler gets: the database, the secret box, settings, the held job and an audit trail."""

    database: Database
    box: SecretBox
    job: ClaimedJob
    templates_dir: str | None = None
    clients: OrderedDict = field(default_factory=OrderedDict)  # the worker's clients and contexts, reused by its jobs
    allow_private_urls: bool = False  # SIDECAR_ALLOW_PRIVATE_URLS, handed to every client the jobs build
    connections: HeldConnections | None = None  # the worker's kept connections; None: fresh ones from the pool
    _audit: list[dict[str, Any]] = field(default_factory=list)

    def reading(self) -> AbstractContextManager[Connection]:
        """A connection for a read outside any transaction (the worker's kept one when it has one)."""
        if self.connections is None:
            return self.database.engine.connect()
        return self.connections.reading()

    def writing(self) -> AbstractContextManager[Connection]:
        """A connection in one short write transaction under the write lock (the worker's kept one if any)."""
        if self.connections is None:
            return self.database.write_connection()
        return self.connections.writing()

    def cached(self, key: Any, factory: Callable[[], Any]) -> Any:
        """A value (a client, a rendering context) built once per key and reused by later jobs; LRU-bounded."""
        if key in self.clients:
            self.clients.move_to_end(key)
            return self.clients[key]
        value = self.clients[key] = factory()
        while len(self.clients) > MAX_CACHED:
            self.clients.popitem(last=False)  # least recently used first
        return value

    finished: bool = False

    def finish(self, session) -> bool:
        """Mark the job done and store its audit notes inside the caller's transaction (one commit, not two).

        False when this worker no longer holds the job's lease: the caller records nothing else, and
        the audit log says the late result was discarded.
        """
        held = outbox.complete(session, self.job)
        if not held:
            self.note_discarded(session)
        self.store_audit(session)
        self.finished = True
        return held

    def note_discarded(self, session) -> None:
        """Note that this attempt's result came after its lease passed on, so it was not recorded."""
        if not outbox.exists(session, self.job.id):
            return  # deleted with its data (an erasure, the installation deleted): nobody to tell
        self.audit(system="outbox", action="late_result_discarded", target=self.job.id, outcome=AuditOutcome.REFUSED,
                   detail=f"job {self.job.id} ({self.job.kind}) attempt {self.job.attempts}: the lease passed to "
                          "another worker or the job was settled before this result arrived; nothing recorded")

    def store_audit(self, session) -> None:
        """Write the audit notes gathered so far in the caller's transaction (session or connection)."""
        if self._audit:
            session.execute(insert(AuditEntry.__table__), [
                {"installation_id": self.job.installation_id, "escalation_id": self.job.escalation_id,
                 "job_id": self.job.id, **entry} for entry in self._audit])
        self._audit.clear()

    def audit(self, *, system: str, action: str, target: str, outcome: str, detail: str = "") -> None:
        """Note one outbound write (or its dry-run); the worker stores the notes whatever the job's fate."""
        # Every vendor call a job makes passes here (through `call`) or is planned here (dry-run): one count each.
        if outcome in _DELIVERY_MODES:
            count_delivery(system, mode=_DELIVERY_MODES[outcome], failed=outcome == AuditOutcome.ERROR)
        self._audit.append({"system": system, "action": action, "target": target[:200], "outcome": outcome,
                            "detail": detail[:4000], "at": utcnow()})

    def call(self, system: str, action: str, target: str, function: Callable[..., Any], *args: Any,
             **kwargs: Any) -> Any:
        """Make one outbound call and note it in the audit trail, success or failure."""
        try:
            result = function(*args, **kwargs)
        except ApiError as exc:
            self.audit(system=system, action=action, target=target, outcome=AuditOutcome.ERROR, detail=exc.message)
            raise
        self.audit(system=system, action=action, target=target, outcome=AuditOutcome.OK)
        return result


class JobHandler(Protocol):
    """One job kind: `run` does the work (idempotently); `on_settled` hears how an attempt ended."""

    def run(self, ctx: JobContext) -> None: ...

    def on_settled(self, ctx: JobContext, *, status: str, error: str | None) -> None: ...
