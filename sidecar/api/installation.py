"""The calling installation: who am I, help desk credentials (write-only), scoring settings."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, request

from sidecar.api.auth import allow, authenticate_request, current_installation
from sidecar.api.context import json_body, request_session, respond, runtime
from sidecar.domain.settings import HelpdeskSettings
from sidecar.errors import InvalidInput
from sidecar.schemas import (
    AuditListSchema,
    ConnectionsUpdateSchema,
    ConnectionsViewSchema,
    CredentialsSchema,
    CredentialsStatusSchema,
    EscalationSettingsSchema,
    EscalationSettingsViewSchema,
    InstallationSchema,
    NewTokenSchema,
    ScoringSettingsSchema,
    ScoringSettingsViewSchema,
    SharedSecretRotationSchema,
    SharedSecretSchema,
    TokenCreateSchema,
    TokenListSchema,
)
from sidecar.services.audit import list_audit
from sidecar.services.connections import configure, connections_view, load_connections
from sidecar.services.credentials import create_token, list_tokens, revoke_token, rotate_shared_secret
from sidecar.services.escalation_settings import escalation_settings, update_escalation_settings
from sidecar.services.installations import credential_keys, installation_settings, save_settings, set_credentials
from sidecar.services.scoring_settings import effective_scoring_settings, update_scoring_settings
from sidecar.store.models import utcnow

blueprint = Blueprint("installation", __name__, url_prefix="/v1")
blueprint.before_request(authenticate_request)


@blueprint.get("/installation")
@allow("read")
def whoami():
    """The installation the credentials belong to."""
    return respond(InstallationSchema(), current_installation())


@blueprint.get("/installation/credentials")
def credentials_status():
    """Whether help desk credentials are stored, and which fields (never their values)."""
    keys = credential_keys(current_installation(), box=runtime().box)
    return respond(CredentialsStatusSchema(), {"configured": bool(keys), "keys": keys})


@blueprint.put("/installation/credentials")
def put_credentials():
    """Store help desk credentials (encrypted) and optional field maps for ticket_ref fetches."""
    body = json_body(CredentialsSchema())
    session = request_session()
    installation = session.merge(current_installation())
    set_credentials(session, installation, credentials=body["credentials"], box=runtime().box)
    helpdesk = HelpdeskSettings.from_mapping(body["settings"])
    save_settings(session, installation, installation_settings(installation).updated(helpdesk=helpdesk))
    session.commit()
    return respond(CredentialsStatusSchema(), {"configured": True,
                                               "keys": credential_keys(installation, box=runtime().box)})


@blueprint.get("/settings/scoring")
def get_scoring_settings():
    """The weights and thresholds in effect (defaults merged with this installation's overrides)."""
    return respond(ScoringSettingsViewSchema(), effective_scoring_settings(current_installation()))


@blueprint.put("/settings/scoring")
def put_scoring_settings():
    """Replace this installation's scoring overrides."""
    overrides = json_body(ScoringSettingsSchema())
    session = request_session()
    installation = session.merge(current_installation())
    merged = update_scoring_settings(session, installation=installation, overrides=overrides)
    session.commit()
    return respond(ScoringSettingsViewSchema(), merged)


@blueprint.get("/settings/escalation")
def get_escalation_settings():
    """Redaction (what is masked before Jira and Slack) and the Jira priority mapping in effect."""
    return respond(EscalationSettingsViewSchema(), escalation_settings(current_installation()))


@blueprint.put("/settings/escalation")
def put_escalation_settings():
    """Change redaction ({"emails", "phones", "cards", "patterns"}) and/or the Jira priority mapping."""
    body = json_body(EscalationSettingsSchema())
    session = request_session()
    with runtime().database.write_lock():
        installation = session.merge(current_installation())
        settings = update_escalation_settings(session, installation=installation, changes=body)
        session.commit()
    return respond(EscalationSettingsViewSchema(), settings)


@blueprint.get("/installation/connections")
def get_connections():
    """Per system (zendesk, salesforce, jira, slack, llm): live or dry-run, what is missing, each setting
    (secrets as set/unset)."""
    connections = load_connections(current_installation(), box=runtime().box)
    return respond(ConnectionsViewSchema(), connections_view(connections))


@blueprint.patch("/installation/connections")
def patch_connections():
    """Set or remove connection settings ({"settings": {"jira.url": ..., "slack.bot_token": ...}}); secrets are
    never echoed."""
    body = json_body(ConnectionsUpdateSchema())
    session = request_session()
    with runtime().database.write_lock():
        installation = session.merge(current_installation())
        connections = configure(session, installation, changes=body["settings"], box=runtime().box)
        session.commit()
    return respond(ConnectionsViewSchema(), connections_view(connections))


@blueprint.get("/tokens")
def list_api_tokens():
    """The installation's scoped tokens (never their values)."""
    tokens = list_tokens(request_session(), installation_id=current_installation().id)
    return respond(TokenListSchema(), {"items": tokens})


@blueprint.post("/tokens")
def create_api_token():
    """Make a scoped token ({"scope": "admin"|"agent"|"read", "name"}); its value is shown only in this answer."""
    body = json_body(TokenCreateSchema())
    session = request_session()
    with runtime().database.write_lock():
        made = create_token(session, installation=current_installation(), **body)
        session.commit()
    return respond(NewTokenSchema(), {**made.as_dict(), "created_at": utcnow()}, status=201)


@blueprint.delete("/tokens/<token_id>")
def revoke_api_token(token_id: str):
    """Revoke a scoped token; it stops working at once."""
    session = request_session()
    with runtime().database.write_lock():
        revoke_token(session, installation_id=current_installation().id, token_id=token_id)
        session.commit()
    return "", 204


@blueprint.post("/installation/shared-secret")
def rotate_installation_shared_secret():
    """Issue a new shared secret for ZAF JWTs; the old one is accepted for overlap_hours (default 24)."""
    raw = request.get_data(cache=True)
    body = json_body(SharedSecretRotationSchema()) if raw.strip() else SharedSecretRotationSchema().load({})
    session = request_session()
    with runtime().database.write_lock():
        installation = session.merge(current_installation())
        secret, expires = rotate_shared_secret(session, installation, box=runtime().box,
                                               overlap=timedelta(hours=body["overlap_hours"]))
        session.commit()
    return respond(SharedSecretSchema(), {"shared_secret": secret, "previous_valid_until": expires})


@blueprint.get("/audit")
def audit_log():
    """The newest outbound writes of this installation (?limit=, ?escalation_id=)."""
    try:
        limit = min(max(int(request.args.get("limit", 100)), 1), 500)
    except ValueError:
        raise InvalidInput("limit must be a whole number", details={"limit": request.args.get("limit")}) from None
    entries = list_audit(request_session(), installation_id=current_installation().id, limit=limit,
                         escalation_id=request.args.get("escalation_id"))
    return respond(AuditListSchema(), {"items": entries})
