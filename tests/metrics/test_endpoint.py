"""GET /metrics: only when SIDECAR_METRICS is on, behind its token, Prometheus text, outside /openapi.json."""
from __future__ import annotations

from tests.metrics.conftest import METRICS_TOKEN, parse


def test_metrics_is_404_when_off(client):
    response = client.get("/metrics")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_scrape_without_the_token_is_refused(metrics_client):
    for headers in ({}, {"Authorization": "Bearer wrong-token-of-some-length"}, {"Authorization": METRICS_TOKEN}):
        response = metrics_client.get("/metrics", headers=headers)
        assert response.status_code == 401
        body = response.get_json()
        assert body["error"]["code"] == "metrics_token_required"
        assert METRICS_TOKEN not in response.get_data(as_text=True)


def test_a_scrape_with_the_token_is_prometheus_text(metrics_client):
    response = metrics_client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=")
    samples = parse(response.get_data(as_text=True))
    assert samples[("sidecar_database_up", frozenset())] == 1


def test_openmetrics_is_answered_when_asked_for(metrics_client):
    response = metrics_client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}",
                                                        "Accept": "application/openmetrics-text; version=1.0.0"})
    assert response.content_type.startswith("application/openmetrics-text")
    assert response.get_data(as_text=True).rstrip().endswith("# EOF")


def test_metrics_is_not_in_the_api_document(metrics_client):
    assert "/metrics" not in metrics_client.get("/openapi.json").get_json()["paths"]


def test_metrics_is_not_under_v1_authentication(metrics_client, installation):
    # An installation's API token is not the metrics token: /metrics has its own.
    response = metrics_client.get("/metrics", headers={"Authorization": f"Bearer {installation['api_token']}"})
    assert response.status_code == 401
