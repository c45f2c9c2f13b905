"""A small line markup that templates write, converted to Atlassian Document Format (ADF) v1.

Jira Cloud's REST v3 takes issue descriptions and comments only as ADF JSON, and JSON is no place for
operators to edit words. So templates write this markup and `markup_to_adf` turns it into ADF:

Blocks (one per line group; a blank line ends a paragraph or a list):

    # Heading 1 / ## Heading 2 / ### Heading 3      (up to ######)
    - bullet item                                   (indent by 2 more spaces to nest a list)
    1. ordered item                                 (the first number sets where the list starts)
    > quoted line                                   (blockquote; paragraphs, lists, code inside)
    ---                                             (a horizontal rule)
    ```lang                                         (fenced code block; lang optional; no markup inside)
    any other line                                  (a paragraph; single newlines become line breaks)

Inline (inside paragraphs, headings and list items):

    **bold**            strong
    `code`              code (backslash escapes still work inside)
    [text](url)         link, only for http://, https:// and mailto: URLs; anything else stays literal text
    \\X                  a literal X for any ASCII punctuation X

A list item's following lines that start no new block continue the item (line breaks). Headings,
rules and quotes inside a list item or a quote are kept as text: ADF does not allow them there.

Customer words must never become markup or links: templates pass them through the `md` filter
(`escape_markup`), which backslash-escapes every markup character and joins paragraphs, so the
converter shows them exactly as written. Text meant for a fenced code block goes through `md_code`.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

_FENCE = re.compile(r"^ {0,3}```\s*(?P<lang>[A-Za-z0-9_+#.\-]*)\s*$")
_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:\s+(?P<text>.*?))?\s*$")
_RULE = re.compile(r"^ {0,3}-{3,}\s*$")
_QUOTE = re.compile(r"^ {0,3}> ?(?P<text>.*)$")
_BULLET = re.compile(r"^(?P<indent> *)- (?P<text>.*)$|^(?P<indent_empty> *)-$")
_ORDERED = re.compile(r"^(?P<indent> *)(?P<number>\d{1,9})[.)](?: (?P<text>.*)|$)")
_SAFE_URL = re.compile(r"^(?:https?://[^\s/?#]+[^\s]*|mailto:[^\s@]+@[^\s@]+)$", re.IGNORECASE)
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")

# Where a block sits decides what may open there (ADF: listItem and blockquote take paragraphs, lists
# and code blocks; headings, rules and blockquotes only at the top).
_DOC, _QUOTED, _LISTED = "doc", "blockquote", "listItem"


def markup_to_adf(text: str) -> dict[str, Any]:
    """Convert the sidecar's line markup (module docstring) into an ADF v1 document."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return {"type": "doc", "version": 1, "content": _blocks(lines, _DOC)}


def escape_markup(value: Any) -> str:
    """The `md` filter: text shown exactly as written, never as markup or a link.

    Backslash-escapes \\ ` * [ ] everywhere and a line-opening # > - or "1." marker; blank lines are
    dropped so that inserted text cannot end the template's list or paragraph.
    """
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        line = re.sub(r"([\\`*\[\]])", r"\\\1", line)
        line = re.sub(r"^([#>\-])", r"\\\1", line)
        line = re.sub(r"^(\d+)([.)])", r"\1\\\2", line)
        out.append(line)
    return "\n".join(out)


