"""An OpenAI-compatible chat completions endpoint, for the optional model-written escalation summary.

One request shape serves hosted models and local servers alike (OpenAI, Azure-style proxies, Ollama,
llama.cpp's server, vLLM, LM Studio all answer ``POST {base}/chat/completions``). The base URL includes
the version path, e.g. ``https://api.openai.com/v1`` or ``http://localhost:11434/v1``; the API key is
optional because local servers usually need none.

Request::

    {"model": "...", "messages": [{"role": "system"|"user"|"assistant", "content": "..."}],
     "temperature": 0.0, "max_tokens": 400, "stream": false}

Answer: ``{"choices": [{"index": 0, "message": {"role": "assistant", "content": "..."}, ...}], ...}``.
``max_tokens`` rather than the newer ``max_completion_tokens``: every compatible server accepts it.

Summaries are optional, so the client fails fast: a short read timeout and no waiting on a 429 (the
caller falls back to the extractive summary). Failures are the ApiError family of the shared base;
an answer without ``choices[0].message.content`` is a plain ApiError.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sidecar.clients.base import ApiSession, HttpClient, Timeout
from sidecar.clients.errors import ApiError, error_code_and_detail
from sidecar.clients.masking import redact, redact_data

COMPLETIONS_PATH = "/chat/completions"
ROLES = frozenset({"system", "user", "assistant", "developer"})


class ChatClient(HttpClient):
    """A chat model behind an OpenAI-compatible API; `complete` returns the model's answer text."""

    service = "LLM"
    timeout: Timeout = (3.05, 20.0)  # connect, read: a model writes a few hundred tokens, then we give up
    rate_limit_wait = 0.0  # a 429 is raised at once; the caller has a fallback

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None,
        model: str,
        session: ApiSession | None = None,
        allow_private: bool = False,
    ) -> None:
        model = str(model or "").strip()
        if not model:
            raise ValueError("an LLM model name is required (llm.model)")
        key = str(api_key or "").strip()
        super().__init__(
            base_url,
            headers={"Authorization": f"Bearer {key}"} if key else None,
            secrets=(key,) if key else (),
            session=session,
            allow_private=allow_private,
        )
        self.model = model

    def __repr__(self) -> str:
        return f"<ChatClient {self.base_url} {self.model}>"

    def complete(
        self,
        messages: Sequence[Mapping[str, Any]],
        *,
        temperature: float = 0.0,
        max_tokens: int = 400,
    ) -> str:
        """Send the chat messages and return the first choice's message content."""
        body = {
            "model": self.model,
            "messages": [_message(m) for m in messages],
            "temperature": float(temperature),
            "max_tokens": int(max_tokens),
            "stream": False,
        }
        if not body["messages"]:
            raise ValueError("at least one chat message is required")
        answer = self.post(COMPLETIONS_PATH, json=body)
        return self._content(answer)

    def _content(self, answer: Any) -> str:
        where = f"{self.service} POST {COMPLETIONS_PATH}"
        if isinstance(answer, Mapping) and answer.get("error") and not answer.get("choices"):
            # Some proxies answer HTTP 200 with an OpenAI-style error object.
            code, detail = error_code_and_detail(redact_data(answer, self._secrets))
            raise ApiError(redact(f"{where} failed: {detail or 'error'}", self._secrets), code=code)
        choices = answer.get("choices") if isinstance(answer, Mapping) else None
        first = choices[0] if isinstance(choices, list) and choices else None
        message = first.get("message") if isinstance(first, Mapping) else None
        content = message.get("content") if isinstance(message, Mapping) else None
        if isinstance(content, list):  # content parts: [{"type": "text", "text": "..."}]
            content = "".join(
                str(part.get("text") or "") for part in content
                if isinstance(part, Mapping) and part.get("type") in ("text", "output_text")
            )
        if not isinstance(content, str):
            finish = first.get("finish_reason") if isinstance(first, Mapping) else None
            raise ApiError(f"{where} answered without choices[0].message.content"
                           + (f" (finish_reason {finish})" if isinstance(finish, str) else ""))
        return content


def _message(message: Mapping[str, Any]) -> dict[str, str]:
    role = str(message.get("role") or "")
    if role not in ROLES:
        raise ValueError(f"chat message role must be one of {', '.join(sorted(ROLES))}, not {role!r}")
    content = message.get("content")
    if not isinstance(content, str):
        raise ValueError("chat message content must be a string")  # noqa: TRY004 - bad input is a ValueError
    return {"role": role, "content": content}
