"""Through POST /v1/assessments: a valuable customer's words with nothing to do get no category and a low
score; the same customer's outage escalates with high_value_customer beside bug_incident and quoted evidence
(issue 14, point 2). Sentences written for this test."""
from tests.conftest import bearer

ORG = {"name": "Brightwater Logistics", "tier": "enterprise", "arr": 850000}


def _assess(client, token, ticket_id, text):
    ticket = {"id": ticket_id, "subject": "", "description": text,
              "comments": [{"author": "customer", "body": text, "public": True}], "organization": ORG}
    response = client.post("/v1/assessments", json={"ticket": ticket}, headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_value_is_not_a_reason_but_amplifies_one(client, installation):
    token = installation["api_token"]
    quiet = {
        "2101": "Many thanks for restoring the route planner after Monday's outage, it has run smoothly since.",
        "2102": "Out of office: I'm at a trade fair until the 30th and will reply when I am back at my desk.",
        "2103": "Would be great if the driver app showed the next stop's opening hours. Just an idea!",
        "2104": "I reset my password with the emailed link and I can log in again, thanks, please close this.",
    }
    for ticket_id, text in quiet.items():
        body = _assess(client, token, ticket_id, text)
        assert body["categories"] == [], (text, body["categories"])
        assert body["score"] < 0.35 and body["recommendation"] == "none", (text, body["score"])

    outage = _assess(client, token, "2105", "The route planner is down for all of our dispatchers since 5am.")
    names = {c["name"] for c in outage["categories"]}
    assert names == {"bug_incident", "high_value_customer"}
    assert outage["recommendation"] == "escalate"
    evidence = {s["name"]: s["evidence"] for s in outage["signals"]}
    assert "is down" in evidence["outage"]
    assert evidence["premium_tier"] == "organization.tier = enterprise"
