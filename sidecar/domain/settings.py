"""An installation's settings, typed, with every default in one place.

They are stored as one JSON object on the installation: `scoring` (overrides of the scorer's weights and
thresholds), `helpdesk` (field maps and bot ids for the help desk clients), `retention_days`, and the
escalation settings at the top level (`redaction`, `jira_priority`, `ack_minutes`, `proactive`,
`sync_customer_comments`). `InstallationSettings.from_mapping` reads that object and `to_mapping` writes
it back: a key is written only when it was stored or has been set since, so a default is never stored
on anybody's behalf, and keys this version does not know are kept as they were.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

DEFAULT_ACK_MINUTES = 30  # until someone presses Acknowledge; then the next expert (or the channel) is pinged
PROACTIVE_POLICIES = ("off", "suggest", "auto")
DEFAULT_PROACTIVE = "suggest"
SCORING_MODELS = ("rules", "learned")
DEFAULT_SCORING_MODEL = "rules"
ESCALATION_KEYS = ("redaction", "jira_priority", "ack_minutes", "proactive", "sync_customer_comments")
SECTION_KEYS = ("scoring", "helpdesk", "retention_days")
KNOWN_KEYS = SECTION_KEYS + ESCALATION_KEYS


def _frozen(value: Any) -> Any:
    """A read-only copy of stored JSON: objects become mapping proxies, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    return value


def _plain(value: Any) -> Any:
    """Stored JSON again from a `_frozen` value: dicts and lists."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


def _freeze_fields(instance: Any, *names: str) -> None:
    # Frozen dataclasses: the mappings they hold must not change under them either.
    for name in names:
        object.__setattr__(instance, name, _frozen(getattr(instance, name) or {}))


def positive_days(value: Any) -> int | None:
    """A stored retention window that means something (a whole number above 0), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


