"""POST /v1/assessments with a ticket_ref: the sidecar fetches the ticket from the help desk itself."""
import re

import pytest
import responses

from tests.clients.conftest import load_fixture
from tests.conftest import bearer

ZENDESK_CREDENTIALS = {"subdomain": "acme", "email": "integration@acme.example", "api_token": "zd-secret-token-123"}


def _fake_zendesk(mock: responses.RequestsMock, ticket_id: int = 35436) -> None:
    api = "https://acme.zendesk.com/api/v2"
    ticket = load_fixture("zendesk", "ticket.json")
    mock.get(f"{api}/tickets/{ticket_id}.json", json=ticket)
    first = load_fixture("zendesk", "ticket_comments_page1.json")
    second = load_fixture("zendesk", "ticket_comments_page2.json")
    mock.get(re.compile(rf"{api}/tickets/{ticket_id}/comments\.json\?(?!.*page%5Bafter%5D).*"), json=first)
    mock.get(re.compile(rf"{api}/tickets/{ticket_id}/comments\.json\?.*page%5Bafter%5D.*"), json=second)
    mock.get(re.compile(rf"{api}/users/show_many\.json.*"), json=load_fixture("zendesk", "users_show_many.json"))
    mock.get(re.compile(rf"{api}/organizations/\d+\.json"), json=load_fixture("zendesk", "organization.json"))
    mock.get(f"{api}/tickets/{ticket_id}/metrics.json", json=load_fixture("zendesk", "ticket_metrics.json"))


def _store_credentials(client, token, credentials=ZENDESK_CREDENTIALS):
    response = client.put("/v1/installation/credentials", json={"credentials": credentials}, headers=bearer(token))
    assert response.status_code == 200
    assert "zd-secret-token-123" not in response.get_data(as_text=True)
    return response


def test_ticket_ref_is_fetched_from_zendesk_and_assessed(client, installation):
    token = installation["api_token"]
    _store_credentials(client, token)
    status = client.get("/v1/installation/credentials", headers=bearer(token)).get_json()
    assert status == {"configured": True, "keys": ["zendesk.api_token", "zendesk.email", "zendesk.subdomain"]}

    with responses.RequestsMock() as mock:
        _fake_zendesk(mock)
        response = client.post("/v1/assessments", json={"ticket_ref": {"source": "zendesk", "id": 35436}},
                               headers=bearer(token))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["ticket"] == {"source": "zendesk", "id": "35436"}
    names = {c["name"] for c in body["categories"]}
    # The captured ticket is an enterprise customer's outage with a refund demand.
    assert "bug_incident" in names and "high_value_customer" in names
    evidence = " ".join(s["evidence"] for s in body["signals"])
    assert "organization.arr" in evidence or "tier" in evidence


def test_ticket_ref_without_credentials_is_409(client, installation):
    response = client.post("/v1/assessments", json={"ticket_ref": {"source": "zendesk", "id": "1"}},
                           headers=bearer(installation["api_token"]))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "credentials_missing"


def test_ticket_ref_unknown_ticket_is_404(client, installation):
    token = installation["api_token"]
    _store_credentials(client, token)
    with responses.RequestsMock() as mock:
        mock.get("https://acme.zendesk.com/api/v2/tickets/999.json", status=404,
                 json=load_fixture("zendesk", "error_record_not_found.json"))
        response = client.post("/v1/assessments", json={"ticket_ref": {"source": "zendesk", "id": "999"}},
                               headers=bearer(token))
    assert response.status_code == 404
    assert "999" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("status, code", [(401, "upstream_unauthorized"), (503, "upstream_error")])
def test_ticket_ref_vendor_failures_are_named_without_secrets(client, installation, status, code):
    token = installation["api_token"]
    _store_credentials(client, token)
    with responses.RequestsMock() as mock:
        mock.get("https://acme.zendesk.com/api/v2/tickets/5.json", status=status,
                 json={"error": "Couldn't authenticate you"})
        response = client.post("/v1/assessments", json={"ticket_ref": {"source": "zendesk", "id": "5"}},
                               headers=bearer(token))
    assert response.status_code in (502, 503)
    assert response.get_json()["error"]["code"] == code
    assert "zd-secret-token-123" not in response.get_data(as_text=True)


def test_ticket_ref_for_the_wrong_help_desk_is_409(client, installation):
    response = client.post("/v1/assessments", json={"ticket_ref": {"source": "salesforce", "id": "5003000000D8cuI"}},
                           headers=bearer(installation["api_token"]))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "source_mismatch"


def test_salesforce_ticket_ref_with_a_malformed_id_is_422(client, make_installation):
    sf = make_installation(name="Globex", source="salesforce")
    _store_credentials(client, sf["api_token"],
                       {"instance_url": "https://globex.my.salesforce.com", "access_token": "00Dxx!secret"})
    response = client.post("/v1/assessments", json={"ticket_ref": {"source": "salesforce", "id": "x' OR Id != '"}},
                           headers=bearer(sf["api_token"]))
    assert response.status_code == 422
    assert "secret" not in response.get_data(as_text=True)
