"""The embedded demo: one command gives a newcomer an installation, teams, experts and assessed tickets."""
from sidecar.demo import set_up_demo
from tests.conftest import bearer


def test_demo_sets_up_teams_and_routes_its_refund_ticket(app, client, box):
    with app.extensions["sidecar"].database.session() as session:
        first = set_up_demo(session, box=box)
    with app.extensions["sidecar"].database.session() as session:
        again = set_up_demo(session, box=box)  # a second start reuses the installation
    assert again["id"] == first["id"] and again["api_token"] != first["api_token"]
    items = client.get("/v1/assessments?ticket_id=48213", headers=bearer(again["api_token"])).get_json()["items"]
    assert items[0]["route"]["team"]["name"] == "Billing"
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
        # The five demo tickets join the history as they are assessed; the past incidents are not doubled.
        assert count_history(session, installation_id=demo["id"]) == len(demo_history()) + 5
    items = client.get("/v1/assessments?ticket_id=48213", headers=bearer(demo["api_token"])).get_json()["items"]
    similar = items[0]["similar"]
    assert similar and similar[0]["solved_by"] and similar[0]["resolution"]
    assert {s["id"] for s in similar} & {"47102", "46577", "FIN-88"}
    outage = client.get("/v1/assessments?ticket_id=48215", headers=bearer(demo["api_token"])).get_json()["items"][0]
    assert "PLAT-231" in {s["id"] for s in outage["similar"]}
