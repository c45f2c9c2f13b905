"""helpdesk_client_for: the wiring that picks the vendor client for an installation."""
from __future__ import annotations

import pytest

from sidecar.clients.helpdesk import HelpdeskClient, helpdesk_client_for
from sidecar.clients.salesforce import SalesforceClient
from sidecar.clients.zendesk import ZendeskClient

ZENDESK = {"subdomain": "acme", "email": "integration@acme.example", "api_token": "zd_token_5up3r53cr3t"}
SALESFORCE = {"instance_url": "https://acme.my.salesforce.com", "access_token": "00D!SecretAccessToken"}


def test_zendesk_credentials_give_a_zendesk_client_with_its_settings():
    client = helpdesk_client_for(
        "zendesk",
        ZENDESK,
        settings={
            "bot_user_ids": [8888],
            "organization_fields": {"tier": "support_tier"},
            "scoring_threshold": 0.7,  # belongs to someone else; ignored here
        },
    )

    assert isinstance(client, ZendeskClient)
    assert isinstance(client, HelpdeskClient)
    assert client.bot_user_ids == {"8888"}
    assert client.organization_fields == {"tier": "support_tier", "arr": "arr", "renewal_date": "renewal_date"}


def test_salesforce_credentials_give_a_salesforce_client_with_its_settings():
    client = helpdesk_client_for(
        "salesforce",
        SALESFORCE,
        settings={"account_fields": {"arr": "Annual_Revenue__c"}, "api_version": "61.0", "bot_user_ids": None},
    )

    assert isinstance(client, SalesforceClient)
    assert isinstance(client, HelpdeskClient)
    assert client.version == "61.0"
    assert client.account_fields["arr"] == "Annual_Revenue__c"
    assert client.account_fields["tier"] == "Tier__c"


def test_without_settings_the_defaults_apply():
    client = helpdesk_client_for("salesforce", SALESFORCE)

    assert client.version == "62.0"


@pytest.mark.parametrize(
    ("source", "credentials", "missing"),
    [
        ("zendesk", {**ZENDESK, "email": ""}, "email"),
        ("zendesk", {"api_token": ZENDESK["api_token"]}, "subdomain, email"),
        ("salesforce", {"access_token": SALESFORCE["access_token"]}, "instance_url"),
        ("salesforce", {}, "instance_url and access_token"),
        ("zendesk", None, "subdomain, email, api_token"),
    ],
)
def test_incomplete_credentials_say_what_is_missing_and_never_a_secret(source, credentials, missing):
    with pytest.raises(ValueError) as raised:
        helpdesk_client_for(source, credentials)

    message = str(raised.value)
    assert missing in message
    for secret in (ZENDESK["api_token"], SALESFORCE["access_token"]):
        assert secret not in message


def test_an_unknown_source_is_refused():
    with pytest.raises(ValueError, match="unknown help desk source 'freshdesk'"):
        helpdesk_client_for("freshdesk", {})
