"""An admin chooses the learned escalation model (or runs it in shadow); signals and categories stay the rules'."""
from __future__ import annotations

from sidecar.intelligence.scoring import rules_version
from sidecar.services.escalation_models import train_installation_escalation
from sidecar.store.history import upsert_history
from tests.conftest import bearer
from tests.learned_escalation_support import synthetic_history

TICKET = {"ticket": {"id": "901", "subject": "quasar gateway errors",
                     "description": "Our quasar gateway returns errors for the whole team, please refund us."}}


def _train(app, installation_id):
    database = app.extensions["sidecar"].database
    with database.session() as session:
        upsert_history(session, installation_id=installation_id, rows=synthetic_history(80), source="zendesk")
    with database.session() as session:
        return train_installation_escalation(session, installation_id=installation_id)


def test_learned_without_a_trained_model_is_409_naming_the_problem(client, installation):
    token = installation["api_token"]
    for body in ({"model": "learned"}, {"model": "rules", "shadow": "learned"}):
        response = client.put("/v1/settings/scoring", json=body, headers=bearer(token))
        assert response.status_code == 409, response.get_data(as_text=True)
        error = response.get_json()["error"]
        assert error["code"] == "no_escalation_model"
        assert "sidecar train" in error["message"]
    assert client.get("/v1/settings/scoring", headers=bearer(token)).get_json()["model"] == "rules"


def test_bad_model_names_and_a_shadow_of_itself_are_422(client, installation):
    token = installation["api_token"]
    assert client.put("/v1/settings/scoring", json={"model": "neural"}, headers=bearer(token)).status_code == 422
    same = client.put("/v1/settings/scoring", json={"model": "rules", "shadow": "rules"}, headers=bearer(token))
    assert same.status_code == 422
    assert "shadow" in same.get_json()["error"]["details"]


def test_shadow_then_learned_then_back_to_rules(app, client, installation):
    token = installation["api_token"]
    trained = _train(app, installation["id"])
    rules_only = client.post("/v1/assessments", json=TICKET, headers=bearer(token)).get_json()
    assert rules_only["model_version"] == rules_version() and "shadow" not in rules_only

    shadow = client.put("/v1/settings/scoring", json={"model": "rules", "shadow": "learned"}, headers=bearer(token))
    assert shadow.status_code == 200, shadow.get_data(as_text=True)
    assert (shadow.get_json()["model"], shadow.get_json()["shadow"]) == ("rules", "learned")
    shadowed = client.post("/v1/assessments", json=TICKET, headers=bearer(token)).get_json()
    assert shadowed["model_version"] == rules_version() and shadowed["score"] == rules_only["score"]
    assert shadowed["shadow"]["model_version"] == trained["version"]
    assert shadowed["shadow"]["score"] > 0.6  # a quasar ticket: escalated in this history
    from sidecar.schemas import AssessmentSchema

    assert AssessmentSchema().validate(shadowed) == {}
    stored = client.get(f"/v1/assessments/{shadowed['id']}", headers=bearer(token)).get_json()
    assert stored["shadow"] == shadowed["shadow"]

    learned = client.put("/v1/settings/scoring", json={"model": "learned", "shadow": "rules"}, headers=bearer(token))
    assert learned.status_code == 200, learned.get_data(as_text=True)
    scored = client.post("/v1/assessments", json=TICKET, headers=bearer(token)).get_json()
    assert scored["model_version"] == trained["version"]
    assert scored["score"] == shadowed["shadow"]["score"]
    assert scored["shadow"] == {"model_version": rules_version(), "score": rules_only["score"]}
    # Evidence and categories are the rules' whatever makes the score.
    assert scored["signals"] == rules_only["signals"] and scored["categories"] == rules_only["categories"]

    back = client.put("/v1/settings/scoring", json={"model": "rules"}, headers=bearer(token))
    assert back.status_code == 200
    again = client.post("/v1/assessments", json=TICKET, headers=bearer(token)).get_json()
    assert again["model_version"] == rules_version() and "shadow" not in again


def test_the_learned_model_is_per_installation(app, client, installation, make_installation):
    _train(app, installation["id"])
    other = make_installation(name="Other")
    response = client.put("/v1/settings/scoring", json={"model": "learned"}, headers=bearer(other["api_token"]))
    assert response.status_code == 409


def test_the_escalation_preview_carries_the_chosen_score(app, client, installation):
    token = installation["api_token"]
    _train(app, installation["id"])
    before = client.post("/v1/escalations/preview", json=TICKET, headers=bearer(token))
    assert before.status_code == 200, before.get_data(as_text=True)
    assert client.put("/v1/settings/scoring", json={"model": "learned"}, headers=bearer(token)).status_code == 200
    learned = client.post("/v1/assessments", json=TICKET, headers=bearer(token)).get_json()
    after = client.post("/v1/escalations/preview", json=TICKET, headers=bearer(token)).get_json()
    assert after["score"] == learned["score"] != before.get_json()["score"]
