"""An assessed ticket joins the history through a queued `history.record` job, not inside the request."""
from __future__ import annotations

from sqlalchemy import func, select

from sidecar.jobs import history_recording, outbox
from sidecar.jobs.context import JobContext
from sidecar.jobs.history_recording import KIND, HistoryRecording
from sidecar.store.crypto import SecretBox
from sidecar.store.models import AssessmentRecord, HistoryTicket, Job
from tests.conftest import ENCRYPTION_KEY, bearer
from tests.history_support import record_assessed_tickets

EMAIL = "jane.doe@example.com"


def _ticket(ticket_id: str, words: str, email: str = "bob@example.com") -> dict:
    return {"id": ticket_id, "subject": f"Invoice problem {words}", "requester": {"name": "Someone", "email": email},
            "comments": [{"author": "customer", "public": True, "body": f"Our invoice is wrong: {words}."}]}


def _assess(client, installation, ticket):
    response = client.post("/v1/assessments", json={"ticket": ticket}, headers=bearer(installation["api_token"]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _history(database, installation_id) -> dict[str, str]:
    with database.session() as session:
        rows = session.execute(select(HistoryTicket.external_id, HistoryTicket.search_text)
                               .where(HistoryTicket.installation_id == installation_id)).all()
    return dict(rows)


def _jobs(database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(Job).where(Job.kind == KIND)) or 0


def test_the_ticket_is_recorded_when_the_job_runs_and_the_job_goes(client, installation, database):
    _assess(client, installation, _ticket("201", "zeppelin"))
    assert _history(database, installation["id"]) == {}  # the request only queued the write
    assert _jobs(database) == 1

    assert record_assessed_tickets(database) == 1
    history = _history(database, installation["id"])
    assert list(history) == ["201"] and "zeppelin" in history["201"]
    assert _jobs(database) == 0  # finished history jobs are deleted, not kept as done


def test_one_run_records_many_tickets_in_one_transaction(client, installation, database):
    for number in range(5):
        _assess(client, installation, _ticket(f"30{number}", f"word{number}"))
    assert record_assessed_tickets(database) == 1  # one job run claimed and recorded all five
    assert sorted(_history(database, installation["id"])) == [f"30{n}" for n in range(5)]
    assert _jobs(database) == 0


def test_a_ticket_assessed_twice_before_the_worker_runs_is_recorded_as_its_newest_version(
        client, installation, database):
    _assess(client, installation, _ticket("401", "first words"))
    _assess(client, installation, _ticket("401", "second words"))
    record_assessed_tickets(database)
    history = _history(database, installation["id"])
    assert list(history) == ["401"] and "second words" in history["401"]


def test_a_ticket_already_recorded_is_not_listed_as_similar_to_itself(client, installation, database):
    _assess(client, installation, _ticket("501", "zeppelinfabrik charged twice"))
    record_assessed_tickets(database)
    again = _assess(client, installation, _ticket("501", "zeppelinfabrik charged twice again"))
    assert "501" not in [item["id"] for item in again["similar"]]


def test_running_a_job_again_writes_nothing_twice(client, installation, database):
    """A retry (the worker died after writing, before settling) records the same row once."""
    _assess(client, installation, _ticket("601", "retry words"))
    job = outbox.claim(database, worker_id="w1", kinds=(KIND,))
    assert job is not None
    with database.write_session() as session:  # the first attempt wrote, then its worker died
        assert history_recording.record_assessed(session, installation_id=installation["id"], source="zendesk",
                                                 ticket_id="601")
    first = _history(database, installation["id"])
    ctx = JobContext(database, SecretBox((ENCRYPTION_KEY,)), job)
    HistoryRecording().run(ctx)  # the retry
    assert ctx.finished and _history(database, installation["id"]) == first and _jobs(database) == 0
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(HistoryTicket)) == 1


def test_an_erasure_while_the_write_is_queued_leaves_nothing_behind(client, installation, database):
    _assess(client, installation, _ticket("701", "private words", email=EMAIL))
    _assess(client, installation, _ticket("702", "other words"))
    body = client.post("/v1/erasures", json={"requester_email": EMAIL},
                       headers=bearer(installation["api_token"])).get_json()
    assert body["tickets"] == 1 and body["erased"]["assessments"] == 1 and body["erased"]["jobs"] == 1

    record_assessed_tickets(database)
    assert list(_history(database, installation["id"])) == ["702"]  # hers was never written


def test_a_job_whose_assessment_is_gone_records_nothing(client, installation, database):
    """Whatever deleted the assessment (an erasure, the retention purge), its queued job writes no history."""
    _assess(client, installation, _ticket("801", "purged words"))
    with database.write_session() as session:
        session.execute(AssessmentRecord.__table__.delete())
    assert _jobs(database) == 1
    record_assessed_tickets(database)
    assert _history(database, installation["id"]) == {} and _jobs(database) == 0


def test_one_bad_ticket_does_not_hold_the_others_back(client, installation, database, monkeypatch):
    for number in range(3):
        _assess(client, installation, _ticket(f"90{number}", f"batch{number}"))
    real = history_recording.record_ticket

    def failing(session, *, installation_id, ticket):
        if ticket.id == "901":
            raise RuntimeError("a ticket the history refuses")
        return real(session, installation_id=installation_id, ticket=ticket)

    monkeypatch.setattr(history_recording, "record_ticket", failing)
    record_assessed_tickets(database)
    assert sorted(_history(database, installation["id"])) == ["900", "902"]
    with database.session() as session:
        waiting = session.scalars(select(Job).where(Job.kind == KIND)).all()
    assert [job.payload["ticket_id"] for job in waiting] == ["901"] and waiting[0].status == "queued"


def test_an_escalation_recorded_since_the_queued_assessment_is_not_replaced_by_it(client, installation, database):
    # The ticket has no updated_at, so only the order of events says which version is newer.
    _assess(client, installation, _ticket("601", "first words"))
    response = client.post("/v1/escalations", json={"ticket": _ticket("601", "newer words")},
                           headers=bearer(installation["api_token"]))
    assert response.status_code == 202, response.get_json()
    assert "newer words" in _history(database, installation["id"])["601"]  # recorded by the escalation at once

    record_assessed_tickets(database)  # the job queued by the older assessment
    assert "newer words" in _history(database, installation["id"])["601"]
    assert _jobs(database) == 0

    _assess(client, installation, _ticket("601", "newest words"))  # assessed after the escalation: it wins
    record_assessed_tickets(database)
    assert "newest words" in _history(database, installation["id"])["601"]
