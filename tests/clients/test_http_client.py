"""The shared base: error family, timeouts, Retry-After, encoding, secrets kept out of errors and logs."""
from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import requests
from responses import matchers

from sidecar.clients.base import ApiSession, HttpClient, segment
from sidecar.clients.errors import (
    ApiError,
    ApiForbidden,
    ApiNotFound,
    ApiRateLimited,
    ApiTimeout,
    ApiUnauthorized,
    ApiUnavailable,
    parse_retry_after,
)

TOKEN = "tok_live_9f8e7d6c5b4a"
BASE = "https://tracker.example.com/jira"


class TrackerClient(HttpClient):
    """A minimal client shaped like the Jira client that will be built on this base."""

    service = "Tracker"
    timeout = (2.0, 7.0)

    def __init__(self, base_url: str = BASE, token: str = TOKEN) -> None:
        super().__init__(base_url, headers={"Authorization": f"Bearer {token}"}, secrets=(token,))

    def search(self, jql: str) -> dict:
        return self.get("/rest/api/3/search", params={"jql": jql, "maxResults": 50})

    def comment(self, key: str, text: str) -> dict:
        return self.post(f"/rest/api/3/issue/{segment(key)}/comment", json={"body": text})


def test_params_are_encoded_and_every_call_has_the_class_timeout(http):
    jql = 'project = "ESC" AND labels = zendesk-42 & x'
    http.get(
        f"{BASE}/rest/api/3/search",
        match=[matchers.query_param_matcher({"jql": jql, "maxResults": "50"})],
        json={"issues": []},
    )

    assert TrackerClient().search(jql) == {"issues": []}

    call = http.calls[0]
    assert "labels+%3D+zendesk-42+%26+x" in call.request.url
    assert call.request.req_kwargs["timeout"] == (2.0, 7.0)
    assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_json_body_and_path_segments_under_a_base_path(http):
    http.post(
        f"{BASE}/rest/api/3/issue/ESC%2F1/comment",
        match=[matchers.json_params_matcher({"body": "hello"})],
        json={"id": "10001"},
        status=201,
    )

    assert TrackerClient().comment("ESC/1", "hello") == {"id": "10001"}


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, ApiError),
        (401, ApiUnauthorized),
        (403, ApiForbidden),
        (404, ApiNotFound),
        (409, ApiError),
        (500, ApiUnavailable),
        (502, ApiUnavailable),
        (503, ApiUnavailable),
    ],
)
def test_statuses_are_translated_once_into_the_family(http, status, error):
    http.get(f"{BASE}/rest/api/3/search", status=status, json={"errorMessages": ["Nope"], "errors": {}})

    with pytest.raises(error) as raised:
        TrackerClient().search("x")

    assert type(raised.value) is error
    assert raised.value.status == status
    assert str(raised.value).startswith(f"Tracker GET /jira/rest/api/3/search failed: HTTP {status}")
    assert "Nope" in str(raised.value)
    assert "jql" not in str(raised.value)  # the query string never reaches a message


def test_a_short_retry_after_is_waited_for_once_then_the_call_succeeds(http, sleeps):
    http.get(f"{BASE}/rest/api/3/search", status=429, headers={"Retry-After": "1"})
    http.get(f"{BASE}/rest/api/3/search", json={"issues": [1]})

    assert TrackerClient().search("x") == {"issues": [1]}
    assert sleeps == [1.0]
    assert len(http.calls) == 2


def test_a_long_retry_after_fails_fast_with_retry_after(http, sleeps):
    http.get(f"{BASE}/rest/api/3/search", status=429, headers={"Retry-After": "30"}, body="")

    with pytest.raises(ApiRateLimited) as raised:
        TrackerClient().search("x")

    assert raised.value.retry_after == 30.0
    assert raised.value.status == 429
    assert raised.value.transient
    assert "retry after 30s" in str(raised.value)
    assert sleeps == []
    assert len(http.calls) == 1


def test_rate_limited_twice_gives_up_after_one_retry(http, sleeps):
    http.get(f"{BASE}/rest/api/3/search", status=429, headers={"Retry-After": "2"})
    http.get(f"{BASE}/rest/api/3/search", status=429, headers={"Retry-After": "2"})

    with pytest.raises(ApiRateLimited) as raised:
        TrackerClient().search("x")

    assert raised.value.retry_after == 2.0
    assert sleeps == [2.0]


