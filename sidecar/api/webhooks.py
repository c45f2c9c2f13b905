"""Inbound webhooks: verified over the raw body before anything is parsed, acknowledged at once, worked later.

Bad or missing signature, or a timestamp outside 5 minutes: 401. The same delivery twice: 200, done
once; "the same" is the same delivery id or the same signed content (a captured request replayed under
a new, unsigned delivery id is still a duplicate). An event type we do not handle: 200 and ignored (so
the sender does not retry it forever).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, unquote_plus

from flask import Blueprint, jsonify, request
from marshmallow import Schema
from sqlalchemy import bindparam, select

from sidecar.api.context import respond, runtime
from sidecar.api.errors import error_body
from sidecar.domain.statuses import WebhookStatus
from sidecar.errors import InvalidInput, NotFound, ServiceError, Unauthenticated
from sidecar.metrics.families import count_webhook
from sidecar.schemas import SlackEventAnswerSchema, WebhookAnswerSchema, strip_nul
from sidecar.services import slack_buttons
from sidecar.services.connections import Connections, load_connections
from sidecar.services.inbound import accept_event, keep_ignored
from sidecar.store.models import Installation
from sidecar.webhooks import events as parse
from sidecar.webhooks import verification as verify

blueprint = Blueprint("webhooks", __name__, url_prefix="/webhooks")
_SOURCES = {"webhooks.zendesk": "zendesk", "webhooks.salesforce": "salesforce", "webhooks.jira": "jira",
            "webhooks.slack_events": "slack", "webhooks.slack_interactions": "slack"}
JIRA_FRESHNESS_SECONDS = 6 * 3600

SECRET_KEYS = {"zendesk": "zendesk.webhook_secret", "salesforce": "salesforce.webhook_secret",
               "jira": "jira.webhook_secret", "slack": "slack.signing_secret"}
# Slack events name their workspace only in the body. The team id is read from the raw bytes to pick
# whose signing secret to check; nothing else is read before the signature is verified.
_SLACK_TEAM = re.compile(rb'"team(?:_id)?"\s*:\s*(?:\{\s*"id"\s*:\s*)?"([A-Z0-9]+)"')


@blueprint.after_request
def _count_rejected(response):
    # Every refusal (bad signature, unknown installation, malformed body) ends here, whichever error it was;
    # accepted, duplicate and ignored deliveries are counted where they are decided (`_accept`).
    if response.status_code >= 400 and request.endpoint:
        count_webhook(_SOURCES.get(request.endpoint, "unknown"), stage="receipt", outcome="rejected")
    return response


@blueprint.errorhandler(verify.WebhookRejected)
def _rejected(error: verify.WebhookRejected):
    response = jsonify(error_body(error.code, error.message))
    response.status_code = error.status
    return response


# What /openapi.json documents for the answers: a Slack event's answer may be the challenge instead.
_WEBHOOK_ANSWER = WebhookAnswerSchema()
_SLACK_EVENT_ANSWER = SlackEventAnswerSchema()
_BY_ID = select(Installation.__table__).where(Installation.id == bindparam("installation_id"))


def _installation(installation_id: str) -> tuple[Installation, Connections]:
    with runtime().database.engine.connect() as connection:
        row = connection.execute(_BY_ID, {"installation_id": installation_id}).mappings().first()
    if row is None:
        raise NotFound(f"no installation {installation_id!r}")
    installation = Installation(**row)
    return installation, _connections(installation)


@lru_cache(maxsize=256)
def _decrypted(installation_id: str, source: str, ciphertext: str | None, box_id: int) -> Connections:
    # Keyed by the ciphertext: a changed setting is a new ciphertext, so never a stale answer. A vendor
    # waits on this path; decrypting on every delivery would cost more than the rest of it.
    return load_connections(Installation(id=installation_id, credentials_encrypted=ciphertext, source=source),
                            box=runtime().box)


def _connections(installation: Installation) -> Connections:
    return _decrypted(installation.id, installation.source, installation.credentials_encrypted, id(runtime().box))


def _secret(connections: Connections, system: str) -> str:
    secret = connections.get(SECRET_KEYS[system])
    if not secret:
        # Without the secret nothing can be verified, so nothing is accepted.
        raise Unauthenticated(f"this installation has no {SECRET_KEYS[system]}; set it with "
                              "`sidecar installation configure` to accept these webhooks",
                              code="webhook_secret_missing")
    return secret


def _json(raw: bytes) -> Any:
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ServiceError(f"the webhook body is not JSON: {exc}", code="malformed_json") from None
    except RecursionError:
        raise ServiceError("the webhook body is JSON nested too deeply to read", code="malformed_json") from None
    return _without_nul(payload, raw)


def _without_nul(payload: Any, text: bytes | str) -> Any:
    # A signed body can still carry "\u0000" (a customer's comment): PostgreSQL's jsonb refuses it when the
    # job is stored, so it is dropped as json_body drops it from API bodies. The signature and the signed
    # content's digest were taken over the raw bytes before this.
    has_nul = b"\\u0000" in text if isinstance(text, bytes) else "\\u0000" in text
    return strip_nul(payload) if has_nul else payload


def _parsed(parser, payload: Any) -> parse.InboundEvent:
    try:
        return parser(payload)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def _accept(installation: Installation, system: str, raw: bytes, payload: Any, event: parse.InboundEvent,
            answer: Schema = _WEBHOOK_ANSWER):
    """Queue a verified event once (the same delivery again is a duplicate); `answer` is the documented shape."""
    if event.kind == "ignored" or event.kind.endswith(".ignored"):
        what = (event.data.get("webhook_event") or event.data.get("event_type") or event.data.get("type")
                or event.data.get("event"))
        # Kept with its reason (GET /v1/inbound?status=ignored), so a misconfigured webhook shows.
        keep_ignored(runtime().database, installation_id=installation.id, system=system,
                     delivery_id=verify.delivery_id(system, raw, request.headers, payload),
                     kind=f"{system}.{what or 'unknown'}",
                     reason=f"the sidecar does not act on {system} {what or 'events of this type'} events")
        count_webhook(system, stage="receipt", outcome=WebhookStatus.IGNORED)
        return respond(answer, {"status": WebhookStatus.IGNORED,
                                "kind": event.data.get("webhook_event") or event.data.get("type")})
    accepted = accept_event(runtime().database, installation_id=installation.id, system=system,
                            delivery_id=verify.delivery_id(system, raw, request.headers, payload),
                            signed_id=verify.signed_content_id(system, raw, request.headers),
                            kind=event.kind, data=event.data,
                            occurred_at=event.occurred_at.isoformat() if event.occurred_at else None)
    count_webhook(system, stage="receipt", outcome=WebhookStatus.ACCEPTED if accepted else WebhookStatus.DUPLICATE)
    return respond(answer, {"status": WebhookStatus.ACCEPTED if accepted else WebhookStatus.DUPLICATE,
                            "kind": event.kind})


def _receive(system: str, installation_id: str, verify_signature, parser, check_payload=None):
    """Verify the raw body with the installation's secret, then parse, then accept (dedupe + outbox)."""
    raw = request.get_data(cache=True)
    installation, connections = _installation(installation_id)
    verify_signature(raw, request.headers, _secret(connections, system))
    payload = _json(raw)
    if check_payload is not None:
        check_payload(payload)
    event = _parsed(parser, payload)
    return _accept(installation, system, raw, payload, event)


