"""Multiprocess mode: processes count into files in one directory, and one scrape sees them all.

Each writer is a separate Python process (prometheus-client picks its value class per process, from
PROMETHEUS_MULTIPROC_DIR), so this test process's own counters are never switched or touched.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from sidecar.cli.serve import SidecarServer
from sidecar.metrics import gunicorn as metrics_hooks
from sidecar.metrics.exposition import scrape_registry

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, **env: str) -> str:
    environment = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    environment.update(PYTHONPATH=str(ROOT), **env)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=environment, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_one_scrape_sees_the_counts_of_two_processes(tmp_path, monkeypatch):
    writer = """
        from sidecar.metrics.families import count_assessment, count_webhook
        count_assessment("high", trigger="api")
        count_webhook("zendesk", stage="receipt", outcome="accepted")
    """
    for _ in range(2):
        _python(writer, PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    assert len(list(tmp_path.glob("counter_*.db"))) == 2  # one file per process
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    registry = scrape_registry(None)
    assert registry.get_sample_value("sidecar_assessments_total", {"level": "high", "trigger": "api"}) == 2
    assert registry.get_sample_value("sidecar_webhook_deliveries_total",
                                     {"source": "zendesk", "stage": "receipt", "outcome": "accepted"}) == 2


def test_serve_switches_to_multiprocess_before_forking_and_removes_its_directory(tmp_path):
    # What `sidecar serve` does: prometheus-client is imported first (single-process), then the directory is
    # made and chosen, then the master counts and forks a process that counts too and exits like gunicorn's.
    out = _python("""
        import os, sys
        from sidecar.metrics.families import count_delivery
        from sidecar.metrics.multiprocess import prepare_multiprocess_dir
        from sidecar.metrics.exposition import scrape_registry
        path = prepare_multiprocess_dir()
        count_delivery("jira", mode="live")
        child = os.fork()
        if child == 0:  # a hang here (the counting lock inherited held) fails the test by its timeout
            count_delivery("jira", mode="live", failed=True)
            sys.exit(0)  # runs the inherited atexit hooks: the directory must survive them
        os.waitpid(child, 0)
        count_delivery("jira", mode="live")  # the parent counts after the fork too (the fork lock is released)
        registry = scrape_registry(None)
        print(path)
        print(registry.get_sample_value("sidecar_delivery_attempts_total", {"system": "jira", "mode": "live"}))
        print(registry.get_sample_value("sidecar_delivery_failures_total", {"system": "jira"}))
        print(len(os.listdir(path)))
    """)
    path, attempts, failures, files = out.split()
    assert (float(attempts), float(failures)) == (3.0, 1.0)
    assert int(files) == 2  # the master's counters and the child's
    assert not Path(path).exists()  # removed when the master exited, not when the child did


def test_a_configured_directory_is_used_and_kept(tmp_path):
    out = _python("""
        from sidecar.metrics.multiprocess import prepare_multiprocess_dir
        print(prepare_multiprocess_dir())
    """, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))
    assert out.strip() == str(tmp_path / "metrics")
    assert (tmp_path / "metrics").is_dir()


def test_gunicorn_marks_exited_web_processes_dead(config):
    server = SidecarServer(config, "127.0.0.1", 0, 2)
    assert server.cfg.child_exit is metrics_hooks.child_exit
