"""An app with metrics on, over the suite's database, and reading a scrape as numbers.

The families are process-wide (prometheus-client counts per process), so tests compare a scrape after
their traffic with one before it instead of expecting absolute counts.
"""
from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from sidecar import create_app
from sidecar.api.metrics import EXTENSION

METRICS_TOKEN = "metrics-token-for-tests-0123456789"

Samples = dict[tuple[str, frozenset], float]


@pytest.fixture(scope="module")
def metrics_app(config):
    """The app with SIDECAR_METRICS=true and a token; its database gauges are read on every scrape."""
    app = create_app(config.with_overrides(metrics_enabled=True, metrics_token=METRICS_TOKEN))
    app.extensions[EXTENSION].cache_seconds = 0
    return app


@pytest.fixture
def metrics_client(app, metrics_app):
    """A client of the metrics app (`app` is asked for so the suite empties the tables after the test)."""
    return metrics_app.test_client()


def parse(text: str) -> Samples:
    """Every sample of a scrape: (sample name, frozenset of label pairs) -> value."""
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def scrape(client) -> Samples:
    """GET /metrics with the token, parsed."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return parse(response.get_data(as_text=True))


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sum of a sample over the series carrying these labels (0 when none)."""
    wanted = set(labels.items())
    return sum(v for (n, pairs), v in samples.items() if n == name and wanted <= pairs)