def escape_code(value: Any) -> str:
    """The `md_code` filter: text for a fenced code block; only a line that would close the fence is escaped."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for line in text.split("\n"):
        body = line.lstrip()
        lines.append(line[: len(line) - len(body)] + "\\" + body if body.startswith("```") else line)
    return "\n".join(lines)


def safe_url(url: Any) -> str | None:
    """The URL if it may become a link (http, https, mailto), percent-encoding what the markup uses; else None."""
    if not url:
        return None
    url = str(url).strip()
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    url = quote(url, safe=":/?#[]@!$&'*+,;=%~-._")
    return url if _SAFE_URL.match(url) else None


def markup_link(text: Any, url: Any) -> str:
    """The `md_link` filter: `[text](url)` with the text escaped, or just the escaped text for an unsafe URL."""
    label = escape_markup(" ".join(str(text or url or "").split()))
    href = safe_url(url)
    if href is None:
        return label
    return f"[{label or escape_markup(href)}]({href})"


def markup_quote(value: Any) -> str:
    """The `md_quote` filter: escaped text as a blockquote, every line prefixed with '> '."""
    escaped = escape_markup(value)
    return "\n".join(f"> {line}" for line in escaped.split("\n")) if escaped else ""


# --- blocks ------------------------------------------------------------------------------------------

def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _list_marker(line: str) -> tuple[str, int, int | None, str] | None:
    """(kind, indent, number, text) when the line opens a list item."""
    bullet = _BULLET.match(line)
    if bullet:
        indent = bullet.group("indent") if bullet.group("indent") is not None else bullet.group("indent_empty")
        return "bulletList", len(indent), None, bullet.group("text") or ""
    ordered = _ORDERED.match(line)
    if ordered:
        return "orderedList", len(ordered.group("indent")), int(ordered.group("number")), ordered.group("text") or ""
    return None


def _starts_block(line: str, where: str) -> bool:
    if _FENCE.match(line) or _list_marker(line):
        return True
    return where == _DOC and bool(_HEADING.match(line) or _RULE.match(line) or _QUOTE.match(line))


def _blocks(lines: list[str], where: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        fence = _FENCE.match(line)
        if fence:
            index = _code_block(lines, index, fence.group("lang"), nodes)
            continue
        if where == _DOC:
            heading = _HEADING.match(line)
            if heading:
                node: dict[str, Any] = {"type": "heading", "attrs": {"level": len(heading.group("hashes"))}}
                inline = _inline(heading.group("text") or "")
                if inline:
                    node["content"] = inline
                nodes.append(node)
                index += 1
                continue
            if _RULE.match(line):
                nodes.append({"type": "rule"})
                index += 1
                continue
        if where == _DOC and _QUOTE.match(line):
            quoted: list[str] = []
            while index < len(lines) and (match := _QUOTE.match(lines[index])):
                quoted.append(match.group("text"))
                index += 1
            inner = _blocks(quoted, _QUOTED)
            if inner:
                nodes.append({"type": "blockquote", "content": inner})
            continue
        marker = _list_marker(line)
        if marker:
            index = _list(lines, index, marker[0], marker[1], where, nodes)
            continue
        paragraph = [line.strip()]
        index += 1
        while index < len(lines) and lines[index].strip() and not _starts_block(lines[index], where):
            paragraph.append(lines[index].strip())
            index += 1
        nodes.append(_paragraph("\n".join(paragraph)))
    return nodes


def _code_block(lines: list[str], index: int, language: str, nodes: list[dict[str, Any]]) -> int:
    body: list[str] = []
    index += 1
    while index < len(lines) and lines[index].strip() != "```":
        line = lines[index]
        if line.lstrip().startswith("\\```"):  # an escaped fence line inside the block (md_code)
            cut = len(line) - len(line.lstrip())
            line = line[:cut] + line[cut + 1:]
        body.append(line)
        index += 1
    node: dict[str, Any] = {"type": "codeBlock"}
    if language:
        node["attrs"] = {"language": language}
    code = "\n".join(body).strip("\n")
    if code:
        node["content"] = [{"type": "text", "text": code}]
    nodes.append(node)
    return index + 1  # past the closing fence (or the end)


def _list(lines: list[str], index: int, kind: str, indent: int, where: str, nodes: list[dict[str, Any]]) -> int:
    items: list[dict[str, Any]] = []
    first_number: int | None = None
    while index < len(lines):
        marker = _list_marker(lines[index])
        if not marker or marker[0] != kind or marker[1] != indent:
            break
        if first_number is None:
            first_number = marker[2]
        item_lines = [marker[3]]
        index += 1
        child_indent = indent + 2
        while index < len(lines):
            line = lines[index]
            if not line.strip():
                following = next((j for j in range(index + 1, len(lines)) if lines[j].strip()), None)
                if following is None or _indent(lines[following]) < child_indent:
                    break
                item_lines.append("")
                index += 1
                continue
            if _indent(line) >= child_indent:
                item_lines.append(line[child_indent:])
            elif _starts_block(line, where):
                break
            else:
                item_lines.append(line.strip())  # a lazy continuation of the item's text
            index += 1
        content = _blocks(item_lines, _LISTED)
        if not content or content[0]["type"] != "paragraph":
            # ADF: a list item starts with a paragraph (or code); an empty one when it opens with a sub-list.
            content.insert(0, {"type": "paragraph"})
        items.append({"type": "listItem", "content": content})
    node: dict[str, Any] = {"type": kind, "content": items}
    if kind == "orderedList" and first_number not in (None, 1):
        node["attrs"] = {"order": first_number}
    nodes.append(node)
    return index


def _paragraph(text: str) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "paragraph"}
    inline = _inline(text)
    if inline:
        node["content"] = inline
    return node


# --- inline ------------------------------------------------------------------------------------------

def _inline(text: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    _parse_inline(text, (), nodes)
    return _merge(nodes)


def _find_unescaped(text: str, token: str, start: int) -> int:
    index = start
    while index < len(text):
        if text[index] == "\\" and index + 1 < len(text):
            index += 2
            continue
        if text.startswith(token, index):
            return index
        index += 1
    return -1


def _unescape(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


_INLINE_SPECIAL = re.compile(r"[\\\n`*\[]")


def _parse_inline(text: str, marks: tuple[dict[str, Any], ...], nodes: list[dict[str, Any]]) -> None:
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            _emit_text("".join(buffer), marks, nodes)
            buffer.clear()

    index = 0
    while index < len(text):
        # Plain runs go to the buffer in one piece; only these characters can start markup.
        special = _INLINE_SPECIAL.search(text, index)
        if special is None:
            buffer.append(text[index:])
            break
        if special.start() > index:
            buffer.append(text[index:special.start()])
            index = special.start()
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in _PUNCTUATION:
            buffer.append(text[index + 1])
            index += 2
            continue
        if char == "\n":
            flush()
            nodes.append({"type": "hardBreak"})
            index += 1
            continue
        consumed = _markup_at(text, index, marks, nodes, flush)
        if consumed is not None:
            index = consumed
            continue
        buffer.append(char)
        index += 1
    flush()


def _markup_at(text: str, index: int, marks: tuple[dict[str, Any], ...], nodes: list[dict[str, Any]],
               flush: Callable[[], None]) -> int | None:
    """Emit the code span, bold run or link that starts at `index` and return where it ends; None if none does."""
    linked = any(mark["type"] == "link" for mark in marks)
    if text[index] == "`":
        end = _find_unescaped(text, "`", index + 1)
        if end > index + 1:
            flush()
            code = _unescape(text[index + 1:end])
            # ADF: code combines with no formatting mark; inside a link, the link wins.
            code_marks = tuple(m for m in marks if m["type"] == "link") if linked else ({"type": "code"},)
            _emit_text(code, code_marks, nodes)
            return end + 1
    if text.startswith("**", index):
        end = _find_unescaped(text, "**", index + 2)
        if end > index + 2:
            flush()
            strong = marks if any(m["type"] == "strong" for m in marks) else (*marks, {"type": "strong"})
            _parse_inline(text[index + 2:end], strong, nodes)
            return end + 2
    if text[index] == "[" and not linked:
        return _link_at(text, index, marks, nodes, flush)
    return None


def _link_at(text: str, index: int, marks: tuple[dict[str, Any], ...], nodes: list[dict[str, Any]],
             flush: Callable[[], None]) -> int | None:
    """Emit the [label](url) link that starts at `index` and return where it ends; None if it is not a safe link."""
    close = _find_unescaped(text, "]", index + 1)
    if close <= index + 1 or not text.startswith("(", close + 1):
        return None
    end = _find_unescaped(text, ")", close + 2)
    url = _unescape(text[close + 2:end]) if end != -1 else ""
    href = safe_url(url) if url and not any(ch.isspace() for ch in url) else None
    if not href:
        return None
    flush()
    _parse_inline(text[index + 1:close], (*marks, {"type": "link", "attrs": {"href": href}}), nodes)
    return end + 1


def _emit_text(text: str, marks: tuple[dict[str, Any], ...], nodes: list[dict[str, Any]]) -> None:
    for number, part in enumerate(text.split("\n")):
        if number:
            nodes.append({"type": "hardBreak"})
        if part:
            node: dict[str, Any] = {"type": "text", "text": part}
            if marks:
                node["marks"] = [dict(mark) for mark in marks]
            nodes.append(node)


def _merge(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged: list[dict[str, Any]] = []
    for node in nodes:
        previous = merged[-1] if merged else None
        if (previous is not None and node["type"] == "text" and previous["type"] == "text"
                and previous.get("marks") == node.get("marks")):
            previous["text"] += node["text"]
        else:
            merged.append(node)
    # Line breaks at the very start or end of a paragraph carry nothing.
    while merged and merged[0]["type"] == "hardBreak":
        merged.pop(0)
    while merged and merged[-1]["type"] == "hardBreak":
        merged.pop()
    return merged
