"""Schema fuzzing of /openapi.json against the in-process app (schemathesis, no network).

Shared by the bounded run in the test command (tests/api/test_openapi_fuzz.py) and the large run that
measures the figures in the README (bench/fuzz_api.py). Schemathesis generates requests from the
document (valid ones, and invalid ones that must be refused) and checks every answer: no 5xx, the status
is documented, the body matches its documented schema, schema-valid requests are not refused with
anything but a legitimate 401/403/404/409, schema-violating ones are not accepted.

Three installations take part, so that what one operation does cannot spoil another or reach a vendor:
- `main`: every operation but the two below. It never gets help-desk credentials, so escalations are
  dry-run and a `ticket_ref` is a 409 credentials_missing instead of a call to Zendesk;
- `config`: the operations that store connection settings or credentials, or rotate the shared secret;
- `doomed`: DELETE /v1/installation, which may well succeed.
Sockets are closed for the run (the database's host excepted): any attempt is recorded and is a failure.

A few rules are checked beyond what the document's schemas can say (each is written in its operation's
description). For valid requests the fuzzer makes the generated data satisfy them (`_repair`), so that a
refusal counted as "valid request refused" is one the document does not explain.
"""
from __future__ import annotations

import collections
import contextlib
import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import schemathesis
from schemathesis.engine import events, from_schema

from sidecar.domain.analytics import FIRST_DAY, LAST_DAY, MAX_RANGE_DAYS
from sidecar.intelligence.escalation_context import DEFAULT_PRIORITY_MAPPING
from sidecar.intelligence.redaction import compile_pattern
from sidecar.intelligence.scoring import (
    DEFAULT_ESCALATE_THRESHOLD,
    DEFAULT_LEVEL_THRESHOLDS,
    DEFAULT_WATCH_THRESHOLD,
)

CONFIG_OPERATIONS = ("PATCH /v1/installation/connections", "PUT /v1/installation/credentials",
                     "POST /v1/installation/shared-secret")
DOOMED_OPERATIONS = ("DELETE /v1/installation",)
# Refusals of a schema-valid request that the state decides: who asks (401, 403), what exists (404, 409).
LEGITIMATE_REFUSALS = (401, 403, 404, 409)
# A safe stand-in for any URL setting: an address literal (no DNS), allowed by the test configuration.
SAFE_URL = "https://127.0.0.1:9"


@dataclass
class Tokens:
    """Bearer values (the part after 'Bearer ') of the three installations, and the doomed one's id."""

    main: str
    config: str
    doomed: str
    doomed_id: str


