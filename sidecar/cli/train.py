"""`sidecar train`: train an installation's router and escalation model from its stored history."""
from __future__ import annotations

from typing import Any

import click

from sidecar.cli.runtime import (
    database_for,
    installation_option,
    load_config,
    print_json,
    service_errors,
)
from sidecar.config import Config
from sidecar.errors import ServiceError
from sidecar.services.escalation_models import train_installation_escalation
from sidecar.services.installations import get_installation
from sidecar.services.router_models import train_installation_router
from sidecar.store.db import Database


def _skipped(results: dict[str, Any], problems: list[str], key: str, what: str, exc: ServiceError) -> None:
    results[key] = {"error": exc.code, "message": exc.message}
    problems.append(f"{what} not trained: {exc.message}")
    click.echo(problems[-1], err=True)


def _train_router(database: Database, config: Config, installation_id: str, results: dict[str, Any],
                  problems: list[str]) -> None:
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
        _skipped(results, problems, "router", "router", exc)


def _train_escalation(database: Database, installation_id: str, results: dict[str, Any],
                      problems: list[str]) -> None:
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
        _skipped(results, problems, "escalation", "escalation model", exc)


@click.command()
@installation_option()
def train(installation_id: str) -> None:
    """Train the installation's router and escalation model from its stored history; each new version is stored.

    The router becomes active at once; the escalation model is used only when the scoring settings say
    `model: learned` (or `shadow: learned`). Either may be skipped for lack of labels (the reason is printed);
    the command fails only when neither could be trained.
    """
    config = load_config()
    results: dict[str, Any] = {}
    problems: list[str] = []
    with service_errors(), database_for(config) as database:
        with database.session() as session:
            get_installation(session, installation_id)
        _train_router(database, config, installation_id, results, problems)
        _train_escalation(database, installation_id, results, problems)
    if len(problems) == 2:
        raise click.ClickException("; ".join(problems))
    print_json(results)  # the router's figures as before, with "escalation" (and "router" when it was skipped)
