"""An installation's scoring and escalation settings: the overrides sent and the settings in effect."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from sidecar.domain.settings import PROACTIVE_POLICIES, SCORING_MODELS
from sidecar.intelligence.scoring import DEFAULT_WEIGHTS
from sidecar.schemas.common import JsonBoolean, JsonFloat, RequestSchema, unit_interval


def _weights_schema() -> type[Schema]:
    # One property per known signal, so the document lists the names the scorer accepts.
    weight: dict[str, fields.Field] = {
        name: JsonFloat(allow_nan=False, validate=validate.Range(min=-20, max=20)) for name in DEFAULT_WEIGHTS}
    return Schema.from_dict(weight, name="ScoringWeightsSchema")


class LevelThresholdsSchema(Schema):
    """Scores from which a level starts (0 to 1)."""

    class Meta:
        unknown = RAISE

    medium = unit_interval()
    high = unit_interval()
    critical = unit_interval()


class ScoringSettingsSchema(RequestSchema):
    """An installation's overrides of the default weights and thresholds."""

    weights = fields.Nested(_weights_schema()(unknown=RAISE), load_default=dict,
                            metadata={"description": "log-odds per unit of a signal's strength"})
    level_thresholds = fields.Nested(LevelThresholdsSchema, load_default=dict)
    escalate_threshold = unit_interval(allow_none=True, load_default=None)
    watch_threshold = unit_interval(allow_none=True, load_default=None)
    category_threshold = unit_interval(allow_none=True, load_default=None)
    model = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(SCORING_MODELS), metadata={
        "description": "which model makes the score: `rules` (the default) or `learned` (the installation's "
                       "escalation model from `sidecar train`; 409 when none is trained)"})
    shadow = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(SCORING_MODELS), metadata={
        "description": "the other model, also run on every assessment; its score is stored beside the "
                       "assessment as `shadow` (must differ from `model`)"})


class ScoringSettingsViewSchema(Schema):
    """The weights and thresholds in effect, and this installation's overrides."""

    weights = fields.Dict(keys=fields.String(), values=fields.Float())
    level_thresholds = fields.Dict(keys=fields.String(), values=fields.Float())
    escalate_threshold = fields.Float()
    watch_threshold = fields.Float()
    category_threshold = fields.Float()
    model = fields.String(validate=validate.OneOf(SCORING_MODELS))
    shadow = fields.String(allow_none=True, validate=validate.OneOf(SCORING_MODELS))
    overrides = fields.Dict()

class RedactionSettingsSchema(Schema):
    """What is masked before anything reaches Jira or Slack."""

    class Meta:
        unknown = RAISE

    emails = JsonBoolean(metadata={"description": "default false"})
    phones = JsonBoolean(metadata={"description": "default false"})
    cards = JsonBoolean(metadata={"description": "payment card numbers that pass the Luhn check; default true"})
    patterns = fields.List(fields.String(validate=validate.Length(min=1, max=500), metadata={"format": "regex"}),
                           allow_none=True, validate=validate.Length(max=50),
                           metadata={"description": "Python regular expressions; each must compile and must not "
                                                    "match the empty string"})


class JiraPrioritySchema(Schema):
    """Scores from which a Jira priority starts, and how many steps an account tier moves it up."""

    class Meta:
        unknown = RAISE

    Highest = unit_interval(metadata={"description": "default 0.85"})
    High = unit_interval(metadata={"description": "default 0.6"})
    Medium = unit_interval(metadata={"description": "default 0.35"})
    Low = unit_interval(metadata={"description": "accepted and unused: below Medium is Low"})
    tier_bumps = fields.Dict(keys=fields.String(), values=fields.Integer(strict=True), allow_none=True,
                             metadata={"description": "{tier: steps up}; default enterprise, strategic, platinum "
                                                      "and vip: 1"})


class EscalationSettingsSchema(RequestSchema):
    """Body of PUT /v1/settings/escalation; a key left out is unchanged."""

    class Meta:
        unknown = RAISE

    redaction = fields.Nested(RedactionSettingsSchema, allow_none=True,
                              metadata={"description": "null: back to the defaults"})
    jira_priority = fields.Nested(JiraPrioritySchema, allow_none=True,
                                  metadata={"description": "null: back to the defaults"})
    ack_minutes = fields.Integer(strict=True, validate=validate.Range(min=1, max=7 * 24 * 60),
                                 metadata={"description": "minutes until the next expert is pinged (default 30)"})
    proactive = fields.String(validate=validate.OneOf(PROACTIVE_POLICIES),
                              metadata={"description": "when a score crosses the threshold: off, suggest (default) "
                                                       "or auto"})
    sync_customer_comments = JsonBoolean(metadata={"description": "new customer comments go to Jira and Slack "
                                                                  "(default true)"})


class EscalationSettingsViewSchema(Schema):
    """The escalation settings in effect."""

    redaction = fields.Nested(RedactionSettingsSchema)
    jira_priority = fields.Dict()
    ack_minutes = fields.Integer()
    proactive = fields.String()
    sync_customer_comments = fields.Boolean()
