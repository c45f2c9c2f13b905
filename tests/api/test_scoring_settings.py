"""An installation tunes its weights and thresholds; the next assessment uses them."""
from sidecar.store.models import Installation
from tests.conftest import bearer

TICKET = {"ticket": {"id": "9", "subject": "Refund please",
                     "description": "You charged us twice, please refund the second charge."}}


def test_defaults_are_shown_and_overrides_change_the_next_assessment(client, installation):
    token = installation["api_token"]
    settings = client.get("/v1/settings/scoring", headers=bearer(token)).get_json()
    assert settings["overrides"] == {}
    assert settings["weights"]["refund_request"] > 0
    before = client.post("/v1/assessments", json=TICKET, headers=bearer(token)).get_json()

    updated = client.put(
        "/v1/settings/scoring",
        json={"weights": {"refund_request": 0.0, "billing_error": 0.0}, "escalate_threshold": 0.95},
        headers=bearer(token),
    )
    assert updated.status_code == 200, updated.get_data(as_text=True)
    assert updated.get_json()["weights"]["refund_request"] == 0.0
    after = client.post("/v1/assessments", json=TICKET, headers=bearer(token)).get_json()
    # The zeroed weights no longer add to the score (it may rest on the authority floor both times: the reason
    # is still reported), and the raised threshold changes the recommendation.
    weighed = {signal["name"] for signal in before["signals"]}
    assert {"refund_request", "billing_error"} <= weighed
    assert not {"refund_request", "billing_error"} & {signal["name"] for signal in after["signals"]}
    assert after["score"] <= before["score"]
    assert after["recommendation"] != "escalate"


def test_unknown_weight_and_disordered_thresholds_are_422(client, installation):
    token = installation["api_token"]
    unknown = client.put("/v1/settings/scoring", json={"weights": {"vibes": 1.0}}, headers=bearer(token))
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["details"] == {"weights": {"vibes": ["Unknown field."]}}
    disordered = client.put("/v1/settings/scoring", json={"level_thresholds": {"high": 0.2}}, headers=bearer(token))
    assert disordered.status_code == 422
    assert "medium" in disordered.get_json()["error"]["message"]
    out_of_range = client.put("/v1/settings/scoring", json={"watch_threshold": 2}, headers=bearer(token))
    assert out_of_range.status_code == 422
    assert "watch_threshold" in out_of_range.get_json()["error"]["details"]


def test_settings_are_per_installation(client, installation, make_installation):
    other = make_installation(name="Other")
    client.put("/v1/settings/scoring", json={"escalate_threshold": 0.9}, headers=bearer(installation["api_token"]))
    theirs = client.get("/v1/settings/scoring", headers=bearer(other["api_token"])).get_json()
    assert theirs["overrides"] == {}


def test_each_settings_call_stores_only_its_own_keys(app, client, installation):
    token = installation["api_token"]
    assert client.put("/v1/settings/scoring", json={"escalate_threshold": 0.8, "model": "rules"},
                      headers=bearer(token)).status_code == 200
    assert client.put("/v1/settings/escalation", json={"ack_minutes": 45, "redaction": None},
                      headers=bearer(token)).status_code == 200
    assert client.put("/v1/installation/credentials", headers=bearer(token), json={
        "credentials": {"subdomain": "acme", "email": "a@acme.test", "api_token": "t"},
        "settings": {"bot_user_ids": [7]}}).status_code == 200
    with app.extensions["sidecar"].database.session() as session:
        stored = session.get(Installation, installation["id"]).settings
    assert stored == {"scoring": {"escalate_threshold": 0.8, "model": "rules"}, "ack_minutes": 45,
                      "redaction": {"emails": False, "phones": False, "cards": True, "patterns": []},
                      "helpdesk": {"bot_user_ids": [7]}}
    view = client.get("/v1/settings/escalation", headers=bearer(token)).get_json()
    assert view["ack_minutes"] == 45 and view["proactive"] == "suggest" and view["jira_priority"]["Highest"] == 0.85
    assert client.get("/v1/settings/scoring", headers=bearer(token)).get_json()["overrides"] == stored["scoring"]
