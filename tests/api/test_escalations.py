"""POST /v1/escalations end to end: one Jira issue, one private note, one Slack message, whatever fails.

Jira, Zendesk and Slack are the local fake server (tests/fakes/vendors.py): a stateful HTTP fake, so
"exactly once" is checked against what the vendor ends up holding, not against our own bookkeeping.
"""
from __future__ import annotations

import copy
import json
import threading

from sidecar.clients.jira import JiraClient, adf_to_text
from sidecar.jobs.pool import WorkerPool
from sidecar.jobs.worker import Worker
from sidecar.store.models import Escalation, Job, utcnow
from tests.conftest import FIXTURES, bearer
from tests.escalation_support import (
    MANY,
    PASSWORD_RESET,
    REFUND,
    configure,
    deliver,
    escalate,
    jira_creates,
    slack_posts,
    zendesk_notes,
)


def test_one_call_escalates_a_ticket_with_an_adf_issue_a_private_note_and_a_block_kit_message(
        client, live, fake, database, box):
    response = escalate(client, live["api_token"], note="Customer was double charged; refund approved by finance?")
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "pending" and body["mode"] == "live"
    assert [s["name"] for s in body["steps"]] == ["jira_issue", "jira_link", "ticket_note", "slack_message"]
    assert all(s["status"] == "planned" for s in body["steps"])
    assert response.headers["Location"] == f"/v1/escalations/{body['id']}"

    deliver(database, box)

    escalation = client.get(f"/v1/escalations/{body['id']}", headers=bearer(live["api_token"])).get_json()
    assert escalation["status"] == "delivered", escalation
    assert [s["status"] for s in escalation["steps"]] == ["done"] * 4
    key = escalation["jira"]["key"]
    assert key == "ESC-1" and escalation["jira"]["url"].endswith("/browse/ESC-1")
    assert escalation["slack"]["permalink"] and escalation["slack"]["ts"]

    # Jira: one issue, ADF description with the customer, the conversation, the reasons and links.
    assert len(jira_creates(fake)) == 1
    fields = jira_creates(fake)[0]["body"]["fields"]
    assert fields["description"]["type"] == "doc" and fields["description"]["version"] == 1
    text = adf_to_text(fields["description"])
    for expected in ("Northwind", "INV-20931", "chargeback", "real person"):
        assert expected in text, expected
    assert "/agent/tickets/48213" in json.dumps(fields["description"])  # the link back to the ticket
    assert f"sidecar-{body['id'].replace('_', '-')}" in fields["labels"]
    remote_links = [r for r in fake.requests("jira") if r["path"].endswith("/remotelink")]
    assert len(remote_links) == 1
    assert remote_links[0]["body"]["object"]["url"].endswith("/agent/tickets/48213")

    # Zendesk: one private note with the key, the key field and the tag.
    notes = zendesk_notes(fake)
    assert len(notes) == 1
    ticket_update = notes[0]["body"]["ticket"]
    assert ticket_update["comment"]["public"] is False and key in ticket_update["comment"]["body"]
    assert ticket_update["custom_fields"] == [{"id": 360001, "value": key}]
    assert "escalated_to_jira" in ticket_update["additional_tags"]

    # Slack: one Block Kit message with the three buttons.
    posts = slack_posts(fake)
    assert len(posts) == 1
    message = posts[0]["body"]
    assert message["channel"] == "C0SUPPORT"
    actions = [b for b in message["blocks"] if b["type"] == "actions"][0]["elements"]
    assert [a["text"]["text"] for a in actions][:2] == ["Acknowledge", "Open in Jira"]
    assert message["metadata"]["event_payload"]["escalation_id"] == body["id"]

    # The audit log has every write, and no secret anywhere in what the API shows.
    audit = client.get("/v1/audit", headers=bearer(live["api_token"])).get_json()["items"]
    assert {(e["system"], e["action"]) for e in audit} >= {
        ("jira", "create_issue"), ("jira", "remote_link"), ("zendesk", "internal_note"), ("slack", "post_message")}
    shown = json.dumps([escalation, audit, client.get("/v1/installation/connections",
                                                       headers=bearer(live["api_token"])).get_json()])
    for secret in ("zd-secret-token", "jira-secret-token", "xoxb-secret-token"):
        assert secret not in shown


