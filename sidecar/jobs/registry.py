"""Every job kind the worker runs, and its handler."""
from __future__ import annotations

from sidecar.jobs import after_handoff, escalation_delivery, history_recording, retention
from sidecar.jobs.context import JobHandler


def all_handlers() -> dict[str, JobHandler]:
    """{job kind: handler} for escalation delivery, the work after the handoff, history recording and retention."""
    return {**escalation_delivery.HANDLERS, **after_handoff.HANDLERS, **history_recording.HANDLERS,
            **retention.HANDLERS}