@dataclass
class FuzzReport:
    """What a run sent and found."""

    operations: set[str] = field(default_factory=set)
    requests: int = 0
    statuses: collections.Counter = field(default_factory=collections.Counter)
    phases: collections.Counter = field(default_factory=collections.Counter)  # requests per schemathesis phase
    server_errors: dict[str, str] = field(default_factory=dict)  # kind -> one request that caused it
    undocumented: collections.Counter = field(default_factory=collections.Counter)  # (operation, status)
    refused: collections.Counter = field(default_factory=collections.Counter)  # (operation, status, code)
    examples: dict[Any, str] = field(default_factory=dict)
    failures: list[tuple[str, str, str, str]] = field(default_factory=list)  # (operation, check, title, example)
    errors: list[str] = field(default_factory=list)  # the fuzzer's own trouble
    network: list[str] = field(default_factory=list)
    stop_reason: str = ""
    seconds: float = 0.0

    def problems(self) -> list[str]:
        """Everything that should not have happened, one line each (empty: the run is clean)."""
        distinct: dict[tuple[str, str, str], str] = {}
        for op, check, title, example in self.failures:
            distinct.setdefault((op, check, title), example)
        lines = [f"{op}: {check}: {title}\n    {example}" for (op, check, title), example in distinct.items()]
        lines += [f"5xx {kind}\n    {example}" for kind, example in self.server_errors.items()]
        lines += [f"undocumented {status} on {op} ({count}x)\n    {self.examples.get(('u', op, status), '')}"
                  for (op, status), count in self.undocumented.items()]
        lines += [f"valid request refused: {status} {code} on {op} ({count}x)\n    "
                  f"{self.examples.get(('r', op, status, code), '')}"
                  for (op, status, code), count in self.refused.items()]
        lines += [f"fuzzer error: {error}" for error in self.errors]
        lines += [f"network attempt: {attempt}" for attempt in self.network]
        return lines

    def figures(self) -> dict[str, Any]:
        """The headline numbers (README, "Measured figures")."""
        return {
            "operations": len(self.operations),
            "requests": self.requests,
            "responses": {f"{klass}xx": sum(n for (_, status), n in self.statuses.items() if status // 100 == klass)
                          for klass in (2, 4, 5)},
            "kinds_of_5xx": len(self.server_errors),
            "undocumented_statuses": sum(self.undocumented.values()),
            "valid_requests_refused": sum(self.refused.values()),
            "check_failures": len({failure[:3] for failure in self.failures}),
            "network_attempts": len(self.network),
            "requests_per_phase": dict(self.phases),
            "seconds": round(self.seconds, 1),
            "stop_reason": self.stop_reason,
        }


def _repair(case: Any, tokens: Tokens) -> None:
    """Make a valid request satisfy the rules checked beyond the schema (see the module docstring)."""
    label = case.operation.label
    body = case.body if isinstance(case.body, dict) else None
    if label == "DELETE /v1/installation" and isinstance(case.query, dict) and "confirm" in case.query:
        case.query["confirm"] = tokens.doomed_id  # must be the installation's own id
    if label.startswith("GET /v1/analytics/") and isinstance(case.query, dict):
        _repair_date_range(case.query)
    if body is None:
        return
    if label == "PUT /v1/settings/scoring":
        # medium <= high <= critical and watch <= escalate, each merged over the defaults.
        levels = body.get("level_thresholds")
        if isinstance(levels, dict) and set(levels) <= set(DEFAULT_LEVEL_THRESHOLDS):
            merged = sorted({**DEFAULT_LEVEL_THRESHOLDS, **levels}.values())
            body["level_thresholds"] = dict(zip(("medium", "high", "critical"), merged, strict=True))
        watch = body.get("watch_threshold")
        escalate = body.get("escalate_threshold")
        watch = DEFAULT_WATCH_THRESHOLD if watch is None else watch
        escalate = DEFAULT_ESCALATE_THRESHOLD if escalate is None else escalate
        if watch > escalate:
            body["watch_threshold"], body["escalate_threshold"] = escalate, watch
        if body.get("shadow") is not None and body.get("shadow") == (body.get("model") or "rules"):
            body.pop("shadow")  # a shadow must be the other model (422 otherwise)
    elif label == "PUT /v1/settings/escalation":
        mapping = body.get("jira_priority")
        if isinstance(mapping, dict):
            names = ("Highest", "High", "Medium")
            bounds = sorted((mapping.get(name, DEFAULT_PRIORITY_MAPPING[name]) for name in names), reverse=True)
            mapping.update(zip(names, bounds, strict=True))  # 1 >= Highest >= High >= Medium >= 0
        redaction = body.get("redaction")
        if isinstance(redaction, dict) and isinstance(redaction.get("patterns"), list):
            redaction["patterns"] = [p for p in redaction["patterns"] if _compiles(p)]
    elif label in ("POST /v1/experts", "PATCH /v1/experts/{expert_id}"):
        for period in body.get("out_of_office") or []:
            if isinstance(period, dict) and str(period.get("end")) < str(period.get("start")):
                period["start"], period["end"] = period["end"], period["start"]  # end not before start
    elif label == "PATCH /v1/installation/connections" and isinstance(body.get("settings"), dict):
        _repair_settings(body["settings"])
    elif label == "PUT /v1/installation/credentials" and isinstance(body.get("credentials"), dict):
        _repair_credentials(body["credentials"])


def _repair_date_range(query: dict[str, Any]) -> None:
    """Days within FIRST_DAY..LAST_DAY, `from` not after `to`, at most MAX_RANGE_DAYS (today when `to` is left out)."""
    try:
        days = {name: date.fromisoformat(query[name]) for name in ("from", "to") if isinstance(query.get(name), str)}
    except ValueError:
        return
    days = {name: min(max(day, FIRST_DAY), LAST_DAY) for name, day in days.items()}
    if "from" in days:
        end = days.get("to", datetime.now(UTC).date())
        if not end - timedelta(days=MAX_RANGE_DAYS - 1) <= days["from"] <= end:
            days["from"] = end
    query.update({name: day.isoformat() for name, day in days.items()})


def _compiles(pattern: Any) -> bool:
    try:
        compile_pattern(pattern)
    except ValueError:
        return False
    return True


def _is_url_setting(name: str) -> bool:
    return name.endswith((".url", ".instance_url", ".api_url"))


def _repair_settings(settings: dict[str, Any]) -> None:
    """URLs become an address literal (no DNS); a value its setting's own check refuses is removed instead.

    Settings whose shape the document gives as a pattern are left alone, so that a disagreement between
    the pattern and the check is found rather than repaired.
    """
    from sidecar.domain.connections import KEYS
    from sidecar.schemas.connections import _CONNECTION_PATTERNS

    for name, value in list(settings.items()):
        if not isinstance(value, str) or not value.strip() or name not in KEYS:
            continue
        if _is_url_setting(name):
            settings[name] = SAFE_URL
        elif name not in _CONNECTION_PATTERNS:
            try:
                KEYS[name].check(value)
            except ValueError:
                settings[name] = None


def _repair_credentials(credentials: dict[str, Any]) -> None:
    """Only keys this (Zendesk) installation has, with values as for PATCH connections; never empty."""
    from sidecar.services.connections import KEYS, legacy_credentials_as_keys

    def setting(key: str, value: Any) -> str | None:
        names = list(legacy_credentials_as_keys({key: value}, "zendesk"))
        return names[0] if len(names) == 1 and names[0] in KEYS else None

    for key, value in list(credentials.items()):
        if isinstance(value, dict):  # {"jira": {"url": ...}}: each inner key is a setting of that system
            inner = {name: _safe_value(setting(key, {name: v}), v) for name, v in value.items()
                     if setting(key, {name: v}) is not None}
            credentials[key] = inner
            if not inner:
                del credentials[key]
        elif setting(key, value) is None:
            del credentials[key]
        else:
            credentials[key] = _safe_value(setting(key, value), value)
    if not credentials:
        credentials["email"] = "agent@example.com"


def _safe_value(name: str, value: Any) -> Any:
    """A value `configure` accepts for the setting: a blank or null one removes it, a URL is SAFE_URL."""
    from sidecar.domain.connections import KEYS

    if value is None or (isinstance(value, str) and not value.strip()):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    if _is_url_setting(name):
        return SAFE_URL
    try:
        KEYS[name].check(str(value))
    except ValueError:
        return None
    return value


@contextlib.contextmanager
def no_network(allowed_hosts: set[str], attempts: list[str]) -> Iterator[None]:
    """Refuse (and record) DNS lookups and connections to any host but `allowed_hosts` (the database's)."""
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host, *args, **kwargs):
        if host not in allowed_hosts:
            attempts.append(f"getaddrinfo({host!r})")
            raise socket.gaierror(socket.EAI_NONAME, "no network while fuzzing")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(sock, address):
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and host not in allowed_hosts:
            attempts.append(f"connect({address!r})")
            raise OSError("no network while fuzzing")
        return real_connect(sock, address)

    socket.getaddrinfo, socket.socket.connect = getaddrinfo, connect
    try:
        yield
    finally:
        socket.getaddrinfo, socket.socket.connect = real_getaddrinfo, real_connect


