"""The client factory: every vendor client from an installation's connections, and the help desks' note plans."""
from __future__ import annotations

import pytest

from sidecar.clients.factory import (
    build_client,
    has_credentials,
    helpdesk_client,
    helpdesk_notes,
)
from sidecar.clients.helpdesk import HelpdeskClient
from sidecar.clients.jira import JiraClient
from sidecar.clients.llm import ChatClient
from sidecar.clients.salesforce import (
    SalesforceClient,
    plan_case_comment,
    plan_update_case,
)
from sidecar.clients.slack import SlackClient
from sidecar.clients.zendesk import ZendeskClient, plan_internal_note
from sidecar.domain.connections import Connections

ZENDESK = {"zendesk.url": "https://acme.zendesk.com", "zendesk.email": "integration@acme.example",
           "zendesk.api_token": "zd_token_5up3r53cr3t"}
SALESFORCE = {"salesforce.instance_url": "https://acme.my.salesforce.com",
              "salesforce.access_token": "00D!SecretAccessToken"}
CASE_ID = "500000000000001AAA"


def test_zendesk_connections_give_a_zendesk_client_with_its_settings():
    client = helpdesk_client(
        "zendesk",
        Connections(ZENDESK),
        settings={
            "bot_user_ids": [8888],
            "organization_fields": {"tier": "support_tier"},
            "scoring_threshold": 0.7,  # belongs to someone else; ignored here
        },
    )

    assert isinstance(client, ZendeskClient)
    assert isinstance(client, HelpdeskClient)
    assert (client.subdomain, client.base_url) == ("acme", "https://acme.zendesk.com")
    assert client.bot_user_ids == {"8888"}
    assert client.organization_fields == {"tier": "support_tier", "arr": "arr", "renewal_date": "renewal_date"}


def test_a_zendesk_subdomain_alone_is_enough():
    client = build_client("zendesk", Connections({**ZENDESK, "zendesk.url": "", "zendesk.subdomain": "globex"}))

    assert client.base_url == "https://globex.zendesk.com"


def test_salesforce_connections_give_a_salesforce_client_with_its_settings():
    client = helpdesk_client(
        "salesforce",
        Connections({**SALESFORCE, "salesforce.api_version": "61.0"}),
        settings={"account_fields": {"arr": "Annual_Revenue__c"}, "bot_user_ids": None},
    )

    assert isinstance(client, SalesforceClient)
    assert isinstance(client, HelpdeskClient)
    assert client.version == "61.0"
    assert client.account_fields["arr"] == "Annual_Revenue__c"
    assert client.account_fields["tier"] == "Tier__c"


def test_the_salesforce_api_version_comes_from_its_connection_key_only():
    client = helpdesk_client("salesforce", Connections(SALESFORCE), settings={"api_version": "55.0"})

    assert client.version == "62.0"


def test_every_system_has_its_client():
    connections = Connections({"jira.url": "https://acme.atlassian.net", "jira.email": "bot@acme.example",
                               "jira.api_token": "t0ken", "slack.bot_token": "xoxb-1", "llm.url": "https://llm.example/v1",
                               "llm.model": "small"})

    assert isinstance(build_client("jira", connections), JiraClient)
    slack = build_client("slack", connections)
    assert isinstance(slack, SlackClient) and slack.base_url == "https://slack.com/api"
    llm = build_client("llm", connections)
    assert isinstance(llm, ChatClient) and llm.model == "small"


@pytest.mark.parametrize(
    ("system", "values", "missing"),
    [
        ("zendesk", {**ZENDESK, "zendesk.email": ""}, "email"),
        ("zendesk", {"zendesk.api_token": ZENDESK["zendesk.api_token"]}, "subdomain, email"),
        ("salesforce", {"salesforce.access_token": SALESFORCE["salesforce.access_token"]}, "instance_url"),
        ("salesforce", {}, "instance_url and access_token"),
        ("jira", {"jira.url": "https://acme.atlassian.net"}, "missing jira.email, jira.api_token"),
        ("slack", {}, "missing slack.bot_token"),
    ],
)
def test_incomplete_settings_say_what_is_missing_and_never_a_secret(system, values, missing):
    with pytest.raises(ValueError) as raised:
        build_client(system, Connections(values))

    message = str(raised.value)
    assert missing in message
    for secret in (ZENDESK["zendesk.api_token"], SALESFORCE["salesforce.access_token"]):
        assert secret not in message


def test_credentials_are_there_when_any_of_their_keys_is_set():
    assert has_credentials("zendesk", Connections({"zendesk.email": "a@b.c"}))
    assert not has_credentials("zendesk", Connections({"jira.url": "https://acme.atlassian.net"}))
    assert not has_credentials("salesforce", Connections({}))


def test_an_unknown_source_is_refused():
    with pytest.raises(ValueError, match="unknown help desk source 'freshdesk'"):
        helpdesk_client("freshdesk", Connections({}))
    with pytest.raises(ValueError, match="no client for 'github'"):
        build_client("github", Connections({}))


def test_zendesk_notes_plan_one_ticket_update_with_the_jira_key_field_and_tags():
    notes = helpdesk_notes("zendesk", Connections({"zendesk.jira_key_field_id": "360001"}))
    fields = notes.jira_key_fields("ESC-7")

    assert fields == {360001: "ESC-7"}
    assert notes.plan("42", body="note", fields=fields, tags=("escalated",)) == [
        plan_internal_note("42", body="note", custom_fields={360001: "ESC-7"}, tags=["escalated"])]
    assert helpdesk_notes("zendesk", Connections({})).jira_key_fields("ESC-7") is None
    assert notes.jira_key_fields(None) is None


def test_salesforce_notes_plan_the_comment_then_the_case_field_at_the_configured_version():
    notes = helpdesk_notes("salesforce", Connections({"salesforce.api_version": "60.0"}))
    fields = notes.jira_key_fields("ESC-7")

    assert fields == {"Jira_Key__c": "ESC-7"}
    assert notes.plan(CASE_ID, body="note", fields=fields) == [
        plan_case_comment(CASE_ID, "note", version="60.0"),
        plan_update_case(CASE_ID, {"Jira_Key__c": "ESC-7"}, version="60.0")]
    assert notes.plan(CASE_ID, body="note", fields=None) == [plan_case_comment(CASE_ID, "note", version="60.0")]
