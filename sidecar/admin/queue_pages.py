"""The delivery queue page: jobs queued, retrying, running, dead or done with their errors in words, and a
Retry button on dead jobs (services/delivery_queue.py, the same path as POST /v1/jobs/<id>/retry)."""
from __future__ import annotations

from flask import redirect, request, url_for

from sidecar.admin.console import actor, blueprint, installation, render_page
from sidecar.admin.forms import problems
from sidecar.api.context import request_session, runtime
from sidecar.errors import ServiceError
from sidecar.schemas.jobs import JOB_STATES
from sidecar.services.delivery_queue import job_state, list_queue, retry_job

PAGE_SIZE = 25


def _page_number() -> int:
    text = request.args.get("page", "1")
    return max(int(text), 1) if text.isdigit() and len(text) < 7 else 1


@blueprint.get("/queue")
def queue():
    """One page of the installation's jobs, newest first, filtered by state and kind."""
    state = request.args.get("state") or None
    kind = (request.args.get("kind") or "").strip()[:60] or None
    errors = None
    if state not in (None, *JOB_STATES):
        errors, state = [f"state must be one of {', '.join(JOB_STATES)}"], None
    number = _page_number()
    page = list_queue(request_session(), installation_id=installation().id, state=state, kind=kind,
                      limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    retried = request.args.get("retried")
    return render_page("queue.html", title="Delivery queue", jobs=[(job, job_state(job)) for job in page.items],
                       more=page.more, number=number, states=JOB_STATES, state=state or "", kind=kind or "",
                       errors=errors, notice=f"Job {retried} is back in the queue." if retried else None)


@blueprint.post("/queue/<job_id>/retry")
def retry(job_id: str):
    """Put a dead job back in the queue now; audited with the console session's token id."""
    session = request_session()
    try:
        with runtime().database.write_lock():
            job = retry_job(session, installation_id=installation().id, job_id=job_id, actor=actor())
            session.commit()
    except ServiceError as exc:
        session.rollback()
        return render_page("error.html", title="The job was not retried", message=problems(exc)[0]), exc.status
    return redirect(url_for("admin.queue", retried=job.id, state=request.form.get("state") or None))
