"""The inbound events page (what became of each webhook, why ignored ones were not acted on) and the audit
log, each filtered and paged newest first by id, as GET /v1/inbound and GET /v1/audit read them."""
from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import ValidationError

from sidecar.admin.console import blueprint, installation, render_page
from sidecar.admin.forms import problems
from sidecar.api.context import request_session
from sidecar.domain.statuses import AuditOutcome, InboundStatus
from sidecar.schemas import InboundQuerySchema
from sidecar.schemas.inbound import INBOUND_SYSTEMS
from sidecar.services.audit import list_audit
from sidecar.services.inbound import list_inbound

PAGE_SIZE = 50
AUDIT_SYSTEMS = ("sidecar", "jira", "slack", "zendesk", "salesforce", "llm")


def _filters(names: tuple[str, ...]) -> dict[str, str]:
    return {name: (request.args.get(name) or "").strip() for name in names if (request.args.get(name) or "").strip()}


def _before() -> int | None:
    text = request.args.get("before", "")
    return int(text) if text.isdigit() and len(text) < 19 else None


@blueprint.get("/inbound")
def inbound() -> str:
    """Inbound deliveries, newest first; ?status=ignored shows what was not acted on and why."""
    filters = _filters(("status", "system", "kind"))
    errors: list[str] | None = None
    try:
        query = InboundQuerySchema().load({**filters, "limit": PAGE_SIZE})
    except ValidationError as exc:
        errors, query = problems(exc), {"limit": PAGE_SIZE}
    query.pop("limit")
    items = list_inbound(request_session(), installation_id=installation().id, limit=PAGE_SIZE + 1,
                         before=_before(), **query)
    return _log_page("inbound.html", "Inbound events", items, filters, errors,
                     statuses=[s.value for s in InboundStatus], systems=INBOUND_SYSTEMS)


@blueprint.get("/audit")
def audit() -> str:
    """The audit log, newest first, by system, outcome and escalation."""
    filters = _filters(("system", "outcome", "escalation_id"))
    items = list_audit(request_session(), installation_id=installation().id, limit=PAGE_SIZE + 1, before=_before(),
                       **filters)
    return _log_page("audit.html", "Audit log", items, filters, None, systems=AUDIT_SYSTEMS,
                     outcomes=[o.value for o in AuditOutcome])


def _log_page(template: str, title: str, items: list[Any], filters: dict[str, str], errors: list[str] | None,
              **choices: Any) -> str:
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    return render_page(template, title=title, items=items, filters=filters, errors=errors,
                       next_before=items[-1].id if more else None, first_page=_before() is None, **choices)