def test_repeats_return_the_open_escalation_and_deliver_nothing_twice(client, live, fake, database, box):
    first = escalate(client, live["api_token"])
    assert first.status_code == 202
    for _ in range(4):
        again = escalate(client, live["api_token"])
        assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    deliver(database, box)
    assert escalate(client, live["api_token"]).status_code == 200
    deliver(database, box)
    assert (len(jira_creates(fake)), len(zendesk_notes(fake)), len(slack_posts(fake))) == (1, 1, 1)


def test_an_idempotency_key_returns_the_same_escalation_and_is_refused_for_another_ticket(client, live):
    first = escalate(client, live["api_token"], idempotency_key="agent-42-click-1")
    again = escalate(client, live["api_token"], idempotency_key="agent-42-click-1")
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    other = escalate(client, live["api_token"], ticket=PASSWORD_RESET, idempotency_key="agent-42-click-1")
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "idempotency_key_reused"


def test_five_simultaneous_requests_make_one_escalation(app, live, fake, database, box):
    answers = []

    def post():
        with app.test_client() as own_client:
            answers.append(escalate(own_client, live["api_token"]))

    threads = [threading.Thread(target=post) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 200, 202]
    assert len({a.get_json()["id"] for a in answers}) == 1
    deliver(database, box)
    assert (len(jira_creates(fake)), len(zendesk_notes(fake)), len(slack_posts(fake))) == (1, 1, 1)


def test_jira_failing_twice_then_answering_still_makes_one_issue(client, live, fake, database, box):
    fake.fail("jira", method="POST", path=r"^/rest/api/3/issue$", status=500, times=2)
    escalation_id = escalate(client, live["api_token"]).get_json()["id"]
    worker = Worker(database, box=box, allow_private_urls=True)
    worker.drain()
    shown = client.get(f"/v1/escalations/{escalation_id}", headers=bearer(live["api_token"])).get_json()
    jira_step = shown["steps"][0]
    assert jira_step["status"] == "retrying" and "HTTP 500" in jira_step["error"] and jira_step["next_attempt_at"]
    deliver(database, box)
    shown = client.get(f"/v1/escalations/{escalation_id}", headers=bearer(live["api_token"])).get_json()
    assert shown["status"] == "delivered" and shown["steps"][0]["attempts"] == 3
    assert len(fake.state()["jira"]["issues"]) == 1
    assert (len(zendesk_notes(fake)), len(slack_posts(fake))) == (1, 1)


def test_a_429_is_retried_after_the_time_jira_asks_for(client, live, fake, database, box):
    fake.fail("jira", method="POST", path=r"^/rest/api/3/issue$", status=429, retry_after=45, times=1)
    escalate(client, live["api_token"])
    before = utcnow()
    Worker(database, box=box, allow_private_urls=True).drain()
    with database.session() as session:
        job = session.query(Job).filter(Job.kind == "escalation.jira_issue").one()
        run_after = job.run_after if job.run_after.tzinfo else job.run_after.replace(tzinfo=before.tzinfo)
        assert job.status == "queued" and (run_after - before).total_seconds() >= 45
    deliver(database, box)
    assert len(fake.state()["jira"]["issues"]) == 1


def test_a_timeout_after_jira_created_the_issue_does_not_create_a_second(
        client, live, fake, database, box, monkeypatch):
    # The fake creates the issue and then answers too late: the worker sees a timeout, the issue exists.
    monkeypatch.setattr(JiraClient, "timeout", (1.0, 0.3))
    fake.fail("jira", method="POST", path=r"^/rest/api/3/issue$", status=None, delay=0.8, times=1)
    escalation_id = escalate(client, live["api_token"]).get_json()["id"]
    Worker(database, box=box, allow_private_urls=True).drain()
    step = client.get(f"/v1/escalations/{escalation_id}", headers=bearer(live["api_token"])).get_json()["steps"][0]
    assert step["status"] == "retrying" and "timed out" in step["error"]
    deliver(database, box)
    assert len(fake.state()["jira"]["issues"]) == 1  # the retry found it by its label
    shown = client.get(f"/v1/escalations/{escalation_id}", headers=bearer(live["api_token"])).get_json()
    assert shown["status"] == "delivered" and shown["jira"]["key"] == "ESC-1"


