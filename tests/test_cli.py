"""The `sidecar` command, as an operator runs it."""
import json

from click.testing import CliRunner

from sidecar.cli import main
from tests.conftest import ENCRYPTION_KEY, bearer


def _run(database_url, *args):
    # The fake vendors listen on http://127.0.0.1: the operator's switch for private URLs is on, as in testing_config.
    env = {"DATABASE_URL": database_url, "SIDECAR_ENCRYPTION_KEY": ENCRYPTION_KEY, "LOG_LEVEL": "warning",
           "SIDECAR_ALLOW_PRIVATE_URLS": "true"}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_installation_create_prints_json_last_and_the_token_works(app, client, database_url):
    result = _run(database_url, "installation", "create", "--name", "Globex Support", "--source", "salesforce")
    assert result.exit_code == 0, result.output
    created = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"id", "api_token", "shared_secret"} <= set(created)
    whoami = client.get("/v1/installation", headers=bearer(created["api_token"]))
    assert whoami.get_json() == {**whoami.get_json(), "id": created["id"], "source": "salesforce"}

    rotated = _run(database_url, "installation", "rotate-token", created["id"])
    new_token = json.loads(rotated.stdout.strip().splitlines()[-1])["api_token"]
    assert client.get("/v1/installation", headers=bearer(created["api_token"])).status_code == 401
    assert client.get("/v1/installation", headers=bearer(new_token)).status_code == 200


def test_installation_list_shows_no_secrets_and_times_with_offsets(app, database_url):
    from datetime import datetime

    created = json.loads(_run(database_url, "installation", "create", "--name", "Initech", "--source", "zendesk")
                         .stdout.strip().splitlines()[-1])
    listed = [json.loads(line) for line in _run(database_url, "installation", "list").stdout.splitlines()]
    row = next(r for r in listed if r["id"] == created["id"])
    assert set(row) == {"id", "name", "source", "created_at"}
    assert datetime.fromisoformat(row["created_at"]).utcoffset() is not None


def test_installation_create_rejects_unknown_source(app, database_url):
    result = _run(database_url, "installation", "create", "--name", "X", "--source", "freshdesk")
    assert result.exit_code != 0
    assert "freshdesk" in result.output


def test_score_prints_the_assessment_json(tmp_path, database_url):
    ticket = {
        "ticket": {
            "id": "77",
            "subject": "Refund for duplicate charge",
            "description": "You charged my card twice this month, I want a refund for the second charge.",
        }
    }
    path = tmp_path / "ticket.json"
    path.write_text(json.dumps(ticket))
    result = _run(database_url, "score", str(path))
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["ticket"] == {"source": "zendesk", "id": "77"}
    assert "billing_refund" in {c["name"] for c in body["categories"]}


def test_score_names_a_bad_file(tmp_path, database_url):
    path = tmp_path / "bad.json"
    path.write_text('{"ticket": {"subject": 3}}')
    result = _run(database_url, "score", str(path))
    assert result.exit_code != 0
    assert "subject" in result.output and "id" in result.output


def test_eval_handoff_prints_table_then_json(tmp_path, database_url):
    rows = [
        {"id": "1", "description": "can I talk to a real person please", "needs_human": True},
        {"id": "2", "description": "I want to speak with a manager right now", "needs_human": True},
        {"id": "3", "description": "how do I change my shipping address", "needs_human": False},
        {"id": "4", "description": "where can I download my invoice", "needs_human": False},
    ]
    path = tmp_path / "handoff.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = _run(database_url, "eval", "handoff", "--test", str(path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    metrics = json.loads(lines[-1])
    assert {"precision", "recall", "f1", "pr_auc"} <= set(metrics)
    assert len(lines) > 2  # a readable table comes first


def test_eval_rejects_a_broken_jsonl(tmp_path, database_url):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": "1"}\nnot json\n')
    result = _run(database_url, "eval", "escalation", "--test", str(path))
    assert result.exit_code != 0
    assert "broken.jsonl:2" in result.output


def test_db_current_reports_head(database_url):
    from sidecar.store.migrate import head_revision

    result = _run(database_url, "db", "current")
    assert result.stdout.strip() == head_revision()


def test_token_create_makes_a_scoped_token_and_revoke_ends_it(app, client, database_url):
    created = json.loads(_run(database_url, "installation", "create", "--name", "Scoped", "--source", "zendesk")
                         .stdout.strip().splitlines()[-1])
    made = _run(database_url, "token", "create", "--installation", created["id"], "--scope", "agent",
                "--name", "Salesforce Named Credential")
    assert made.exit_code == 0, made.output
    token = json.loads(made.stdout.strip().splitlines()[-1])
    assert token["scope"] == "agent"
    agent = bearer(token["api_token"])
    assert client.get("/v1/installation", headers=agent).status_code == 200
    assert client.get("/v1/audit", headers=agent).status_code == 403
    listed = [json.loads(line) for line in _run(database_url, "token", "list", "--installation", created["id"])
              .stdout.splitlines()]
    assert [(t["id"], t["scope"]) for t in listed] == [(token["id"], "agent")] and "api_token" not in listed[0]
    assert _run(database_url, "token", "revoke", "--installation", created["id"], token["id"]).exit_code == 0
    assert client.get("/v1/installation", headers=agent).status_code == 401


def test_rotate_secret_prints_the_new_secret_and_the_overlap(app, client, database_url):
    from tests.conftest import zaf_jwt

    created = json.loads(_run(database_url, "installation", "create", "--name", "Rotating", "--source", "zendesk")
                         .stdout.strip().splitlines()[-1])
    rotated = _run(database_url, "installation", "rotate-secret", created["id"], "--overlap-hours", "0")
    assert rotated.exit_code == 0, rotated.output
    body = json.loads(rotated.stdout.strip().splitlines()[-1])
    assert body["previous_valid_until"] is None
    assert client.get("/v1/installation", headers=bearer(zaf_jwt(created))).status_code == 401
    renewed = {**created, "shared_secret": body["shared_secret"]}
    assert client.get("/v1/installation", headers=bearer(zaf_jwt(renewed))).status_code == 200
