"""Typed installation settings: defaults, and the stored JSON read and written back unchanged."""
from __future__ import annotations

import pytest

from sidecar.domain.settings import (
    DEFAULT_ACK_MINUTES,
    EscalationSettings,
    InstallationSettings,
    RedactionSettings,
    ScoringSettings,
)

STORED = {
    "helpdesk": {"group_field": "Team__c", "bot_user_ids": [1, 2], "organization_fields": {"tier": "plan"}},
    "scoring": {"weights": {"legal_threat": 2.5}, "escalate_threshold": 0.7, "model": "rules"},
    "redaction": {"emails": True, "phones": False, "cards": True, "patterns": [r"\bEMP-\d+\b"]},
    "jira_priority": {"Highest": 0.9, "tier_bumps": {"gold": 1}},
    "ack_minutes": 45,
    "proactive": "auto",
    "sync_customer_comments": False,
    "retention_days": 90,
    "future_key": {"kept": True},
}


def test_empty_settings_are_the_defaults_and_write_nothing():
    settings = InstallationSettings.from_mapping(None)
    assert settings.escalation == EscalationSettings()
    assert settings.escalation.ack_minutes == DEFAULT_ACK_MINUTES and settings.escalation.proactive == "suggest"
    assert settings.escalation.sync_customer_comments is True
    assert settings.escalation.redaction.to_mapping() == {"emails": False, "phones": False, "cards": True,
                                                          "patterns": []}
    assert settings.scoring.scoring_model == "rules" and settings.scoring.shadow is None
    assert settings.retention_days is None and settings.helpdesk.group_field is None
    assert settings.to_mapping() == {}


def test_stored_settings_round_trip_exactly():
    settings = InstallationSettings.from_mapping(STORED)
    assert settings.to_mapping() == STORED
    assert list(settings.to_mapping()) == list(STORED)
    assert settings.escalation.ack_minutes == 45 and settings.escalation.redaction.emails is True
    assert settings.scoring.weights["legal_threat"] == 2.5 and settings.scoring.escalate_threshold == 0.7
    assert settings.helpdesk.group_field == "Team__c" and settings.retention_days == 90


def test_nulls_and_unusable_values_are_kept_as_stored():
    stored = {"ack_minutes": None, "retention_days": 0, "scoring": {}}
    settings = InstallationSettings.from_mapping(stored)
    assert settings.escalation.ack_minutes == DEFAULT_ACK_MINUTES and settings.retention_days is None
    assert settings.to_mapping() == stored


def test_updated_writes_only_what_was_set():
    settings = InstallationSettings.from_mapping({"helpdesk": {"x": 1}, "retention_days": 0})
    changed = settings.updated(ack_minutes=10, retention_days=7)
    assert changed.to_mapping() == {"helpdesk": {"x": 1}, "retention_days": 7, "ack_minutes": 10}
    assert changed.updated(retention_days=None).to_mapping() == {"helpdesk": {"x": 1}, "ack_minutes": 10}
    scoring = ScoringSettings(weights={"legal_threat": 1.0}, model="learned")
    assert settings.updated(scoring=scoring).to_mapping()["scoring"] == {"weights": {"legal_threat": 1.0},
                                                                          "model": "learned"}
    with pytest.raises(TypeError):
        settings.updated(colour="red")


def test_settings_are_read_only():
    settings = InstallationSettings.from_mapping(STORED)
    with pytest.raises(TypeError):
        settings.scoring.weights["legal_threat"] = 0  # type: ignore[index]
    assert RedactionSettings.from_mapping({"patterns": ["a"]}).patterns == ("a",)
