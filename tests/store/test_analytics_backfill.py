"""Migration 0010 fills the analytics columns of escalations made before it from their JSON."""
from __future__ import annotations

import json

from sqlalchemy import text

from sidecar.store.db import Database
from sidecar.store.migrate import upgrade_database

_INSERT = text(
    "INSERT INTO escalations (id, installation_id, ticket_source, ticket_external_id, status, mode, agent_note, team,"
    " expert, score, level, context, created_at, updated_at, acknowledged_at, resolved_at, pinged_experts,"
    " reopened_count) VALUES (:id, 'inst_1', 'zendesk', :id, :status, 'dry_run', '', :team, :expert, 0.9, 'high',"
    " :context, '2026-12-01 10:00:00.000000', '2026-12-01 10:00:00.000000', :acknowledged_at, :resolved_at, '[]', 0)")


def test_existing_escalations_get_their_category_team_experts_and_durations(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        upgrade_database(database, "0009")
        context = {"assessment": {"categories": [{"name": "billing_refund", "confidence": 0.9},
                                                 {"name": "high_value_customer", "confidence": 0.5}]},
                   "route": {"expert": {"id": "exp_suggested"}}}
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO installations (id, name, source, api_token_hash, "
                                    "shared_secret_encrypted, settings, created_at) VALUES ('inst_1', 'Old', "
                                    "'zendesk', 'h', 's', '{}', '2026-12-01 00:00:00')"))
            connection.execute(_INSERT, [
                {"id": "esc_a", "status": "resolved", "team": json.dumps({"id": "t", "name": "Billing"}),
                 "expert": json.dumps({"id": "exp_chosen"}), "context": json.dumps(context),
                 "acknowledged_at": "2026-12-01 10:02:00.000000", "resolved_at": "2026-12-01 11:00:00.000000"},
                {"id": "esc_b", "status": "delivered", "team": None, "expert": None, "context": json.dumps({}),
                 "acknowledged_at": None, "resolved_at": None}])
        upgrade_database(database)
        with database.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT id, category, team_name, suggested_expert_id, chosen_expert_id, ack_seconds, resolve_seconds"
                " FROM escalations ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [
            ("esc_a", "billing_refund", "Billing", "exp_suggested", "exp_chosen", 120.0, 3600.0),
            ("esc_b", None, None, None, None, None, None)]
    finally:
        database.dispose()
