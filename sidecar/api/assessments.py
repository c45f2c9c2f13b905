"""POST/GET /v1/assessments: does this ticket need a human expert, and why?"""
from __future__ import annotations

from flask import Blueprint, request

from sidecar.api.auth import allow, authenticate_request, current_installation
from sidecar.api.context import json_body, request_session, respond, runtime
from sidecar.metrics.families import count_assessment
from sidecar.schemas import (
    AssessmentListQuerySchema,
    AssessmentListSchema,
    AssessmentRequestSchema,
    AssessmentSchema,
    FeedbackAnswerSchema,
    FeedbackSchema,
)
from sidecar.services.assessments import (
    assess,
    get_assessment,
    list_assessments,
    record_feedback,
    resolve_ticket,
    store_assessment,
)

blueprint = Blueprint("assessments", __name__, url_prefix="/v1")
blueprint.before_request(authenticate_request)

_request_schema = AssessmentRequestSchema()
_query_schema = AssessmentListQuerySchema()
_assessment_schema = AssessmentSchema()


@blueprint.post("/assessments")
@allow("agent")
def create_assessment():
    """Assess a ticket (given inline or fetched by reference) and store the answer."""
    payload = json_body(_request_schema)
    installation = current_installation()
    ticket = resolve_ticket(installation=installation, payload=payload, box=runtime().box)
    session = request_session()
    # Only the writes hold the lock: SQLite takes one writer at a time (across both gunicorn
    # workers), and the reading and scoring before them are most of an assessment's time.
    result = assess(session, installation=installation, ticket=ticket)
    with runtime().database.write_lock():
        record = store_assessment(session, installation=installation, ticket=ticket, result=result)
        session.commit()
    count_assessment(record.level, trigger="api")
    return respond(_assessment_schema, record, 201)


@blueprint.get("/assessments")
@allow("read")
def list_assessments_view():
    """This installation's stored assessments, newest first."""
    query = _query_schema.load(request.args.to_dict())
    records = list_assessments(request_session(), installation=current_installation(), **query)
    return respond(AssessmentListSchema(), {"items": records})


@blueprint.get("/assessments/<assessment_id>")
@allow("read")
def get_assessment_view(assessment_id: str):
    """One stored assessment of this installation."""
    record = get_assessment(request_session(), installation=current_installation(), assessment_id=assessment_id)
    return respond(_assessment_schema, record)


@blueprint.post("/assessments/<assessment_id>/feedback")
@allow("agent")
def rate_assessment(assessment_id: str):
    """An agent's rating of an assessment (right or wrong, with a note); `sidecar train` learns from it."""
    body = json_body(FeedbackSchema())
    session = request_session()
    with runtime().database.write_lock():
        feedback = record_feedback(session, installation=current_installation(), assessment_id=assessment_id, **body)
        session.commit()
    return respond(FeedbackAnswerSchema(), feedback, 201)
