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
