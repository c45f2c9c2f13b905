"""Learned models: they learn from history, keep a version, and survive a round trip through bytes."""
from __future__ import annotations

import pytest

from sidecar.intelligence.learned import (
    EscalationModel,
    HandoffModel,
    train_escalation_model,
    train_handoff_model,
)
from sidecar.intelligence.scoring import assess_ticket

ESCALATED = [
    "Checkout is down for all customers since the deploy.",
    "The sync deleted half of our contacts.",
    "Production database unreachable, 502 on every page.",
    "App crashes when opening any report, started after the update.",
    "Security issue: users can see other tenants' invoices.",
    "We were charged three times and want a refund immediately.",
    "Webhook deliveries fail with 500 for every event since yesterday.",
    "Our whole team is locked out after the SSO change.",
]
ROUTINE = [
    "How do I change my avatar?",
    "Where can I download last month's invoice?",
    "Typo on the pricing page.",
    "Feature request: dark mode would be nice.",
    "Can I add a second admin to the account?",
    "How do I export tickets to CSV?",
    "Please update our billing address.",
    "What does the 'pending' status mean?",
]


@pytest.fixture(scope="module")
def history():
    from sidecar.intelligence.ticket import ticket_from_mapping

    rows = [(text, True) for text in ESCALATED] + [(text, False) for text in ROUTINE]
    tickets = [ticket_from_mapping({"id": str(i), "description": text}) for i, (text, _) in enumerate(rows)]
    return tickets, [label for _, label in rows]


@pytest.fixture(scope="module")
def escalation_model(history):
    tickets, labels = history
    return train_escalation_model(tickets, labels)


def test_escalation_model_ranks_like_its_history(escalation_model, make_ticket):
    outage = escalation_model.predict_proba(make_ticket("Checkout is down for all customers, 502 errors."))
    question = escalation_model.predict_proba(make_ticket("How do I change the avatar on my profile?"))
    assert 0.0 <= question < outage <= 1.0
    assert escalation_model.version.startswith("esc-lr-")


def test_round_trip_keeps_predictions_and_version(escalation_model, make_ticket):
    restored = EscalationModel.from_bytes(escalation_model.to_bytes())
    ticket = make_ticket("Our data disappeared after the import.")
    assert restored.version == escalation_model.version
    assert restored.predict_proba(ticket) == pytest.approx(escalation_model.predict_proba(ticket))


def test_same_training_data_gives_the_same_version(history, escalation_model):
    tickets, labels = history
    assert train_escalation_model(tickets, labels).version == escalation_model.version


def test_model_drives_assess_ticket(escalation_model, make_ticket, now):
    ticket = make_ticket("Checkout is down for all customers.")
    assessment = assess_ticket(ticket, model=escalation_model, now=now)
    assert assessment.model_version == escalation_model.version
    assert assessment.score == pytest.approx(escalation_model.predict_proba(ticket))
    assert "outage" in {s.name for s in assessment.signals}


def test_from_bytes_rejects_other_bytes(escalation_model):
    with pytest.raises(ValueError):
        EscalationModel.from_bytes(b"not a model")
    with pytest.raises(ValueError):
        HandoffModel.from_bytes(escalation_model.to_bytes())


def test_training_needs_both_classes(history):
    tickets, _ = history
    with pytest.raises(ValueError, match="both"):
        train_escalation_model(tickets, [True] * len(tickets))
    with pytest.raises(ValueError):
        train_escalation_model(tickets, [True])


def test_handoff_model_learns_requests_for_a_person(make_ticket):
    asks = ["agent please", "can I talk to a person", "get me a human", "operator", "call me back", "real person pls"]
    other = ["reset my password", "where is my invoice", "export to csv", "change my email", "cancel order 1234",
             "track my refund"]
    tickets = [make_ticket(text, id=str(i)) for i, text in enumerate(asks + other)]
    model = train_handoff_model(tickets, [True] * len(asks) + [False] * len(other))
    assert model.version.startswith("handoff-lr-")
    assert model.predict_proba(make_ticket("i want to speak to a human")) > model.predict_proba(
        make_ticket("how do i export my invoices")
    )
    assert HandoffModel.from_bytes(model.to_bytes()).version == model.version


def test_a_model_remembers_the_findings_it_was_trained_on_and_warns_once_when_they_change(monkeypatch, caplog):
    from sidecar.intelligence import learned
    from sidecar.intelligence.learned import train_escalation_model
    from sidecar.intelligence.scoring import rules_version
    from sidecar.intelligence.ticket import ticket_from_mapping

    monkeypatch.setenv("SIDECAR_SEMANTIC", "off")
    tickets = [ticket_from_mapping({"id": str(i), "description": text}, default_source="zendesk")
               for i, text in enumerate(["The site is down for everyone", "Thanks, all good"] * 4)]
    model = train_escalation_model(tickets, [True, False] * 4)
    assert model.findings_version == rules_version() == "rules-13"
    monkeypatch.setattr(learned, "rules_version", lambda: "rules-1+semantic-9:abc")
    learned._WARNED.clear()
    with caplog.at_level("WARNING", logger="sidecar.learned"):
        model.predict_many(tickets[:2])
        model.predict_many(tickets[:2])
    warnings = [r for r in caplog.records if "retrain" in r.getMessage()]
    assert len(warnings) == 1 and "rules-1+semantic-9:abc" in warnings[0].getMessage()
