"""Headless Chromium opens /preview/zendesk/nav_bar: the Zendesk app's analytics dashboard in the nav bar.

The demo is served as `sidecar demo` serves it (tests/browser/conftest.py). Through the HTTP API, as the
sidebar would, the test assesses four demo tickets, escalates two and rates one assessment right and one
wrong, and the expert acknowledges one escalation (the service a Slack button calls). Then it opens the
nav bar page as an admin, waits until every chart is drawn (pixels on each canvas), checks each headline
number against GET /v1/analytics/summary, and saves test-artifacts/zendesk-nav-bar-dashboard.png. As an
agent, the page says the dashboard is for admins and asks the sidecar nothing (zendesk-nav-bar-agent.png).
"""
from __future__ import annotations

import json
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

from sidecar.demo import demo_tickets
from sidecar.services.lifecycle import acknowledge
from sidecar.store.models import Escalation

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHARTS = ("activity", "timing", "by_level", "by_status", "by_category", "by_team")
# How many pixels of a canvas are painted (not transparent, not white): 0 for a blank canvas.
PAINTED_PIXELS = """
const canvas = document.querySelector(`figure[data-chart="${arguments[0]}"] canvas`);
if (!canvas || !canvas.width || !canvas.height) return 0;
const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
let painted = 0;
for (let i = 0; i < data.length; i += 4) {
  if (data[i + 3] > 0 && (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250)) painted += 1;
}
return painted;
"""


def _call(base: str, token: str, path: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(base + path, method="POST" if body is not None else "GET",
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _demo_activity(app, base: str, token: str) -> None:
    """The acceptance's demo: assess 4 tickets, escalate 2, rate one right and one wrong; acknowledge one."""
    tickets = demo_tickets()[:4]
    assessments = [_call(base, token, "/v1/assessments", {"ticket": ticket}) for ticket in tickets]
    escalations = [_call(base, token, "/v1/escalations", {"ticket": ticket}) for ticket in tickets[:2]]
    for assessment, rating in zip(assessments, ("right", "wrong"), strict=False):
        _call(base, token, f"/v1/assessments/{assessment['id']}/feedback", {"rating": rating})
    with app.extensions["sidecar"].database.session() as session:
        escalation = session.get(Escalation, escalations[0]["id"])
        # As if Ana took seven minutes to press Acknowledge in Slack (within the 30-minute SLA).
        escalation.created_at -= timedelta(minutes=7)
        acknowledge(session, escalation, who="Ana Ruiz", user_id="U01ANA")


def _expected_figures(summary: dict[str, Any]) -> dict[str, float | None]:
    ack = summary["time_to_acknowledge_seconds"]
    return {
        "assessments": summary["assessments"]["total"], "escalations": summary["escalations"]["total"],
        "ack_p50": ack["p50"], "ack_p90": ack["p90"], "resolve_p50": summary["time_to_resolve_seconds"]["p50"],
        "sla_breaches": summary["ack_sla_breaches"], "feedback_right": summary["feedback"]["right"],
        "feedback_wrong": summary["feedback"]["wrong"], "expert_kept": summary["suggested_expert_kept_rate"],
        "dead_jobs": summary["delivery"]["dead_jobs"],
    }


def test_the_nav_bar_dashboard_draws_the_demo_analytics_for_an_admin(app, demo_server, browser):
    token = demo_server.demo["agent_token"]  # the token the preview's stub sends, as the sidebar's JWT would
    _demo_activity(app, demo_server.url, token)
    summary = _call(demo_server.url, token, "/v1/analytics/summary")
    assert summary["escalations"]["total"] >= 2 and summary["feedback"]["right"] >= 1
    assert summary["time_to_acknowledge_seconds"]["count"] == 1 and summary["time_to_acknowledge_seconds"]["p50"] >= 420

    browser.set_window_size(1400, 1800)
    browser.get(f"{demo_server.url}/preview/zendesk/nav_bar")
    wait = WebDriverWait(browser, 30)
    assert "admin" in browser.find_element(By.CSS_SELECTOR, "[data-test=preview-user]").text
    wait.until(ready.frame_to_be_available_and_switch_to_it((By.CSS_SELECTOR, "[data-test=app-frame]")))
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, "[data-test=chart-canvas]")) == len(CHARTS))
    painted = {chart: wait.until(lambda driver, chart=chart: driver.execute_script(PAINTED_PIXELS, chart))
               for chart in CHARTS}
    assert all(count > 200 for count in painted.values()), painted

    shown = {element.get_attribute("data-figure"): element
             for element in browser.find_elements(By.CSS_SELECTOR, "[data-test=figure]")}
    for figure, expected in _expected_figures(summary).items():
        value = shown[figure].find_element(By.CSS_SELECTOR, "[data-test=figure-value]")
        raw = value.get_attribute("data-value")
        if expected is None:
            assert raw == "" and value.text == "no data", figure
        else:
            assert float(raw) == float(expected), figure
    assert shown["assessments"].find_element(By.CSS_SELECTOR, "[data-test=figure-value]").text == \
        str(summary["assessments"]["total"])
    # The same numbers as words, for anyone who cannot see the chart.
    level_table = browser.find_element(By.CSS_SELECTOR, 'figure[data-chart="by_level"] table')
    rows = level_table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [int(row.find_element(By.CSS_SELECTOR, "td").get_attribute("textContent")) for row in rows] == \
        [summary["assessments"]["by_level"][level] for level in ("low", "medium", "high", "critical")]
    label = browser.find_element(By.CSS_SELECTOR, 'figure[data-chart="activity"] canvas').get_attribute("aria-label")
    assert f"Escalations: {summary['escalations']['total']} in total" in label

    browser.switch_to.default_content()
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "zendesk-nav-bar-dashboard.png"))

    # Per week: the admin picks the interval and presses Show; the charts are drawn again from the API.
    browser.switch_to.frame(browser.find_element(By.CSS_SELECTOR, "[data-test=app-frame]"))
    Select(browser.find_element(By.CSS_SELECTOR, "[data-test=interval]")).select_by_value("week")
    browser.find_element(By.CSS_SELECTOR, "[data-test=show]").click()
    weekly = WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,))
    weekly.until(lambda driver: "per week" in driver.find_element(By.ID, "chart-activity").text)
    assert wait.until(lambda driver: driver.execute_script(PAINTED_PIXELS, "activity")) > 200


def test_agents_are_told_the_dashboard_is_for_admins(demo_server, browser):
    browser.get(f"{demo_server.url}/preview/zendesk/nav_bar?role=agent")
    wait = WebDriverWait(browser, 30)
    wait.until(ready.frame_to_be_available_and_switch_to_it((By.CSS_SELECTOR, "[data-test=app-frame]")))
    note = wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, "[data-test=admin-only]")))
    assert "for Zendesk admins" in note.text
    assert browser.find_elements(By.CSS_SELECTOR, "[data-test=figures]") == []
    browser.switch_to.default_content()
    assert browser.execute_script("return window.__preview.calls()") == []
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "zendesk-nav-bar-agent.png"))
