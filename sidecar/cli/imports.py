"""`sidecar import ...`: bring an installation's ticket history in from a file, Zendesk, Salesforce or Jira.

Every command is idempotent (re-running it changes nothing that did not change at the source),
reports progress and rejected records on stderr, and ends with a readable summary followed by one
JSON line on stdout.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import click

from sidecar.cli.runtime import (
    database_for,
    installation_option,
    load_config,
    print_json,
    secret_box,
)
from sidecar.clients.errors import ApiError
from sidecar.errors import ServiceError
from sidecar.intelligence.ticket import parse_datetime
from sidecar.services.history import (
    import_history_file,
    import_jira_history,
    import_salesforce_history,
    import_zendesk_history,
    jira_client_for,
    salesforce_client_for,
    zendesk_client_for,
)
from sidecar.services.history.runner import load_installation
from sidecar.services.installations import installation_settings
from sidecar.store.crypto import SecretBoxError

MAX_PRINTED_REJECTS = 1000  # beyond this the summary's count (and its first 20 messages) must do


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date or time, e.g. 2024-01-31") from None


@contextmanager
def _runtime() -> Iterator[tuple[Any, Any, Any]]:
    """(config, database, secret box) for one command, with errors a person can act on."""
    config = load_config()
    with database_for(config, current_schema=True) as database:
        yield config, database, secret_box(config)


@contextmanager
def _reported_errors(resume_hint: bool) -> Iterator[None]:
    """Turn service and vendor errors into one-line CLI errors (messages never carry secrets)."""
    try:
        yield
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    except SecretBoxError as exc:
        raise click.ClickException(f"{exc} (check SIDECAR_ENCRYPTION_KEY)") from None
    except ApiError as exc:
        hint = " Run the same command again to resume after the last page written." if resume_hint else ""
        raise click.ClickException(f"{str(exc).rstrip('.')}.{hint}") from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _print_rejected() -> Callable[[str], None]:
    printed = 0

    def report(message: str) -> None:
        nonlocal printed
        printed += 1
        if printed <= MAX_PRINTED_REJECTS:
            click.echo(f"skipped {message}", err=True)
        elif printed == MAX_PRINTED_REJECTS + 1:
            click.echo("(more skipped records are not shown; the summary counts them all)", err=True)

    return report


def _print_wait(message: str) -> None:
    click.echo(message, err=True)


def _print_page(summary) -> None:
    click.echo(f"page {summary.pages}: {summary.tickets} tickets so far (inserted {summary.inserted}, "
               f"updated {summary.updated}, unchanged {summary.unchanged}, skipped {summary.skipped})", err=True)


def _finish(summary, *, since: datetime | None = None) -> None:
    if since is not None and summary.resumed:
        click.echo("note: resumed from the stored position, so --since was not used (add --restart to start "
                   "again at --since)", err=True)
    click.echo(summary.describe())
    pending = summary.extra.get("embeddings_pending")
    if pending:
        click.echo(f"{pending} tickets wait for their embeddings; similar search answers from full text for them "
                   f"until `sidecar history embed --installation {summary.installation_id}` has run (it can run "
                   "beside the service, and resumes where it stopped)", err=True)
    print_json(summary.as_dict())


@click.group(name="import")
def import_group() -> None:
    """Import ticket history (what routing learns from and similar-incident search finds)."""


@import_group.command("file")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@installation_option(help="installation id (inst_...)")
@click.option("--source", default="file", show_default=True,
              help="source name the rows are keyed under; re-import with the same name to update them")
def import_file(path: str, installation_id: str, source: str) -> None:
    """Import a history-format JSONL file; bad lines are reported on stderr, counted and skipped."""
    with _runtime() as (_config, database, _box), _reported_errors(resume_hint=False):
        size = os.path.getsize(path)
        with click.progressbar(length=size, label="importing", file=sys.stderr,
                               show_eta=True, show_percent=True) as bar:
            seen = 0

            def progress(done: int) -> None:
                nonlocal seen
                bar.update(done - seen)
                seen = done

            summary = import_history_file(database, installation_id=installation_id, path=path, source=source,
                                          on_progress=progress, on_rejected=_print_rejected())
    _finish(summary)


@import_group.command("zendesk")
@installation_option(help="installation id (inst_...)")
@click.option("--since", help="first import: tickets changed since this date or time (ISO 8601); "
                              "later runs resume from the stored cursor")
@click.option("--restart", is_flag=True, help="ignore the stored cursor and start again at --since")
@click.option("--comments/--no-comments", default=True, show_default=True,
              help="fetch each ticket's conversation (paced, see --comments-per-minute)")
@click.option("--comments-per-minute", default=100, show_default=True, type=click.IntRange(1, 2500),
              help="pace of comment calls, which share the account's API budget with everything else")
@click.option("--exports-per-minute", default=10, show_default=True, type=click.IntRange(1, 30),
              help="pace of export calls: 10, or 30 with the High Volume API add-on")
def import_zendesk(installation_id: str, since: str | None, restart: bool, comments: bool,
                   comments_per_minute: int, exports_per_minute: int) -> None:
    """Import Zendesk tickets through the incremental export (resumable, within its rate limit)."""
    when = _parse_since(since)
    with _runtime() as (_config, database, box), _reported_errors(resume_hint=True):
        installation = load_installation(database, installation_id)
        client = zendesk_client_for(installation, box=box)
        helpdesk = installation_settings(installation).helpdesk
        summary = import_zendesk_history(
            database, installation_id=installation_id, client=client, since=when, restart=restart,
            comments=comments, comments_per_minute=comments_per_minute, exports_per_minute=exports_per_minute,
            escalation_tags=helpdesk.escalation_tags,
            on_page=_print_page, on_rejected=_print_rejected(), on_wait=_print_wait,
        )
    _finish(summary, since=when)


@import_group.command("salesforce")
@installation_option(help="installation id (inst_...)")
@click.option("--since", help="first import: Cases modified since this date or time (ISO 8601); "
                              "later runs resume from the last modification seen")
@click.option("--restart", is_flag=True, help="ignore the stored position and start again at --since")
def import_salesforce(installation_id: str, since: str | None, restart: bool) -> None:
    """Import Salesforce Cases with their comments, emails and Account fields (resumable)."""
    when = _parse_since(since)
    with _runtime() as (_config, database, box), _reported_errors(resume_hint=True):
        installation = load_installation(database, installation_id)
        client = salesforce_client_for(installation, box=box)
        helpdesk = installation_settings(installation).helpdesk
        summary = import_salesforce_history(
            database, installation_id=installation_id, client=client, since=when, restart=restart,
            group_field=helpdesk.group_field, on_page=_print_page, on_rejected=_print_rejected(),
            on_wait=_print_wait,
        )
    _finish(summary, since=when)


@import_group.command("jira")
@installation_option(help="installation id (inst_...)")
@click.option("--jql", required=True, help="which issues, e.g. 'project = ENG AND resolution IS NOT EMPTY'")
@click.option("--restart", is_flag=True, help="do not resume an interrupted run of the same query")
def import_jira(installation_id: str, jql: str, restart: bool) -> None:
    """Import resolved Jira issues (kind jira_issue) for similar-incident search."""
    with _runtime() as (_config, database, box), _reported_errors(resume_hint=True):
        client = jira_client_for(load_installation(database, installation_id), box=box)
        summary = import_jira_history(database, installation_id=installation_id, client=client, jql=jql,
                                      restart=restart, on_page=_print_page, on_rejected=_print_rejected(),
                                      on_wait=_print_wait)
    _finish(summary)
