"""GET /v1/analytics: is escalation working? Counts, breakdowns, times and their trend (agents and admins)."""
from __future__ import annotations

from flask import Blueprint, request

from sidecar.api.auth import allow, authenticate_request, current_installation
from sidecar.api.context import request_session, respond
from sidecar.schemas import (
    AnalyticsRangeQuerySchema,
    AnalyticsSummarySchema,
    AnalyticsTimeseriesQuerySchema,
    AnalyticsTimeseriesSchema,
)
from sidecar.services.analytics import summary, timeseries
from sidecar.services.installations import installation_settings

blueprint = Blueprint("analytics", __name__, url_prefix="/v1/analytics")
blueprint.before_request(authenticate_request)


@blueprint.get("/summary")
@allow("agent")
def analytics_summary():
    """Counts, breakdowns, times to acknowledge and resolve, SLA breaches, feedback and delivery (?from=&to=)."""
    span = AnalyticsRangeQuerySchema().load(request.args.to_dict())["range"]
    installation = current_installation()
    answer = summary(request_session(), installation_id=installation.id, start=span.start, end=span.end,
                     ack_minutes=installation_settings(installation).escalation.ack_minutes)
    return respond(AnalyticsSummarySchema(), answer)


@blueprint.get("/timeseries")
@allow("agent")
def analytics_timeseries():
    """One metric per day or week (?metric=&interval=&from=&to=); every period is present."""
    query = AnalyticsTimeseriesQuerySchema().load(request.args.to_dict())
    span = query["range"]
    answer = timeseries(request_session(), installation_id=current_installation().id, metric=query["metric"],
                        interval=query["interval"], start=span.start, end=span.end)
    return respond(AnalyticsTimeseriesSchema(), answer)
