"""The metrics port (SIDECAR_METRICS_PORT), the database gauges' cache, and the metrics settings."""
from __future__ import annotations

import socket
import urllib.error
import urllib.request
from datetime import timedelta

import pytest

from sidecar.config import Config, ConfigError
from sidecar.metrics.database import DatabaseCollector
from sidecar.metrics.exposition import start_metrics_server
from sidecar.store.db import Database
from sidecar.store.models import Escalation, Installation, utcnow
from tests.metrics.conftest import METRICS_TOKEN, parse


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, token: str | None = None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics",
                                     headers={"Authorization": f"Bearer {token}"} if token else {})
    return urllib.request.urlopen(request, timeout=10)


def test_the_metrics_port_answers_behind_its_token(config, app):
    port = _free_port()
    server = start_metrics_server(config.with_overrides(metrics_port=port, metrics_token=METRICS_TOKEN),
                                  database=app.extensions["sidecar"].database)
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            _get(port)
        assert refused.value.code == 401
        with _get(port, METRICS_TOKEN) as answer:
            assert answer.headers["Content-Type"].startswith("text/plain; version=")
            samples = parse(answer.read().decode())
        assert samples[("sidecar_database_up", frozenset())] == 1
        assert any(name == "sidecar_escalations" for name, _ in samples)
    finally:
        server.shutdown()
        server.server_close()


def test_a_worker_port_has_its_counters_but_not_the_database_gauges(config):
    port = _free_port()
    server = start_metrics_server(config.with_overrides(metrics_port=port), database=None)
    try:
        with _get(port) as answer:
            text = answer.read().decode()
        assert "# TYPE sidecar_delivery_attempts_total counter" in text
        assert "sidecar_escalations" not in text
    finally:
        server.shutdown()
        server.server_close()


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_database_gauges_are_cached_for_a_few_seconds(app):
    database = app.extensions["sidecar"].database
    clock = _Clock()
    queries = []
    collector = DatabaseCollector(database, cache_seconds=5, clock=clock)
    original = collector._read
    collector._read = lambda: queries.append(clock.now) or original()  # type: ignore[method-assign]
    for at in (100.0, 101.0, 104.9, 105.0, 106.0):
        clock.now = at
        names = {family.name for family in collector.collect()}
    assert queries == [100.0, 105.0]
    assert {"sidecar_database_up", "sidecar_escalations", "sidecar_outbox_jobs",
            "sidecar_escalations_ack_overdue"} <= names


def test_an_unreachable_database_is_database_up_zero_not_a_failed_scrape(tmp_path):
    broken = Database(f"sqlite:///{tmp_path / 'empty.sqlite3'}")  # no tables
    families = list(DatabaseCollector(broken).collect())
    assert [(f.name, [s.value for s in f.samples]) for f in families] == [("sidecar_database_up", [0])]


def test_metrics_settings_are_read_and_checked():
    env = {"SIDECAR_METRICS": "true", "SIDECAR_METRICS_PORT": "9464", "SIDECAR_METRICS_TOKEN": "x" * 20}
    config = Config.from_env(env)
    assert (config.metrics_enabled, config.metrics_port, config.metrics_token, config.metrics_on) == (
        True, 9464, "x" * 20, True)
    assert not Config.from_env({}).metrics_on
    assert Config.from_env({"SIDECAR_METRICS_PORT": "9464"}).metrics_on
    for bad, named in (({"SIDECAR_METRICS_PORT": "70000"}, "SIDECAR_METRICS_PORT"),
                       ({"SIDECAR_METRICS_PORT": "x"}, "SIDECAR_METRICS_PORT"),
                       ({"SIDECAR_METRICS_TOKEN": "a-secret"}, "SIDECAR_METRICS_TOKEN"),
                       ({"SIDECAR_METRICS": "maybe"}, "SIDECAR_METRICS")):
        with pytest.raises(ConfigError, match=named) as error:
            Config.from_env(bad)
        assert "a-secret" not in str(error.value)  # a token is never echoed


def test_ack_overdue_uses_each_installations_ack_minutes(app, make_installation):
    database = app.extensions["sidecar"].database
    quick, patient = make_installation("Quick"), make_installation("Patient")
    half_an_hour_ago = utcnow() - timedelta(minutes=30)
    with database.write_session() as session:
        session.get(Installation, quick["id"]).settings = {"ack_minutes": 10}
        session.get(Installation, patient["id"]).settings = {"ack_minutes": 60}
        rows = [(quick, "pending", None), (quick, "delivered", None), (quick, "delivered", utcnow()),
                (quick, "resolved", None), (patient, "delivered", None)]
        for n, (installation, status, acknowledged_at) in enumerate(rows):
            session.add(Escalation(id=f"esc_{n}", installation_id=installation["id"], ticket_source="zendesk",
                                   ticket_external_id=str(n), status=status, created_at=half_an_hour_ago,
                                   acknowledged_at=acknowledged_at))
    families = {family.name: family for family in DatabaseCollector(database).collect()}
    # Quick's two open, unacknowledged escalations are past 10 minutes; Patient's is within its 60.
    assert families["sidecar_escalations_ack_overdue"].samples[0].value == 2
    assert {s.labels["status"]: s.value for s in families["sidecar_escalations"].samples} == {
        "pending": 1, "delivered": 3, "failed": 0, "resolved": 1}
