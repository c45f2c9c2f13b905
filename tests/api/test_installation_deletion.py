"""DELETE /v1/installation: every row of the installation goes, and its credentials stop working."""
from __future__ import annotations

from sqlalchemy import func, select, text

from sidecar.services.inbound import accept_event
from sidecar.store.models import Base, HistoryTicket, Installation
from tests.conftest import bearer, zaf_jwt
from tests.escalation_support import escalate

TICKET = {"id": "9001", "subject": "Gearbox telemetry vanished", "requester": {"email": "kim@initech.example"},
          "comments": [{"author": "customer", "body": "All gearbox telemetry vanished overnight. I need a person."}]}


def _rows_of(database, installation_id: str) -> dict[str, int]:
    counts = {}
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            column = table.c.get("installation_id") if table.name != "installations" else table.c.id
            if column is not None:
                counts[table.name] = connection.execute(
                    select(func.count()).select_from(table).where(column == installation_id)).scalar()
    return counts


def test_deleting_the_installation_removes_every_row_and_its_tokens_stop_working(client, installation,
                                                                                make_installation, database):
    token = installation["api_token"]
    other = make_installation(name="Other")
    for owner in (installation, other):
        assessed = client.post("/v1/assessments", json={"ticket": TICKET}, headers=bearer(owner["api_token"]))
        client.post(f"/v1/assessments/{assessed.get_json()['id']}/feedback", json={"rating": "right"},
                    headers=bearer(owner["api_token"]))
        assert escalate(client, owner["api_token"], TICKET).status_code == 202
        assert client.put("/v1/settings/retention", json={"days": 30}, headers=bearer(owner["api_token"])
                          ).status_code == 200
    client.post("/v1/teams", json={"name": "Platform"}, headers=bearer(token))
    assert accept_event(database, installation_id=installation["id"], system="zendesk", delivery_id="d-1",
                        kind="zendesk.ticket_event", data={"ticket_id": "9001"}, occurred_at=None)
    with database.session() as session:
        history_row = session.scalar(
            select(HistoryTicket.id).where(HistoryTicket.installation_id == installation["id"]))
    before = _rows_of(database, installation["id"])
    assert before["history_tickets"] and before["assessments"] and before["escalations"] and before["jobs"]
    other_before = _rows_of(database, other["id"])

    response = client.delete(f"/v1/installation?confirm={installation['id']}", headers=bearer(token))

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["id"] == installation["id"]
    assert body["deleted"]["installations"] == 1
    assert {name: count for name, count in body["deleted"].items() if name != "installations"} == \
        {name: count for name, count in before.items() if name != "installations"}
    assert set(_rows_of(database, installation["id"]).values()) == {0}
    assert _rows_of(database, other["id"]) == other_before  # the other installation is untouched
    if database.engine.dialect.name == "sqlite":
        assert body["storage"]["search_index_merged"] is True and body["storage"]["wal_truncated"] is True
        with database.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM history_search WHERE rowid = :id"),
                                      {"id": history_row}).scalar() == 0
    else:
        assert "history_tickets" in body["storage"]["vacuumed"]

    # Its API token and its JWTs no longer work; the other installation's still do.
    for credential in (token, zaf_jwt(installation)):
        refused = client.get("/v1/installation", headers=bearer(credential))
        assert refused.status_code == 401
    assert client.get("/v1/installation", headers=bearer(other["api_token"])).status_code == 200
    with database.session() as session:
        assert session.get(Installation, installation["id"]) is None


def test_deleting_needs_the_installation_id_as_confirmation(client, installation, database):
    token = installation["api_token"]
    for path in ("/v1/installation", "/v1/installation?confirm=", "/v1/installation?confirm=inst_someone_else"):
        response = client.delete(path, headers=bearer(token))
        assert response.status_code == 422, response.get_json()
        assert "confirm" in response.get_json()["error"]["details"]
    assert client.get("/v1/installation", headers=bearer(token)).status_code == 200