@dataclass(frozen=True)
class ScoringSettings:
    """An installation's overrides of the scorer's weights and thresholds; None or empty: the scorer's default."""

    weights: Mapping[str, float] = field(default_factory=_empty)
    level_thresholds: Mapping[str, float] = field(default_factory=_empty)
    escalate_threshold: float | None = None
    watch_threshold: float | None = None
    category_threshold: float | None = None
    model: str | None = None  # as stored; `scoring_model` says which model that means
    shadow: str | None = None

    def __post_init__(self) -> None:
        _freeze_fields(self, "weights", "level_thresholds")

    @property
    def scoring_model(self) -> str:
        """The model that makes the score: `rules` unless the settings name another."""
        return self.model or DEFAULT_SCORING_MODEL

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> ScoringSettings:
        """The overrides stored under `scoring` (unknown keys are ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in (data or {}).items() if key in names and value is not None})

    def to_mapping(self) -> dict[str, Any]:
        """The stored form: only what is set (no null, no empty object)."""
        values = {f.name: _plain(getattr(self, f.name)) for f in fields(self)}
        return {key: value for key, value in values.items() if value not in (None, {}, [])}


@dataclass(frozen=True)
class RedactionSettings:
    """What is masked before anything reaches Jira or Slack (checked by intelligence.redaction)."""

    emails: bool = False  # off: the people reading an escalation usually need to reach the customer
    phones: bool = False
    cards: bool = True  # a card number never helps anyone
    patterns: tuple[str, ...] = ()  # the operator's own regular expressions

    def __post_init__(self) -> None:
        object.__setattr__(self, "patterns", tuple(self.patterns or ()))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> RedactionSettings:
        """Stored redaction settings, defaults for what they leave out."""
        names = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in (data or {}).items() if key in names and value is not None})

    def to_mapping(self) -> dict[str, Any]:
        """The stored (and shown) form, complete."""
        return {"emails": self.emails, "phones": self.phones, "cards": self.cards, "patterns": list(self.patterns)}


@dataclass(frozen=True)
class EscalationSettings:
    """How escalations behave: masking, Jira priority, acknowledgement time, proactive policy, comment sync."""

    redaction: RedactionSettings = field(default_factory=RedactionSettings)
    jira_priority: Mapping[str, Any] = field(default_factory=_empty)  # overrides of the default priority mapping
    ack_minutes: int = DEFAULT_ACK_MINUTES
    proactive: str = DEFAULT_PROACTIVE  # off, suggest or auto (PROACTIVE_POLICIES)
    sync_customer_comments: bool = True  # new customer comments go to Jira and Slack

    def __post_init__(self) -> None:
        _freeze_fields(self, "jira_priority")
        if not isinstance(self.redaction, RedactionSettings):
            object.__setattr__(self, "redaction", RedactionSettings.from_mapping(self.redaction))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> EscalationSettings:
        """The escalation keys of the stored settings (they sit at the top level); null or absent: the default."""
        data = data or {}
        return cls(**{key: data[key] for key in ESCALATION_KEYS if data.get(key) is not None})

    def to_mapping(self) -> dict[str, Any]:
        """Every escalation key with its stored form (`jira_priority`: the overrides only)."""
        return {"redaction": self.redaction.to_mapping(), "jira_priority": _plain(self.jira_priority),
                "ack_minutes": self.ack_minutes, "proactive": self.proactive,
                "sync_customer_comments": self.sync_customer_comments}


@dataclass(frozen=True)
class HelpdeskSettings:
    """Field maps and bot ids for the help desk; free-form, each client takes the keys it knows."""

    values: Mapping[str, Any] = field(default_factory=_empty)

    def __post_init__(self) -> None:
        _freeze_fields(self, "values")

    @property
    def group_field(self) -> str | None:
        """The Salesforce Case field that names the team that handled it, if any."""
        return self.values.get("group_field") or None

    @property
    def escalation_tags(self) -> tuple[str, ...]:
        """Zendesk tags that mark a past ticket as escalated."""
        return tuple(self.values.get("escalation_tags") or ())

    @property
    def case_fields(self) -> tuple[str, ...]:
        """Extra Salesforce Case fields to read."""
        return tuple(self.values.get("case_fields") or ())

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> HelpdeskSettings:
        """The object stored under `helpdesk`."""
        return cls(values=data or {})

    def to_mapping(self) -> dict[str, Any]:
        """The stored form, also what the help desk clients take."""
        plain: dict[str, Any] = _plain(self.values)
        return plain


@dataclass(frozen=True)
class InstallationSettings:
    """Everything an installation has set, typed; what it has not set is the default."""

    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    escalation: EscalationSettings = field(default_factory=EscalationSettings)
    helpdesk: HelpdeskSettings = field(default_factory=HelpdeskSettings)
    retention_days: int | None = None  # None keeps everything
    # Which top-level keys the stored object holds, in order, and the ones kept as they were (unknown to
    # this version, null, or unusable): to_mapping writes exactly these plus what was set since.
    stored_keys: tuple[str, ...] = field(default=(), compare=False, repr=False)
    kept: Mapping[str, Any] = field(default_factory=_empty, compare=False, repr=False)

    def __post_init__(self) -> None:
        _freeze_fields(self, "kept")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> InstallationSettings:
        """The installation's stored settings object (None or empty: all defaults)."""
        data = data or {}
        kept = {key: value for key, value in data.items() if key not in KNOWN_KEYS or value is None}
        if "retention_days" in data and positive_days(data["retention_days"]) is None:
            kept["retention_days"] = data["retention_days"]
        return cls(scoring=ScoringSettings.from_mapping(data.get("scoring")),
                   escalation=EscalationSettings.from_mapping(data),
                   helpdesk=HelpdeskSettings.from_mapping(data.get("helpdesk")),
                   retention_days=positive_days(data.get("retention_days")),
                   stored_keys=tuple(data), kept=kept)

    def updated(self, **changes: Any) -> InstallationSettings:
        """A copy with these keys set: scoring, helpdesk, retention_days (None removes it), escalation keys."""
        unknown = sorted(set(changes) - set(KNOWN_KEYS))
        if unknown:
            raise TypeError(f"unknown installation setting(s): {', '.join(unknown)}")
        escalation = replace(self.escalation, **{k: v for k, v in changes.items() if k in ESCALATION_KEYS})
        keys = [*self.stored_keys, *(key for key in changes if key not in self.stored_keys)]
        if "retention_days" in changes and changes["retention_days"] is None:
            keys.remove("retention_days")
        kept = {key: value for key, value in self.kept.items() if key not in changes}
        return replace(self, escalation=escalation, stored_keys=tuple(keys), kept=kept,
                       **{key: value for key, value in changes.items() if key in SECTION_KEYS})

    def to_mapping(self) -> dict[str, Any]:
        """The stored settings object: what was stored, with what was set since."""
        values = {"scoring": self.scoring.to_mapping(), "helpdesk": self.helpdesk.to_mapping(),
                  "retention_days": self.retention_days, **self.escalation.to_mapping()}
        return {key: _plain(self.kept[key]) if key in self.kept else values[key] for key in self.stored_keys}
