"""GET /v1/tickets/<source>/<id>/similar and the `similar` of an assessment: has this happened before?"""
from sidecar.store.history import upsert_history
from tests.conftest import bearer
from tests.history_support import record_assessed_tickets

HISTORY = [
    {"id": "h1", "subject": "Export to CSV fails with error 500", "created_at": "2026-01-02T10:00:00Z",
     "description": "Exporting the weekly report to CSV fails with HTTP 500 since the update.",
     "status": "solved", "resolution": "Fixed in release 4.2: the exporter timed out on large reports.",
     "group": "Platform Engineering", "assignee": "chen@acme.example"},
    {"id": "h2", "subject": "Refund for double charge", "created_at": "2026-01-03T10:00:00Z",
     "description": "We were charged twice for the annual plan.", "status": "solved",
     "resolution": "Refunded the duplicate charge.", "group": "Billing", "assignee": "ana@acme.example"},
    {"id": "h3", "subject": "CSV export returns server error on big reports", "created_at": "2026-01-05T10:00:00Z",
     "description": "Our CSV export of large reports gives a 500 server error.", "status": "open",
     "group": "Platform Engineering"},
]


def _import(app, installation_id, rows=HISTORY):
    with app.extensions["sidecar"].database.session() as session:
        upsert_history(session, installation_id=installation_id, rows=rows)


def test_similar_lists_the_earlier_incident_with_how_it_ended(app, client, installation):
    _import(app, installation["id"])
    response = client.get("/v1/tickets/file/h3/similar", headers=bearer(installation["api_token"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    items = response.get_json()["items"]
    assert items[0]["id"] == "h1"
    assert items[0]["resolution"].startswith("Fixed in release 4.2")
    assert items[0]["solved_by"] == "chen@acme.example"
    assert 0 < items[0]["score"] <= 1
    assert "h3" not in [i["id"] for i in items]  # never itself


def test_an_incident_still_open_names_its_assignee_but_no_solver(app, client, installation):
    rows = [*HISTORY[:2], {**HISTORY[2], "assignee": "dara@acme.example"},
            {"id": "h4", "subject": "CSV export of big reports fails with 500", "created_at": "2026-01-06T10:00:00Z",
             "description": "Large report CSV export gives a 500 error.", "status": "open"}]
    _import(app, installation["id"], rows)
    items = client.get("/v1/tickets/file/h4/similar", headers=bearer(installation["api_token"])).get_json()["items"]
    by_id = {item["id"]: item for item in items}
    assert by_id["h3"]["assignee"] == "dara@acme.example" and by_id["h3"]["solved_by"] is None
    assert by_id["h1"]["solved_by"] == "chen@acme.example"


def test_similar_is_scoped_to_the_installation(app, client, installation, make_installation):
    other = make_installation(name="Other")
    _import(app, other["id"])
    _import(app, installation["id"], HISTORY[2:])
    items = client.get("/v1/tickets/file/h3/similar", headers=bearer(installation["api_token"])).get_json()["items"]
    assert items == []
    missing = client.get("/v1/tickets/file/h1/similar", headers=bearer(installation["api_token"]))
    assert missing.status_code == 404


def test_assessment_lists_similar_incidents_and_the_ticket_joins_history(app, client, installation):
    _import(app, installation["id"])
    ticket = {"id": "777", "subject": "CSV export broken", "description": "Exporting reports to CSV gives error 500."}
    body = client.post("/v1/assessments", json={"ticket": ticket}, headers=bearer(installation["api_token"])).get_json()
    assert {"h1", "h3"} <= {s["id"] for s in body["similar"]}
    assert record_assessed_tickets(app.extensions["sidecar"].database) == 1  # the worker records it
    again = client.get("/v1/tickets/zendesk/777/similar", headers=bearer(installation["api_token"]))
    assert again.status_code == 200
    assert "777" not in [i["id"] for i in again.get_json()["items"]]


def test_bad_source_and_limit_are_422(client, installation):
    assert client.get("/v1/tickets/freshdesk/1/similar", headers=bearer(installation["api_token"])).status_code == 422
    response = client.get("/v1/tickets/file/1/similar?limit=500", headers=bearer(installation["api_token"]))
    assert response.status_code == 422
