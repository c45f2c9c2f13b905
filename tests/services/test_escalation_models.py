"""`sidecar train` fits each installation's escalation model: labels from history, escalations and feedback."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from sidecar.errors import Conflict
from sidecar.intelligence.ticket import ticket_from_mapping
from sidecar.services import escalation_models
from sidecar.services.assessments import assess_and_store, record_feedback
from sidecar.services.escalation_models import (
    active_escalation_model,
    labelled_history,
    train_installation_escalation,
)
from sidecar.services.installations import get_installation
from sidecar.store.history import upsert_history
from sidecar.store.models import Escalation, LearnedModel
from tests.learned_escalation_support import synthetic_history


@pytest.fixture
def database(app):
    return app.extensions["sidecar"].database


def _import(database, installation_id, rows):
    with database.session() as session:
        upsert_history(session, installation_id=installation_id, rows=rows, source="zendesk")


def test_labels_come_from_history_escalations_and_feedback(database, installation):
    rows = [
        {"id": "1", "subject": "Everything is down for all our users", "escalated": False,
         "created_at": "2026-01-01T00:00:00+00:00"},
        {"id": "2", "subject": "How do I change my avatar?", "escalated": True,
         "created_at": "2026-01-02T00:00:00+00:00"},
        {"id": "3", "subject": "Invoice copy please", "created_at": "2026-01-03T00:00:00+00:00"},
        {"id": "4", "subject": "Export to CSV?", "escalated": False, "created_at": "2026-01-04T00:00:00+00:00"},
        {"id": "5", "subject": "No label at all", "created_at": "2026-01-05T00:00:00+00:00"},
    ]
    _import(database, installation["id"], rows)
    with database.session() as session:
        record = get_installation(session, installation["id"])
        # 1: the rules score it high (an outage for everyone); an agent says that was wrong -> not escalated.
        high = assess_and_store(session, installation=record, ticket=ticket_from_mapping(
            {"id": "1", "subject": "Everything is down for all our users", "created_at": "2026-01-01T00:00:00+00:00",
             "description": "Production outage, all our users are locked out, data lost, we want a person now"}))
        assert high.result["recommendation"] == "escalate"
        record_feedback(session, installation=record, assessment_id=high.id, rating="wrong")
        # 2: scored low; the agent rates it right -> not escalated, overriding the imported True.
        low = assess_and_store(session, installation=record, ticket=ticket_from_mapping(
            {"id": "2", "subject": "How do I change my avatar?", "created_at": "2026-01-02T00:00:00+00:00"}))
        assert low.result["recommendation"] != "escalate"
        record_feedback(session, installation=record, assessment_id=low.id, rating="right")
        # 4: scored low, rated wrong -> escalated (the rules missed it).
        missed = assess_and_store(session, installation=record, ticket=ticket_from_mapping(
            {"id": "4", "subject": "Export to CSV?", "created_at": "2026-01-04T00:00:00+00:00"}))
        record_feedback(session, installation=record, assessment_id=missed.id, rating="right")
        record_feedback(session, installation=record, assessment_id=missed.id, rating="wrong")  # newest wins
        # 3: no imported label, but escalated through the sidecar -> escalated.
        session.add(Escalation(id="esc_test3", installation_id=record.id, ticket_source="zendesk",
                               ticket_external_id="3"))
    with database.session() as session:
        items = labelled_history(session, installation_id=installation["id"])
    got = {item.ticket.id: (item.escalated, item.source) for item in items}
    assert got == {"1": (False, "feedback"), "2": (False, "feedback"), "3": (True, "escalation"),
                   "4": (True, "feedback")}
    assert [item.ticket.id for item in items] == ["1", "2", "3", "4"]  # oldest first


def test_too_few_labels_is_a_clear_conflict_and_nothing_is_stored(database, installation):
    _import(database, installation["id"], synthetic_history(30))  # about 15 of each class
    with database.session() as session, pytest.raises(Conflict) as caught:
        train_installation_escalation(session, installation_id=installation["id"])
    assert caught.value.code == "not_enough_labels"
    assert "at least 20 of each" in caught.value.message
    with database.session() as session:
        assert session.scalars(select(LearnedModel)).all() == []


def test_training_stores_a_versioned_calibrated_model_loaded_once(database, installation, monkeypatch):
    _import(database, installation["id"], synthetic_history(80))
    with database.session() as session:
        first = train_installation_escalation(session, installation_id=installation["id"])
    assert first["version"].startswith("esc-cal-")
    assert first["tickets"] == 80 and first["calibration"] == "platt"
    assert first["label_sources"] == {"history": 80}
    _import(database, installation["id"], synthetic_history(100, seed=1)[80:])
    with database.session() as session:
        second = train_installation_escalation(session, installation_id=installation["id"])
        rows = session.scalars(select(LearnedModel).where(LearnedModel.kind == "escalation")).all()
    assert {(r.id, r.active) for r in rows} == {(first["id"], False), (second["id"], True)}

    from sidecar.intelligence.learned import CalibratedEscalationModel

    loads = []
    original = CalibratedEscalationModel.from_bytes.__func__
    monkeypatch.setattr(CalibratedEscalationModel, "from_bytes",
                        classmethod(lambda cls, data: loads.append(1) or original(cls, data)))
    monkeypatch.setattr(escalation_models, "_cache", escalation_models._ModelCache())
    with database.session() as session:
        model = active_escalation_model(session, installation_id=installation["id"])
        again = active_escalation_model(session, installation_id=installation["id"])
    assert model is again and len(loads) == 1
    assert model.version == second["version"]
    severe = model.predict_proba(ticket_from_mapping({"id": "x", "subject": "quasar gateway errors for everyone"}))
    routine = model.predict_proba(ticket_from_mapping({"id": "y", "subject": "Where is the weekly digest setting"}))
    assert severe > 0.6 > 0.4 > routine
