"""The embedded demo: one command gives a newcomer an installation, teams, experts, past incidents and tickets."""
from sidecar.demo import demo_tickets, set_up_demo
from tests.conftest import bearer


def _assess_demo_ticket(client, token: str, ticket_id: str) -> dict:
    """Assess one demo ticket as the sidebar does when it is opened (the demo stores no assessment itself)."""
    ticket = next(t for t in demo_tickets() if t["id"] == ticket_id)
    response = client.post("/v1/assessments", json={"ticket": ticket}, headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_demo_sets_up_teams_and_routes_its_refund_ticket(app, client, box):
    with app.extensions["sidecar"].database.session() as session:
        first = set_up_demo(session, box=box)
    with app.extensions["sidecar"].database.session() as session:
        again = set_up_demo(session, box=box)  # a second start reuses the installation
    assert again["id"] == first["id"] and again["api_token"] != first["api_token"]
    assert client.get("/v1/assessments", headers=bearer(again["api_token"])).get_json()["items"] == []
    assert _assess_demo_ticket(client, again["api_token"], "48213")["route"]["team"]["name"] == "Billing"
    assert client.get("/v1/assessments", headers=bearer(first["api_token"])).status_code == 401
    # The preview page's token is an agent token, renewed on every start like the admin one.
    assert client.get("/v1/assessments", headers=bearer(again["agent_token"])).status_code == 200
    assert client.get("/v1/audit", headers=bearer(again["agent_token"])).status_code == 403
    assert client.get("/v1/assessments", headers=bearer(first["agent_token"])).status_code == 401


def test_demo_history_gives_similar_incidents_and_loads_once(app, client, box):
    from sidecar.demo import demo_history
    from sidecar.store.history import count_history

    database = app.extensions["sidecar"].database
    with database.session() as session:
        demo = set_up_demo(session, box=box)
    with database.session() as session:
        demo = set_up_demo(session, box=box)
    with database.session() as session:
        # The past incidents are not doubled; the demo tickets join the history only once assessed.
        assert count_history(session, installation_id=demo["id"]) == len(demo_history())
    similar = _assess_demo_ticket(client, demo["api_token"], "48213")["similar"]
    assert similar and similar[0]["solved_by"] and similar[0]["resolution"]
    assert {s["id"] for s in similar} & {"47102", "46577", "FIN-88"}
    outage = _assess_demo_ticket(client, demo["api_token"], "48215")
    assert "PLAT-231" in {s["id"] for s in outage["similar"]}
