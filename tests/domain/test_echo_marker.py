"""The echo marker: one form, made, appended and recognised in one place."""
from __future__ import annotations

from sidecar.domain import marker


def test_marker_forms():
    assert marker.for_escalation("esc_1") == "[sidecar:esc_1]"
    assert marker.for_event("esc_1", "evt_9") == "[sidecar:esc_1:evt_9]"
    assert marker.for_suggestion("zendesk", "48213", 2) == "[sidecar:suggest:zendesk:48213:2]"
    assert marker.make("a", 1) == "[sidecar:a:1]"


def test_detect():
    assert marker.detect("Refund approved\n[sidecar:esc_1:evt_9]")
    assert not marker.detect("a customer mentions [escalation] in passing")
    assert not marker.detect(None) and not marker.detect("")


def test_marker_lines():
    assert marker.is_marker_line("  [sidecar:esc_1:evt_9] ")
    assert marker.is_marker_line("[Escalation esc_1]")
    assert not marker.is_marker_line("see [sidecar:esc_1] above")


def test_append_plain_text_once():
    assert marker.append("Note", "[sidecar:esc_1]") == "Note\n[sidecar:esc_1]"
    assert marker.append("Note\n[sidecar:esc_1]", "[sidecar:esc_1]") == "Note\n[sidecar:esc_1]"
    assert marker.append("Note", None) == "Note"


def test_append_adf_copies_the_document():
    document = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": []}]}
    small = marker.append_adf(document, "[sidecar:esc_1]")
    code = marker.append_adf(document, "[sidecar:esc_1]", style="code")
    assert len(document["content"]) == 1
    assert small["content"][-1]["content"][0] == {
        "type": "text", "text": "[sidecar:esc_1]", "marks": [{"type": "subsup", "attrs": {"type": "sub"}}]}
    assert code["content"][-1]["content"][0]["marks"] == [{"type": "code"}]
    assert small["version"] == 1
