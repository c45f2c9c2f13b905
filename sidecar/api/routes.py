"""POST /v1/routes and GET /v1/tickets/<source>/<id>/similar: who should take this, and has it happened before?"""
from __future__ import annotations

from flask import Blueprint, request

from sidecar.api.auth import allow, authenticate_request, current_installation
from sidecar.api.context import json_body, request_session, respond, runtime
from sidecar.errors import InvalidInput
from sidecar.intelligence.ticket import SOURCES, Ticket
from sidecar.schemas import (
    AssessmentRequestSchema,
    RouteSchema,
    SimilarListSchema,
    SimilarQuerySchema,
)
from sidecar.services.assessments import resolve_ticket, score_ticket
from sidecar.services.history_tickets import ticket_from_history
from sidecar.services.routing import route_ticket
from sidecar.services.similar_incidents import find_similar

blueprint = Blueprint("routes", __name__, url_prefix="/v1")
blueprint.before_request(authenticate_request)

_request_schema = AssessmentRequestSchema()


@blueprint.post("/routes")
@allow("agent")
def create_route():
    """The routing decision alone (team, expert, confidence, reasons, alternatives) for a ticket."""
    payload = json_body(_request_schema)
    installation = current_installation()
    ticket = resolve_ticket(installation=installation, payload=payload, box=runtime().box)
    session = request_session()
    assessment = score_ticket(session, installation=installation, ticket=ticket)[0]  # the chosen model's score
    similar = find_similar(session, installation=installation, ticket=ticket)
    return respond(RouteSchema(), route_ticket(session, installation=installation, ticket=ticket,
                                               assessment=assessment, similar=similar))


@blueprint.get("/tickets/<source>/<ticket_id>/similar")
@allow("read")
def similar_for_ticket(source: str, ticket_id: str):
    """Similar past tickets and Jira issues for a ticket already in the history (assessed or imported)."""
    if source not in SOURCES + ("jira", "file"):
        raise InvalidInput(f"source must be one of {', '.join(SOURCES + ('jira', 'file'))}", details={"source": source})
    query = SimilarQuerySchema().load(request.args.to_dict())
    session = request_session()
    ticket: Ticket = ticket_from_history(session, installation=current_installation(), source=source,
                                         external_id=ticket_id)
    items = find_similar(session, installation=current_installation(), ticket=ticket, limit=query["limit"],
                         history_key=(source, ticket_id))
    return respond(SimilarListSchema(), {"ticket": {"source": source, "id": ticket_id}, "items": items})
