"""GET /v1/jobs and POST /v1/jobs/<id>/retry: the delivery queue of the calling installation (admin only)."""
from __future__ import annotations

from flask import Blueprint, request

from sidecar.api.auth import authenticate_request, current_caller, current_installation
from sidecar.api.context import request_session, respond, runtime
from sidecar.schemas import JobListSchema, JobQuerySchema, JobSchema
from sidecar.services.delivery_queue import job_view, list_queue, retry_job

blueprint = Blueprint("jobs", __name__, url_prefix="/v1")
blueprint.before_request(authenticate_request)


@blueprint.get("/jobs")
def list_jobs():
    """Outbox jobs, newest first (?state=queued|retrying|running|dead|done&kind=&limit=&offset=)."""
    query = JobQuerySchema().load(request.args.to_dict())
    page = list_queue(request_session(), installation_id=current_installation().id, **query)
    next_offset = query["offset"] + query["limit"] if page.more else None
    return respond(JobListSchema(), {"items": [job_view(job) for job in page.items], "next_offset": next_offset})


@blueprint.post("/jobs/<job_id>/retry")
def retry(job_id: str):
    """Put a dead (or waiting) job back in the queue now; audited."""
    session = request_session()
    with runtime().database.write_lock():
        job = retry_job(session, installation_id=current_installation().id, job_id=job_id,
                        actor=f"the API ({current_caller().credential})")
        view = job_view(job)
        session.commit()
    return respond(JobSchema(), view)
