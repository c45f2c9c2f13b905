"""Every job kind the worker runs, and its handler."""
from __future__ import annotations


def all_handlers() -> dict:
    """{job kind: handler} for escalation delivery, the work after the handoff and the retention purge."""
    from sidecar.jobs import after_handoff, escalation_delivery, retention

    return {**escalation_delivery.HANDLERS, **after_handoff.HANDLERS, **retention.HANDLERS}
