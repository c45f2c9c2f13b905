"""Error messages in a conversation: HTTP statuses, exception names, log lines and quoted error text."""
from __future__ import annotations

import re
from collections.abc import Sequence

from sidecar.intelligence.text.clean import truncate, unique
from sidecar.intelligence.text.sentences import sentences

ERROR_MAX = 200
MAX_ERRORS = 8

HTTP_REASONS = {
    400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict", 410: "Gone", 413: "Payload Too Large",
    415: "Unsupported Media Type", 422: "Unprocessable Entity", 429: "Too Many Requests",
    500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
    504: "Gateway Timeout",
}
_REASON_WORDS = "|".join(re.escape(r).replace(r"\ ", r"\s+") for r in sorted(HTTP_REASONS.values(), key=len,
                                                                                reverse=True))
_HTTP_STATUS = re.compile(
    r"(?:(?P<cue>\bhttps?(?:\s+status)?|\bstatus(?:\s+code)?|\berror(?:\s+code)?|\bcode|\bresponse|\breturn(?:s|ed|ing)?"
    r"(?:\s+(?:an?|the))?|\bgot(?:\s+(?:an?|back))?|\bgetting(?:\s+(?:an?))?|\bthrow(?:s|ing)?(?:\s+an?)?|"
    r"\bfail(?:s|ed|ing)?\s+with(?:\s+an?)?)[\s:#]+)?"
    r"(?<![$\u20ac\u00a3\d.,])(?P<code>[45]\d\d)(?![\d%]|[.,]\d)(?:\s+(?P<reason>" + _REASON_WORDS + r"))?"
    r"(?P<after>\s+errors?\b)?",
    re.IGNORECASE,
)
_EXCEPTION = re.compile(
    r"\b(?:[a-z_]\w{0,40}\.){0,8}[A-Z][A-Za-z0-9]{1,60}(?:Exception|Error|Fault)\b(?::[ \t]*[^\n]{1,160})?"
)
_LOG_LINE = re.compile(
    r"^\s*(?:\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\[(?:ERROR|FATAL|CRITICAL|WARN(?:ING)?|SEVERE|PANIC)\]|"
    r"(?:ERROR|FATAL|CRITICAL|SEVERE|PANIC)\b\s*[:\-\]]|Traceback \(most recent call last\)|"
    r"at\s+[\w$.]+\([\w$]+\.\w+:\d+\)|File \"[^\"]+\", line \d+|Exception in thread)",
)
_ERROR_CUE = re.compile(
    r"\b(?:error|errors|fail\w*|message|says|said|saying|shows?|showing|shown|displays?|displaying|reads|popup|"
    r"pop-up|warning|alert|prompt|banner|toast|exception|crash\w*|denied|rejected|declined|returns?|returned)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"\"([^\"\n]{3,200})\"|\u201c([^\u201d\n]{3,200})\u201d|(?<!\w)'([^'\n]{3,200})'(?!\w)")
_ERRORISH = re.compile(r"\b(?:error|fail\w*|invalid|denied|unable|cannot|can't|not\s+found|timed?\s*out|"
                       r"declined|rejected|unauthori[sz]ed|forbidden|exception)\b", re.IGNORECASE)


def extract_errors(texts: Sequence[str]) -> tuple[str, ...]:
    """Error messages: HTTP statuses ('HTTP 502 Bad Gateway'), exception names, log-like lines, and quoted
    text the writer says an error/message showed."""
    found: list[str] = []
    http: dict[int, str] = {}
    for text in texts:
        if not text:
            continue
        in_fence = False
        for line in text.split("\n"):
            if line.strip().startswith("```"):
                in_fence = not in_fence
                continue
            if in_fence and line.strip():
                found.append(truncate(line.strip(), ERROR_MAX))
                continue
            if _LOG_LINE.match(line):
                found.append(truncate(line.strip(), ERROR_MAX))
                continue
            for match in _EXCEPTION.finditer(line):
                found.append(truncate(match.group(0).strip(), ERROR_MAX))
        for match in _HTTP_STATUS.finditer(text):
            if not (match.group("cue") or match.group("reason") or match.group("after")):
                continue
            code = int(match.group("code"))
            label = f"HTTP {code}" + (f" {HTTP_REASONS[code]}" if code in HTTP_REASONS else "")
            if code not in http:
                http[code] = label
                found.append(label)
        for sentence in sentences(text):
            for match in _QUOTED.finditer(sentence):
                quoted = next(g for g in match.groups() if g is not None).strip()
                if _ERROR_CUE.search(sentence.replace(match.group(0), " ")) or _ERRORISH.search(quoted):
                    found.append(truncate(f"\u201c{quoted}\u201d", ERROR_MAX))
    return unique(found, limit=MAX_ERRORS)
