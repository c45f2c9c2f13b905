"""`sidecar score`: assess a ticket file offline, as the API would."""
from __future__ import annotations

import json
from pathlib import Path

import click
from marshmallow import ValidationError

from sidecar.cli.runtime import print_json
from sidecar.intelligence.scoring import assess_ticket
from sidecar.intelligence.ticket import ticket_from_mapping
from sidecar.schemas import TicketSchema, strip_nul
from sidecar.services.assessments import assessment_to_dict


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def score(path: str) -> None:
    """Print the assessment of a ticket file (the API's ticket JSON, or {"ticket": {...}})."""
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
    print_json({"ticket": {"source": ticket.source, "id": ticket.id}, **result})
