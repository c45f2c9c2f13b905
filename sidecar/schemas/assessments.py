"""An assessment as the API returns it, its listing, and the feedback an agent gives on it."""
from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from sidecar.domain.statuses import FeedbackRating, Recommendation
from sidecar.intelligence.assessment import CATEGORIES
from sidecar.intelligence.ticket import SOURCES
from sidecar.schemas.common import LEVELS, DerivedNested, ExternalId, RequestSchema, StoredTime
from sidecar.schemas.routes import RouteSchema, SimilarIncidentSchema
from sidecar.schemas.tickets import TicketRefSchema


class CategorySchema(Schema):
    """A category the ticket falls in."""

    name = fields.String(validate=validate.OneOf(CATEGORIES))
    confidence = fields.Float()


class SignalSchema(Schema):
    """One reason behind the score, with its evidence."""

    name = fields.String()
    contribution = fields.Float()
    evidence = fields.String()
    category = fields.String(allow_none=True)


class ShadowScoreSchema(Schema):
    """The score another model gave the same ticket (stored, never acted on)."""

    model_version = fields.String()
    score = fields.Float()


class AssessmentSchema(Schema):
    """An assessment as the API returns it."""

    # Dumped from a stored AssessmentRecord: its id, ticket and time are columns, the answer is its `result`.
    id = fields.String()
    ticket = DerivedNested(TicketRefSchema, getter=lambda record: {"source": record.ticket_source,
                                                                   "id": record.ticket_external_id})
    score = fields.Float(attribute="result.score",
                         metadata={"description": "0 to 1: how much the ticket needs a human expert"})
    level = fields.String(attribute="result.level", validate=LEVELS)
    recommendation = fields.String(attribute="result.recommendation",
                                   validate=validate.OneOf([s.value for s in Recommendation]))
    categories = fields.List(fields.Nested(CategorySchema), attribute="result.categories")
    signals = fields.List(fields.Nested(SignalSchema), attribute="result.signals")
    model_version = fields.String(attribute="result.model_version")
    shadow = fields.Nested(ShadowScoreSchema, attribute="result.shadow", metadata={
        "description": "present when the scoring settings name a shadow model: its score for the same ticket"})
    route = fields.Nested(RouteSchema, attribute="result.route")
    similar = fields.List(fields.Nested(SimilarIncidentSchema), attribute="result.similar")
    created_at = StoredTime()


class AssessmentListSchema(Schema):
    """A page of assessments, newest first."""

    items = fields.List(fields.Nested(AssessmentSchema))


class AssessmentListQuerySchema(Schema):
    """Query string of GET /v1/assessments."""

    class Meta:
        unknown = EXCLUDE

    source = fields.String(validate=validate.OneOf(SOURCES))
    ticket_id = ExternalId(integers=False, metadata={"description": "an empty value is refused, not 'any ticket'"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class FeedbackAnswerSchema(Schema):
    """A rating as stored."""

    id = fields.Integer()
    assessment_id = fields.String()
    rating = fields.String(validate=validate.OneOf([s.value for s in FeedbackRating]))
    note = fields.String()
    agent = fields.String(allow_none=True)
    created_at = StoredTime()


class FeedbackSchema(RequestSchema):
    """Body of POST /v1/assessments/<id>/feedback."""

    class Meta:
        unknown = RAISE

    rating = fields.String(required=True, validate=validate.OneOf([s.value for s in FeedbackRating]))
    note = fields.String(load_default="", validate=validate.Length(max=5000))
    agent = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                          metadata={"description": "who rated it (the agent's name or id)"})
