"""Importing a history-format JSONL file: counts, bad lines reported and skipped, re-import idempotent, CLI."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sidecar.cli.imports import import_group
from sidecar.errors import NotFound
from sidecar.services.history import from_file, import_history_file
from sidecar.store.history import count_history, get_history_ticket
from tests.conftest import ENCRYPTION_KEY

GOOD = [
    {"id": "1", "subject": "Refund for duplicate charge", "group": "Billing", "escalated": False},
    {"id": "2", "description": "Cannot log in with SSO", "group": "Identity", "needs_human": True,
     "comments": [{"author": "customer", "body": "Still failing", "public": True}]},
    {"id": "3", "subject": "Export invoices", "group": None, "priority": "low", "custom": {"kept": True}},
]
BAD_JSON = '{"id": "4", "subject": "unterminated'
BAD_FIELD = {"id": "5", "subject": "Wrong comment", "comments": [{"author": "robot", "body": "beep"}]}


@pytest.fixture
def database(app):
    """The test database (tables are emptied after each test)."""
    return app.extensions["sidecar"].database


@pytest.fixture
def history_file(tmp_path):
    """A history file with three good lines, a blank line, a broken line and an invalid row."""
    path = tmp_path / "history.jsonl"
    lines = [json.dumps(GOOD[0]), json.dumps(GOOD[1]), "", BAD_JSON, json.dumps(BAD_FIELD), json.dumps(GOOD[2])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_good_lines_are_imported_and_bad_ones_reported_with_line_and_field(database, installation, history_file):
    rejected: list[str] = []

    summary = import_history_file(database, installation_id=installation["id"], path=history_file,
                                  on_rejected=rejected.append)

    assert (summary.inserted, summary.updated, summary.unchanged, summary.skipped) == (3, 0, 0, 2)
    assert rejected[0].startswith("history.jsonl:4: not valid JSON: ")
    assert rejected[1:] == [
        "history.jsonl:5: field 'comments[0].author': must be one of customer, agent, bot, got 'robot'"]
    assert summary.as_dict()["errors"] == rejected
    with database.session() as session:
        assert count_history(session, installation_id=installation["id"], sources=["file"]) == 3
        row = get_history_ticket(session, installation_id=installation["id"], source="file", external_id="3")
        assert row.data["custom"] == {"kept": True}


def test_reimporting_the_file_changes_nothing(database, installation, history_file):
    import_history_file(database, installation_id=installation["id"], path=history_file)

    again = import_history_file(database, installation_id=installation["id"], path=history_file)

    assert (again.inserted, again.updated, again.unchanged, again.skipped) == (0, 0, 3, 2)


def test_progress_reaches_the_end_of_the_file(database, installation, history_file):
    seen: list[int] = []

    import_history_file(database, installation_id=installation["id"], path=history_file, batch_size=2,
                        on_progress=seen.append)

    assert seen == sorted(seen) and seen[-1] == history_file.stat().st_size
    assert len(seen) == 2  # one call per written batch of 2 rows (3 good rows)


def test_a_page_that_fails_to_write_stops_the_import_with_its_error(database, installation, tmp_path, monkeypatch):
    """Pages are written on a second thread: its error reaches the caller, and no later page is written."""
    path = tmp_path / "history.jsonl"
    path.write_text("".join(json.dumps({"id": str(n), "subject": f"Ticket {n}"}) + "\n" for n in range(10)))
    written: list[list[str]] = []

    def write_page(database, *, rows, **kwargs):
        if len(written) == 1:
            raise RuntimeError("the database went away")
        written.append([row.external_id for row in rows])
        real_write_page(database, rows=rows, **kwargs)

    real_write_page = from_file.write_page
    monkeypatch.setattr(from_file, "write_page", write_page)
    with pytest.raises(RuntimeError, match="the database went away"):
        import_history_file(database, installation_id=installation["id"], path=path, batch_size=3)

    assert written == [["0", "1", "2"]]
    with database.session() as session:
        assert count_history(session, installation_id=installation["id"]) == 3


def test_an_unknown_installation_is_refused_before_reading(database, history_file):
    with pytest.raises(NotFound):
        import_history_file(database, installation_id="inst_missing", path=history_file)


def test_a_file_that_is_not_utf8_is_reported_per_line(database, installation, tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(GOOD[0]).encode() + b"\n"
                     + '{"id": "9", "subject": "caf\xe9"}'.encode("latin-1") + b"\n")
    rejected: list[str] = []

    summary = import_history_file(database, installation_id=installation["id"], path=path, on_rejected=rejected.append)

    assert (summary.inserted, summary.skipped) == (1, 1)
    assert rejected == ["latin1.jsonl:2: not UTF-8 text"]


def _run(database_url, *args):
    env = {"DATABASE_URL": database_url, "SIDECAR_ENCRYPTION_KEY": ENCRYPTION_KEY, "LOG_LEVEL": "warning"}
    return CliRunner().invoke(import_group, list(args), env=env, catch_exceptions=False)


def test_cli_prints_a_summary_and_json_last_and_reports_bad_lines(app, database_url, installation, history_file):
    result = _run(database_url, "file", str(history_file), "--installation", installation["id"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    summary = json.loads(lines[-1])
    assert {k: summary[k] for k in ("source", "inserted", "updated", "unchanged", "skipped")} == {
        "source": "file", "inserted": 3, "updated": 0, "unchanged": 0, "skipped": 2}
    assert summary["tickets_per_second"] > 0 and "seconds" in summary
    assert lines[-2].startswith("file: 3 tickets in ")
    assert "skipped history.jsonl:4: not valid JSON" in result.stderr
    assert "skipped history.jsonl:5: field 'comments[0].author'" in result.stderr


def test_cli_source_option_keys_rows_under_that_name(app, database_url, database, installation, history_file):
    result = _run(database_url, "file", str(history_file), "--installation", installation["id"], "--source", "legacy")

    assert result.exit_code == 0, result.output
    with database.session() as session:
        assert count_history(session, installation_id=installation["id"], sources=["legacy"]) == 3


def test_cli_names_an_unknown_installation(app, database_url, history_file):
    result = _run(database_url, "file", str(history_file), "--installation", "inst_nope")

    assert result.exit_code != 0
    assert "no installation 'inst_nope'" in result.output


def test_cli_refuses_a_bad_source_name(app, database_url, installation, history_file):
    result = _run(database_url, "file", str(history_file), "--installation", installation["id"],
                  "--source", "My Source")

    assert result.exit_code != 0
    assert "history source" in result.output
