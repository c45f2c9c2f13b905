"""The line markup -> Atlassian Document Format converter, and the `md` escaping that keeps customer words inert."""
from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sidecar.clients.jira import adf_to_text
from sidecar.rendering.adf import (
    escape_code,
    escape_markup,
    markup_link,
    markup_quote,
    markup_to_adf,
    safe_url,
)

# --- an ADF validator (the node and mark rules Jira Cloud enforces, for what the converter can produce) ---

TOP_BLOCKS = {"paragraph", "heading", "bulletList", "orderedList", "codeBlock", "blockquote", "rule"}
NESTED_BLOCKS = {"paragraph", "bulletList", "orderedList", "codeBlock"}  # inside listItem and blockquote
INLINE = {"text", "hardBreak"}
MARKS = {"strong", "code", "link", "em"}
HREF = re.compile(r"^(?:https?://\S+|mailto:\S+@\S+)$", re.IGNORECASE)


def assert_valid_adf(document: Any) -> None:
    """Raise AssertionError unless `document` is a valid ADF v1 doc of the node types the converter emits."""
    assert isinstance(document, dict), document
    assert set(document) == {"type", "version", "content"}, document
    assert document["type"] == "doc" and document["version"] == 1
    assert isinstance(document["content"], list)
    for node in document["content"]:
        assert node["type"] in TOP_BLOCKS, node
        _check_block(node)


def _check_block(node: dict[str, Any]) -> None:
    kind = node["type"]
    allowed_keys = {"type", "content", "attrs"}
    assert set(node) <= allowed_keys, node
    if kind == "paragraph":
        assert "attrs" not in node
        _check_inline(node.get("content", []), code_block=False)
    elif kind == "heading":
        level = node["attrs"]["level"]
        assert set(node["attrs"]) == {"level"} and isinstance(level, int) and 1 <= level <= 6
        _check_inline(node.get("content", []), code_block=False)
    elif kind in ("bulletList", "orderedList"):
        if kind == "orderedList" and "attrs" in node:
            assert set(node["attrs"]) == {"order"} and isinstance(node["attrs"]["order"], int)
            assert node["attrs"]["order"] >= 0
        else:
            assert "attrs" not in node
        assert node["content"], "a list holds at least one item"
        for item in node["content"]:
            assert item["type"] == "listItem" and set(item) == {"type", "content"}, item
            assert item["content"], "a list item holds at least one block"
            assert item["content"][0]["type"] in ("paragraph", "codeBlock"), item
            for child in item["content"]:
                assert child["type"] in NESTED_BLOCKS, child
                _check_block(child)
    elif kind == "blockquote":
        assert "attrs" not in node and node["content"]
        for child in node["content"]:
            assert child["type"] in NESTED_BLOCKS, child
            _check_block(child)
    elif kind == "codeBlock":
        if "attrs" in node:
            assert set(node["attrs"]) == {"language"} and isinstance(node["attrs"]["language"], str)
        _check_inline(node.get("content", []), code_block=True)
    elif kind == "rule":
        assert node == {"type": "rule"}
    else:  # pragma: no cover - the top-level check names the type
        raise AssertionError(f"unexpected block {kind}")


def _check_inline(nodes: list[dict[str, Any]], *, code_block: bool) -> None:
    assert isinstance(nodes, list)
    for node in nodes:
        if code_block:
            assert node["type"] == "text" and "marks" not in node, node
        assert node["type"] in INLINE, node
        if node["type"] == "hardBreak":
            assert node == {"type": "hardBreak"}
            continue
        assert set(node) <= {"type", "text", "marks"}, node
        assert isinstance(node["text"], str) and node["text"], "text nodes are never empty"
        marks = node.get("marks", [])
        types = [mark["type"] for mark in marks]
        assert len(types) == len(set(types)), "a mark type appears once"
        assert set(types) <= MARKS, types
        if "code" in types:
            assert set(types) <= {"code", "link"}, "code combines only with link"
        for mark in marks:
            if mark["type"] == "link":
                assert set(mark) == {"type", "attrs"} and set(mark["attrs"]) == {"href"}
                assert HREF.match(mark["attrs"]["href"]), mark
            else:
                assert set(mark) == {"type"}, mark


def text(value: str, *marks: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value}
    if marks:
        node["marks"] = list(marks)
    return node


STRONG = {"type": "strong"}
CODE = {"type": "code"}


def link(href: str) -> dict[str, Any]:
    return {"type": "link", "attrs": {"href": href}}


def para(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(content)}


def doc(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(content)}


