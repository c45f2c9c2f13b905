"""Cleaning a message and cutting text to a length: the plain string helpers the text toolkit shares."""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_QUOTED_REPLY = re.compile(
    r"^(?:on\s.{3,120}\swrote:|-{2,}\s*original message\s*-{2,}|from:\s.+@.+|sent from my \w+.*)$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^(?:--|__)\s*$")
# A line that is nothing but a closing formula, in the languages the product reads: what follows it is the
# writer's name, title, company and address, which read as reasons ("Head of Procurement", "Legal").
SIGN_OFF = re.compile(
    r"^(?:thanks|thank you|thx|cheers|regards|best|best regards|kind regards|warm regards|many thanks|"
    r"sincerely|thanks again|thanks in advance|all the best|thanks (?:&|and) regards|best wishes|"
    r"mit freundlichen grüßen|mit freundlichen grüssen|freundliche grüße|viele grüße|beste grüße|liebe grüße|"
    r"grüße|gruß|danke|vielen dank|cordialement|bien cordialement|bien à vous|merci|merci d'avance|"
    r"salutations|un saludo|saludos|saludos cordiales|atentamente|gracias|muchas gracias|atenciosamente|"
    r"abraços|abs|obrigad[oa]|cordiali saluti|distinti saluti|saluti|un saluto|grazie|grazie mille|"
    r"met vriendelijke groet(?:en)?|vriendelijke groet(?:en)?|groeten|groet|bedankt|alvast bedankt|"
    r"dhanyavaad|dhanyawad|shukriya)[\s,.!]*$",
    re.IGNORECASE,
)
# The first line of a mail client's confidentiality notice.
_DISCLAIMER = re.compile(
    r"^(?:this\s+(?:e-?mail|message|communication)\b.{0,80}\b(?:confidential|privileged|intended\s+(?:only\s+)?for)"
    r"|(?:the\s+)?information\s+(?:contained\s+)?in\s+this\s+(?:e-?mail|message|communication|transmission)\b"
    r"|(?:confidentiality\s+(?:notice|note|statement|disclaimer)|disclaimer|legal\s+notice)\s*[:.-]"
    # "CONFIDENTIALITY: This e-mail and any attachments ..." (not a customer's own "Confidential: our data leaked")
    r"|confidential(?:ity)?\s*[:.-]\s*(?:this|the\s+(?:information|contents?))\b"
    r"|if\s+you\s+(?:are\s+not\s+the\s+intended\s+recipient|have\s+received\s+this\s+(?:e-?mail|message)\s+in\s+error)"
    r"|(?:diese|die\s+vorliegende)\s+(?:e-?mail|nachricht)\b.{0,80}\bvertraulich"
    r"|ce\s+(?:message|courriel|e-?mail)\b.{0,80}\bconfidenti"
    r"|este\s+(?:mensaje|correo)\b.{0,80}\bconfidencial|esta\s+(?:mensagem|e-?mail)\b.{0,80}\bconfidencia"
    r"|questa\s+(?:e-?mail|mail|comunicazione)\b.{0,80}\briservat"
    r"|(?:dit|deze)\s+(?:e-?mail|bericht)\b.{0,80}\bvertrouwelijk)",
    re.IGNORECASE,
)


