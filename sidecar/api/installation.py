"""The calling installation: who am I, help desk credentials (write-only), scoring settings."""
from __future__ import annotations

from flask import Blueprint, jsonify

from sidecar.api.auth import authenticate_request, current_installation
from sidecar.api.context import json_body, request_session, respond, runtime
from sidecar.schemas import CredentialsSchema, CredentialsStatusSchema, InstallationSchema, ScoringSettingsSchema
from sidecar.services.installations import credential_keys, set_credentials
from sidecar.services.scoring_settings import effective_scoring_settings, update_scoring_settings

blueprint = Blueprint("installation", __name__, url_prefix="/v1")
blueprint.before_request(authenticate_request)


@blueprint.get("/installation")
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
    settings = dict(installation.settings or {})
    settings["helpdesk"] = body["settings"]
    installation.settings = settings
    session.commit()
    return respond(CredentialsStatusSchema(), {"configured": True,
                                               "keys": credential_keys(installation, box=runtime().box)})


@blueprint.get("/settings/scoring")
def get_scoring_settings():
    """The weights and thresholds in effect (defaults merged with this installation's overrides)."""
    return jsonify(effective_scoring_settings(current_installation()))


@blueprint.put("/settings/scoring")
def put_scoring_settings():
    """Replace this installation's scoring overrides."""
    overrides = json_body(ScoringSettingsSchema())
    session = request_session()
    installation = session.merge(current_installation())
    merged = update_scoring_settings(session, installation=installation, overrides=overrides)
    session.commit()
    return jsonify(merged)