def item(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "listItem", "content": list(content)}


# --- blocks ------------------------------------------------------------------------------------------

def test_headings_paragraphs_and_line_breaks():
    result = markup_to_adf("# Title\n## Section\n### Sub\nline one\nline two\n\nsecond paragraph")
    assert result == doc(
        {"type": "heading", "attrs": {"level": 1}, "content": [text("Title")]},
        {"type": "heading", "attrs": {"level": 2}, "content": [text("Section")]},
        {"type": "heading", "attrs": {"level": 3}, "content": [text("Sub")]},
        para(text("line one"), {"type": "hardBreak"}, text("line two")),
        para(text("second paragraph")),
    )
    assert_valid_adf(result)


def test_bullet_and_ordered_lists_with_nesting_and_continuation():
    result = markup_to_adf("- one\n  - nested\n- two\n  still two\n\n3. three\n4. four")
    assert result == doc(
        {"type": "bulletList", "content": [
            item(para(text("one")), {"type": "bulletList", "content": [item(para(text("nested")))]}),
            item(para(text("two"), {"type": "hardBreak"}, text("still two"))),
        ]},
        {"type": "orderedList", "attrs": {"order": 3},
         "content": [item(para(text("three"))), item(para(text("four")))]},
    )
    assert_valid_adf(result)


def test_ordered_list_from_one_has_no_attrs_and_a_list_may_open_with_a_sublist():
    result = markup_to_adf("1. a\n2. b\n\n-\n  - only nested")
    assert result["content"][0] == {"type": "orderedList", "content": [item(para(text("a"))), item(para(text("b")))]}
    assert result["content"][1]["content"][0]["content"][0] == {"type": "paragraph"}
    assert_valid_adf(result)


def test_blockquote_rule_and_code_block():
    result = markup_to_adf("> quoted **bold**\n> - in a list\n\n---\n```python\nprint('*not bold*')\n\\```\n```")
    assert result == doc(
        {"type": "blockquote", "content": [
            para(text("quoted "), text("bold", STRONG)),
            {"type": "bulletList", "content": [item(para(text("in a list")))]},
        ]},
        {"type": "rule"},
        {"type": "codeBlock", "attrs": {"language": "python"}, "content": [text("print('*not bold*')\n```")]},
    )
    assert_valid_adf(result)


def test_unclosed_code_block_runs_to_the_end_and_empty_blocks_have_no_text():
    result = markup_to_adf("```\n```\n\n```\nx")
    assert result == doc({"type": "codeBlock"}, {"type": "codeBlock", "content": [text("x")]})
    assert_valid_adf(result)


def test_headings_and_rules_are_text_inside_lists_and_quotes():
    result = markup_to_adf("- item\n  # not a heading\n  ---\n> # nor here\n> > nor a nested quote")
    assert_valid_adf(result)
    assert adf_to_text(result) == "item\n# not a heading\n---\n# nor here\n> nor a nested quote"


def test_empty_input():
    assert markup_to_adf("") == doc()
    assert markup_to_adf("\n\n  \n") == doc()


# --- inline ------------------------------------------------------------------------------------------

def test_inline_marks():
    result = markup_to_adf(
        "A **bold** `code` and [a link](https://acme.example/x?a=1&b=2) and [mail](mailto:a@b.example)")
    assert result == doc(para(
        text("A "), text("bold", STRONG), text(" "), text("code", CODE), text(" and "),
        text("a link", link("https://acme.example/x?a=1&b=2")), text(" and "), text("mail", link("mailto:a@b.example")),
    ))
    assert_valid_adf(result)


def test_bold_link_and_code_inside_bold():
    result = markup_to_adf("**see [the issue](https://acme.example/BUG-1) and `x`**")
    assert result == doc(para(
        text("see ", STRONG), text("the issue", STRONG, link("https://acme.example/BUG-1")), text(" and ", STRONG),
        text("x", CODE),
    ))
    assert_valid_adf(result)


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](data:text/html,hi)",
        "[click](ftp://files.example/x)",
        "[click](https://)",
        "[click](https://a.example/with space)",
        "[click](//evil.example)",
        "[unclosed](https://a.example",
    ],
)
def test_only_http_and_mailto_become_links(source):
    result = markup_to_adf(source)
    assert_valid_adf(result)
    assert "link" not in str(result)
    assert adf_to_text(result) == source


def test_unmatched_markers_stay_literal():
    for source in ("2 ** 3", "a `b", "[x] and [y", "**", "``"):
        result = markup_to_adf(source)
        assert_valid_adf(result)
        assert adf_to_text(result) == source