def test_slack_down_for_five_attempts_still_ends_with_one_message(client, live, fake, database, box):
    fake.fail("slack", path=r"chat\.postMessage", status=503, times=5)
    escalation_id = escalate(client, live["api_token"]).get_json()["id"]
    deliver(database, box)
    shown = client.get(f"/v1/escalations/{escalation_id}", headers=bearer(live["api_token"])).get_json()
    assert shown["status"] == "delivered"
    slack_step = shown["steps"][3]
    assert slack_step["attempts"] == 6
    assert len([p for p in slack_posts(fake) if p["status"] == 200]) == 1
    assert len(zendesk_notes(fake)) == 1  # the note did not wait for Slack


def test_a_step_that_cannot_succeed_is_parked_dead_in_words_and_can_be_retried(client, live, fake, database, box):
    configure(client, live["api_token"], {"jira.api_token": "wrong-token"})
    fake_credentials = fake.fail("jira", status=401, times=1)
    assert fake_credentials
    escalation_id = escalate(client, live["api_token"]).get_json()["id"]
    deliver(database, box)
    shown = client.get(f"/v1/escalations/{escalation_id}", headers=bearer(live["api_token"])).get_json()
    assert shown["status"] == "failed"
    assert shown["steps"][0]["status"] == "dead" and "401" in shown["steps"][0]["error"]
    assert "wrong-token" not in json.dumps(shown)
    from sidecar.jobs.outbox import retry
    from sidecar.services.lifecycle import reopen_step_for_retry

    with database.session() as session:
        job = retry(session, shown["steps"][0]["job_id"])
        reopen_step_for_retry(session, job)
    deliver(database, box)
    shown = client.get(f"/v1/escalations/{escalation_id}", headers=bearer(live["api_token"])).get_json()
    assert shown["status"] == "delivered" and len(fake.state()["jira"]["issues"]) == 1


def test_without_credentials_every_step_shows_the_request_it_would_send(client, installation, fake, database, box):
    response = escalate(client, installation["api_token"])
    assert response.status_code == 202 and response.get_json()["mode"] == "dry_run"
    deliver(database, box)
    shown = client.get(f"/v1/escalations/{response.get_json()['id']}",
                       headers=bearer(installation["api_token"])).get_json()
    assert shown["status"] == "delivered"
    by_name = {s["name"]: s for s in shown["steps"]}
    assert by_name["jira_issue"]["status"] == "dry_run"
    create = by_name["jira_issue"]["requests"][0]
    assert (create["method"], create["path"]) == ("POST", "/rest/api/3/issue")
    assert create["json"]["fields"]["description"]["type"] == "doc"
    assert shown["jira"]["key"].startswith("DRYRUN-")
    note = by_name["ticket_note"]["requests"][0]
    assert note["json"]["ticket"]["comment"]["public"] is False
    assert by_name["jira_link"]["status"] == "skipped"  # no zendesk.url: nothing to link to
    slack = by_name["slack_message"]["requests"][0]
    assert slack["path"] == "/chat.postMessage" and slack["json"]["channel"] == "#escalations"
    assert any(block["type"] == "actions" for block in slack["json"]["blocks"])
    assert fake.requests() == []  # nothing left the building


def test_link_to_joins_an_existing_issue_and_counts_affected_customers(client, live, fake, database, box):
    first = escalate(client, live["api_token"]).get_json()
    deliver(database, box)
    key = client.get(f"/v1/escalations/{first['id']}", headers=bearer(live["api_token"])).get_json()["jira"]["key"]
    second = escalate(client, live["api_token"], ticket=PASSWORD_RESET, link_to=key)
    assert second.status_code == 202
    deliver(database, box)
    shown = client.get(f"/v1/escalations/{second.get_json()['id']}", headers=bearer(live["api_token"])).get_json()
    assert shown["status"] == "delivered" and shown["jira"]["key"] == key
    state = fake.state()["jira"]
    assert len(state["issues"]) == 1
    comments = [adf_to_text(c["body"]) for c in state["comments"][key]]
    assert len(comments) == 1 and "Globex" in comments[0] and "another customer" in comments[0].lower()
    affected = state["properties"][key]["sidecar.affected"]
    assert affected["count"] == 2 and affected["total_arr"] == 57600 + 96000


