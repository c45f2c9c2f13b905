"""Teams, experts and routing rules, as the API and the experts file describe them."""
from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from sidecar.intelligence.assessment import CATEGORIES
from sidecar.intelligence.routing_rules import LIST_CONDITIONS, NUMBER_CONDITIONS, check_conditions
from sidecar.schemas.common import NOT_BLANK, JsonBoolean, RequestSchema, StoredDate, StoredTime

_CLOCK = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="must be HH:MM (24-hour)")
_DAY = validate.OneOf(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))


def _timezones() -> list[str]:
    return sorted(available_timezones())


TIMEZONES = _timezones()
_TIMEZONE_SET = frozenset(TIMEZONES)


def _valid_timezone(value: str) -> None:
    # The names the document lists, no more: ZoneInfo would also open "localtime" or "posixrules".
    if value not in _TIMEZONE_SET:
        raise ValidationError(f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)")


class WorkingHoursSchema(Schema):
    """When an expert works, in their own time zone."""

    class Meta:
        unknown = RAISE

    days = fields.List(fields.String(validate=_DAY), load_default=lambda: ["mon", "tue", "wed", "thu", "fri"])
    start = fields.String(validate=_CLOCK, load_default="09:00")
    end = fields.String(validate=_CLOCK, load_default="17:00")


class OutOfOfficeSchema(Schema):
    """A period (dates inclusive) when an expert takes no escalations."""

    class Meta:
        unknown = RAISE

    start = StoredDate(required=True)
    end = StoredDate(required=True)
    note = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def _ordered(self, data, **kwargs):
        # In a PATCH of an expert the whole list is replaced, so each period is still complete even though
        # marshmallow's partial loading does not require the fields of nested schemas.
        missing = [name for name in ("start", "end") if name not in data]
        if missing:
            raise ValidationError({name: ["Missing data for required field."] for name in missing})
        if data["end"] < data["start"]:
            raise ValidationError("end must not be before start", field_name="end")


_CATEGORY_LIST = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), load_default=list)
_WORDS = fields.List(fields.String(validate=validate.Length(min=1, max=80)), load_default=list)


class TeamSchema(RequestSchema):
    """A team as the API and the experts file describe it."""

    class Meta:
        unknown = RAISE

    id = fields.String(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    description = fields.String(load_default="")
    slack_channel = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))
    jira_project = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    jira_component = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    categories = _CATEGORY_LIST
    tags = _WORDS
    history_groups = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list,
                                 metadata={"description": "help-desk group names in history that mean this team"})
    created_at = StoredTime(dump_only=True)
    updated_at = StoredTime(dump_only=True)


class ExpertSchema(RequestSchema):
    """An expert as the API and the experts file describe them."""

    class Meta:
        unknown = RAISE

    id = fields.String(dump_only=True)
    team_id = fields.String(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(required=True)
    slack_user_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    jira_account_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=128))
    categories = _CATEGORY_LIST
    tags = _WORDS
    languages = fields.List(
        fields.String(validate=validate.Regexp(r"^[a-z]{2,3}$", error="use ISO 639 codes like en, de")),
        load_default=list)
    timezone = fields.String(load_default="UTC", validate=_valid_timezone, metadata={"enum": TIMEZONES})
    working_hours = fields.Nested(WorkingHoursSchema, load_default=lambda: WorkingHoursSchema().load({}))
    capacity = fields.Integer(load_default=5, strict=True, validate=validate.Range(min=0, max=1000))
    out_of_office = fields.List(fields.Nested(OutOfOfficeSchema), load_default=list)
    aliases = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list,
                          metadata={"description": "assignee names or ids that mean this expert in history"})
    active = JsonBoolean(load_default=True)
    created_at = StoredTime(dump_only=True)
    updated_at = StoredTime(dump_only=True)


class RuleConditionsField(fields.Dict):
    """A rule's `when`: checked by the routing-rule module so the API and the file agree."""

    def _deserialize(self, value, attr, data, **kwargs):
        loaded = super()._deserialize(value, attr, data, **kwargs)
        problems = check_conditions(loaded)
        if problems:
            raise ValidationError(problems)
        return loaded


def _rule_conditions_document() -> dict[str, Any]:
    # What sidecar.intelligence.routing_rules.check_conditions accepts, for /openapi.json.
    words = {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": NOT_BLANK}}
    properties = {name: words for name in LIST_CONDITIONS}
    properties.update({name: {"type": "number", "minimum": 0} for name in NUMBER_CONDITIONS})
    return {"properties": properties, "additionalProperties": False, "minProperties": 1,
            "description": "all must hold; inside a list any value may match"}


_RULE_CONDITIONS_DOCUMENT = _rule_conditions_document()


class RoutingRuleSchema(Schema):
    """One routing rule: when these conditions hold, send the ticket to this team."""

    class Meta:
        unknown = RAISE

    id = fields.String(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    team_id = fields.String(required=True)
    when = RuleConditionsField(required=True, attribute="conditions", data_key="when",
                               metadata=_RULE_CONDITIONS_DOCUMENT)
    enabled = JsonBoolean(load_default=True)


class RoutingRuleListSchema(RequestSchema):
    """The whole ordered rule list (PUT replaces it)."""

    rules = fields.List(fields.Nested(RoutingRuleSchema), required=True)


class ExpertListQuerySchema(Schema):
    """Query string of GET /v1/experts."""

    class Meta:
        unknown = EXCLUDE

    team_id = fields.String(metadata={"description": "only this team's experts (empty: all)"})
