"""The `sidecar` command: serve, worker, db, installation, score, eval, demo, keygen."""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from sidecar.config import Config, ConfigError


def _load_config() -> Config:
    try:
        return Config.from_env()
    except ConfigError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None


def _database(config: Config):
    from sidecar.store.db import Database

    return Database(config.database_url)


def _secret_box(config: Config):
    from sidecar.store.crypto import SecretBox, load_or_create_key_file

    keys = config.encryption_keys or (load_or_create_key_file(config.encryption_key_file),)
    return SecretBox(keys)


def _print_json(value: Any) -> None:
    click.echo(json.dumps(value, default=str, sort_keys=False))


def _read_jsonl(path: str) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise click.ClickException(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise click.ClickException(f"{path}:{number}: each line must be a JSON object")
            rows.append(row)
    return rows


@click.group()
@click.version_option(package_name="escalation-sidecar")
def main() -> None:
    """Escalation sidecar: assess support tickets, route them to experts, escalate to Jira and Slack."""


# --- serving -------------------------------------------------------------------------------------


def _require_current_schema(config: Config) -> None:
    from sidecar.store.migrate import current_revision, head_revision

    database = _database(config)
    try:
        current = current_revision(database)
    finally:
        database.dispose()
    if current != head_revision():
        raise click.ClickException(
            f"the database schema is at {current or 'nothing'}, this code needs {head_revision()}: run `sidecar db upgrade`"
        )


def _run_gunicorn(config: Config, host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    from sidecar import create_app

    class SidecarServer(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", 4)
            self.cfg.set("accesslog", None)

        def load(self):
            return create_app(config)

    SidecarServer().run()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.option("--workers", default=2, type=int, show_default=True, help="web processes")
def serve(host: str, port: int, workers: int) -> None:
    """Run the web app and, unless SIDECAR_EMBEDDED_WORKER=false, one outbox worker thread, on DATABASE_URL."""
    config = _load_config()
    _require_current_schema(config)
    click.echo(f"sidecar listening on http://{host}:{port} (database: {config.database_url.split('@')[-1]})")
    _serve(config, host, port, workers)


def _serve(config: Config, host: str, port: int, workers: int) -> None:
    if config.embedded_worker:
        # A thread in the gunicorn master: it is started before the web processes are forked, and a
        # fork copies only the forking thread, so each web process stays single-purpose.
        from sidecar.jobs.worker import start_worker_thread

        start_worker_thread(_new_worker(config))
        click.echo("embedded outbox worker: running (set SIDECAR_EMBEDDED_WORKER=false to run `sidecar worker` apart)")
    sys.stdout.flush()
    _run_gunicorn(config, host, port, workers)


def _new_worker(config: Config):
    from sidecar.jobs.worker import Worker

    return Worker(_database(config), box=_secret_box(config), lease_seconds=config.job_lease_seconds,
                  poll_seconds=config.job_poll_seconds, templates_dir=config.templates_dir,
                  allow_private_urls=config.allow_private_urls)


@main.command()
def worker() -> None:
    """Run the outbox worker in the foreground: delivers escalations (Jira, ticket notes, Slack) until stopped."""
    import signal
    import threading

    config = _load_config()
    _require_current_schema(config)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    runner = _new_worker(config)
    click.echo(f"sidecar worker {runner.worker_id} started")
    runner.run(stop)
    click.echo("sidecar worker stopped")


# --- database ------------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema management."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema."""
    from sidecar.store.migrate import current_revision, upgrade_database

    database = _database(_load_config())
    try:
        upgrade_database(database, revision)
        click.echo(f"database at revision {current_revision(database)}")
    finally:
        database.dispose()


@db.command("current")
def db_current() -> None:
    """Print the schema revision the database is at."""
    from sidecar.store.migrate import current_revision

    database = _database(_load_config())
    try:
        click.echo(current_revision(database) or "empty")
    finally:
        database.dispose()


# --- installations -------------------------------------------------------------------------------


@main.group()
def installation() -> None:
    """Installations (tenants): one Zendesk subdomain or Salesforce org each."""


@installation.command("create")
@click.option("--name", required=True)
@click.option("--source", required=True, type=click.Choice(["zendesk", "salesforce"]))
def installation_create(name: str, source: str) -> None:
    """Create an installation; the last line is JSON with id, api_token and shared_secret (shown once)."""
    from sidecar.errors import ServiceError
    from sidecar.services.installations import create_installation

    config = _load_config()
    _require_current_schema(config)
    database = _database(config)
    try:
        with database.session() as session:
            created = create_installation(session, name=name, source=source, box=_secret_box(config))
            result = created.as_dict()
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    click.echo("Store the api_token and shared_secret now: they cannot be shown again.", err=True)
    _print_json(result)


@installation.command("list")
def installation_list() -> None:
    """List installations (no secrets)."""
    from sidecar.services.installations import list_installations
    from sidecar.store.models import stored_iso

    config = _load_config()
    database = _database(config)
    try:
        with database.session() as session:
            rows = [
                {"id": i.id, "name": i.name, "source": i.source, "created_at": stored_iso(i.created_at)}
                for i in list_installations(session)
            ]
    finally:
        database.dispose()
    for row in rows:
        _print_json(row)


@installation.command("rotate-token")
@click.argument("installation_id")
def installation_rotate_token(installation_id: str) -> None:
    """Issue a new API token; the old one stops working at once."""
    from sidecar.errors import ServiceError
    from sidecar.services.installations import get_installation, rotate_api_token

    config = _load_config()
    database = _database(config)
    try:
        with database.session() as session:
            token = rotate_api_token(session, get_installation(session, installation_id))
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    _print_json({"id": installation_id, "api_token": token})


@installation.command("rotate-secret")
@click.argument("installation_id")
@click.option("--overlap-hours", default=24.0, type=click.FloatRange(0, 720), show_default=True,
              help="how long the old shared secret is still accepted (0: it stops at once)")
def installation_rotate_secret(installation_id: str, overlap_hours: float) -> None:
    """Issue a new shared secret (for ZAF JWTs); the old one keeps working for the overlap."""
    from datetime import timedelta

    from sidecar.errors import ServiceError
    from sidecar.services.credentials import rotate_shared_secret
    from sidecar.services.installations import get_installation
    from sidecar.store.models import stored_iso

    config = _load_config()
    database = _database(config)
    try:
        with database.session() as session:
            secret, expires = rotate_shared_secret(session, get_installation(session, installation_id),
                                                   box=_secret_box(config), overlap=timedelta(hours=overlap_hours))
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    click.echo("Put the new shared_secret in the Zendesk app's settings before the old one stops working.", err=True)
    _print_json({"id": installation_id, "shared_secret": secret, "previous_valid_until": stored_iso(expires)})


@main.group()
def token() -> None:
    """Scoped API tokens: admin (everything), agent (assess, escalate, feedback, read), read."""


@token.command("create")
@click.option("--installation", "installation_id", required=True)
@click.option("--scope", required=True, type=click.Choice(["admin", "agent", "read"]))
@click.option("--name", default="", help="what the token is for, e.g. 'Salesforce Named Credential'")
def token_create(installation_id: str, scope: str, name: str) -> None:
    """Make a scoped token; the last line is JSON with its id and api_token (shown once)."""
    from sidecar.errors import ServiceError
    from sidecar.services.credentials import create_token
    from sidecar.services.installations import get_installation

    config = _load_config()
    _require_current_schema(config)
    database = _database(config)
    try:
        with database.session() as session:
            made = create_token(session, installation=get_installation(session, installation_id), scope=scope,
                                name=name).as_dict()
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    click.echo("Store the api_token now: it cannot be shown again.", err=True)
    _print_json(made)


@token.command("list")
@click.option("--installation", "installation_id", required=True)
def token_list(installation_id: str) -> None:
    """List an installation's scoped tokens (never their values)."""
    from sidecar.services.credentials import list_tokens
    from sidecar.store.models import stored_iso

    config = _load_config()
    database = _database(config)
    try:
        with database.session() as session:
            rows = [{"id": t.id, "scope": t.scope, "name": t.name, "created_at": stored_iso(t.created_at)}
                    for t in list_tokens(session, installation_id=installation_id)]
    finally:
        database.dispose()
    for row in rows:
        _print_json(row)


@token.command("revoke")
@click.option("--installation", "installation_id", required=True)
@click.argument("token_id")
def token_revoke(installation_id: str, token_id: str) -> None:
    """Revoke a scoped token; it stops working at once."""
    from sidecar.errors import ServiceError
    from sidecar.services.credentials import revoke_token

    config = _load_config()
    database = _database(config)
    try:
        with database.session() as session:
            revoke_token(session, installation_id=installation_id, token_id=token_id)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    _print_json({"id": token_id, "revoked": True})


@installation.command("set-credentials")
@click.argument("installation_id")
@click.option("--file", "path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="JSON object of help desk credentials, e.g. {subdomain, email, api_token}")
def installation_set_credentials(installation_id: str, path: str) -> None:
    """Store help desk credentials (encrypted) for ticket_ref fetches."""
    from sidecar.errors import ServiceError
    from sidecar.services.installations import get_installation, set_credentials

    try:
        credentials = json.loads(Path(path).read_text())
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{path}: not valid JSON ({exc.msg})") from None
    config = _load_config()
    database = _database(config)
    try:
        with database.session() as session:
            set_credentials(session, get_installation(session, installation_id), credentials=credentials,
                            box=_secret_box(config))
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    click.echo(f"credentials stored for {installation_id}: {', '.join(sorted(credentials))}")


@installation.command("configure")
@click.argument("installation_id")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
              help="a connection setting, e.g. jira.url=https://acme.atlassian.net (repeatable)")
@click.option("--unset", "removals", multiple=True, metavar="KEY", help="remove a setting (repeatable)")
def installation_configure(installation_id: str, assignments: tuple[str, ...], removals: tuple[str, ...]) -> None:
    """Set connection settings (zendesk.*, salesforce.*, jira.*, slack.*, llm.*); prints the result, secrets as set/unset."""
    from sidecar.errors import ServiceError
    from sidecar.services.connections import (
        KEYS,
        configure,
        connections_view,
        parse_assignments,
    )
    from sidecar.services.installations import get_installation

    try:
        changes: dict[str, Any] = parse_assignments(assignments)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    changes.update({key: None for key in removals})
    if not changes:
        known = "\n  ".join(f"{name}{' (secret)' if spec.secret else ''}: {spec.description}"
                            for name, spec in KEYS.items())
        raise click.ClickException(f"give --set KEY=VALUE or --unset KEY; settings:\n  {known}")
    config = _load_config()
    database = _database(config)
    try:
        with database.session() as session:
            connections = configure(session, get_installation(session, installation_id), changes=changes,
                                    box=_secret_box(config), allow_private=config.allow_private_urls)
    except ServiceError as exc:
        details = "".join(f"\n  {key}: {why}" for key, why in (exc.details or {}).items()) if isinstance(
            exc.details, dict) else ""
        raise click.ClickException(exc.message + details) from None
    finally:
        database.dispose()
    if connections.cleared:
        # Said in words too: a secret that silently disappeared would look like a bug later.
        click.echo(f"cleared {', '.join(connections.cleared)}: the URL it is sent to changed; "
                   "set it again (in the same command as the URL) if the new URL should receive it", err=True)
    _print_json(connections_view(connections))


@installation.command("check")
@click.argument("installation_id")
def installation_check(installation_id: str) -> None:
    """Call each configured system once (Jira myself, Slack auth.test, Zendesk current user) and say what works."""
    from sidecar.errors import ServiceError
    from sidecar.services.connection_check import check_connections, summary
    from sidecar.services.connections import load_connections
    from sidecar.services.installations import get_installation

    config = _load_config()
    database = _database(config)
    try:
        with database.session() as session:
            record = get_installation(session, installation_id)
            connections = load_connections(record, box=_secret_box(config))
            source = record.source
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    results = check_connections(connections, source=source, allow_private=config.allow_private_urls)
    marks = {"ok": "ok  ", "failed": "FAIL", "not_configured": "--  "}
    for result in results:
        click.echo(f"{marks[result.status]} {result.message}")
    outcome = summary(results)
    _print_json(outcome)
    if not outcome["ok"]:
        sys.exit(1)


# --- jobs ----------------------------------------------------------------------------------------


@main.group()
def jobs() -> None:
    """Outbox jobs: see what waits or died, and retry."""


@jobs.command("list")
@click.option("--dead", is_flag=True, help="only jobs parked as dead")
@click.option("--status", type=click.Choice(["queued", "running", "done", "dead"]), default=None)
@click.option("--installation", "installation_id", default=None)
@click.option("--limit", default=50, type=int, show_default=True)
def jobs_list(dead: bool, status: str | None, installation_id: str | None, limit: int) -> None:
    """List jobs, newest first: one line each, the error in words."""
    from sidecar.jobs.outbox import list_jobs

    config = _load_config()
    database = _database(config)
    try:
        with database.session() as session:
            rows = list_jobs(session, status="dead" if dead else status, installation_id=installation_id, limit=limit)
            lines = [{"id": j.id, "kind": j.kind, "status": j.status, "attempts": j.attempts,
                      "installation_id": j.installation_id, "escalation_id": j.escalation_id,
                      "run_after": j.run_after, "error": j.last_error} for j in rows]
    finally:
        database.dispose()
    if not lines:
        click.echo("no jobs" + (" parked as dead" if dead else ""), err=True)
    for line in lines:
        _print_json(line)


@jobs.command("retry")
@click.argument("job_id")
def jobs_retry(job_id: str) -> None:
    """Put a dead job back in the queue now (after fixing what it failed on)."""
    from sidecar.errors import ServiceError
    from sidecar.jobs.outbox import retry
    from sidecar.services.escalations import reopen_step_for_retry

    config = _load_config()
    database = _database(config)
    try:
        with database.write_session() as session:
            job = retry(session, job_id)
            reopen_step_for_retry(session, job)
            result = {"id": job.id, "kind": job.kind, "status": job.status}
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    _print_json(result)


@main.command()
def keygen() -> None:
    """Print a new SIDECAR_ENCRYPTION_KEY value."""
    from sidecar.store.crypto import generate_key

    click.echo(generate_key())


# --- experts, routing, training ------------------------------------------------------------------


@main.group()
def experts() -> None:
    """Teams, experts and routing rules."""


@experts.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--installation", "installation_id", required=True)
def experts_load(path: str, installation_id: str) -> None:
    """Apply an experts file (YAML): upsert teams by name, experts by email, replace rules if given."""
    import yaml

    from sidecar.errors import ServiceError
    from sidecar.services.directory import load_directory
    from sidecar.services.installations import get_installation

    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise click.ClickException(f"{path}: not valid YAML ({exc})") from None
    config = _load_config()
    database = _database(config)
    try:
        with database.session() as session:
            summary = load_directory(session, installation=get_installation(session, installation_id),
                                     document=document).as_dict()
    except ServiceError as exc:
        problems = (exc.details or {}).get("problems") if isinstance(exc.details, dict) else None
        raise click.ClickException(exc.message + ("".join(f"\n  {p}" for p in problems) if problems else "")) from None
    finally:
        database.dispose()
    click.echo(f"created {len(summary['created'])}, updated {len(summary['updated'])}, "
               f"unchanged {len(summary['unchanged'])}; rules {summary['rules']}")
    _print_json(summary)


@main.command()
@click.option("--installation", "installation_id", required=True)
def train(installation_id: str) -> None:
    """Train the installation's router and escalation model from its stored history; each new version is stored.

    The router becomes active at once; the escalation model is used only when the scoring settings say
    `model: learned` (or `shadow: learned`). Either may be skipped for lack of labels (the reason is printed);
    the command fails only when neither could be trained.
    """
    from sidecar.errors import ServiceError
    from sidecar.services.escalation_models import train_installation_escalation
    from sidecar.services.installations import get_installation
    from sidecar.services.router_models import train_installation_router

    config = _load_config()
    database = _database(config)
    results: dict[str, Any] = {}
    problems: list[str] = []
    try:
        with database.session() as session:
            get_installation(session, installation_id)
        try:
            with database.session() as session:
                router = train_installation_router(session, installation_id=installation_id,
                                                   embeddings=config.router_embeddings)
            results.update(router)
            click.echo(f"router {router['version']} trained on {router['tickets']} tickets "
                       f"({router['groups']} groups) in {router['train_seconds']}s; now active")
        except ServiceError as exc:
            if exc.code != "not_enough_history":
                raise  # a setting is wrong: say so, train nothing
            results["router"] = {"error": exc.code, "message": exc.message}
            problems.append(f"router not trained: {exc.message}")
            click.echo(problems[-1], err=True)
        try:
            with database.session() as session:
                escalation = train_installation_escalation(session, installation_id=installation_id)
            results["escalation"] = escalation
            click.echo(f"escalation model {escalation['version']} trained on {escalation['tickets']} tickets "
                       f"({escalation['escalated']} escalated, {escalation['calibration']} calibration) in "
                       f"{escalation['train_seconds']}s; used when the scoring settings say model or shadow "
                       "\"learned\"")
        except ServiceError as exc:
            if exc.code != "not_enough_labels":
                raise
            results["escalation"] = {"error": exc.code, "message": exc.message}
            problems.append(f"escalation model not trained: {exc.message}")
            click.echo(problems[-1], err=True)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    if len(problems) == 2:
        raise click.ClickException("; ".join(problems))
    _print_json(results)  # the router's figures as before, with "escalation" (and "router" when it was skipped)


# --- scoring and evaluation ----------------------------------------------------------------------


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def score(path: str) -> None:
    """Print the assessment of a ticket file (the API's ticket JSON, or {"ticket": {...}})."""
    from marshmallow import ValidationError

    from sidecar.intelligence.scoring import assess_ticket
    from sidecar.intelligence.ticket import ticket_from_mapping
    from sidecar.schemas import TicketSchema, strip_nul
    from sidecar.services.assessments import assessment_to_dict

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if isinstance(data, dict) and isinstance(data.get("ticket"), dict):
        data = data["ticket"]
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: expected a JSON object")
    try:
        loaded = TicketSchema().load(strip_nul(data))
    except ValidationError as exc:
        raise click.ClickException(f"{path}: invalid ticket: {json.dumps(exc.messages)}") from None
    loaded.setdefault("source", "zendesk")
    ticket = ticket_from_mapping(loaded)
    result = assessment_to_dict(assess_ticket(ticket))
    _print_json({"ticket": {"source": ticket.source, "id": ticket.id}, **result})


@main.group(name="eval")
def eval_group() -> None:
    """Measure the sidecar's decisions on a labelled history file."""


def _run_eval(kind: str, test: str, train: str | None) -> None:
    test_rows = _read_jsonl(test)
    train_rows = _read_jsonl(train) if train else None
    from sidecar.intelligence import (
        evaluation,  # scikit-learn loads only when evaluating
    )
    started = time.perf_counter()
    try:
        if kind == "handoff":
            metrics = evaluation.evaluate_handoff(test_rows, train_rows)
            title = "human_requested detection vs needs_human"
        else:
            metrics = evaluation.evaluate_escalation(test_rows, train_rows)
            title = "escalation score vs escalated"
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    metrics["seconds"] = round(time.perf_counter() - started, 2)
    metrics["trained"] = bool(train)
    click.echo(evaluation.format_metrics_table(f"{title} ({Path(test).name})", metrics))
    _print_json(metrics)


@eval_group.command("handoff")
@click.option("--test", "test", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--train", "train", type=click.Path(exists=True, dir_okay=False))
def eval_handoff(test: str, train: str | None) -> None:
    """Precision, recall, F1 and PR-AUC of human_requested against needs_human labels."""
    _run_eval("handoff", test, train)


@eval_group.command("categories")
@click.option("--test", "test", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--show-misses", is_flag=True, help="list each row whose categories differ")
def eval_categories(test: str, show_misses: bool) -> None:
    """Per-category precision, recall and F1 against rows' `categories` lists, and escalate vs needs_human."""
    rows = _read_jsonl(test)
    from sidecar.intelligence import evaluation

    started = time.perf_counter()
    try:
        result = evaluation.evaluate_categories(rows)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    result["seconds"] = round(time.perf_counter() - started, 2)
    click.echo(evaluation.format_categories_table(f"categories vs labels ({Path(test).name})", result))
    if show_misses:
        for miss in result["mismatches"]:
            click.echo(f"  {miss['id']}: expected {miss['expected']}, found {miss['found']}")
    _print_json({key: value for key, value in result.items() if key != "mismatches"})


@eval_group.command("escalation")
@click.option("--test", "test", type=click.Path(exists=True, dir_okay=False))
@click.option("--train", "train", type=click.Path(exists=True, dir_okay=False))
@click.option("--installation", "installation_id", default=None,
              help="back-test rules vs learned on this installation's stored history, split by time")
@click.option("--test-fraction", default=0.3, type=click.FloatRange(0.05, 0.95), show_default=True,
              help="with --installation: the newest share of the history that is tested on")
def eval_escalation(test: str | None, train: str | None, installation_id: str | None, test_fraction: float) -> None:
    """ROC-AUC and PR-AUC of the score against escalated labels (files), or a rules vs learned back-test
    on an installation's own history (--installation)."""
    if installation_id:
        if test or train:
            raise click.UsageError("--installation reads the stored history; leave out --test and --train")
        _eval_installation_escalation(installation_id, test_fraction)
        return
    if not test:
        raise click.UsageError("give --test F.jsonl (with --train F.jsonl to learn first), or --installation ID")
    _run_eval("escalation", test, train)


def _eval_installation_escalation(installation_id: str, test_fraction: float) -> None:
    from sidecar.errors import ServiceError
    from sidecar.intelligence import evaluation
    from sidecar.services.escalation_models import labelled_history
    from sidecar.services.installations import get_installation
    from sidecar.services.scoring_settings import policy_from_overrides, scoring_overrides

    config = _load_config()
    database = _database(config)
    try:
        with database.session() as session:
            installation = get_installation(session, installation_id)
            policy = policy_from_overrides(scoring_overrides(installation))
            items = labelled_history(session, installation_id=installation_id)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    started = time.perf_counter()
    try:
        result = evaluation.backtest_escalation([i.ticket for i in items], [i.escalated for i in items],
                                                policy=policy, test_fraction=test_fraction)
    except ValueError as exc:
        raise click.ClickException(f"{exc} ({len(items)} labelled history tickets)") from None
    result = {"installation": installation_id, **result, "seconds": round(time.perf_counter() - started, 2)}
    click.echo(evaluation.format_backtest_table(
        f"escalation back-test on installation {installation_id}: rules vs learned, split by time", result))
    _print_json(result)


@eval_group.command("routing")
@click.option("--train", "train", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--test", "test", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--embeddings", "embeddings", envvar="SIDECAR_ROUTER_EMBEDDINGS", default="auto", show_default=True,
              help="sentence embeddings beside TF-IDF: auto (the bundled MiniLM, by history size), off, "
                   "all-MiniLM-L6-v2[:static], or a model directory")
def eval_routing(train: str, test: str, embeddings: str) -> None:
    """Learn routing from one history file, route another: accuracy, macro-F1, abstain rate, OOS recall."""
    train_rows, test_rows = _read_jsonl(train), _read_jsonl(test)
    from sidecar.intelligence.routing.embeddings import embedding_model_for
    from sidecar.intelligence.routing.evaluation import (
        evaluate_routing,
        format_routing_table,
    )

    try:
        metrics = evaluate_routing(train_rows, test_rows,
                                   embedding_model=embedding_model_for(embeddings, tickets=len(train_rows)))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(format_routing_table(metrics))
    _print_json(metrics)


@eval_group.command("similar")
@click.option("--tickets", "tickets", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--embeddings", "embeddings", envvar="SIDECAR_SIMILAR_EMBEDDINGS", default="auto", show_default=True,
              help="sentence embeddings beside full-text search, as the product uses them: auto, off, or a model")
def eval_similar(tickets: str, embeddings: str) -> None:
    """For each ticket with an earlier duplicate, search earlier tickets: recall@1/5/10 and MRR."""
    rows = _read_jsonl(tickets)
    from sidecar.intelligence.similarity.evaluation import (
        evaluate_similar,
        format_similar_table,
    )

    try:
        metrics = evaluate_similar(rows, embeddings=embeddings)  # EmbeddingsUnavailable is a ValueError
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(format_similar_table(metrics))
    _print_json(metrics)


# --- demo ----------------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.option("--no-serve", is_flag=True, help="set up the demo and exit")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Set up the embedded demo (schema, demo installation, demo tickets), print its token, and serve."""
    from sidecar.demo import set_up_demo
    from sidecar.store.migrate import upgrade_database

    config = _load_config()
    database = _database(config)
    try:
        upgrade_database(database)
        with database.session() as session:
            summary = set_up_demo(session, box=_secret_box(config))
    finally:
        database.dispose()
    token = summary["api_token"]
    click.echo(f"Demo installation {summary['id']} ({summary['name']}) with {summary['assessed']} assessed demo tickets.")
    click.echo(f"Admin API token (new on every demo start): {token}")
    click.echo("Try:")
    click.echo(f"  curl -s -H 'Authorization: Bearer {token}' http://{host}:{port}/v1/assessments")
    click.echo(
        f"  curl -s -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' "
        f"-d @sidecar/demo/refund_ticket.json http://{host}:{port}/v1/assessments"
    )
    click.echo("  # escalate it (dry-run: no Jira/Slack credentials, so each step shows the request it would send)")
    click.echo(
        f"  curl -s -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' "
        f"-d @sidecar/demo/refund_ticket.json http://{host}:{port}/v1/escalations"
    )
    click.echo(f"  # the Zendesk sidebar app in a page that plays Zendesk (dry-run): http://{host}:{port}/preview/zendesk")
    if not no_serve:
        config = config.with_overrides(preview_installation_id=summary["id"], preview_token=summary["agent_token"])
        _serve(config, host, port, int(os.environ.get("WEB_CONCURRENCY", "2")))


from sidecar.cli_history import history_group
from sidecar.cli_import import import_group
from sidecar.cli_retention import retention_group

main.add_command(history_group)
main.add_command(import_group)
main.add_command(retention_group)


if __name__ == "__main__":  # pragma: no cover
    main()
