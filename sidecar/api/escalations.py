"""POST/GET /v1/escalations: hand a ticket to a human expert, and follow the delivery."""
from __future__ import annotations

from flask import Blueprint, request
from flask.blueprints import BlueprintSetupState
from werkzeug.routing import BaseConverter

from sidecar.api.auth import allow, authenticate_request, current_caller, current_installation
from sidecar.api.context import json_body, request_session, respond, runtime
from sidecar.errors import InvalidInput
from sidecar.rendering.environment import template_environment
from sidecar.schemas import (
    EscalationListQuerySchema,
    EscalationListSchema,
    EscalationPreviewSchema,
    EscalationRequestSchema,
    EscalationSchema,
)
from sidecar.services.assessments import resolve_ticket
from sidecar.services.connections import load_connections
from sidecar.services.escalation_rendering import preview
from sidecar.services.escalation_views import escalation_view
from sidecar.services.escalations import (
    get_escalation,
    list_escalations,
    plan_escalation,
    start_escalation,
    who_escalated,
)
from sidecar.services.installations import installation_settings

blueprint = Blueprint("escalations", __name__, url_prefix="/v1")
blueprint.before_request(authenticate_request)


class EscalationIdConverter(BaseConverter):
    """An escalation id in a path: any segment but 'preview', so GET /v1/escalations/preview is a 405 (and
    OPTIONS says POST only) instead of falling through to a 404 for an escalation named 'preview'."""

    regex = r"(?!preview(?:/|$))[^/]+"


def _add_converter(state: BlueprintSetupState) -> None:
    state.app.url_map.converters.setdefault("escalation_id", EscalationIdConverter)


# Recorded before the routes below, so the converter exists when their rules are added.
blueprint.record_once(_add_converter)

MAX_IDEMPOTENCY_KEY = 200


def idempotency_key() -> str | None:
    """The request's Idempotency-Key header, checked (printable ASCII, at most 200 characters)."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY or not key.isascii() or not key.isprintable():
        raise InvalidInput(f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} printable ASCII characters",
                           details={"Idempotency-Key": "invalid"})
    return key


@blueprint.post("/escalations")
@allow("agent")
def create_escalation():
    """Escalate a ticket: 202 with the planned steps, or 200 with the escalation that already exists."""
    payload = json_body(EscalationRequestSchema())
    key = idempotency_key()
    caller = current_caller()
    installation = caller.installation
    box = runtime().box
    ticket = resolve_ticket(installation=installation, payload=payload, box=box)
    session = request_session()
    with runtime().database.write_lock():
        installation = session.merge(installation)
        start = start_escalation(
            session, installation=installation, ticket=ticket, connections=load_connections(installation, box=box),
            note=payload["note"], team_id=payload["team_id"], expert_id=payload["expert_id"],
            link_to=payload["link_to"], link_resolved=payload["link_resolved"], idempotency_key=key,
            summary=payload["summary"],
            escalated_by=who_escalated(payload["escalated_by"], signed=caller.identity), credential=caller.credential,
        )
        session.commit()
    response = respond(EscalationSchema(), escalation_view(session, start.escalation), 202 if start.created else 200)
    response.headers["Location"] = f"/v1/escalations/{start.escalation.id}"
    return response


@blueprint.post("/escalations/preview")
@allow("agent")
def preview_escalation():
    """What escalating this ticket would write (Jira issue, Slack message), with the agent's choices; writes nothing."""
    payload = json_body(EscalationRequestSchema())
    installation = current_installation()
    box = runtime().box
    ticket = resolve_ticket(installation=installation, payload=payload, box=box)
    connections = load_connections(installation, box=box)
    session = request_session()
    plan = plan_escalation(session, installation=installation, ticket=ticket, connections=connections,
                           team_id=payload["team_id"], expert_id=payload["expert_id"], link_to=payload["link_to"],
                           summary=payload["summary"],
                           escalated_by=who_escalated(payload["escalated_by"], signed=current_caller().identity))
    session.rollback()  # searching and routing read only; nothing of a preview is kept
    shown = preview(plan, note=payload["note"], link_to=payload["link_to"],
                    settings=installation_settings(installation).escalation, project=connections.get("jira.project"),
                    issue_type=connections["jira.issue_type"], env=template_environment(runtime().config.templates_dir))
    return respond(EscalationPreviewSchema(), shown)


@blueprint.get("/escalations")
@allow("read")
def list_escalations_view():
    """This installation's escalations, newest first (?source=&ticket_id=&status=&limit=)."""
    query = EscalationListQuerySchema().load(request.args.to_dict())
    session = request_session()
    items = list_escalations(session, installation_id=current_installation().id, **query)
    return respond(EscalationListSchema(), {"items": [escalation_view(session, e) for e in items]})


@blueprint.get("/escalations/<escalation_id:escalation_id>")
@allow("read")
def get_escalation_view(escalation_id: str):
    """One escalation: status of each step, Jira key and URL, Slack permalink, errors in words."""
    session = request_session()
    escalation = get_escalation(session, installation_id=current_installation().id, escalation_id=escalation_id)
    return respond(EscalationSchema(), escalation_view(session, escalation))
