"""Fixtures of the console tests: sign in through the form, read CSRF tokens, make jobs and tokens."""
from __future__ import annotations

import re

import pytest

from sidecar.jobs.outbox import enqueue
from sidecar.services.credentials import create_token
from sidecar.store.models import Installation

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(response) -> str:
    """The CSRF token a console page carries in its forms."""
    found = CSRF.search(response.get_data(as_text=True))
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client, token: str, *, base_url: str = "http://localhost"):
    """Open the sign-in form and send it with `token`; the answer to the POST."""
    form = client.get("/admin/sign-in", base_url=base_url)
    return client.post("/admin/sign-in", data={"token": token, "csrf_token": csrf_of(form)}, base_url=base_url)


@pytest.fixture
def database(app):
    return app.extensions["sidecar"].database


@pytest.fixture
def scoped_token(database, installation):
    """Make a scoped token of the installation: scoped_token("agent") -> (id, token)."""
    def make(scope: str) -> tuple[str, str]:
        with database.session() as session:
            made = create_token(session, installation=session.get(Installation, installation["id"]), scope=scope)
            session.commit()
        return made.id, made.token
    return make


@pytest.fixture
def console(client, installation):
    """A client signed in with the installation's admin token; `console.csrf` is the session's CSRF token."""
    answer = sign_in(client, installation["api_token"])
    assert answer.status_code == 302
    client.csrf = csrf_of(client.get("/admin/directory"))
    return client


@pytest.fixture
def dead_job(database, installation):
    """A dead delivery job of the installation with its error in words; its id."""
    with database.session() as session:
        job = enqueue(session, installation_id=installation["id"], kind="escalation.slack_message", payload={})
        job.status, job.attempts, job.max_attempts = "dead", 8, 8
        job.last_error = "Slack refused the bot token: invalid_auth"
        session.commit()
        return job.id
