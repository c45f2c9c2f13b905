"""A vendor's error that echoes a credential, in any encoding, never carries it into our messages."""
from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote, quote_plus

import pytest
import responses

from sidecar.clients.errors import ApiError
from sidecar.clients.jira import JiraClient
from sidecar.clients.masking import redact, secret_forms
from sidecar.clients.slack import SlackClient
from sidecar.clients.zendesk import ZendeskClient

TOKEN = "ATATT3x/Ff+0=tok&en\"9"  # characters that every encoding writes differently
EMAIL = "bot@acme.example"


def b64(text: str, *, urlsafe: bool = False, pad: bool = True) -> str:
    encoded = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(text.encode()).decode()
    return encoded if pad else encoded.rstrip("=")


@pytest.mark.parametrize("form", [
    TOKEN, b64(TOKEN), b64(TOKEN, pad=False), b64(TOKEN, urlsafe=True), b64(TOKEN, urlsafe=True, pad=False),
    quote(TOKEN, safe=""), quote_plus(TOKEN),
    re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(TOKEN, safe="")),
    json.dumps(TOKEN)[1:-1],
    json.dumps(TOKEN)[1:-1].replace("/", "\\/"), "ATATT3x/Ff+0=tok&amp;en&quot;9",
])
def test_every_form_of_a_secret_is_masked(form):
    assert form in secret_forms(TOKEN)
    assert redact(f"header was <{form}> here", [TOKEN]) == "header was <***> here"


def test_short_forms_are_never_masked():
    assert redact("a b c", ["a"]) == "a b c"
    assert all(len(form) >= 4 for form in secret_forms("abcd"))


def test_jira_error_echoing_the_basic_authorization_header_is_masked():
    header = "Basic " + b64(f"{EMAIL}:{TOKEN}")
    client = JiraClient("https://acme.atlassian.net", email=EMAIL, api_token=TOKEN)
    with responses.RequestsMock() as http:
        http.get("https://acme.atlassian.net/rest/api/3/myself", status=401,
                 json={"errorMessages": [f"Authorization {header} is not valid for this site"]})
        with pytest.raises(ApiError) as caught:
            client.myself()
        assert http.calls[0].request.headers["Authorization"] == header  # what we sent, echoed back
    message = caught.value.message
    assert "Authorization Basic *** is not valid" in message
    assert b64(f"{EMAIL}:{TOKEN}")[:12] not in message and TOKEN not in message


def test_zendesk_error_echoing_the_token_credential_is_masked():
    credential = b64(f"{EMAIL}/token:{TOKEN}")
    client = ZendeskClient({"subdomain": "acme", "email": EMAIL, "api_token": TOKEN})
    with responses.RequestsMock() as http:
        http.get("https://acme.zendesk.com/api/v2/users/me.json", status=401,
                 json={"error": "Couldn't authenticate you", "description": f"credentials {credential} refused"})
        with pytest.raises(ApiError) as caught:
            client.current_user()
        assert http.calls[0].request.headers["Authorization"] == f"Basic {credential}"
    assert "credentials *** refused" in caught.value.message and credential[:12] not in caught.value.message


def test_a_secret_at_the_cut_of_a_long_detail_leaves_no_piece_behind():
    client = JiraClient("https://acme.atlassian.net", email=EMAIL, api_token=TOKEN)
    echoed = b64(f"{EMAIL}:{TOKEN}")
    with responses.RequestsMock() as http:
        http.get("https://acme.atlassian.net/rest/api/3/myself", status=400,
                 body="x" * 290 + " " + echoed, content_type="text/plain")
        with pytest.raises(ApiError) as caught:
            client.myself()
    assert echoed[:6] not in caught.value.message


def test_slack_error_echoing_the_bearer_token_url_encoded_is_masked():
    token = "xoxb-1234-5678-abc/def+ghi"
    client = SlackClient(token)
    with responses.RequestsMock() as http:
        http.post("https://slack.com/api/auth.test", json={
            "ok": False, "error": "invalid_auth",
            "response_metadata": {"messages": [f"[ERROR] token={quote(token, safe='')} is not valid"]}})
        with pytest.raises(ApiError) as caught:
            client.auth_test()
    assert "token=*** is not valid" in caught.value.message and "abc" not in caught.value.message
