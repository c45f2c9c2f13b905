"""Agents' ratings become routing labels for `sidecar train`: confirmed teams are learnt, refuted ones dropped."""
from __future__ import annotations

import yaml

from sidecar.services.assessments import assess_and_store, record_feedback
from sidecar.services.directory import load_directory
from sidecar.services.installations import get_installation
from sidecar.services.router_models import feedback_labels
from tests.conftest import FIXTURES
from tests.escalation_support import PASSWORD_RESET, REFUND


def test_ratings_confirm_or_refute_the_routed_team(app, installation):
    from sidecar.intelligence.ticket import ticket_from_mapping

    database = app.extensions["sidecar"].database
    with database.session() as session:
        record = get_installation(session, installation["id"])
        load_directory(session, installation=record,
                       document=yaml.safe_load((FIXTURES / "directory" / "acme.yaml").read_text()))
        refund = assess_and_store(session, installation=record, ticket=ticket_from_mapping(REFUND))
        other = assess_and_store(session, installation=record, ticket=ticket_from_mapping(
            {**REFUND, "id": "50001"}))
        reset = assess_and_store(session, installation=record, ticket=ticket_from_mapping(PASSWORD_RESET))
        assert refund.result["route"]["team"]["name"] == "Billing"
        record_feedback(session, installation=record, assessment_id=refund.id, rating="right")
        record_feedback(session, installation=record, assessment_id=other.id, rating="right")
        record_feedback(session, installation=record, assessment_id=other.id, rating="wrong", note="not billing")
        record_feedback(session, installation=record, assessment_id=reset.id, rating="right")  # routed nowhere
    with database.session() as session:
        confirmed, refuted = feedback_labels(session, installation_id=installation["id"])
    # The team's first history group is the label the router learns ("billing" in acme.yaml).
    assert confirmed == {("zendesk", "48213"): "billing"}
    assert refuted == {(("zendesk", "50001"), "billing")}