def test_link_to_a_missing_issue_is_a_dead_step_that_says_so(client, live, fake, database, box):
    response = escalate(client, live["api_token"], link_to="ESC-999")
    deliver(database, box)
    shown = client.get(f"/v1/escalations/{response.get_json()['id']}", headers=bearer(live["api_token"])).get_json()
    assert shown["steps"][0]["status"] == "dead" and "ESC-999" in shown["steps"][0]["error"]


def test_card_numbers_are_masked_in_what_goes_to_jira_and_slack(client, live, fake, database, box):
    ticket = copy.deepcopy(REFUND)
    ticket["comments"].append({"author": "customer", "body": "Refund it to card 4242 4242 4242 4242 please.",
                               "public": True, "created_at": "2026-11-21T08:00:00Z"})
    escalate(client, live["api_token"], ticket=ticket)
    deliver(database, box)
    sent = json.dumps([jira_creates(fake)[0]["body"], slack_posts(fake)[0]["body"]])
    assert "4242 4242 4242 4242" not in sent and "card ending 4242" in sent


def test_agent_overrides_and_bad_input_are_checked(client, live):
    for body, field, status in (({"ticket": REFUND, "link_to": "not a key"}, "link_to", 422),
                                ({"ticket": REFUND, "expert_id": "exp_nope"}, "expert_id", 409),
                                ({"ticket": REFUND, "team_id": "team_nope"}, "team_id", 409),
                                ({}, "_schema", 422)):
        response = client.post("/v1/escalations", json=body, headers=bearer(live["api_token"]))
        assert response.status_code == status, (body, response.get_json())
        assert field in json.dumps(response.get_json()["error"])
    response = client.post("/v1/escalations", json={"ticket": REFUND},
                           headers={**bearer(live["api_token"]), "Idempotency-Key": "x" * 300})
    assert response.status_code == 422


def test_another_installation_cannot_see_an_escalation(client, live, make_installation):
    escalation_id = escalate(client, live["api_token"]).get_json()["id"]
    other = make_installation(name="Other Co")
    assert client.get(f"/v1/escalations/{escalation_id}", headers=bearer(other["api_token"])).status_code == 404
    assert client.get("/v1/escalations", headers=bearer(other["api_token"])).get_json()["items"] == []
    items = client.get("/v1/escalations", headers=bearer(live["api_token"])).get_json()["items"]
    assert items[0]["id"] == escalation_id


def test_a_routed_escalation_goes_to_the_experts_project_component_assignee_and_dm(
        client, app, live, fake, database, box):
    import yaml

    from sidecar.services.directory import load_directory
    from sidecar.services.installations import get_installation

    with database.session() as session:
        load_directory(session, installation=get_installation(session, live["id"]),
                       document=yaml.safe_load((FIXTURES / "directory" / "acme.yaml").read_text()))
    body = escalate(client, live["api_token"]).get_json()
    assert body["team"]["name"] == "Billing" and body["expert"]["name"] == "Ana Ruiz"
    deliver(database, box)
    shown = client.get(f"/v1/escalations/{body['id']}", headers=bearer(live["api_token"])).get_json()
    assert shown["status"] == "delivered", shown["steps"]
    fields = jira_creates(fake)[0]["body"]["fields"]
    assert fields["project"] == {"key": "FIN"} and fields["components"] == [{"name": "Billing"}]
    assert fields["assignee"] == {"accountId": "5b10a2844c20165700ede21a"}
    opened = [r for r in fake.requests("slack") if r["path"] == "/conversations.open"]
    assert len(opened) == 1 and slack_posts(fake)[0]["body"]["channel"] == shown["slack"]["channel"] != "C0SUPPORT"
    assert shown["slack"]["channel"].startswith("D")
    # The agent kept the suggested expert: the issue and the note say why the route chose her.
    issue_text = adf_to_text(fields["description"])
    note = zendesk_notes(fake)[0]["body"]["ticket"]["comment"]["body"]
    assert "rule 'Chargebacks always go to billing' matched" in issue_text
    assert "chosen by the escalating agent" not in issue_text + note


