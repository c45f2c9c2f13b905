"""The analytics page: the summary's figures and the chart data embedded as JSON, a bad range refused in words."""
from __future__ import annotations

import json
import re

from sidecar.demo import demo_tickets


def _chart_data(text: str) -> dict:
    found = re.search(r'<script type="application/json" id="analytics-data">(.*?)</script>', text, re.S)
    assert found, "the page embeds no chart data"
    return json.loads(found.group(1))


def test_the_page_shows_the_figures_and_embeds_the_chart_data(console, client, scoped_token):
    _, agent = scoped_token("agent")
    for ticket in demo_tickets()[:3]:
        assert client.post("/v1/assessments", json={"ticket": ticket},
                           headers={"Authorization": f"Bearer {agent}"}).status_code == 201
    page = console.get("/admin/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'data-test="assessments-total">3<', text)
    data = _chart_data(text)
    assert data["interval"] == "day" and len(data["series"]["periods"]) == 30
    assert data["series"]["assessments"][-1] == 3
    levels = next(b for b in data["breakdowns"] if b["id"] == "by-level")
    assert [name for name, _ in levels["counts"]] == ["low", "medium", "high", "critical"]
    assert text.count('data-test="chart"') == 6 and "vendor/chartjs/chart.umd.min.js" in text
    assert "<table>" in text  # each chart has its numbers as a table too


def test_a_long_range_is_drawn_per_week(console):
    data = _chart_data(console.get("/admin/?from=2026-01-01&to=2026-06-30").get_data(as_text=True))
    assert data["interval"] == "week"


def test_a_bad_range_is_refused_in_words_and_the_default_shown(console):
    page = console.get("/admin/?from=2026-12-10&to=2026-12-01")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "is after `to`" in text
    assert len(_chart_data(text)["series"]["periods"]) == 30
    assert "is not a date" in console.get("/admin/?from=yesterday").get_data(as_text=True)


def test_the_vendored_chart_library_is_served_offline(console):
    answer = console.get("/admin/static/vendor/chartjs/chart.umd.min.js")
    assert answer.status_code == 200 and b"Chart.js v4" in answer.data
    answer.close()
