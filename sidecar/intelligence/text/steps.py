"""Steps to reproduce: numbered and bulleted lists, inline "Steps to reproduce: a; b", "when I ..." sentences."""
from __future__ import annotations

import re
from collections.abc import Sequence

from sidecar.intelligence.text.clean import capitalise, collapse, truncate, unique
from sidecar.intelligence.text.cues import GREETING
from sidecar.intelligence.text.sentences import sentences

STEP_MAX = 200
MAX_STEPS = 10

LIST_LINE = re.compile(
    r"^\s*(?:(?P<num>\d{1,2})[.)]|(?P<step>step\s*\d{1,2}\s*[:.)\-])|(?P<bullet>[-*\u2022\u2023\u25aa]))\s+"
    r"(?P<text>\S.*)$",
    re.IGNORECASE,
)
STEPS_HEADER = re.compile(
    r"\b(?:steps?|reproduc\w*|repro|to\s+trigger|how\s+to\s+(?:reproduce|trigger|see)|what\s+(?:i|we)\s+did)\b",
    re.IGNORECASE,
)
_INLINE_STEPS = re.compile(r"\b(?:steps?\s+to\s+reproduce|to\s+reproduce|repro\s+steps?|repro)\s*:\s*(?P<rest>.+)$",
                           re.IGNORECASE)
_INLINE_SPLIT = re.compile(r"\s*(?:;\s*(?:then\s+)?|,\s*then\s+|\s+then\s+|->|\u2192)\s*", re.IGNORECASE)
_WHEN_SENTENCE = re.compile(
    r"(?:^|[,;]\s*|\s)(?:when(?:ever)?|every\s+time|each\s+time|after|as\s+soon\s+as)\s+"
    r"(?:i|we|you|they|users?|customers?|anyone|someone|people|our\s+\w+|my\s+\w+|the\s+user)\b",
    re.IGNORECASE,
)


def extract_steps(texts: Sequence[str], *, sentence_sources: Sequence[str] = ()) -> tuple[str, ...]:
    """Steps to reproduce: numbered lists, bullet lists under a 'steps' line, 'Steps to reproduce: a; b',
    and 'when I ... then ...' sentences (the latter only from `sentence_sources`, the customer's words)."""
    steps: list[str] = []
    for text in texts:
        steps.extend(_list_steps(text))
        for line in text.split("\n"):
            inline = _INLINE_STEPS.search(line)
            if inline and not LIST_LINE.match(line):
                steps.extend(part for part in _INLINE_SPLIT.split(inline.group("rest")) if part.strip())
    for text in sentence_sources:
        for sentence in sentences(text):
            if sentence.endswith("?") or LIST_LINE.match(sentence) or _INLINE_STEPS.search(sentence):
                continue
            if _WHEN_SENTENCE.search(sentence):
                steps.append(GREETING.sub("", sentence, count=1))
    return unique((truncate(capitalise(collapse(s).strip(" ;,")), STEP_MAX) for s in steps), limit=MAX_STEPS)


def _list_steps(text: str) -> list[str]:
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        if not LIST_LINE.match(lines[index]):
            index += 1
            continue
        header = next((lines[j] for j in range(index - 1, -1, -1) if lines[j].strip()), "")
        block: list[re.Match[str]] = []
        while index < len(lines):
            match = LIST_LINE.match(lines[index])
            if match:
                block.append(match)
            elif lines[index].strip() or index + 1 >= len(lines) or not LIST_LINE.match(lines[index + 1]):
                break  # the list ends (a blank line between two items does not end it)
            index += 1
        numbered = [m for m in block if m.group("num") or m.group("step")]
        bullets = [m for m in block if m.group("bullet")]
        if len(numbered) >= 2 or any(m.group("step") for m in block) or (numbered and STEPS_HEADER.search(header)):
            out.extend(m.group("text") for m in numbered)
        elif bullets and STEPS_HEADER.search(header):
            out.extend(m.group("text") for m in bullets)
    return out
