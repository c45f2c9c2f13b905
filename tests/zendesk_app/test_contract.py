"""The Zendesk app against the sidecar: what its triggers send and what its sidebar sends are accepted."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sidecar.webhooks.events import parse_zendesk
from sidecar.webhooks.verification import sign_zendesk
from tests.conftest import bearer, zaf_jwt
from tests.escalation_support import configure

APP_DIR = Path(__file__).resolve().parents[2] / "zendesk_app"
REQUIREMENTS = json.loads((APP_DIR / "requirements.json").read_text())
WEBHOOK_SECRET = "zd-trigger-secret"

# What Zendesk puts in for each placeholder (values with quotes and line breaks on purpose).
PLACEHOLDER_VALUES = {
    "ticket.id": "48213",
    "ticket.status": "Open",
    "ticket.title": 'Charged twice - "urgent"',
    "ticket.tags": "billing refund vip",
    "ticket.updated_at_with_timestamp": "2024-05-02T09:58Z",
    "ticket.requester.name": "Dana Whitfield",
    "ticket.requester.email": "dana@brightlane.example",
    "ticket.organization.name": "Brightlane Logistics",
    "ticket.latest_comment.author.name": "Dana Whitfield",
    "ticket.latest_comment.value": 'I want a manager.\nThis is the "third" time.',
    "ticket.latest_comment.is_public": "true",
}


def render(template: str) -> bytes:
    """The body as Zendesk sends it, each placeholder's value escaped for its JSON string."""
    def value(match: re.Match) -> str:
        return json.dumps(PLACEHOLDER_VALUES[match.group(1)])[1:-1]

    return re.sub(r"\{\{([a-z_.]+)\}\}", value, template).encode()


def trigger_bodies() -> list[tuple[str, str]]:
    bodies = []
    for identifier, trigger in REQUIREMENTS["triggers"].items():
        for action in trigger["actions"]:
            if action["field"] == "notification_webhook":
                bodies.append((identifier, action["value"][1]))
    return bodies


EXPECTED = {
    "sidecar_ticket_created_by_customer": ("ticket_created", "customer"),
    "sidecar_ticket_created_by_agent": ("ticket_created", "agent"),
    "sidecar_customer_comment": ("comment_added", "customer"),
    "sidecar_agent_comment": ("comment_added", "agent"),
    "sidecar_status_changed": ("ticket_updated", None),
}


def test_every_trigger_is_covered():
    assert {identifier for identifier, _ in trigger_bodies()} == set(EXPECTED)


@pytest.mark.parametrize(("identifier", "template"), trigger_bodies())
def test_each_trigger_sends_the_body_the_sidecar_documents(identifier, template):
    event = parse_zendesk(json.loads(render(template)))
    kind, author = EXPECTED[identifier]
    assert event.kind == "zendesk.ticket_event"
    assert event.data["event"] == kind
    assert event.data["ticket_id"] == "48213"
    assert event.data["status"] == "open"
    assert event.data["tags"] == ["billing", "refund", "vip"]
    if author is None:
        assert event.data["comment"] is None  # a status change does not repeat the last comment
    else:
        assert event.data["comment"]["author"] == author
        assert event.data["comment"]["body"] == 'I want a manager.\nThis is the "third" time.'


@pytest.mark.parametrize(("identifier", "template"), trigger_bodies())
def test_the_sidecar_accepts_each_trigger_at_the_webhook_endpoint(client, installation, identifier, template):
    configure(client, installation["api_token"], {"zendesk.webhook_secret": WEBHOOK_SECRET})
    endpoint = REQUIREMENTS["webhooks"]["sidecar_ticket_events"]["endpoint"].replace(
        "INSTALLATION_ID", installation["id"])
    raw = render(template)
    headers = {**sign_zendesk(raw, WEBHOOK_SECRET, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
               "X-Zendesk-Webhook-Invocation-Id": f"inv-{identifier}"}
    response = client.post(urlsplit(endpoint).path, data=raw, headers=headers, content_type="application/json")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "accepted"


def test_a_jwt_as_the_app_asks_zendesk_to_sign_it_is_accepted(client, installation):
    # api.js: jwt {algorithm: HS256, secret_key: {{setting.shared_secret}}, expiry: 300, claims: {iss: installation_id}}
    token = zaf_jwt(installation, expires_in=300)
    response = client.get("/v1/teams", headers=bearer(token))
    assert response.status_code == 200


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_ticket_the_sidebar_builds_is_one_the_sidecar_accepts(client, installation):
    script = (
        "import {toSidecarTicket} from './assets/ticket.js';"
        "import {zafData} from './tests/support/fixtures.mjs';"
        "const data = zafData();"
        "const ticket = toSidecarTicket({ticket: data.ticket, comments: data['ticket.comments'],"
        " requester: data['ticket.requester'], organization: data['ticket.organization']}, {botUserIds: ['9001']});"
        "process.stdout.write(JSON.stringify(ticket));"
    )
    result = subprocess.run(["node", "--input-type=module", "-e", script], cwd=APP_DIR, capture_output=True,
                            text=True, timeout=60, check=True)
    ticket = json.loads(result.stdout)
    response = client.post("/v1/assessments", json={"ticket": ticket}, headers=bearer(zaf_jwt(installation)))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["ticket"] == {"source": "zendesk", "id": "48213"}
    assert any(signal["name"] == "asks_for_human" for signal in body["signals"])
