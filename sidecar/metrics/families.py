"""The metric families the sidecar's processes count into, and one small function per counting point.

The families are process-wide (as Prometheus intends) and registered in no registry: a scrape builds its
own (`exposition.scrape_registry`), with them directly in a single process or with the files of every
process in multiprocess mode. Every family has labels, so no value exists before the first count; that
is what lets `multiprocess.use_multiprocess_dir` switch the value class when `sidecar serve` starts.

Label values are bounded: routes are URL rules (`/v1/assessments/<assessment_id>`, never a raw path),
methods outside the usual verbs are `other`, systems and sources are the vendors the sidecar knows.
"""
from __future__ import annotations

import os
import threading

from prometheus_client import Counter, Histogram

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"  # no URL rule matched (404/405): the raw path would be unbounded

HTTP_REQUESTS = Counter(
    "sidecar_http_requests", "HTTP requests answered, by method, URL rule and status.",
    ("method", "route", "status"), registry=None)
HTTP_DURATION = Histogram(
    "sidecar_http_request_duration_seconds", "Time to answer an HTTP request, by method, URL rule and status.",
    ("method", "route", "status"), registry=None)
ASSESSMENTS = Counter(
    "sidecar_assessments", "Assessments stored, by level and what asked for them (api, webhook).",
    ("level", "trigger"), registry=None)
DELIVERY_ATTEMPTS = Counter(
    "sidecar_delivery_attempts", "Outbound calls and writes the outbox worker made, by system and mode "
    "(live: a vendor was called; dry_run: the request was only planned).",
    ("system", "mode"), registry=None)
DELIVERY_FAILURES = Counter(
    "sidecar_delivery_failures", "Outbound calls that failed (the job retries or dies), by system.",
    ("system",), registry=None)
WEBHOOK_DELIVERIES = Counter(
    "sidecar_webhook_deliveries", "Webhook deliveries by source, stage and outcome: at receipt each is accepted, "
    "duplicate, rejected or ignored; in the worker each accepted one is acted or ignored.",
    ("source", "stage", "outcome"), registry=None)

FAMILIES = (HTTP_REQUESTS, HTTP_DURATION, ASSESSMENTS, DELIVERY_ATTEMPTS, DELIVERY_FAILURES, WEBHOOK_DELIVERIES)

# gunicorn forks a web process from the master while another of the master's threads may be counting:
# a child forked while prometheus-client's value lock is held would inherit it held, and hang on its first
# count. Every count takes this lock, and a fork holds it, so no count is ever in progress at a fork.
_COUNTING = threading.Lock()
os.register_at_fork(before=_COUNTING.acquire, after_in_parent=_COUNTING.release,
                    after_in_child=_COUNTING.release)


def observe_request(*, method: str, route: str | None, status: int, seconds: float) -> None:
    """Count one answered HTTP request and its duration."""
    labels = {"method": method if method in KNOWN_METHODS else "other", "route": route or UNMATCHED_ROUTE,
              "status": str(status)}
    with _COUNTING:
        HTTP_REQUESTS.labels(**labels).inc()
        HTTP_DURATION.labels(**labels).observe(seconds)


def count_assessment(level: str, *, trigger: str) -> None:
    """Count one stored assessment (`trigger`: api, or webhook for a proactive re-assessment)."""
    with _COUNTING:
        ASSESSMENTS.labels(level=level, trigger=trigger).inc()


def count_delivery(system: str, *, mode: str, failed: bool = False) -> None:
    """Count one outbound call (mode live) or planned request (mode dry_run), and its failure."""
    with _COUNTING:
        DELIVERY_ATTEMPTS.labels(system=system, mode=mode).inc()
        if failed:
            DELIVERY_FAILURES.labels(system=system).inc()


def count_webhook(source: str, *, stage: str, outcome: str) -> None:
    """Count one webhook delivery's outcome at a stage (receipt or worker)."""
    with _COUNTING:
        WEBHOOK_DELIVERIES.labels(source=source, stage=stage, outcome=outcome).inc()