# A forward: the customer passes on someone's mail for us to read ("Forwarding this from our CFO, please treat as
# urgent" above the CFO's report of a failing sync). Its marker line, and the words before it that say so.
_FORWARD_MARKER = re.compile(
    r"^(?:-{2,}\s*(?:forwarded\s+message|original\s+message|weitergeleitete\s+nachricht|message\s+transf[ée]r[ée]"
    r"|mensaje\s+reenviado|mensagem\s+encaminhada|messaggio\s+inoltrato|doorgestuurd\s+bericht)\s*-{2,}"
    r"|begin\s+forwarded\s+message\s*:|from:\s.+@.+)$",
    re.IGNORECASE,
)
_FORWARDING = re.compile(
    r"\b(?:forward\w*|fwd|fw|passing\s+(?:this\s+|it\s+)?(?:on|along)|weitergeleitet\w*|weiterleit\w*"
    r"|transf[eé]r\w*|reenv\w*|encaminh\w*|inoltr\w*|doorgestuurd|doorsturen|see\s+below\s+from|below\s+from)\b",
    re.IGNORECASE,
)
_HEADER = re.compile(r"^(?:from|sent|to|date|subject|cc|von|gesendet|an|datum|betreff|de|envoy[ée]|[àa]|objet|para"
                     r"|asunto|enviado|fecha|assunto|data|da|inviato|oggetto|van|verzonden|aan|onderwerp)\s*:",
                     re.IGNORECASE)


@lru_cache(maxsize=4096)  # the rules and the semantic layer both ask, for every message of every assessment
def body_end(text: str) -> int:
    """Where a message's own words end: at quoted earlier mail, a signature separator, a confidentiality
    notice, or a closing line ("Kind regards,", "Mit freundlichen Grüßen") after the first line that only a
    signature follows; the length of the text when none is there. A forwarded mail is the customer's to read: its
    end is the forwarded message's own."""
    lines = text.split("\n")
    forwarded = _forward_marker(lines)
    if forwarded is not None:
        start = forwarded + 1
        while start < len(lines) and (_HEADER.match(lines[start].strip()) or not lines[start].strip()):
            start += 1
        offset = sum(len(line) + 1 for line in lines[:start])
        return offset + body_end(text[offset:]) if offset < len(text) else len(text)
    quoted = _trailing_quote(lines)
    offset = 0
    for index, line in enumerate(lines):
        stripped = line.strip()
        if index == quoted or _nothing_of_theirs_follows(stripped) or (
                index > 0 and SIGN_OFF.match(stripped) and _only_a_signature(lines[index + 1:quoted])):
            return offset
        offset += len(line) + 1
    return len(text)


def _forward_marker(lines: list[str]) -> int | None:
    """The line where a forwarded mail begins, when the words before it say they forward it; else None."""
    for index, line in enumerate(lines):
        if _FORWARD_MARKER.match(line.strip()):
            return index if _FORWARDING.search("\n".join(lines[:index])) else None
    return None


def _trailing_quote(lines: list[str]) -> int:
    """The first line of the block of "> " quoted mail that runs to the end (len(lines) when there is none):
    earlier mail (often the support side's own notice, quoted back by an auto-reply), not the writer's words. A
    quote answered line by line below it is kept."""
    start = len(lines)
    for index in range(len(lines) - 1, -1, -1):
        stripped = lines[index].strip()
        if stripped.startswith(">"):
            start = index
        elif stripped:
            break
    return start


def _nothing_of_theirs_follows(stripped: str) -> bool:
    """True for a line from which on nothing is the writer's own: quoted mail, "--", a confidentiality notice."""
    return bool(_QUOTED_REPLY.match(stripped) or _SIGNATURE.match(stripped) or _DISCLAIMER.match(stripped))


_SIGNATURE_LINE_WORDS = 8  # a name, a title, a company, an address: short lines, not sentences


def _only_a_signature(lines: list[str]) -> bool:
    """True when the lines after a closing word (up to quoted mail that runs to the end) are a signature, not more
    of the message ("Thanks" on a line of its own, then "Also, the CSV export still fails for every file since
    Monday.")."""
    for line in lines:
        stripped = line.strip()
        if _nothing_of_theirs_follows(stripped):
            return True  # what follows is cut anyway
        if len(stripped.split()) > _SIGNATURE_LINE_WORDS and stripped.endswith((".", "!", "?")):
            return False
    return True


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
    """A message without quoted earlier mail, signature, confidentiality notice or closing lines; lines kept."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text[:body_end(text)].split("\n") if not line.strip().startswith(">")]
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