def test_429_without_retry_after_is_not_retried(http, sleeps):
    http.get(f"{BASE}/rest/api/3/search", status=429)

    with pytest.raises(ApiRateLimited) as raised:
        TrackerClient().search("x")

    assert raised.value.retry_after is None
    assert sleeps == []


@pytest.mark.parametrize(
    ("exception", "error"),
    [
        (requests.ReadTimeout("read timed out"), ApiTimeout),
        (requests.ConnectTimeout("connect timed out"), ApiTimeout),
        (requests.ConnectionError("connection refused"), ApiUnavailable),
    ],
)
def test_transport_failures_are_translated(http, exception, error):
    http.get(f"{BASE}/rest/api/3/search", body=exception)

    with pytest.raises(error) as raised:
        TrackerClient().search("secret-looking jql")

    assert raised.value.transient
    assert raised.value.status is None
    assert "/jira/rest/api/3/search" in str(raised.value)
    assert "secret-looking" not in str(raised.value)
    assert raised.value.__cause__ is None  # the original carries the full URL; it is not chained


def test_the_token_never_appears_in_errors_or_logs_even_when_the_vendor_echoes_it(http, caplog):
    http.get(
        f"{BASE}/rest/api/3/search",
        status=401,
        json={"errorMessages": [f"Invalid token Bearer {TOKEN}"]},
    )
    caplog.set_level(logging.DEBUG)

    with pytest.raises(ApiUnauthorized) as raised:
        TrackerClient().search("x")

    assert TOKEN not in str(raised.value)
    assert TOKEN not in repr(raised.value)
    assert "***" in str(raised.value)
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(TrackerClient())


def test_an_absolute_url_on_another_host_is_refused_before_any_call(http):
    client = TrackerClient()

    with pytest.raises(ApiError, match="another host"):
        client.get("https://evil.example.net/rest/api/3/search")

    assert len(http.calls) == 0


def test_an_absolute_url_on_the_configured_host_is_followed(http):
    http.get(f"{BASE}/rest/api/3/search?startAt=50", json={"issues": []})

    assert TrackerClient().get(f"{BASE}/rest/api/3/search?startAt=50") == {"issues": []}


def test_empty_and_non_json_bodies(http):
    http.delete(f"{BASE}/rest/api/3/issue/ESC-1", status=204)
    http.get(f"{BASE}/rest/api/3/serverInfo", body="<html>login</html>", status=200)
    client = TrackerClient()

    assert client.delete("/rest/api/3/issue/ESC-1") is None
    with pytest.raises(ApiError, match="not JSON"):
        client.get("/rest/api/3/serverInfo")


def test_base_url_must_be_http_without_credentials():
    with pytest.raises(ValueError, match="http"):
        TrackerClient("ftp://tracker.example.com")
    with pytest.raises(ValueError, match="credentials"):
        TrackerClient("https://user:pass@tracker.example.com")


def test_session_re_points_an_sdk_origin_at_the_configured_base_url():
    session = ApiSession(
        "http://127.0.0.1:8080/fake", service="X", vendor_origins=["https://acme.zendesk.com"]
    )

    assert session.resolve("https://acme.zendesk.com/api/v2/x.json?a=1") == (
        "http://127.0.0.1:8080/fake/api/v2/x.json?a=1"
    )
    assert session.resolve("https://acme.zendesk.com.evil.net/api") == "https://acme.zendesk.com.evil.net/api"
    assert session.resolve("/api/v2/y.json") == "http://127.0.0.1:8080/fake/api/v2/y.json"


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("30", 30.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # in the past
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(header, seconds):
    now = datetime(2015, 10, 21, 7, 28, tzinfo=UTC)

    assert parse_retry_after(header, now=now) == seconds


def test_which_errors_are_worth_retrying():
    assert [cls("x").transient for cls in (ApiRateLimited, ApiTimeout, ApiUnavailable)] == [True] * 3
    assert [cls("x").transient for cls in (ApiError, ApiUnauthorized, ApiForbidden, ApiNotFound)] == [False] * 4

