"""What the browser tests share: the demo served on a free port as `sidecar demo` serves it, and Chromium.

The sidecar runs as the demo runs it: a demo installation in dry-run, the preview pages switched on, an
outbox worker delivering. Chromium is Debian's headless one, driven by Selenium through chromedriver.
"""
from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from werkzeug.serving import make_server

from sidecar import create_app
from sidecar.demo import set_up_demo
from sidecar.jobs.worker import Worker, start_worker_thread

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@dataclass(frozen=True)
class DemoServer:
    """The served demo: its base URL and what set_up_demo returned (installation id, admin and agent tokens)."""

    url: str
    demo: dict[str, Any]


@pytest.fixture
def demo_server(app, config, box) -> Iterator[DemoServer]:
    """The demo installation, served on a free port with the preview pages on, and a worker delivering."""
    database = app.extensions["sidecar"].database
    with database.session() as session:
        demo = set_up_demo(session, box=box)
    preview_app = create_app(config.with_overrides(preview_installation_id=demo["id"],
                                                   preview_token=demo["agent_token"]))
    server = make_server("127.0.0.1", 0, preview_app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    _, stop = start_worker_thread(Worker(preview_app.extensions["sidecar"].database, box=box, poll_seconds=0.2))
    try:
        yield DemoServer(url=f"http://127.0.0.1:{server.server_port}", demo=demo)
    finally:
        stop.set()
        server.shutdown()


@pytest.fixture
def sidecar(demo_server) -> str:
    """The served demo's base URL."""
    return demo_server.url


@pytest.fixture
def browser():
    """Headless Chromium (Debian's) through Selenium."""
    for binary in (CHROMIUM, CHROMEDRIVER):
        assert Path(binary).exists(), (f"{binary} is missing: install Debian's packages "
                                       "(apt-get install -y chromium chromium-driver; `make test` does)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--window-size=1400,1100", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
