"""The embedded demo: one installation and a handful of realistic tickets, ready to curl."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.services.connections import configure
from sidecar.services.credentials import create_token, list_tokens, revoke_token
from sidecar.services.directory import load_directory
from sidecar.services.installations import create_installation, rotate_api_token
from sidecar.store.crypto import SecretBox
from sidecar.store.history import upsert_history
from sidecar.store.models import Installation

DEMO_NAME = "Demo: Acme Cloud Support"
DEMO_DIR = Path(__file__).parent
DEMO_ZENDESK_URL = "https://acme-demo.zendesk.com"


DEMO_SIDEBAR_TOKEN_NAME = "demo sidebar preview"

def demo_tickets() -> list[dict[str, Any]]:
    """The demo tickets, in the API's ticket JSON."""
    return json.loads((DEMO_DIR / "tickets.json").read_text(encoding="utf-8"))


def demo_history() -> list[dict[str, Any]]:
    """Past tickets and Jira issues of the demo installation, in the history format (one JSON per line)."""
    lines = (DEMO_DIR / "history.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def load_demo_history(session: Session, *, installation: Installation) -> None:
    """Import the demo's past incidents (Zendesk tickets and Jira issues); loading them again changes nothing."""
    rows = demo_history()
    for source, kind in (("zendesk", "ticket"), ("jira", "jira_issue")):
        upsert_history(session, installation_id=installation.id, source=source,
                       rows=[row for row in rows if row.get("kind", "ticket") == kind])


def set_up_demo(session: Session, *, box: SecretBox) -> dict[str, Any]:
    """Create (or reuse) the demo installation with its teams, experts and past incidents; give it fresh tokens.

    The demo tickets are not assessed here: the sidebar (and the preview page) assess a ticket when it is
    opened, as in production, so a fresh demo's analytics count only what was done in it.
    """
    installation = session.scalar(select(Installation).where(Installation.name == DEMO_NAME))
    if installation is None:
        created = create_installation(session, name=DEMO_NAME, source="zendesk", box=box)
        installation, token = created.installation, created.api_token
    else:
        token = rotate_api_token(session, installation)
    # Only the help desk's address: enough for ticket links; with no credentials every write is a dry-run.
    configure(session, installation, changes={"zendesk.url": DEMO_ZENDESK_URL}, box=box)
    load_directory(session, installation=installation,
                   document=yaml.safe_load((DEMO_DIR / "experts.yaml").read_text(encoding="utf-8")))
    # Past incidents, so the demo's assessments show similar incidents and who solved them.
    load_demo_history(session, installation=installation)
    # The preview page carries its token in the browser, as a sidebar would: an agent token, never the admin one.
    for old in list_tokens(session, installation_id=installation.id):
        if old.name == DEMO_SIDEBAR_TOKEN_NAME:
            revoke_token(session, installation_id=installation.id, token_id=old.id)
    sidebar = create_token(session, installation=installation, scope="agent", name=DEMO_SIDEBAR_TOKEN_NAME)
    return {"id": installation.id, "name": installation.name, "api_token": token, "agent_token": sidebar.token,
            "tickets": len(demo_tickets())}
