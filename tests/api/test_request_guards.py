"""Inputs refused before any view: a NUL byte anywhere a value is read, a chunked body over the limit.

Every rule of the app's URL map is walked, with every method it answers, so a route added later is
covered without anyone remembering to add it here.
"""
from __future__ import annotations

import dataclasses
import io
import json
import re
import time

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from sidecar import create_app
from sidecar.webhooks.verification import sign_jira, sign_salesforce, sign_slack, sign_zendesk
from tests.conftest import FIXTURES, bearer, zaf_jwt
from tests.escalation_support import configure

_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
NUL_CODE = "nul_in_request"


@pytest.fixture(scope="module")
def preview_app(config):
    """The app as `sidecar demo` builds it: the preview blueprint's routes too."""
    return create_app(dataclasses.replace(config, preview_token="preview-token"))


def requests_with_nul(app):
    """(method, url) for every rule and method: a NUL in each path variable in turn, then in a query value."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        names = _VARIABLE.findall(rule.rule)
        urls = [_VARIABLE.sub(lambda m, bad=bad: "x%00" if m.group(1) == bad else "x", rule.rule) for bad in names]
        plain = _VARIABLE.sub("x", rule.rule)
        urls += [f"{plain}?ticket_id=a%00b", f"{plain}?source=zendesk&limit=5&q=%00", f"{plain}?a%00b=1"]
        for method in sorted(rule.methods):
            for url in urls:
                yield method, url


def assert_refused(response, method, url):
    assert response.status_code == 400, (method, url, response.status_code, response.get_data(as_text=True))
    if method != "HEAD":  # a HEAD answer has no body
        error = response.get_json()["error"]
        assert set(error) == {"code", "message", "details"} and error["code"] == NUL_CODE, (method, url, error)
        assert error["message"] and error["details"]["in"] in ("path", "query")


@pytest.mark.parametrize("credentials", ["none", "api_token", "zaf_jwt", "bad_token"])
def test_a_nul_in_any_path_variable_or_query_value_of_any_route_is_a_400(app, client, installation, credentials):
    headers = {"none": {}, "api_token": bearer(installation["api_token"]),
               "zaf_jwt": bearer(zaf_jwt(installation)), "bad_token": bearer("not-a-token")}[credentials]
    seen = 0
    for method, url in requests_with_nul(app):
        assert_refused(client.open(url, method=method, headers=headers, json={} if method in (
            "POST", "PUT", "PATCH") else None), method, url)
        seen += 1
    assert seen > 150  # every /v1, webhook, health and static rule, every method


def test_the_preview_routes_refuse_a_nul_too(preview_app):
    client = preview_app.test_client()
    rules = {rule.rule for rule in preview_app.url_map.iter_rules()}
    assert "/preview/zendesk/<path:name>" in rules
    for method, url in requests_with_nul(preview_app):
        assert_refused(client.open(url, method=method), method, url)


def test_the_issues_examples_are_400_json_with_no_stack_trace(client, installation, caplog):
    token = bearer(installation["api_token"])
    examples = [("GET", "/v1/assessments?ticket_id=a%00b", token), ("GET", "/v1/experts/x%00", token),
                ("POST", "/webhooks/zendesk/x%00", {}), ("GET", "/v1/experts/x%00", {}),
                ("GET", "/v1/tickets/zendesk/1%00/similar", token), ("DELETE", "/v1/teams/%00", token)]
    for method, url, headers in examples:
        response = client.open(url, method=method, headers=headers)
        assert response.status_code == 400 and response.get_json()["error"]["code"] == NUL_CODE, (url, response)
        assert response.headers["X-Request-Id"]
    assert not [r for r in caplog.records if r.exc_info], "a refused NUL must not log a stack trace"


@pytest.mark.parametrize("header", ["Idempotency-Key", "X-Request-Id", "X-Zendesk-Webhook-Invocation-Id",
                                    "X-Atlassian-Webhook-Identifier", "X-Slack-Retry-Num"])
def test_a_nul_in_a_header_read_as_a_value_is_a_400(client, installation, header):
    for method, url in [("POST", "/v1/escalations"), ("POST", f"/webhooks/zendesk/{installation['id']}"),
                        ("POST", f"/webhooks/jira/{installation['id']}"), ("POST", "/webhooks/slack/events"),
                        ("GET", "/healthz")]:
        response = client.open(url, method=method, json={}, headers={
            **bearer(installation["api_token"]), header: "key\x00tail"})
        assert response.status_code == 400, (url, response.get_json())
        assert response.get_json()["error"] == {
            "code": NUL_CODE, "message": f"the header {header!r} holds a NUL byte (%00), which no value the sidecar "
                                         "reads may hold", "details": {"in": "header", "name": header}}


def test_a_value_without_nul_is_not_refused(client, installation):
    response = client.get("/v1/assessments?ticket_id=a%2500b", headers=bearer(installation["api_token"]))
    assert response.status_code == 200, response.get_json()  # "%00" as text, percent-encoded, is just text


def test_a_nul_escaped_in_a_signed_webhook_body_is_dropped_not_a_500(app, client, hooked):
    # PostgreSQL's jsonb refuses "\u0000", so a customer's comment carrying one failed the job's INSERT.
    from sqlalchemy import select

    from sidecar.store.models import Job

    jira = json.loads((FIXTURES / "jira" / "webhook_comment_created.json").read_text())
    jira["timestamp"] = int(time.time() * 1000)
    jira["issue"]["key"] = "ESC-\u00001"
    zendesk = json.loads((FIXTURES / "zendesk" / "webhook_comment_added_angry.json").read_text())
    zendesk["ticket"]["latest_comment"]["body"] = "refund\u0000 now"
    for payload, (url, headers, content_type) in [(jira, signed_webhooks(hooked, b"")[2]),
                                                  (zendesk, signed_webhooks(hooked, b"")[0])]:
        raw = json.dumps(payload).encode()
        assert b"\\u0000" in raw
        url, headers, content_type = next(w for w in signed_webhooks(hooked, raw) if w[0] == url)
        response = client.post(url, data=raw, headers=headers, content_type=content_type)
        assert response.status_code == 200 and response.get_json()["status"] == "accepted", response.get_json()
    with app.extensions["sidecar"].database.session() as session:
        stored = [json.dumps(payload)
                  for payload in session.scalars(select(Job.payload).where(Job.kind == "inbound.event"))]
    assert len(stored) == 2 and not any("\\u0000" in text for text in stored)


# --- a body without Content-Length (Transfer-Encoding: chunked) ---------------------------------------------

LIMIT = 1024 * 1024  # SIDECAR_MAX_BODY_BYTES' default, which the test app keeps
SECRETS = {"zendesk.webhook_secret": "zd-hook-secret", "jira.webhook_secret": "jira-hook-secret",
           "salesforce.webhook_secret": "sf-hook-secret", "slack.signing_secret": "slack-signing-secret",
           "slack.team_id": "T04QKJ6RF5Y"}


class ChunkedInput(io.RawIOBase):
    """wsgi.input as gunicorn hands over a chunked body: no length known, pieces of 64 KiB, then the end."""

    def __init__(self, data: bytes):
        self._pieces = iter([data[i:i + 65536] for i in range(0, len(data), 65536)])
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self._left:
            self._left = next(self._pieces, b"")
        size = min(len(buffer), len(self._left))
        buffer[:size] = self._left[:size]
        self._left = self._left[size:]
        return size


def post_chunked(app, url: str, body: bytes, headers: dict, content_type: str = "application/json"):
    """POST `body` as a server that decodes chunked transfer passes it: no CONTENT_LENGTH, input terminated."""
    environ = EnvironBuilder(path=url, method="POST", content_type=content_type,
                             headers={"Transfer-Encoding": "chunked", **headers}).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = io.BufferedReader(ChunkedInput(body))
    environ["wsgi.input_terminated"] = True  # what gunicorn and werkzeug's server set for a chunked body
    app_iter, status, response_headers = run_wsgi_app(app, environ)
    return int(status.split()[0]), json.loads(b"".join(app_iter) or b"null")


def big_ticket(size: int) -> bytes:
    filler = "x" * (size - 100)
    body = json.dumps({"ticket": {"id": "1", "source": "zendesk", "subject": "Charged twice", "description": filler}})
    return body.encode()


@pytest.fixture
def hooked(client, installation):
    configure(client, installation["api_token"], SECRETS)
    return installation


def signed_webhooks(installation, raw: bytes) -> list[tuple[str, dict, str]]:
    zendesk_time = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return [
        (f"/webhooks/zendesk/{installation['id']}", sign_zendesk(raw, "zd-hook-secret", zendesk_time),
         "application/json"),
        (f"/webhooks/salesforce/{installation['id']}", sign_salesforce(raw, "sf-hook-secret", time.time()),
         "application/json"),
        (f"/webhooks/jira/{installation['id']}", sign_jira(raw, "jira-hook-secret"), "application/json"),
        ("/webhooks/slack/events", sign_slack(raw, "slack-signing-secret", time.time()), "application/json"),
        ("/webhooks/slack/interactions", sign_slack(raw, "slack-signing-secret", time.time()),
         "application/x-www-form-urlencoded"),
    ]


def test_a_chunked_api_body_over_the_limit_is_413_like_one_with_a_content_length(app, client, installation):
    body = big_ticket(1_100_000)  # 1.1 MB
    with_length = client.post("/v1/assessments", data=body, content_type="application/json",
                              headers=bearer(installation["api_token"]))
    assert with_length.status_code == 413 and with_length.get_json()["error"]["code"] == "body_too_large"
    status, answer = post_chunked(app, "/v1/assessments", body, bearer(installation["api_token"]))
    assert (status, answer["error"]["code"]) == (413, "body_too_large"), answer
    assert str(LIMIT) in answer["error"]["message"]


def test_a_chunked_webhook_over_the_limit_is_413_on_every_webhook(app, hooked):
    raw = json.dumps({"team_id": "T04QKJ6RF5Y", "event_id": "Ev1", "padding": "x" * 1_100_000}).encode()
    for url, headers, content_type in signed_webhooks(hooked, raw):
        status, answer = post_chunked(app, url, raw, headers, content_type)
        assert (status, answer["error"]["code"]) == (413, "body_too_large"), (url, answer)


def test_a_chunked_body_at_the_limit_or_under_it_is_read_whole(app, installation, hooked):
    status, answer = post_chunked(app, "/v1/assessments", big_ticket(300_000), bearer(installation["api_token"]))
    assert status == 201, answer
    exactly = big_ticket(LIMIT)
    padding = LIMIT - len(exactly)  # make the body exactly the limit: allowed, as with a Content-Length
    exactly = exactly.replace(b'"subject": "', b'"subject": "' + b"y" * padding, 1)
    assert len(exactly) == LIMIT
    status, answer = post_chunked(app, "/v1/assessments", exactly, bearer(installation["api_token"]))
    assert status == 201, answer
    raw = json.dumps({"event": "comment_added", "ticket": {"id": "48213", "subject": "s" * 500_000}}).encode()
    url, headers, _ = signed_webhooks(hooked, raw)[0]
    status, answer = post_chunked(app, url, raw, headers)
    assert status == 200, answer  # the signature is checked over the whole body, not a cut one


def test_a_chunked_body_one_byte_over_the_limit_is_413(app, installation):
    body = big_ticket(LIMIT + 1)
    body = body.replace(b'"subject": "', b'"subject": "' + b"y" * (LIMIT + 1 - len(body)), 1)
    assert len(body) == LIMIT + 1
    status, answer = post_chunked(app, "/v1/assessments", body, bearer(installation["api_token"]))
    assert (status, answer["error"]["code"]) == (413, "body_too_large")
