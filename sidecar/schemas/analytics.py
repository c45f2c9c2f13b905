"""Shapes of the analytics: the `from`/`to` query, the summary and the time series (GET /v1/analytics/...)."""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

from sidecar.domain.analytics import INTERVALS, MAX_RANGE_DAYS, METRICS, DateRange, DateRangeError
from sidecar.domain.statuses import AssessmentLevel, EscalationStatus
from sidecar.schemas.common import StoredDate
from sidecar.store.models import utcnow


class AnalyticsRangeQuerySchema(Schema):
    """`from` and `to`: UTC days, both included; loads to {"range": DateRange}."""

    class Meta:
        unknown = RAISE

    start = fields.Date(data_key="from", metadata={
        "description": f"first UTC day (YYYY-MM-DD); default: 29 days before `to`; at most {MAX_RANGE_DAYS} days"})
    end = fields.Date(data_key="to", metadata={"description": "last UTC day, included (YYYY-MM-DD); default: today"})

    @post_load
    def _date_range(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        try:
            span = DateRange.of(data.pop("start", None), data.pop("end", None), today=utcnow().date())
        except DateRangeError as exc:
            raise ValidationError({exc.parameter: [exc.message]}) from None
        return {**data, "range": span}


class AnalyticsTimeseriesQuerySchema(AnalyticsRangeQuerySchema):
    """Which series, per day or per week (weeks start on Monday), over `from`..`to`."""

    metric = fields.String(required=True, validate=validate.OneOf(METRICS), metadata={
        "description": "assessments or escalations: counts; ack_time or resolve_time: seconds to acknowledge or "
                       "resolve of the escalations made in each period (count, p50, p90)"})
    interval = fields.String(load_default="day", validate=validate.OneOf(INTERVALS))


class _AssessmentCountsSchema(Schema):
    total = fields.Integer()
    by_level = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": f"every level ({', '.join(AssessmentLevel)}), 0 when none"})
    recommended_escalation = fields.Integer(metadata={"description": "assessments recommending escalation"})


class _EscalationCountsSchema(Schema):
    total = fields.Integer()
    by_category = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "by primary category (the assessment's strongest reason); `none` when it had none"})
    by_team = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "by the team's name when escalated; `none` when unrouted"})
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": f"every status ({', '.join(EscalationStatus)}), 0 when none"})


class PercentilesSchema(Schema):
    """Seconds, nearest-rank percentiles; p50 and p90 are null when count is 0."""

    count = fields.Integer()
    p50 = fields.Float(allow_none=True)
    p90 = fields.Float(allow_none=True)


class _FeedbackCountsSchema(Schema):
    right = fields.Integer()
    wrong = fields.Integer()


class _DeliveryCountsSchema(Schema):
    dead_jobs = fields.Integer(metadata={"description": "outbox jobs made in the range that are dead now"})
    retried_jobs = fields.Integer(metadata={"description": "the others that ran more than once (attempts > 1)"})


class AnalyticsSummarySchema(Schema):
    """What was assessed and escalated in a range, how fast experts answered, what agents said, what failed."""

    start = StoredDate(attribute="from", data_key="from")
    end = StoredDate(attribute="to", data_key="to")
    timezone = fields.String(metadata={"description": "days are UTC days"})
    assessments = fields.Nested(_AssessmentCountsSchema)
    escalations = fields.Nested(_EscalationCountsSchema)
    time_to_acknowledge_seconds = fields.Nested(PercentilesSchema, metadata={
        "description": "escalations made in the range that were acknowledged"})
    time_to_resolve_seconds = fields.Nested(PercentilesSchema, metadata={
        "description": "escalations made in the range that are resolved"})
    ack_sla_minutes = fields.Integer(metadata={"description": "the installation's ack_minutes"})
    ack_sla_breaches = fields.Integer(metadata={
        "description": "escalations made in the range acknowledged later than ack_sla_minutes after they were made, "
                       "or still open and unacknowledged past it"})
    feedback = fields.Nested(_FeedbackCountsSchema)
    suggested_expert_kept_rate = fields.Float(allow_none=True, metadata={
        "description": "of the escalations whose route suggested an expert, the share sent to that expert; null "
                       "when none had a suggestion"})
    delivery = fields.Nested(_DeliveryCountsSchema)


class TimeseriesPointSchema(Schema):
    """One period: its first day (a Monday for weeks), the count, and for times p50/p90 in seconds."""

    period = StoredDate()
    count = fields.Integer()
    p50 = fields.Float(allow_none=True, metadata={"description": "ack_time and resolve_time only"})
    p90 = fields.Float(allow_none=True, metadata={"description": "ack_time and resolve_time only"})


class AnalyticsTimeseriesSchema(Schema):
    """A metric per day or week; every period of the range is present (count 0 when empty)."""

    metric = fields.String(validate=validate.OneOf(METRICS))
    interval = fields.String(validate=validate.OneOf(INTERVALS))
    start = StoredDate(attribute="from", data_key="from")
    end = StoredDate(attribute="to", data_key="to")
    timezone = fields.String()
    points = fields.List(fields.Nested(TimeseriesPointSchema))