class _Exceptions(logging.Handler):
    """Keeps the last unhandled exception the app logged, to tell kinds of 5xx apart."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.last: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            frame = record.exc_info[2]
            while frame is not None and frame.tb_next is not None:
                frame = frame.tb_next
            where = (f"{frame.tb_frame.f_code.co_filename.rsplit('/sidecar/', 1)[-1]}:{frame.tb_lineno}"
                     if frame else "?")
            self.last = f"{type(exc).__name__} at {where}: {str(exc)[:120]}"


def _describe(case: Any, response: Any = None) -> str:
    body = case.body if not type(case.body).__name__ == "NotSet" else None
    text = f"{case.method} {case.formatted_path} query={case.query or {}} body={str(body)[:300]}"
    if response is not None:
        text += f" -> {response.status_code} {response.content[:200]!r}"
    return text


def _error_code(response: Any) -> str:
    try:
        return str(response.json()["error"]["code"])
    except Exception:  # noqa: BLE001 - any body that is not the error shape
        return "?"


def fuzz(app: Any, tokens: Tokens, *, max_examples: int, deadline: float, max_time: int | None = None,
         seed: int | None = 1, phases: tuple[str, ...] = ("examples", "coverage", "fuzzing", "stateful"),
         database_hosts: set[str] | None = None) -> FuzzReport:
    """Run schemathesis over every documented operation of `app`; return the figures and every problem.

    `max_examples` bounds each operation's generated cases per phase; `max_time` (seconds) makes the engine
    keep fuzzing in new cycles until it is spent (None: one pass); `deadline` (seconds) stops the run,
    wherever it is, when the wall clock passes it.
    """
    report = FuzzReport()
    documented = {}  # operation label -> documented statuses
    exceptions = _Exceptions()

    def before_call(context, case, kwargs):
        if case.meta is not None and case.meta.generation.mode.is_positive:
            _repair(case, tokens)

    def after_call(context, case, response):
        label = case.operation.label
        report.requests += 1
        report.operations.add(label)
        status = response.status_code
        report.statuses[(label, status)] += 1
        report.phases[case.meta.phase.name.value if case.meta is not None else "?"] += 1
        if case.method.upper() != case.operation.method.upper():
            return  # a probe with another method (405 expected): judged by schemathesis' own checks
        if status >= 500:
            kind = f"{label}: {status} {exceptions.last or _error_code(response)}"
            report.server_errors.setdefault(kind, _describe(case, response))
        exceptions.last = None
        if str(status) not in documented.setdefault(label, set(case.operation.definition.raw["responses"])):
            report.undocumented[(label, status)] += 1
            report.examples.setdefault(("u", label, status), _describe(case, response))
        positive = case.meta is not None and case.meta.generation.mode.is_positive
        if positive and 400 <= status < 500 and status not in LEGITIMATE_REFUSALS and not _negated(case):
            code = _error_code(response)
            report.refused[(label, status, code)] += 1
            report.examples.setdefault(("r", label, status, code), _describe(case, response))

    config = schemathesis.Config.from_dict({
        **({"seed": seed} if seed is not None else {}),
        **({"max-time": max_time} if max_time is not None else {}),
        "cache": {"enabled": False},
        "headers": {"Authorization": f"Bearer {tokens.main}"},
        # No NUL in generated strings: a NUL in the path, query or a header is a 400 nul_in_request and one
        # in a JSON string is dropped (both documented), so a generated "valid" NUL would only be noise.
        "generation": {"max-examples": max_examples, "database": "none", "allow-x00": False},
        "phases": {name: {"enabled": name in phases} for name in ("examples", "coverage", "fuzzing", "stateful")},
        "checks": {
            # Its probe passes a requests-only argument to the WSGI client (schemathesis 4.32); the 401 of
            # every /v1 operation without credentials is tested directly in test_openapi.py instead.
            "ignored_auth": {"enabled": False},
            "positive_data_acceptance": {"expected-statuses": ["2xx", *map(str, LEGITIMATE_REFUSALS), "5xx"]},
        },
        "operations": [
            *({"include-name": name, "headers": {"Authorization": f"Bearer {tokens.config}"}}
              for name in CONFIG_OPERATIONS),
            *({"include-name": name, "headers": {"Authorization": f"Bearer {tokens.doomed}"}}
              for name in DOOMED_OPERATIONS),
        ],
    })
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app, config=config)
    schema.hook(after_call)
    schemathesis.hook(before_call)  # before_call is only dispatched to global hooks
    logger = logging.getLogger("sidecar.api")
    logger.addHandler(exceptions)
    started = time.monotonic()
    try:
        with no_network(database_hosts or set(), report.network):
            stream = from_schema(schema).execute()
            for event in stream:
                if time.monotonic() - started > deadline:
                    stream.stop()  # the engine finishes the scenario at hand and ends
                if isinstance(event, events.ScenarioFinished):
                    _collect_failures(report, event.recorder)
                elif isinstance(event, events.NonFatalError):
                    report.errors.append(f"{event.label}: {event.info.message[:300]}")
                elif isinstance(event, events.FatalError):
                    report.errors.append(f"fatal: {event.exception!r}")
                elif isinstance(event, events.EngineFinished):
                    report.stop_reason = str(event.stop_reason)
    finally:
        report.seconds = time.monotonic() - started
        logger.removeHandler(exceptions)
        schemathesis.hooks.unregister(before_call)
    return report


def _negated(case: Any) -> bool:
    """Whether a 'positive' case still carries a deliberately invalid part (schemathesis marks those)."""
    meta = case.meta
    components = getattr(meta, "components", None) or {}
    return any(getattr(info, "mode", None) is not None and not info.mode.is_positive for info in components.values())


def _collect_failures(report: FuzzReport, recorder: Any) -> None:
    for case_id, nodes in recorder.checks.items():
        for node in nodes:
            if node.failure_info is None:
                continue
            case = recorder.cases[case_id].value
            interaction = recorder.interactions.get(case_id)
            response = interaction.response if interaction is not None else None
            report.failures.append((recorder.label, node.name, node.failure_info.failure.title,
                                    _describe(case, response)))


def database_hosts(database_url: str) -> set[str]:
    """The hosts the app's database connections go to (allowed through `no_network`)."""
    host = urlsplit(database_url).hostname
    return {host, "localhost", "127.0.0.1", "::1"} if host else set()
