"""What became of inbound webhooks: the deliveries kept, with the reason each ignored one was not acted on."""
from __future__ import annotations

from flask import Blueprint, request

from sidecar.api.auth import authenticate_request, current_installation
from sidecar.api.context import request_session, respond
from sidecar.schemas import InboundListSchema, InboundQuerySchema
from sidecar.services.inbound import list_inbound

blueprint = Blueprint("inbound", __name__, url_prefix="/v1")
blueprint.before_request(authenticate_request)


@blueprint.get("/inbound")
def inbound_events():
    """Inbound deliveries, newest first (?status=ignored&system=&kind=&before=&limit=); admin only."""
    query = InboundQuerySchema().load(request.args.to_dict())
    limit = query.pop("limit")
    items = list_inbound(request_session(), installation_id=current_installation().id, limit=limit + 1, **query)
    more = len(items) > limit
    items = items[:limit]
    return respond(InboundListSchema(), {"items": items, "next_before": items[-1].id if more else None})
