"""The delivery queue: outbox jobs by state, and the answer of a retry."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from sidecar.schemas.common import StoredTime

JOB_STATES = ("queued", "retrying", "running", "dead", "done")  # retrying: queued, waiting out a backoff


class JobQuerySchema(Schema):
    """Filters of GET /v1/jobs; pages by offset."""

    class Meta:
        unknown = RAISE

    state = fields.String(validate=validate.OneOf(JOB_STATES),
                          metadata={"description": "retrying: failed before and waiting out its backoff; queued: due "
                                                   "(not tried yet, or retried by hand); dead: parked after its last "
                                                   "attempt"})
    kind = fields.String(validate=validate.Length(min=1, max=60),
                         metadata={"description": "the job's kind, e.g. escalation.jira_issue"})
    limit = fields.Integer(load_default=50, strict=False, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, strict=False, validate=validate.Range(min=0, max=1_000_000))


class JobSchema(Schema):
    """One outbox job: what it delivers, where it is, and its last error in words."""

    id = fields.String()
    kind = fields.String()
    state = fields.String(validate=validate.OneOf(JOB_STATES))
    attempts = fields.Integer()
    max_attempts = fields.Integer()
    escalation_id = fields.String(allow_none=True)
    run_after = StoredTime(metadata={"description": "when it runs next (queued and retrying)"})
    created_at = StoredTime()
    updated_at = StoredTime()
    finished_at = StoredTime(allow_none=True)
    last_error = fields.String(allow_none=True, metadata={"description": "why the last attempt failed"})


class JobListSchema(Schema):
    """A page of jobs, newest first."""

    items = fields.List(fields.Nested(JobSchema))
    next_offset = fields.Integer(allow_none=True, metadata={"description": "pass as `offset` for the next page; "
                                                                          "null on the last page"})
