"""The escalation lifecycle on its own: the ticket key, start, status from steps, resolve and reopen, joining."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sidecar.domain.statuses import EscalationStatus, StepStatus
from sidecar.services import lifecycle
from sidecar.store.models import EscalationEvent, EscalationStep, Job, utcnow


@pytest.fixture
def database(app):
    return app.extensions["sidecar"].database


def _start(session, installation_id, ticket_id="48213"):
    return lifecycle.start(session, installation_id=installation_id, source="zendesk", ticket_id=ticket_id,
                           fields={"context": {"ticket": {"id": ticket_id}}}, max_attempts=3)


def test_the_ticket_key_is_source_and_id():
    assert lifecycle.ticket_key("zendesk", "48213") == "zendesk:48213"


def test_start_writes_a_pending_escalation_its_planned_steps_and_the_first_job(database, installation):
    with database.session() as session:
        escalation = _start(session, installation["id"])
        steps = session.scalars(select(EscalationStep).where(EscalationStep.escalation_id == escalation.id)
                                .order_by(EscalationStep.position)).all()
        jobs = session.scalars(select(Job).where(Job.escalation_id == escalation.id)).all()
        assert escalation.status == EscalationStatus.PENDING and escalation.open_ticket_key == "zendesk:48213"
        assert [(s.name, s.system, s.status) for s in steps] == [
            ("jira_issue", "jira", "planned"), ("jira_link", "jira", "planned"),
            ("ticket_note", "zendesk", "planned"), ("slack_message", "slack", "planned")]
        assert [(j.kind, j.max_attempts) for j in jobs] == [("escalation.jira_issue", 3)]
        found = lifecycle.find_open_escalation(session, installation_id=installation["id"], source="zendesk",
                                               ticket_id="48213")
        assert found is escalation
        session.commit()
    with database.session() as session:
        with pytest.raises(IntegrityError):
            _start(session, installation["id"])  # one open escalation per ticket
        session.rollback()


def test_the_escalation_status_follows_its_steps():
    now = utcnow()
    assert lifecycle.escalation_status_change(["done", "planned"], now=now) == {"status": "pending"}
    assert lifecycle.escalation_status_change(["done", "dry_run", "skipped"], now=now) == {
        "status": "delivered", "delivered_at": now}
    assert lifecycle.escalation_status_change(["done", "dead", "planned"], now=now) == {"status": "failed"}


def test_resolve_frees_the_ticket_and_reopen_takes_it_back_unless_another_is_open(database, installation):
    with database.session() as session:
        first = _start(session, installation["id"])
        event = lifecycle.resolve(session, first, resolution="Fixed", status="Done", actor="Priya")
        assert event.kind == "resolved" and first.open_ticket_key is None and first.resolved_at is not None
        assert lifecycle.resolve(session, first, resolution="Fixed", status="Done", actor="Priya") is None
        session.flush()
        second = _start(session, installation["id"])
        lifecycle.reopen(session, first, system="jira", actor=None, why="Reopened in Jira")
        assert first.status == EscalationStatus.DELIVERED and first.reopened_count == 1
        assert first.open_ticket_key is None  # the second one holds the ticket
        ticket = dict(installation_id=installation["id"], source="zendesk", ticket_id="48213")
        assert lifecycle.escalation_for_ticket(session, **ticket) is second
        lifecycle.resolve(session, second, resolution=None, status="Done", actor=None)
        session.flush()
        assert lifecycle.find_open_escalation(session, **ticket) is None
        session.rollback()


def test_a_ticket_event_finds_the_open_escalation_before_a_later_resolved_one(database, installation):
    with database.session() as session:
        older = _start(session, installation["id"])
        lifecycle.resolve(session, older, resolution=None, status="Done", actor=None)
        session.flush()
        newer = _start(session, installation["id"])
        lifecycle.resolve(session, newer, resolution=None, status="Done", actor=None)
        session.flush()
        ticket = dict(installation_id=installation["id"], source="zendesk", ticket_id="48213")
        assert lifecycle.escalation_for_ticket(session, **ticket) is newer  # none open: the latest, to reopen
        lifecycle.reopen(session, older, system="jira", actor=None, why="Reopened in Jira")
        session.flush()
        assert lifecycle.escalation_for_ticket(session, **ticket) is older
        session.rollback()


def test_acknowledge_once_and_not_after_resolution(database, installation):
    with database.session() as session:
        escalation = _start(session, installation["id"])
        assert lifecycle.awaiting_acknowledgement(escalation)
        assert lifecycle.acknowledge(session, escalation, who="ana", user_id="U01").kind == "acknowledged"
        assert lifecycle.acknowledge(session, escalation, who="bo", user_id="U02") is None
        assert escalation.acknowledged_by == "ana" and not lifecycle.awaiting_acknowledgement(escalation)
        events = session.scalars(select(EscalationEvent.kind).where(
            EscalationEvent.escalation_id == escalation.id)).all()
        assert events == ["acknowledged"]
        session.rollback()


def test_a_jira_status_change_is_noted_and_kept_and_the_same_status_is_nothing(database, installation):
    with database.session() as session:
        escalation = _start(session, installation["id"])
        event = lifecycle.follow_jira_issue(session, escalation, resolved=False, status="In Progress",
                                            previous="To Do", resolution=None, actor="Priya")
        assert event.kind == "status_changed" and event.data == {"from": "To Do", "to": "In Progress"}
        assert escalation.jira_status == "In Progress"
        assert lifecycle.follow_jira_issue(session, escalation, resolved=False, status="In Progress",
                                           previous="In Progress", resolution=None, actor=None) is None
        event = lifecycle.follow_jira_issue(session, escalation, resolved=True, status="Done",
                                            previous="In Progress", resolution="Fixed", actor=None)
        assert event.kind == "resolved" and escalation.jira_status == "Done"
        session.rollback()


def test_joining_counts_each_ticket_once_and_each_account_once():
    account = SimpleNamespace(name="Acme", arr=120000)
    first = lifecycle.affected_entry(SimpleNamespace(ticket_source="zendesk", ticket_external_id="1", id="esc_1"),
                                     account)
    assert first["ticket"] == "zendesk:1"
    affected = lifecycle.affected_after_join(None, first)
    assert lifecycle.affected_after_join(affected, first) == affected
    second = lifecycle.affected_entry(SimpleNamespace(ticket_source="zendesk", ticket_external_id="2", id="esc_2"),
                                      account)
    both = lifecycle.affected_after_join(affected, second)
    assert both["count"] == 1 and both["total_arr"] == 120000.0 and len(both["customers"]) == 2


def test_a_settled_step_may_not_set_a_status_on_its_escalation():
    with pytest.raises(ValueError, match="status"):
        lifecycle.settle_step(None, escalation=None, step=None, status=StepStatus.DONE,
                              learnt={"status": "delivered"})
