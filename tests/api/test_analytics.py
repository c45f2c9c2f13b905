"""GET /v1/analytics on the demo, through the HTTP API as an agent uses it: assess 4 tickets, escalate 2,
rate one assessment right and one wrong; the summary says 4, 2, 1 and 1 and today's points are there."""
from __future__ import annotations

from sidecar.demo import demo_tickets, set_up_demo
from sidecar.store.models import utcnow
from tests.conftest import bearer


def test_the_demo_flow_is_counted_in_the_summary_and_todays_points(app, client, box):
    with app.extensions["sidecar"].database.session() as session:
        demo = set_up_demo(session, box=box)
    agent = bearer(demo["agent_token"])  # the sidebar's scope: it may read the analytics too
    tickets = demo_tickets()[:4]
    assessments = []
    for ticket in tickets:
        response = client.post("/v1/assessments", json={"ticket": ticket}, headers=agent)
        assert response.status_code == 201
        assessments.append(response.get_json())
    for ticket in tickets[:2]:  # escalating assesses again, but stores no assessment of its own
        assert client.post("/v1/escalations", json={"ticket": ticket}, headers=agent).status_code == 202
    for assessment, rating in zip(assessments, ("right", "wrong"), strict=False):
        response = client.post(f"/v1/assessments/{assessment['id']}/feedback", json={"rating": rating},
                               headers=agent)
        assert response.status_code == 201

    summary = client.get("/v1/analytics/summary", headers=agent)
    assert summary.status_code == 200
    body = summary.get_json()
    assert body["assessments"]["total"] == 4
    assert body["escalations"]["total"] == 2
    assert body["feedback"] == {"right": 1, "wrong": 1}
    assert sum(body["assessments"]["by_level"].values()) == 4
    assert body["escalations"]["by_status"]["pending"] == 2 and sum(body["escalations"]["by_status"].values()) == 2
    # The demo's refund ticket routes to Billing with its billing reason.
    assert body["escalations"]["by_team"].get("Billing", 0) >= 1
    by_category = body["escalations"]["by_category"]
    assert sum(by_category.values()) == 2 and "billing_refund" in by_category
    assert body["suggested_expert_kept_rate"] == 1.0  # nobody overrode the route
    assert body["time_to_acknowledge_seconds"] == {"count": 0, "p50": None, "p90": None}

    today = utcnow().date().isoformat()
    for metric, expected in (("assessments", 4), ("escalations", 2)):
        series = client.get(f"/v1/analytics/timeseries?metric={metric}&interval=day", headers=agent).get_json()
        assert len(series["points"]) == 30 and series["points"][-1] == {"period": today, "count": expected}
        assert sum(point["count"] for point in series["points"]) == expected
    week = client.get("/v1/analytics/timeseries?metric=escalations&interval=week", headers=agent).get_json()
    assert week["points"][-1]["count"] == 2


def test_bad_queries_are_refused_naming_the_parameter(client, installation):
    admin = bearer(installation["api_token"])
    for query, parameter in (("from=2026-02-30", "from"), ("to=yesterday", "to"),
                             ("from=2026-12-07&to=2026-12-06", "from"), ("from=2025-01-01&to=2026-12-06", "from"),
                             ("unknown=1", "unknown")):
        response = client.get(f"/v1/analytics/summary?{query}", headers=admin)
        assert response.status_code == 422, query
        assert response.get_json()["error"]["code"] == "invalid_input"
        assert parameter in response.get_json()["error"]["details"], query
    for query, parameter in (("metric=speed", "metric"), ("metric=escalations&interval=month", "interval"),
                             ("interval=day", "metric")):
        response = client.get(f"/v1/analytics/timeseries?{query}", headers=admin)
        assert response.status_code == 422 and parameter in response.get_json()["error"]["details"], query


def test_agents_and_admins_may_read_the_analytics_and_read_tokens_may_not(client, installation):
    admin = bearer(installation["api_token"])
    made = client.post("/v1/tokens", json={"name": "dashboards", "scope": "read"}, headers=admin)
    read = made.get_json()["api_token"]
    assert client.get("/v1/analytics/summary", headers=bearer(read)).status_code == 403
    assert client.get("/v1/analytics/summary").status_code == 401
    document = client.get("/openapi.json").get_json()
    assert document["paths"]["/v1/analytics/summary"]["get"]["x-required-scope"] == "agent"
    assert document["paths"]["/v1/analytics/timeseries"]["get"]["x-required-scope"] == "agent"
