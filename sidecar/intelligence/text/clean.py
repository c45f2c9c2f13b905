"""Cleaning a message and cutting text to a length: the plain string helpers the text toolkit shares."""
from __future__ import annotations

import re
from collections.abc import Iterable

_QUOTED_REPLY = re.compile(
    r"^(?:on\s.{3,120}\swrote:|-{2,}\s*original message\s*-{2,}|from:\s.+@.+|sent from my \w+.*)$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^(?:--|__)\s*$")
SIGN_OFF = re.compile(
    r"^(?:thanks|thank you|thx|cheers|regards|best|best regards|kind regards|warm regards|many thanks|"
    r"sincerely|thanks again|thanks in advance|all the best)[\s,.!]*$",
    re.IGNORECASE,
)


def collapse(text: str | None) -> str:
    """The text on one line, runs of blank space as one space ('' for None)."""
    return " ".join((text or "").split())


def truncate(text: str, limit: int) -> str:
    """Shorten to at most `limit` characters at a word boundary, ending with an ellipsis when cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "\u2026"


def clean_block(text: str | None) -> str:
    """A message without quoted earlier mail, signature or trailing sign-off; lines kept."""
    if not text:
        return ""
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if _QUOTED_REPLY.match(stripped) or _SIGNATURE.match(stripped):
            break
        if stripped.startswith(">"):
            continue
        lines.append(line.rstrip())
    # A sign-off line ends the message; what follows it is the writer's name.
    for index, line in enumerate(lines):
        if index > 0 and SIGN_OFF.match(line.strip()):
            lines = lines[:index]
            break
    return "\n".join(lines).strip()


def capitalise(text: str) -> str:
    """The text with its first letter upper-case."""
    return text[:1].upper() + text[1:] if text else text


def normalised(text: str) -> str:
    """Lower-case words and numbers only: what two texts are compared on."""
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def unique(items: Iterable[str], *, limit: int) -> tuple[str, ...]:
    """The first `limit` items, each once (compared normalised), empty ones left out."""
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        key = normalised(item)
        if item and key and key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out[:limit])
