"""ChatClient against the OpenAI-compatible chat completions API, faked at the HTTP layer."""
from __future__ import annotations

import json
import logging

import pytest
import requests

from sidecar.clients.errors import ApiError, ApiRateLimited, ApiTimeout, ApiUnauthorized, ApiUnavailable
from sidecar.clients.llm import ChatClient

KEY = "sk-test-0123456789abcdefSECRET"
BASE = "https://llm.example.com/v1"
URL = f"{BASE}/chat/completions"
MESSAGES = [{"role": "system", "content": "Answer in JSON."}, {"role": "user", "content": "Summarise: ..."}]


def completion(content, **extra) -> dict:
    """An answer shaped like OpenAI's chat.completion object."""
    return {
        "id": "chatcmpl-123", "object": "chat.completion", "created": 1764000000, "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop",
                     **extra}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 40, "total_tokens": 160},
    }


def client(**overrides) -> ChatClient:
    arguments = {"api_key": KEY, "model": "gpt-4o-mini", **overrides}
    return ChatClient(arguments.pop("base_url", BASE), **arguments)


# --- the request ---------------------------------------------------------------------------------------

def test_complete_posts_the_chat_request_with_the_bearer_key(http):
    http.post(URL, json=completion('{"problem": "p"}'))

    answer = client().complete(MESSAGES, temperature=0.2, max_tokens=300)

    assert answer == '{"problem": "p"}'
    request = http.calls[0].request
    assert (request.method, request.url) == ("POST", URL)
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {
        "model": "gpt-4o-mini", "messages": MESSAGES, "temperature": 0.2, "max_tokens": 300, "stream": False,
    }
    assert request.req_kwargs["timeout"] == (3.05, 20.0)


def test_defaults_are_deterministic_and_short(http):
    http.post(URL, json=completion("ok"))
    client().complete(MESSAGES)
    body = json.loads(http.calls[0].request.body)
    assert (body["temperature"], body["max_tokens"]) == (0.0, 400)


def test_a_local_server_without_a_key_gets_no_authorization_header(http):
    http.post("http://localhost:11434/v1/chat/completions", json=completion("local answer"))
    local = ChatClient("http://localhost:11434/v1/", api_key=None, model="llama3.1:8b", allow_private=True)
    assert local.complete(MESSAGES) == "local answer"
    request = http.calls[0].request
    assert "Authorization" not in request.headers
    assert json.loads(request.body)["model"] == "llama3.1:8b"


def test_content_given_as_parts_is_joined(http):
    http.post(URL, json=completion([{"type": "text", "text": '{"a": '}, {"type": "text", "text": "1}"}]))
    assert client().complete(MESSAGES) == '{"a": 1}'


def test_bad_arguments_are_refused_before_any_call():
    with pytest.raises(ValueError, match="model"):
        ChatClient(BASE, api_key=KEY, model=" ")
    with pytest.raises(ValueError, match="base URL"):
        ChatClient("ftp://llm.example.com", api_key=KEY, model="m")
    with pytest.raises(ValueError, match="role"):
        client().complete([{"role": "wizard", "content": "hi"}])
    with pytest.raises(ValueError, match="content"):
        client().complete([{"role": "user", "content": None}])
    with pytest.raises(ValueError, match="at least one"):
        client().complete([])


# --- failures -----------------------------------------------------------------------------------------

def test_unauthorized_names_the_status_never_the_key(http):
    http.post(URL, status=401, json={"error": {"message": f"Incorrect API key provided: {KEY}",
                                               "type": "invalid_request_error", "code": "invalid_api_key"}})
    with pytest.raises(ApiUnauthorized) as caught:
        client().complete(MESSAGES)
    assert caught.value.status == 401
    assert caught.value.code == "invalid_api_key"
    assert KEY not in str(caught.value)
    assert "LLM POST /v1/chat/completions failed: HTTP 401" in str(caught.value)


def test_rate_limited_is_raised_at_once_with_retry_after(http, sleeps):
    http.post(URL, status=429, headers={"Retry-After": "20"}, json={"error": {"message": "Rate limit reached"}})
    with pytest.raises(ApiRateLimited) as caught:
        client().complete(MESSAGES)
    assert caught.value.retry_after == 20
    assert sleeps == []


def test_server_error_is_unavailable(http):
    http.post(URL, status=503, body="<html>Service Unavailable</html>")
    with pytest.raises(ApiUnavailable) as caught:
        client().complete(MESSAGES)
    assert caught.value.status == 503 and caught.value.transient


@pytest.mark.parametrize(("exception", "error"), [
    (requests.exceptions.ReadTimeout("read timed out"), ApiTimeout),
    (requests.exceptions.ConnectionError("refused"), ApiUnavailable),
])
def test_transport_failures(http, caplog, exception, error):
    http.post(URL, body=exception)
    with caplog.at_level(logging.WARNING), pytest.raises(error):
        client().complete(MESSAGES)
    assert KEY not in caplog.text


@pytest.mark.parametrize("answer", [
    {"id": "x", "choices": []},
    {"id": "x"},
    completion(None, finish_reason="content_filter"),
    {"choices": [{"index": 0, "message": {"role": "assistant"}}]},
])
def test_answers_without_content_are_api_errors(http, answer):
    http.post(URL, json=answer)
    with pytest.raises(ApiError, match="choices\\[0\\].message.content"):
        client().complete(MESSAGES)


def test_an_error_object_with_http_200_is_an_api_error(http):
    http.post(URL, json={"error": {"message": "model 'nope' not found", "code": "model_not_found"}})
    with pytest.raises(ApiError) as caught:
        client().complete(MESSAGES)
    assert caught.value.code == "model_not_found"
    assert "model 'nope' not found" in str(caught.value)


def test_a_body_that_is_not_json_is_an_api_error(http):
    http.post(URL, body="data: {\"choices\": []}\n\n", content_type="text/event-stream")
    with pytest.raises(ApiError, match="not JSON"):
        client().complete(MESSAGES)


def test_repr_shows_no_key():
    assert KEY not in repr(client())
    assert repr(client()) == "<ChatClient https://llm.example.com/v1 gpt-4o-mini>"