def test_an_expert_the_agent_picks_is_marked_as_their_choice(client, app, live, fake, database, box):
    import yaml

    from sidecar.services.directory import load_directory
    from sidecar.services.installations import get_installation

    with database.session() as session:
        load_directory(session, installation=get_installation(session, live["id"]),
                       document=yaml.safe_load((FIXTURES / "directory" / "acme.yaml").read_text()))
    experts = client.get("/v1/experts", headers=bearer(live["api_token"])).get_json()
    other = next(e for e in experts if e["name"] != "Ana Ruiz")
    body = escalate(client, live["api_token"], expert_id=other["id"]).get_json()
    assert body["expert"]["name"] == other["name"]
    deliver(database, box)
    note = zendesk_notes(fake)[0]["body"]["ticket"]["comment"]["body"]
    assert f"{other['name']} (chosen by the escalating agent)" in note


def test_three_workers_at_once_deliver_each_escalation_once(client, app, live, fake, database, box):
    for ticket in MANY:
        for _ in range(2):  # and each clicked twice
            escalate(client, live["api_token"], ticket=ticket)
    workers = [Worker(database, box=box, worker_id=f"w{n}", claim_batch=2, allow_private_urls=True) for n in range(3)]
    threads = [threading.Thread(target=worker.drain) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deliver(database, box)
    assert len(jira_creates(fake)) == len(fake.state()["jira"]["issues"]) == 10
    assert len(slack_posts(fake)) == 10
    assert all(len(zendesk_notes(fake, ticket["id"])) == 1 for ticket in MANY)
    with database.session() as session:
        assert session.query(Job).filter(Job.status == "done").count() == 40
        assert session.query(Job).filter(Job.attempts > 1).count() == 0  # no job ran twice


def test_one_worker_process_on_three_threads_delivers_each_escalation_once(client, app, live, fake, database, box):
    for ticket in MANY:
        for _ in range(2):  # and each clicked twice
            escalate(client, live["api_token"], ticket=ticket)
    pool = WorkerPool(lambda worker_id: Worker(database, box=box, worker_id=worker_id, claim_batch=2,
                                               allow_private_urls=True), threads=3)
    assert pool.drain() == 40
    assert len(jira_creates(fake)) == len(fake.state()["jira"]["issues"]) == 10
    assert len(slack_posts(fake)) == 10
    assert all(len(zendesk_notes(fake, ticket["id"])) == 1 for ticket in MANY)
    with database.session() as session:
        assert session.query(Escalation).filter(Escalation.status == "delivered").count() == 10
        assert session.query(Job).filter(Job.attempts > 1).count() == 0  # no job ran twice


def test_the_preview_shows_what_would_be_written_and_writes_nothing(client, live, fake, database, box):
    body = {"ticket": REFUND, "note": "Finance approved the refund", "summary": "Refund the duplicate charge"}
    response = client.post("/v1/escalations/preview", json=body, headers=bearer(live["api_token"]))
    assert response.status_code == 200
    shown = response.get_json()
    assert shown["summary"] == "Refund the duplicate charge"
    assert "Finance approved the refund" in shown["description_text"] and "INV-20931" in shown["description_text"]
    assert shown["priority"] and shown["project"] == "ESC" and shown["slack_text"]
    assert fake.requests() == []
    assert client.get("/v1/escalations", headers=bearer(live["api_token"])).get_json()["items"] == []
    escalate(client, live["api_token"], summary="Refund the duplicate charge")
    deliver(database, box)
    assert jira_creates(fake)[0]["body"]["fields"]["summary"] == "Refund the duplicate charge"


def test_in_a_burst_each_escalation_is_finished_before_later_ones_are_started(client, live, fake, database, box):
    for ticket in MANY[:3]:
        assert escalate(client, live["api_token"], ticket=ticket).status_code == 202
    Worker(database, box=box, worker_id="one", claim_batch=1, allow_private_urls=True).drain()
    # The order the fakes were written to: the first ticket's expert is pinged before the third ticket's
    # Jira issue is even created (not three issues first and every Slack ping last).
    writes = [(r["path"], (r["body"] or {})) for r in fake.requests() if r["method"] in ("POST", "PUT")]
    first_ping = next(i for i, (path, _) in enumerate(writes) if path == "/chat.postMessage")
    creates = [i for i, (path, _) in enumerate(writes) if path == "/rest/api/3/issue"]
    assert len(creates) == 3 and creates[0] < first_ping < creates[2]


def _resolve_in_store(database, escalation_id):
    """Jira said the issue is done (what the Jira webhook's worker does, without the webhook)."""
    from sidecar.services import lifecycle
    from sidecar.store.models import Escalation

    with database.write_session() as session:
        lifecycle.resolve(session, session.get(Escalation, escalation_id), resolution="Fixed", status="Done",
                          actor="Ana")


def test_a_new_escalation_about_the_same_problem_is_offered_the_open_issue_the_sidecar_created(
        client, live, fake, database, box):
    first = escalate(client, live["api_token"]).get_json()
    deliver(database, box)
    key = client.get(f"/v1/escalations/{first['id']}", headers=bearer(live["api_token"])).get_json()["jira"]["key"]
    same_problem = MANY[0]  # another customer's ticket with the same words
    second = escalate(client, live["api_token"], ticket=same_problem)
    assert second.status_code == 202
    suggestion = second.get_json()["suggestion"]
    assert suggestion and suggestion["key"] == key and suggestion["escalation_id"] == first["id"]
    assert "link_to" in suggestion["why"]


def test_a_resolved_issue_the_sidecar_created_is_not_offered(client, live, fake, database, box):
    first = escalate(client, live["api_token"]).get_json()
    deliver(database, box)
    _resolve_in_store(database, first["id"])
    assert escalate(client, live["api_token"], ticket=MANY[1]).get_json()["suggestion"] is None


def test_link_to_a_resolved_issue_says_so_unless_the_request_means_it(client, live, fake, database, box):
    first = escalate(client, live["api_token"]).get_json()
    deliver(database, box)
    key = client.get(f"/v1/escalations/{first['id']}", headers=bearer(live["api_token"])).get_json()["jira"]["key"]
    _resolve_in_store(database, first["id"])
    refused = escalate(client, live["api_token"], ticket=PASSWORD_RESET, link_to=key)
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "issue_resolved" and key in error["message"]
    meant = escalate(client, live["api_token"], ticket=PASSWORD_RESET, link_to=key, link_resolved=True)
    assert meant.status_code == 202 and meant.get_json()["link_to"] == key


def test_link_to_an_issue_the_history_knows_is_resolved_is_refused(client, live, database):
    from sidecar.services.history.from_jira import jira_history_row
    from sidecar.store.history import upsert_history

    issue = {"id": "10077", "key": "PAY-77", "fields": {"summary": "Double charge on renewal",
                                                        "status": {"name": "Done"}, "resolution": {"name": "Fixed"}}}
    with database.write_session() as session:
        upsert_history(session, installation_id=live["id"], source="jira",
                       rows=[jira_history_row(issue, url="https://acme.atlassian.net/browse/PAY-77")])
    refused = escalate(client, live["api_token"], ticket=PASSWORD_RESET, link_to="PAY-77")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "issue_resolved"
    assert escalate(client, live["api_token"], ticket=PASSWORD_RESET, link_to="PAY-78").status_code == 202


def test_the_summary_of_a_delivered_escalation_does_not_say_it_is_being_delivered(client, live, fake, database, box):
    first = escalate(client, live["api_token"]).get_json()
    deliver(database, box)
    shown = client.get(f"/v1/escalations/{first['id']}", headers=bearer(live["api_token"])).get_json()
    assert shown["status"] == "delivered"
    assert "delivered" not in shown["summary"]["status"].lower()
    assert shown["summary"]["status"].startswith("Waiting for acknowledgement")
