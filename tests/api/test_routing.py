"""Teams, experts, rules and the routing decision, as an operator and an agent see them."""
import json
from collections import Counter
from datetime import date, timedelta

from click.testing import CliRunner

from sidecar.cli import main
from tests.conftest import ENCRYPTION_KEY, FIXTURES, bearer

EXPERTS_FILE = FIXTURES / "directory" / "acme.yaml"

REFUND = {
    "id": "5001",
    "subject": "Please refund the duplicate charge",
    "description": "We were charged twice for our annual plan this month. Please refund the second charge of $1,200.",
    "organization": {"name": "Northwind", "tier": "business", "arr": 24000},
}
NOTHING = {
    "id": "5002",
    "subject": "Lunch recommendations",
    "description": "Do any of you know a good place for lunch near the Berlin office?",
}


def _load(database_url, installation_id, path=EXPERTS_FILE):
    env = {"DATABASE_URL": database_url, "SIDECAR_ENCRYPTION_KEY": ENCRYPTION_KEY, "LOG_LEVEL": "warning"}
    return CliRunner().invoke(main, ["experts", "load", str(path), "--installation", installation_id], env=env)


def _route(client, token, ticket):
    response = client.post("/v1/routes", json={"ticket": ticket}, headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_experts_file_loads_and_reloading_changes_nothing(app, client, installation, database_url):
    first = _load(database_url, installation["id"])
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout.strip().splitlines()[-1])
    assert len(summary["created"]) == 9  # 3 teams + 6 experts
    again = json.loads(_load(database_url, installation["id"]).stdout.strip().splitlines()[-1])
    assert again["created"] == [] and again["updated"] == [] and len(again["unchanged"]) == 9
    assert again["rules"] == "unchanged"
    teams = client.get("/v1/teams", headers=bearer(installation["api_token"])).get_json()
    assert sorted(t["name"] for t in teams) == ["Billing", "Platform Engineering", "Trust and Legal"]
    assert len(client.get("/v1/experts", headers=bearer(installation["api_token"])).get_json()) == 6


def test_experts_file_errors_name_the_place(app, installation, database_url, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "teams:\n  - name: Billing\n    categories: [money]\n    experts:\n"
        "      - {name: X, email: not-an-email, timezone: Mars/Base}\n"
        "rules:\n  - {name: r, team: Nope, when: {colour: [red]}}\n"
    )
    result = _load(database_url, installation["id"], bad)
    assert result.exit_code != 0
    for needle in ("teams[0].categories[0]", "teams[0].experts[0].email", "Mars/Base", "rules[0].team", "colour"):
        assert needle in result.output, result.output


def test_refund_routes_to_billings_available_expert_then_the_next_when_out_of_office(
        app, client, installation, database_url):
    assert _load(database_url, installation["id"]).exit_code == 0
    token = installation["api_token"]

    route = _route(client, token, REFUND)
    assert route["team"]["name"] == "Billing"
    assert route["expert"]["name"] == "Ana Ruiz"
    assert route["expert"]["available_now"] is True
    assert route["confidence"] >= 0.45
    text = " ".join(route["reasons"])
    assert "billing refund" in text and "available now" in text and "capacity" in text
    assert any(alt["team"]["name"] != "Billing" or alt["expert"] for alt in route["alternatives"])

    ana = next(e for e in client.get("/v1/experts", headers=bearer(token)).get_json() if e["name"] == "Ana Ruiz")
    today = date.today()
    patched = client.patch(f"/v1/experts/{ana['id']}", headers=bearer(token), json={
        "out_of_office": [{"start": str(today - timedelta(days=1)), "end": str(today + timedelta(days=7))}]})
    assert patched.status_code == 200, patched.get_data(as_text=True)

    route = _route(client, token, REFUND)
    assert route["team"]["name"] == "Billing"
    assert route["expert"]["name"] == "Ben Okafor"
    assert any("Ana Ruiz skipped: out of office" in r for r in route["reasons"])


def test_ticket_about_nothing_any_team_does_gets_no_team(app, client, installation, database_url):
    assert _load(database_url, installation["id"]).exit_code == 0
    route = _route(client, installation["api_token"], NOTHING)
    assert route["team"] is None and route["expert"] is None
    assert "no team" in route["reasons"][0]


def test_rule_wins_and_says_so(app, client, installation, database_url):
    assert _load(database_url, installation["id"]).exit_code == 0
    ticket = {"id": "5003", "subject": "Our bank says there is a chargeback", "description": "What happens now?"}
    route = _route(client, installation["api_token"], ticket)
    assert route["team"]["name"] == "Billing"
    assert route["reasons"][0].startswith("rule 'Chargebacks always go to billing' matched")


def test_assessment_carries_the_route(app, client, installation, database_url):
    assert _load(database_url, installation["id"]).exit_code == 0
    body = client.post("/v1/assessments", json={"ticket": REFUND}, headers=bearer(installation["api_token"])).get_json()
    assert body["route"]["team"]["name"] == "Billing"
    assert isinstance(body["similar"], list)


