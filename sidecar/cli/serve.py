"""`sidecar serve` and `sidecar worker`: the web app with its embedded outbox worker, and stand-alone workers."""
from __future__ import annotations

import multiprocessing
import multiprocessing.process
import os
import signal
import sys
import threading

import click
from gunicorn.app.base import BaseApplication

from sidecar.app import create_app
from sidecar.cli.runtime import (
    load_config,
    open_database,
    require_current_schema,
    secret_box,
)
from sidecar.config import Config
from sidecar.jobs.pool import CONNECTIONS_PER_THREAD, WorkerPool
from sidecar.jobs.worker import Worker
from sidecar.metrics import gunicorn as metrics_hooks
from sidecar.metrics.exposition import start_metrics_server
from sidecar.metrics.multiprocess import prepare_multiprocess_dir


class SidecarServer(BaseApplication):
    """gunicorn serving the sidecar's app, set up from here (no gunicorn config file or command line)."""

    def __init__(self, config: Config, host: str, port: int, workers: int):
        self.app_config = config
        self.options = {"bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread", "threads": 4,
                        "accesslog": None, "child_exit": metrics_hooks.child_exit}
        super().__init__()

    def load_config(self) -> None:
        """Apply the options (gunicorn calls this while constructing)."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """The WSGI app each web process serves."""
        return create_app(self.app_config)


def new_worker(config: Config) -> WorkerPool:
    """An outbox worker with the configured database, keys, timings, templates and threads."""
    database = open_database(config, pool_size=CONNECTIONS_PER_THREAD * config.worker_threads)
    box = secret_box(config)

    def make_worker(worker_id: str) -> Worker:
        return Worker(database, box=box, worker_id=worker_id, lease_seconds=config.job_lease_seconds,
                      poll_seconds=config.job_poll_seconds, templates_dir=config.templates_dir,
                      allow_private_urls=config.allow_private_urls)

    return WorkerPool(make_worker, threads=config.worker_threads, poll_seconds=config.job_poll_seconds)


def _run_embedded_worker(config: Config) -> None:
    """The embedded worker's process: deliver until the server stops it (SIGTERM) or its parent is gone."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    parent = os.getppid()

    def watch_parent() -> None:
        # A daemon process is stopped when the server exits normally; this also stops it when the server is killed.
        while not stop.wait(5):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=watch_parent, name="sidecar-worker-parent", daemon=True).start()
    new_worker(config).run(stop)


def start_embedded_worker(config: Config) -> multiprocessing.process.BaseProcess:
    """Start the embedded outbox worker in a process of its own, spawned (not forked) beside gunicorn's master.

    Not a thread in the master: the worker runs the models (webhook-triggered assessments embed text), and
    ONNX Runtime, once used in a process, makes the first session of every process forked from it hang.
    gunicorn forks a new web process whenever one exits, so the master must never have used it.
    """
    process = multiprocessing.get_context("spawn").Process(target=_run_embedded_worker, args=(config,),
                                                           name="sidecar-worker", daemon=True)
    process.start()
    return process


def serve_app(config: Config, host: str, port: int, workers: int) -> None:
    """Serve until stopped, with the embedded worker process unless the configuration turns it off."""
    if config.metrics_on:
        # Before the worker process starts and before gunicorn forks: every process of this server
        # (the embedded worker, each web process) writes its counts where a scrape merges them.
        click.echo(f"metrics: multiprocess directory {prepare_multiprocess_dir()}")
    if config.metrics_port is not None:
        start_metrics_server(config, database=open_database(config))
        click.echo(f"metrics: http://0.0.0.0:{config.metrics_port}/metrics")
    if config.embedded_worker:
        start_embedded_worker(config)
        click.echo("embedded outbox worker: running (set SIDECAR_EMBEDDED_WORKER=false to run `sidecar worker` apart)")
    sys.stdout.flush()
    SidecarServer(config, host, port, workers).run()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.option("--workers", default=2, type=int, show_default=True, help="web processes")
def serve(host: str, port: int, workers: int) -> None:
    """Run the web app and, unless SIDECAR_EMBEDDED_WORKER=false, one outbox worker process, on DATABASE_URL."""
    config = load_config()
    require_current_schema(config)
    click.echo(f"sidecar listening on http://{host}:{port} (database: {config.database_url.split('@')[-1]})")
    serve_app(config, host, port, workers)


@click.command()
def worker() -> None:
    """Run the outbox worker in the foreground: delivers escalations (Jira, ticket notes, Slack) until stopped."""
    config = load_config()
    require_current_schema(config)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    runner = new_worker(config)
    if config.metrics_port is not None:
        # This process's counters only: the database gauges are the web app's /metrics (docs/metrics.md).
        start_metrics_server(config, database=None)
        click.echo(f"metrics: http://0.0.0.0:{config.metrics_port}/metrics")
    click.echo(f"sidecar worker {runner.worker_id} started")
    runner.run(stop)
    click.echo("sidecar worker stopped")
