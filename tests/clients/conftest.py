"""Fixtures for the outbound-client tests: vendor payloads on disk, a faked HTTP layer, no real sleeping."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import responses

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def load_fixture(system: str, name: str) -> Any:
    """A captured vendor payload: parsed JSON for .json files, text otherwise."""
    path = FIXTURES / system / name
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else text


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    """The HTTP layer, faked: unregistered calls fail and every registered call must happen."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Replace time.sleep so retry waits are recorded instead of slept."""
    waited: list[float] = []
    monkeypatch.setattr("time.sleep", waited.append)
    return waited


@pytest.fixture
def zendesk_json() -> Callable[[str], Any]:
    """Loader for tests/fixtures/zendesk/<name>."""
    return lambda name: load_fixture("zendesk", name)


@pytest.fixture
def salesforce_json() -> Callable[[str], Any]:
    """Loader for tests/fixtures/salesforce/<name>."""
    return lambda name: load_fixture("salesforce", name)