def test_a_thousand_tickets_spread_fairly_over_equal_experts(app, client, installation, database_url):
    assert _load(database_url, installation["id"]).exit_code == 0
    token = installation["api_token"]
    # Make Ana and Ben equal: same skills, same tags.
    for expert in client.get("/v1/experts?", headers=bearer(token)).get_json():
        if expert["name"] in ("Ana Ruiz", "Ben Okafor"):
            client.patch(f"/v1/experts/{expert['id']}", headers=bearer(token), json={"tags": [], "languages": ["en"]})
    from sidecar.intelligence.scoring import assess_ticket
    from sidecar.intelligence.ticket import ticket_from_mapping
    from sidecar.services.installations import get_installation
    from sidecar.services.routing import route_ticket

    counts = Counter()
    with app.extensions["sidecar"].database.session() as session:
        inst = get_installation(session, installation["id"])
        for n in range(1000):
            ticket = ticket_from_mapping({**REFUND, "id": f"refund-{n}"})
            decision = route_ticket(session, installation=inst, ticket=ticket, assessment=assess_ticket(ticket))
            counts[decision.expert.name] += 1
    assert set(counts) == {"Ana Ruiz", "Ben Okafor"}
    assert 400 <= counts["Ana Ruiz"] <= 600, counts  # no one starved, no one flooded


def test_directory_is_per_installation_and_validated(app, client, installation, make_installation, database_url):
    assert _load(database_url, installation["id"]).exit_code == 0
    other = make_installation(name="Other")
    assert client.get("/v1/teams", headers=bearer(other["api_token"])).get_json() == []
    team_id = client.get("/v1/teams", headers=bearer(installation["api_token"])).get_json()[0]["id"]
    assert client.get(f"/v1/teams/{team_id}", headers=bearer(other["api_token"])).status_code == 404
    foreign_expert = client.post("/v1/experts", headers=bearer(other["api_token"]),
                                 json={"team_id": team_id, "name": "Mallory", "email": "m@evil.example"})
    assert foreign_expert.status_code == 409 and foreign_expert.get_json()["error"]["code"] == "unknown_team"
    duplicate = client.post("/v1/teams", headers=bearer(installation["api_token"]), json={"name": "Billing"})
    assert duplicate.status_code == 409
    typo = client.post("/v1/teams", headers=bearer(installation["api_token"]), json={"name": "X", "slak": "#x"})
    assert typo.status_code == 422 and "slak" in json.dumps(typo.get_json())


def test_routing_rules_are_editable_by_api(app, client, installation, database_url):
    assert _load(database_url, installation["id"]).exit_code == 0
    token = installation["api_token"]
    teams = {t["name"]: t["id"] for t in client.get("/v1/teams", headers=bearer(token)).get_json()}
    rules = {"rules": [{"name": "German speakers to legal", "team_id": teams["Trust and Legal"],
                        "when": {"language": ["de"]}}]}
    put = client.put("/v1/routing-rules", headers=bearer(token), json=rules)
    assert put.status_code == 200, put.get_data(as_text=True)
    assert [r["name"] for r in client.get("/v1/routing-rules", headers=bearer(token)).get_json()["rules"]] == [
        "German speakers to legal"]
    ticket = {**NOTHING, "requester": {"name": "Jonas", "locale": "de-DE"}}
    assert _route(client, token, ticket)["team"]["name"] == "Trust and Legal"
    bad = client.put("/v1/routing-rules", headers=bearer(token), json={"rules": [{"name": "x", "team_id": "team_nope",
                                                                                    "when": {"tier": ["enterprise"]}}]})
    assert bad.status_code == 409 and bad.get_json()["error"]["code"] == "unknown_team"


def test_every_stored_time_in_a_response_carries_its_utc_offset(app, client, installation, database_url):
    from datetime import datetime

    assert _load(database_url, installation["id"]).exit_code == 0
    headers = bearer(installation["api_token"])
    times = [client.get("/v1/installation", headers=headers).get_json()["created_at"]]
    for path in ("/v1/teams", "/v1/experts"):
        item = client.get(path, headers=headers).get_json()[0]
        times += [item["created_at"], item["updated_at"]]
    assert all(datetime.fromisoformat(t).utcoffset() is not None for t in times), times


def test_a_ticket_in_spanish_without_a_locale_goes_to_the_expert_who_speaks_it(app, client, installation,
                                                                               database_url):
    assert _load(database_url, installation["id"]).exit_code == 0
    spanish = {"id": "5003", "subject": "Cobro duplicado",
               "description": "Hola, nos cobraron dos veces este mes. Quiero un reembolso del segundo cobro. Gracias."}
    route = _route(client, installation["api_token"], spanish)
    assert route["team"]["name"] == "Billing" and route["expert"]["name"] == "Ana Ruiz"
    assert "speaks es" in " ".join(route["reasons"])