def test_backslash_escapes():
    result = markup_to_adf(r"\*\*not bold\*\* \`x\` \[t\](https://a.example) C:\path \\ end")
    assert result == doc(para(text(r"**not bold** `x` [t](https://a.example) C:\path \ end")))


def test_code_span_keeps_escaped_backticks():
    result = markup_to_adf(r"`a \` b`")
    assert result == doc(para(text("a ` b", CODE)))


# --- escaping filters --------------------------------------------------------------------------------

HOSTILE = (
    "# Not a heading\n"
    "- not a list\n"
    "1. not ordered\n"
    "> not a quote\n"
    "---\n"
    "```\n"
    "**not bold** `not code` [not a link](https://evil.example) \\ back\\slash\n\n\n"
    "<!channel> @here"
)


def test_escaped_text_is_shown_exactly_and_makes_no_structure():
    result = markup_to_adf(escape_markup(HOSTILE))
    assert_valid_adf(result)
    assert [node["type"] for node in result["content"]] == ["paragraph"]
    assert all("marks" not in node for node in result["content"][0]["content"])
    assert adf_to_text(result) == (
        "# Not a heading\n- not a list\n1. not ordered\n> not a quote\n---\n```\n"
        "**not bold** `not code` [not a link](https://evil.example) \\ back\\slash\n<!channel> @here"
    )


def test_escaped_text_inside_template_markup_keeps_the_template_structure():
    markup = f"## Problem\n- **Customer said:** {escape_markup(HOSTILE)}\n- second item"
    result = markup_to_adf(markup)
    assert_valid_adf(result)
    assert [node["type"] for node in result["content"]] == ["heading", "bulletList"]
    items = result["content"][1]["content"]
    assert len(items) == 2
    assert "'marks'" not in str(items[0]["content"][0]["content"][1:])
    assert adf_to_text(result).splitlines()[1].startswith("Customer said: # Not a heading")


def test_escape_markup_none_and_numbers():
    assert escape_markup(None) == ""
    assert escape_markup(42) == "42"
    assert escape_markup("12. Dec") == "12\\. Dec"


def test_md_code_only_escapes_fence_lines():
    source = "line *1*\n```\n  ``` indented"
    result = markup_to_adf(f"```\n{escape_code(source)}\n```")
    assert result == doc({"type": "codeBlock", "content": [text(source)]})
    assert escape_code(None) == ""


def test_md_link_and_md_quote():
    assert markup_link("Zendesk #1", "https://acme.zendesk.com/agent/tickets/1") == (
        "[Zendesk #1](https://acme.zendesk.com/agent/tickets/1)")
    assert markup_link("a [b]", "javascript:alert(1)") == "a \\[b\\]"
    assert markup_link("x", None) == "x"
    assert markup_link("", "https://a.example/p") == "[https://a.example/p](https://a.example/p)"
    url = "https://a.example/search?q=(a b)"
    result = markup_to_adf(markup_link("search", url))
    assert result == doc(para(text("search", link("https://a.example/search?q=%28a%20b%29"))))
    assert markup_quote("one\n\ntwo") == "> one\n> two"
    assert markup_quote("") == ""


def test_safe_url():
    assert safe_url("https://acme.atlassian.net/browse/ESC-1") == "https://acme.atlassian.net/browse/ESC-1"
    assert safe_url("HTTP://ACME.example") == "HTTP://ACME.example"
    for bad in (None, "", "javascript:alert(1)", "https://a.example/\nx", "file:///etc/passwd", "/relative"):
        assert safe_url(bad) is None


def _all_nodes(node):
    """Every node of an ADF tree, the root first."""
    yield node
    for child in node.get("content", []):
        yield from _all_nodes(child)


SAFE_ALPHABET = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters="\x1c\x1d\x1e\x85"
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(SAFE_ALPHABET, max_size=40), max_size=5).map("\n".join))
@example("marks")  # a word that is also an ADF key: text, not formatting
def test_any_escaped_text_round_trips_as_plain_paragraph_text(value):
    result = markup_to_adf(escape_markup(value))
    assert_valid_adf(result)
    assert all(node["type"] == "paragraph" for node in result["content"])
    assert not any("marks" in node for node in _all_nodes(result))
    expected = "\n".join(" ".join(line.split()) for line in value.split("\n") if line.strip())
    assert adf_to_text(result) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("#->*`[]()\\ \n1.!_xhttps:/")), max_size=60))
def test_any_markup_converts_to_valid_adf(value):
    assert_valid_adf(markup_to_adf(value))
