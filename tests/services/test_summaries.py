"""The rolling-summary service: the model's summary when it answers usably, the extractive one whenever it
does not, and nothing personal in what is sent to the model. The model is faked at the HTTP layer."""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from sidecar.clients.llm import ChatClient
from sidecar.intelligence.escalation_context import (
    EscalationContext,
    build_escalation_context,
)
from sidecar.intelligence.redaction import Redactor
from sidecar.intelligence.ticket import ticket_from_mapping
from sidecar.services.summaries import rolling_summary

DEMO = Path(__file__).resolve().parents[2] / "sidecar" / "demo"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
KEY = "sk-live-summaries-0123456789"
URL = "https://llm.example.com/v1/chat/completions"
CARD = "4242 4242 4242 4242"
ASSESSMENT = {"score": 0.97, "level": "critical", "categories": [{"name": "billing_refund", "confidence": 0.99}],
              "signals": []}
ROUTE = {"team": {"id": "tm_billing", "name": "Billing", "jira_project": "BILL"},
         "expert": {"id": "ex_maria", "name": "Maria Lopez", "email": "maria@acme.example"}}
TIMELINE = [
    {"at": "2026-11-22T12:00:00Z", "system": "sidecar", "kind": "escalated", "actor": "Sam Carter", "text": "",
     "data": {}},
    {"at": "2026-11-22T12:50:00Z", "system": "slack", "kind": "comment", "actor": "maria@acme.example",
     "text": f"Confirmed: both charges hit the card {CARD} because the renewal job retried after a gateway "
             "timeout. Contact dana@northwind.example if needed.", "data": {}},
    {"at": "2026-11-22T13:05:00Z", "system": "jira", "kind": "comment", "actor": "Maria Lopez",
     "text": "Refund of $4,800 for INV-20932 approved and issued (ACCT-77812).", "data": {}},
    {"at": "2026-11-22T13:10:00Z", "system": "zendesk", "kind": "customer_comment", "actor": "Dana Whitfield",
     "text": "My card is 4242-4242-4242-4242 and my email is dana@northwind.example, thanks!", "data": {}},
]
MODEL_ANSWER = {
    "problem": "The customer was charged twice for the annual plan.",
    "findings": ["Refund of the duplicate $4,800 charge approved and issued.",
                 "Cause: the renewal job retried after a gateway timeout."],
    "status": "Refund issued; waiting on the customer",
    "next_step": "Confirm the refund with the customer.",
    "owner": None,
}


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    """The HTTP layer, faked: unregistered calls fail and every registered call must happen."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture(scope="module")
def context() -> EscalationContext:
    row = json.loads((DEMO / "refund_ticket.json").read_text())["ticket"]
    row = {**row, "description": row["description"] + f" The card was {CARD}; write to dana@northwind.example."}
    return build_escalation_context(
        ticket=ticket_from_mapping(row), assessment=ASSESSMENT, route=ROUTE, similar=[],
        agent_note=f"Customer read out the card {CARD} on the phone; email dana@northwind.example.",
        ticket_url="https://acme.zendesk.com/agent/tickets/48213", escalation_id="esc_123", now=NOW,
    )


def llm() -> ChatClient:
    return ChatClient("https://llm.example.com/v1", api_key=KEY, model="gpt-4o-mini")


def summarise(context: EscalationContext, *, client: ChatClient | None, redactor: Redactor | None = None,
              **overrides: Any):
    arguments: dict[str, Any] = {
        "context": context, "timeline": TIMELINE, "status": "delivered", "jira_status": "In Progress",
        "owner": None, "acknowledged_by": None, "llm": client,
        "redactor": redactor or Redactor(), **overrides,
    }
    return rolling_summary(**arguments)


def model_says(http: responses.RequestsMock, content: str) -> None:
    http.post(URL, json={"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini",
                         "choices": [{"index": 0, "finish_reason": "stop",
                                      "message": {"role": "assistant", "content": content}}]})


# --- the model's answer --------------------------------------------------------------------------------

def test_the_models_summary_is_used(http, context):
    model_says(http, "```json\n" + json.dumps(MODEL_ANSWER) + "\n```")
    summary = summarise(context, client=llm())
    assert summary.source == "llm"
    assert summary.findings == tuple(MODEL_ANSWER["findings"])
    assert summary.next_step == "Confirm the refund with the customer."
    # The model gave no owner; the sidecar knows one (the routed expert) and fills it in.
    assert summary.owner == "Maria Lopez"
    assert summary.text.splitlines()[1] == "Status: Refund issued; waiting on the customer; owner: Maria Lopez"

    body = json.loads(http.calls[0].request.body)
    assert body["model"] == "gpt-4o-mini" and body["temperature"] == 0.0
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert http.calls[0].request.headers["Authorization"] == f"Bearer {KEY}"


def test_without_a_model_no_request_is_made_and_the_summary_is_extractive(http, context):
    summary = summarise(context, client=None)
    assert summary.source == "extractive"
    assert summary.findings[0] == "Refund of $4,800 for INV-20932 approved and issued (ACCT-77812)."
    assert len(http.calls) == 0


# --- whatever goes wrong, the extractive summary --------------------------------------------------------

@pytest.mark.parametrize("failure", ["http_500", "timeout", "unauthorized", "garbage", "half_json", "no_choices"])
def test_model_failures_fall_back_to_the_extractive_summary(http, context, caplog, failure):
    if failure == "http_500":
        http.post(URL, status=500, json={"error": {"message": "internal error"}})
    elif failure == "timeout":
        http.post(URL, body=requests.exceptions.ReadTimeout("read timed out"))
    elif failure == "unauthorized":
        http.post(URL, status=401, json={"error": {"message": f"bad key {KEY}", "code": "invalid_api_key"}})
    elif failure == "garbage":
        model_says(http, "Sure! The customer, Dana Whitfield, is upset about a double charge.")
    elif failure == "half_json":
        model_says(http, '{"problem": "double charge", "findings": ["refund')
    else:
        http.post(URL, json={"id": "x", "choices": []})

    with caplog.at_level(logging.WARNING, logger="sidecar"):
        summary = summarise(context, client=llm())

    assert summary == summarise(context, client=None)
    assert summary.source == "extractive"
    warnings = [r for r in caplog.records if r.name == "sidecar.services.summaries"]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "esc_123" in warnings[0].getMessage() and "extractive" in warnings[0].getMessage()
    # No secret and no customer text in the log.
    for secret in (KEY, "Dana", "double charge", "4242", "northwind", "internal error"):
        assert secret not in caplog.text


def test_an_unexpected_client_failure_also_falls_back(context, caplog):
    class Broken(ChatClient):
        def complete(self, messages, *, temperature=0.0, max_tokens=400):
            raise RuntimeError("boom: " + messages[1]["content"])

    broken = Broken("https://llm.example.com/v1", api_key=KEY, model="m")
    with caplog.at_level(logging.WARNING, logger="sidecar"):
        summary = summarise(context, client=broken)
    assert summary.source == "extractive"
    assert "RuntimeError" in caplog.text and "boom" not in caplog.text


# --- what leaves for the model --------------------------------------------------------------------------

def test_card_numbers_and_emails_never_reach_the_model(http, context):
    model_says(http, json.dumps(MODEL_ANSWER))
    summarise(context, client=llm(), redactor=Redactor(patterns=(re.compile(r"ACCT-\d+"),)),
              acknowledged_by="maria@acme.example")

    sent = http.calls[0].request.body
    sent = sent.decode() if isinstance(sent, bytes) else sent
    content = " ".join(m["content"] for m in json.loads(sent)["messages"])
    for leaked in (CARD, "4242424242424242", "4242-4242-4242-4242", "dana@northwind.example",
                   "maria@acme.example", "@northwind.example", "ACCT-77812"):
        assert leaked not in sent and leaked not in content
    assert "[card ending 4242]" in content
    assert "[email]" in content
    assert "[redacted]" in content
    # What the experts said still arrives, masked, so the model has something to summarise.
    assert "Refund of $4,800 for INV-20932 approved and issued ([redacted])" in content


def test_the_extractive_summary_is_redacted_with_the_installations_settings(context):
    summary = summarise(context, client=None, redactor=Redactor(emails=True), acknowledged_by="maria@acme.example")
    assert CARD not in summary.text and "@" not in summary.text
    assert summary.findings[1].startswith("Confirmed: both charges hit the card [card ending 4242] because")
    assert summary.owner == "[email]"
