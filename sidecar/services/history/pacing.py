"""Client-side pacing for vendor APIs with per-minute limits, and waiting out HTTP 429s."""
from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from sidecar.clients.errors import ApiRateLimited

log = logging.getLogger(__name__)

T = TypeVar("T")

WINDOW_SECONDS = 60.0
REPORTED_PAUSE = 10.0  # pauses at least this long are reported through on_wait: a silent minute looks like a hang
DEFAULT_RETRY_AFTER = 60.0  # when a 429 names no wait: the length of every vendor's rate window
MAX_RATE_LIMIT_WAITS = 5  # consecutive 429s on one call before the import gives up (and can resume)


class Clock(Protocol):
    """Time as the pacer sees it; tests pass a fake that records sleeps instead of sleeping."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait this many seconds."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """time.monotonic()."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """time.sleep(seconds)."""
        time.sleep(seconds)


class RequestPacer:
    """Keeps calls to one API under `per_minute` in any 60-second window, and waits out 429s.

    The limit is enforced before each call (a sliding window of the last calls' start times), so a
    long import never trips the vendor's limit in the first place; if the vendor still answers 429
    (other clients share the account's budget), the call is repeated after the Retry-After the
    vendor asked for, up to `max_rate_limit_waits` times in a row.
    """

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Clock | None = None,
        max_rate_limit_waits: int = MAX_RATE_LIMIT_WAITS,
        name: str = "API",
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.clock = clock or SystemClock()
        self.max_rate_limit_waits = max_rate_limit_waits
        self.name = name
        self.on_wait = on_wait
        self.calls = 0
        self.rate_limited = 0
        self.waited_seconds = 0.0
        self._starts: deque[float] = deque()

    def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call `function` within the pace, repeating it after each 429's Retry-After."""
        waits = 0
        while True:
            self._wait_for_slot()
            try:
                return function(*args, **kwargs)
            except ApiRateLimited as exc:
                waits += 1
                self.rate_limited += 1
                # A daily allowance spent (Salesforce REQUEST_LIMIT_EXCEEDED, sent as 403 without
                # Retry-After) does not come back within minutes: fail now, resume tomorrow.
                if waits > self.max_rate_limit_waits or (exc.status != 429 and exc.retry_after is None):
                    raise
                delay = exc.retry_after if exc.retry_after is not None else DEFAULT_RETRY_AFTER
                message = (f"{self.name}: rate limited (HTTP {exc.status}); waiting {delay:.0f}s as asked "
                           f"({waits} of {self.max_rate_limit_waits})")
                log.info(message)
                if self.on_wait:
                    self.on_wait(message)
                self._sleep(delay)

    def _wait_for_slot(self) -> None:
        while True:
            now = self.clock.monotonic()
            while self._starts and now - self._starts[0] >= WINDOW_SECONDS:
                self._starts.popleft()
            if len(self._starts) < self.per_minute:
                break
            pause = self._starts[0] + WINDOW_SECONDS - now
            if self.on_wait and pause >= REPORTED_PAUSE:
                self.on_wait(f"{self.name}: pausing {pause:.0f}s to stay within {self.per_minute} requests a minute")
            self._sleep(pause)
        self._starts.append(now)
        self.calls += 1

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.waited_seconds += seconds
            self.clock.sleep(seconds)