def _jira_fresh(payload: Any) -> None:
    # Jira signs no timestamp; the signed payload carries the event's. Jira's retries resend it unchanged,
    # so the window is hours, not minutes; replays inside it are stopped by the dedupe on the delivery id
    # and on the signed body's digest.
    verify.check_jira_freshness(payload, tolerance=JIRA_FRESHNESS_SECONDS)


@blueprint.post("/zendesk/<installation_id>")
def zendesk(installation_id: str):
    """Zendesk trigger webhooks (ticket created, comment added, ticket updated)."""
    return _receive("zendesk", installation_id, verify.verify_zendesk, parse.parse_zendesk)


@blueprint.post("/salesforce/<installation_id>")
def salesforce(installation_id: str):
    """Case events from the Salesforce package."""
    return _receive("salesforce", installation_id, verify.verify_salesforce, parse.parse_salesforce)


@blueprint.post("/jira/<installation_id>")
def jira(installation_id: str):
    """Jira admin webhooks (issue updated, comment created)."""
    return _receive("jira", installation_id, verify.verify_jira, parse.parse_jira, check_payload=_jira_fresh)


def _slack_installation(raw: bytes) -> tuple[Installation, Connections]:
    """The installation whose Slack signing secret signed this request (chosen by the team id in the body)."""
    # Percent-escapes decoded as latin-1 too (unquote's default, UTF-8, made characters latin-1 cannot
    # encode again: a 500), so each byte stays one character; a team id is ASCII either way.
    text = (raw if raw.lstrip()[:1] == b"{"
            else unquote_plus(raw.decode("latin-1"), encoding="latin-1").encode("latin-1"))
    match = _SLACK_TEAM.search(text)
    database = runtime().database
    with database.sessions() as session:
        query = select(Installation)
        if match:
            query = query.where(Installation.slack_team_id == match.group(1).decode())
        else:  # url_verification names no team: try every installation that has a signing secret
            query = query.where(Installation.credentials_encrypted.is_not(None))
        candidates = list(session.scalars(query.limit(200)))
        session.expunge_all()
    last: verify.WebhookRejected | None = None
    for installation in candidates:
        connections = _connections(installation)
        secret = connections.get("slack.signing_secret")
        if not secret:
            continue
        try:
            verify.verify_slack(raw, request.headers, secret)
        except verify.WebhookRejected as rejected:
            last = rejected
            continue
        return installation, connections
    raise last or verify.WebhookRejected("no installation with this Slack workspace and a signing secret",
                                         code="unknown_workspace")


@blueprint.post("/slack/events")
def slack_events():
    """Slack Events API: url_verification is answered; thread replies are synced."""
    raw = request.get_data(cache=True)
    installation, _ = _slack_installation(raw)
    payload = _json(raw)
    event = _parsed(parse.parse_slack_event, payload)
    if event.kind == "slack.url_verification":
        return respond(_SLACK_EVENT_ANSWER, {"challenge": event.data.get("challenge")})
    return _accept(installation, "slack", raw, payload, event, answer=_SLACK_EVENT_ANSWER)


@blueprint.post("/slack/interactions")
def slack_interactions():
    """Slack buttons (Acknowledge, Reassign): acknowledged with an empty 200 within Slack's 3 seconds."""
    raw = request.get_data(cache=True)
    installation, connections = _slack_installation(raw)
    try:
        text = parse_qs(raw.decode("utf-8"))["payload"][0]
        payload = _without_nul(json.loads(text), text)
    except (KeyError, IndexError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise InvalidInput("a Slack interaction body is form-encoded with a JSON `payload` field") from None
    event = _parsed(parse.parse_slack_interaction, payload)
    # Least privilege: a stranger's Acknowledge/Reassign is queued as a refusal, never as the action. Only the
    # cheap expert check runs here; a user-group lookup is a call to Slack, so the job makes it.
    event = slack_buttons.screen_at_receipt(runtime().database, installation.id, connections, event)
    _accept(installation, "slack", raw, payload, event)
    return "", 200
