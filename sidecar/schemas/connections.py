"""Connection settings per system (Jira, Slack, help desks, LLM): the update body and the view."""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from sidecar.domain.connections import KEYS, SYSTEMS
from sidecar.schemas.common import BLANK, RequestSchema

# Value formats of the connection settings whose check is a plain shape (sidecar.services.connections
# checks them again, with the same rules); URLs are also refused when they point at private or link-local
# addresses, which no pattern can say.
_S = f"[{BLANK}]*"  # surrounding whitespace, which the checks strip
_CONNECTION_PATTERNS = {
    "url": (rf"^https?://[^{BLANK}/?#@\\]+(/[^{BLANK}?#\\]*)?$", "an https URL without credentials, query or fragment"),
    "jira.project": (rf"^{_S}[A-Za-z][A-Za-z0-9_]*{_S}$", "a Jira project key such as ESC"),
    "zendesk.jira_key_field_id": (rf"^{_S}[0-9]+{_S}$", "the numeric id of a Zendesk ticket field"),
    "salesforce.jira_key_field": (rf"^{_S}_*[A-Za-z0-9][A-Za-z0-9_]*{_S}$", "a field API name such as Jira_Key__c"),
    "slack.team_id": (rf"^{_S}[TE][A-Za-z0-9]{{1,39}}{_S}$", "a Slack workspace id such as T0123ABCD"),
    # Spaces only around it: the check reads int() of the unstripped value, which refuses other whitespace.
    "jobs.max_attempts": (r"^ *0*[1-9][0-9]* *$", "a positive whole number"),
}


def _connection_settings_schema() -> type[Schema]:
    """One nullable string property per known connection setting (from sidecar.services.connections.KEYS)."""
    properties: dict[str, fields.Field] = {}
    for name, key in KEYS.items():
        shape = _CONNECTION_PATTERNS.get("url" if name.endswith((".url", ".instance_url", ".api_url")) else name)
        description = key.description + (" (secret: write-only)" if key.secret else "")
        checks: list[Any] = [validate.Length(max=2000)]
        if shape is not None:
            # A blank value removes the setting, so it is exempt from the value's shape.
            checks.append(validate.Regexp(rf"^{_S}$|{shape[0]}", error=f"must be {shape[1]}"))
            description += f"; {shape[1]}"
        # marshmallow reads a dot in an attribute name as nesting: the attribute is dot-free, the key is not.
        properties[name] = fields.String(allow_none=True, validate=checks, data_key=name,
                                         attribute=name.replace(".", "__"),
                                         metadata={"description": description + "; null or \"\" removes it"})
    return _DottedKeysSchema.from_dict(properties, name="ConnectionSettingsSchema")


class _DottedKeysSchema(Schema):
    """Loads to the dotted keys (`jira.url`) that the connection settings are named by."""

    @post_load
    def _dotted(self, data, **kwargs):
        return {key.replace("__", "."): value for key, value in data.items()}


class ConnectionsUpdateSchema(RequestSchema):
    """Body of PATCH /v1/installation/connections: {"settings": {"jira.url": "...", ...}}; null or "" removes."""

    settings = fields.Nested(_connection_settings_schema()(unknown=RAISE), required=True,
                             metadata={"description": "at least one setting"})

    @validates_schema
    def _something(self, data, **kwargs):
        if not data.get("settings"):
            raise ValidationError("give at least one setting", field_name="settings")

    def handle_error(self, error: ValidationError, data: Any, **kwargs) -> None:
        """Name each refused setting at the top of the details, as the service's own checks do."""
        problems = error.messages.get("settings") if isinstance(error.messages, dict) else None
        if not isinstance(problems, dict):
            raise error
        unknown = "unknown setting; known: " + ", ".join(sorted(KEYS))
        raise ValidationError({key: unknown if messages == ["Unknown field."] else messages
                               for key, messages in problems.items()})


class ConnectionSystemSchema(Schema):
    """One system's connection: live or dry-run, what is missing, its settings (secrets as {"set": bool})."""

    live = fields.Boolean()
    missing = fields.List(fields.String())
    settings = fields.Dict(keys=fields.String())


def _connections_view_schema() -> type[Schema]:
    view: dict[str, fields.Field] = {system: fields.Nested(ConnectionSystemSchema) for system in SYSTEMS}
    view["cleared"] = fields.List(fields.String(), metadata={
        "description": "after a change: the secrets removed because their system's URL moved"})
    return Schema.from_dict(view, name="ConnectionsViewSchema")


ConnectionsViewSchema = _connections_view_schema()
