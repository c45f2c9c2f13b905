"""Fixtures of the escalation tests: the fake vendors (one server per test module) and a connected installation."""
from __future__ import annotations

import pytest

from tests.conftest import bearer
from tests.escalation_support import MANY, PASSWORD_RESET, REFUND, SECRETS, configure, deliver, escalate
from tests.fakes import FakeVendors


@pytest.fixture(scope="module")
def vendors():
    with FakeVendors(tickets=[REFUND, PASSWORD_RESET, *MANY], jira_projects=("ESC", "FIN", "PLAT")) as fake:
        yield fake


@pytest.fixture
def fake(vendors):
    vendors.reset()
    yield vendors
    vendors.reset()


@pytest.fixture
def database(app):
    return app.extensions["sidecar"].database


@pytest.fixture
def live(client, installation, fake):
    """The installation connected to the fake Jira, Slack and Zendesk."""
    configure(client, installation["api_token"], {
        "zendesk.url": fake.zendesk_url, "zendesk.email": "agent@acme.example", "zendesk.api_token": "zd-secret-token",
        "zendesk.jira_key_field_id": "360001",
        "jira.url": fake.jira_url, "jira.email": "bot@acme.example", "jira.api_token": "jira-secret-token",
        "jira.project": "ESC",
        "slack.api_url": fake.slack_url, "slack.bot_token": "xoxb-secret-token", "slack.default_channel": "C0SUPPORT",
    })
    return installation


@pytest.fixture
def hooked(client, live):
    """The live installation with every webhook secret set, so signed vendor webhooks are accepted."""
    configure(client, live["api_token"], SECRETS)
    return live


@pytest.fixture
def escalated(client, hooked, fake, database, box):
    """The refund ticket escalated and delivered: ESC-1, a Slack thread, one ticket note."""
    body = escalate(client, hooked["api_token"]).get_json()
    deliver(database, box)
    shown = client.get(f"/v1/escalations/{body['id']}", headers=bearer(hooked["api_token"])).get_json()
    assert shown["status"] == "delivered"
    return shown
