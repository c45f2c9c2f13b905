"""Identifiers in a conversation (INV-20931, 'job 88213', req_8f2a91c, UUIDs) and what they identify."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MAX_IDENTIFIERS = 12


@dataclass(frozen=True)
class Identifier:
    """An id found in the conversation, and what it identifies when the text says (kind None otherwise)."""

    value: str
    kind: str | None = None


_KIND_WORDS = {
    "invoice": "invoice", "order": "order", "job": "job", "request": "request", "transaction": "transaction",
    "payment": "payment", "charge": "charge", "subscription": "subscription", "account": "account",
    "case": "case", "ticket": "ticket", "booking": "booking", "shipment": "shipment", "tracking": "tracking number",
    "build": "build", "workspace": "workspace", "project": "project", "refund": "refund", "trace": "trace",
    "correlation": "correlation id", "event": "event", "receipt": "receipt", "contract": "contract",
    "quote": "quote", "batch": "batch", "export": "export", "import": "import", "session": "session",
    "device": "device", "license": "license", "licence": "license", "incident": "incident",
    "deployment": "deployment", "release": "release", "report": "report", "customer": "customer", "user": "user",
    "purchase order": "purchase order", "po": "purchase order", "sku": "sku", "serial": "serial number",
    "reference": "reference", "ref": "reference", "confirmation": "confirmation",
}
_CODE_PREFIX_KINDS = {
    "INV": "invoice", "ORD": "order", "ORDER": "order", "PO": "purchase order", "REQ": "request",
    "TKT": "ticket", "CASE": "case", "JOB": "job", "TXN": "transaction", "RMA": "return", "SO": "sales order",
    "CVE": "vulnerability", "INC": "incident", "CHG": "change", "REF": "reference", "SUB": "subscription",
    "ACC": "account", "ACCT": "account", "CUST": "customer", "REC": "receipt", "CN": "credit note",
}
_NOT_IDS = frozenset({"SHA", "AES", "ISO", "RFC", "UTF", "RSA", "HMAC", "PKCS", "IEC", "IEEE", "NIST", "FIPS",
                      "TLS", "SSL", "ECDSA", "MD", "EN", "IPV", "HTTP", "WCAG", "PCI", "SOC"})
_UNDERSCORE_PREFIX_KINDS = {
    "req": "request", "ch": "charge", "pi": "payment", "py": "payment", "cus": "customer",
    "sub": "subscription", "txn": "transaction", "evt": "event", "in": "invoice", "inv": "invoice",
    "ord": "order", "job": "job", "acct": "account", "re": "refund", "cs": "checkout session", "po": "purchase order",
    "ii": "invoice item", "trace": "trace", "span": "span", "ws": "workspace", "org": "organisation",
}
_KEYWORD_ID = re.compile(
    r"(?<![\w-])(?P<kw>" + "|".join(sorted((re.escape(k).replace(r"\ ", r"\s+") for k in _KIND_WORDS), key=len,
                                           reverse=True))
    + r")(?:s|es)?\s*(?:id|number|no\.?|num|#)?\s*[:#]?\s*(?P<id>[A-Za-z0-9][A-Za-z0-9_\-/.]*[A-Za-z0-9]|\d{4,})",
    re.IGNORECASE,
)
_KEYWORD_BEFORE = re.compile(
    r"(?<![\w-])(?P<kw>" + "|".join(sorted((re.escape(k).replace(r"\ ", r"\s+") for k in _KIND_WORDS), key=len,
                                           reverse=True))
    + r")(?:s|es)?\s*(?:id|number|no\.?|num|#)?\s*[:#]?\s*$",
    re.IGNORECASE,
)
_CODE_ID = re.compile(r"(?<![\w-])(?P<prefix>[A-Z]{2,6})-(?P<number>\d{3,}(?:-\d+)*)(?![\w-])")
_UNDERSCORE_ID = re.compile(
    r"(?<![\w-])(?P<prefix>" + "|".join(sorted(_UNDERSCORE_PREFIX_KINDS, key=len, reverse=True))
    + r")_(?P<rest>[A-Za-z0-9]{5,40})(?![\w-])"
)
_UUID = re.compile(r"(?<![\w-])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])")
_DATE_OR_TIME = re.compile(r"^(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}:\d{2}(?::\d{2})?|\d{4})$")
_SECRETISH = re.compile(r"(?:sk|pk|rk|whsec|ghp|xox[abpr]|api|key|token|secret|password)[_-]", re.IGNORECASE)


def extract_identifiers(texts: Sequence[str]) -> tuple[Identifier, ...]:
    """Ids in the conversation (INV-20931, 'job 88213', req_8f2a91c, UUIDs) with their kind when known."""
    found: dict[str, Identifier] = {}

    def add(value: str, kind: str | None) -> None:
        value = value.strip().rstrip(".,;:")
        if not value or _SECRETISH.match(value) or _DATE_OR_TIME.match(value):
            return
        key = value.lower()
        if key not in found or (found[key].kind is None and kind):
            found[key] = Identifier(value=value, kind=kind)

    for text in texts:
        if not text:
            continue
        if len(found) >= MAX_IDENTIFIERS:
            break
        spans: list[list[Any]] = []  # [start, end, value, kind]: ids recognised by their shape
        for match in _UUID.finditer(text):
            keyword = _KEYWORD_BEFORE.search(text, max(0, match.start() - 40), match.start())
            kind = _KIND_WORDS.get(_kw(keyword.group("kw"))) if keyword else None
            spans.append([match.start(), match.end(), match.group(0), kind or "uuid"])
        for match in _UNDERSCORE_ID.finditer(text):
            if any(ch.isdigit() for ch in match.group("rest")):
                spans.append([match.start(), match.end(), match.group(0),
                              _UNDERSCORE_PREFIX_KINDS[match.group("prefix")]])
        for match in _CODE_ID.finditer(text):
            prefix = match.group("prefix")
            if prefix not in _NOT_IDS:
                spans.append([match.start(), match.end(), match.group(0), _CODE_PREFIX_KINDS.get(prefix)])
        covering = {position: span for span in spans for position in range(span[0], span[1])}
        for match in _KEYWORD_ID.finditer(text):
            value = match.group("id")
            if not any(ch.isdigit() for ch in value) or (value.isdigit() and len(value) < 4):
                continue
            if re.fullmatch(r"[\d.,]+", value) and ("," in value or "." in value):
                continue  # an amount or a version, not an id
            kind = _KIND_WORDS.get(_kw(match.group("kw")))
            shaped = covering.get(match.start("id"))
            if shaped is not None:
                # Already found by shape (INV-20931, a UUID): the keyword only tells what it is.
                if shaped[3] in (None, "uuid"):
                    shaped[3] = kind
                continue
            spans.append([match.start("id"), match.end("id"), value, kind])
        for _, _, value, kind in sorted(spans, key=lambda span: span[0]):
            add(value, kind)
    return tuple(list(found.values())[:MAX_IDENTIFIERS])


def _kw(keyword: str) -> str:
    return " ".join(keyword.lower().split())
