"""docs/metrics.md: its example alerts and scrape config are valid YAML, and name only metrics the app exposes."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.metrics.conftest import METRICS_TOKEN

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
_METRIC = re.compile(r"\bsidecar_[a-z_]+\b")
_SUFFIXES = {"counter": ("",), "gauge": ("",), "histogram": ("_bucket", "_count", "_sum")}


def _yaml_blocks() -> list:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.DOTALL)]


def exposed_names(text: str) -> set[str]:
    """Every sample name a scrape can carry, from its # TYPE lines (counters are typed with _total)."""
    names = set()
    for name, kind in re.findall(r"^# TYPE (\S+) (\S+)$", text, re.MULTILINE):
        names.update(name + suffix for suffix in _SUFFIXES.get(kind, ("",)))
    return names


def test_the_example_alerts_name_only_exposed_metrics(metrics_client):
    text = metrics_client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).get_data(as_text=True)
    exposed = exposed_names(text)
    rules = [rule for block in _yaml_blocks() if "groups" in block
             for group in block["groups"] for rule in group["rules"]]
    assert {rule["alert"] for rule in rules} == {"SidecarDeadJobs", "SidecarAckSlaBreached", "SidecarHigh5xxRate"}
    for rule in rules:
        named = set(_METRIC.findall(rule["expr"]))
        assert named and named <= exposed, (rule["alert"], named - exposed)
    # The table and the prose name families (a histogram by its own name) and samples.
    families = set(re.findall(r"^# TYPE (\S+) ", text, re.MULTILINE))
    assert set(_METRIC.findall(DOC.read_text())) - {"sidecar_metrics_token"} <= exposed | families


def test_the_example_scrape_config_reads_as_prometheus_yaml():
    config = next(block for block in _yaml_blocks() if "scrape_configs" in block)
    assert {job["job_name"] for job in config["scrape_configs"]} == {"sidecar", "sidecar-worker"}
