"""A real browser (Debian's headless Chromium) drives the admin console of a running sidecar on the demo data.

An agent-scope token is refused at sign-in; the admin token signs in. The analytics page draws its charts
(a canvas with coloured pixels); in the directory an expert is added and the expert the next Billing ticket
goes to is marked out of office, and the next route changes; in the queue a dead job is retried and shows
as queued. Screenshots go to test-artifacts/console-*.png.
"""
from __future__ import annotations

import threading

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from sidecar.demo import demo_tickets, set_up_demo
from sidecar.jobs.outbox import enqueue
from tests.browser.conftest import ARTIFACTS


@pytest.fixture
def console(app, box):
    """The demo installation, the app served on a free loopback port; (base URL, demo summary)."""
    with app.extensions["sidecar"].database.session() as session:
        demo = set_up_demo(session, box=box)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", demo
    finally:
        server.shutdown()


def _sign_in(driver, base: str, token: str) -> None:
    driver.get(f"{base}/admin/sign-in")
    field = driver.find_element(By.NAME, "token")
    field.clear()
    field.send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "[data-test=sign-in]").click()


def _shoot(driver, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for _ in range(2):  # the page may grow once the window is taller (charts are laid out again)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1366, max(768, min(int(height) + 160, 3200)))  # + the window's own frame
    driver.save_screenshot(str(ARTIFACTS / f"console-{name}.png"))
    driver.set_window_size(1366, 768)


def _detached(element):
    """Like expected_conditions.staleness_of, and mid-navigation chromedriver may instead answer "Node with
    given id does not belong to the document" (a WebDriverException): the node is gone either way."""
    def gone(_driver) -> bool:
        try:
            element.is_enabled()
        except WebDriverException:  # StaleElementReferenceException is one
            return True
        return False
    return gone


def _send(driver, wait: WebDriverWait, button) -> str:
    """Press a form's button and wait for the next page: its notice; its problems when it was refused."""
    page = driver.find_element(By.TAG_NAME, "html")
    button.click()
    # The page the button was on may show a notice of its own (the last save's): wait until it is gone.
    wait.until(_detached(page))
    shown = wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, "[data-test=notice], [data-test=errors]")))
    assert shown.get_attribute("data-test") == "notice", driver.find_element(By.CSS_SELECTOR, "[data-test=errors]").text
    return shown.text


def _next_route(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, "[data-test=next-route][data-team=Billing]").text


def test_the_console_signs_in_shows_charts_changes_the_directory_and_retries_a_dead_job(
        console, browser, app, box):
    base, demo = console
    browser.set_window_size(1366, 768)
    wait = WebDriverWait(browser, 20)

    _sign_in(browser, base, demo["agent_token"])
    refusal = wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, "[data-test=sign-in-error]")))
    assert "needs an admin-scope token" in refusal.text
    _shoot(browser, "sign-in-refused")

    _sign_in(browser, base, demo["api_token"])
    wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, "[data-test=sign-out]")))

    _analytics(browser, base, wait, app, demo)
    _directory(browser, base, wait)
    _queue(browser, base, wait, app, demo["id"])


def _analytics(browser, base: str, wait: WebDriverWait, app, demo: dict) -> None:
    """The demo's flow through the API (4 assessed, 2 escalated, rated), then its charts on the page."""
    client, agent = app.test_client(), {"Authorization": f"Bearer {demo['agent_token']}"}
    tickets = demo_tickets()[:4]
    made = [client.post("/v1/assessments", json={"ticket": ticket}, headers=agent).get_json() for ticket in tickets]
    for ticket in tickets[:2]:
        assert client.post("/v1/escalations", json={"ticket": ticket}, headers=agent).status_code == 202
    for assessment, rating in zip(made, ("right", "wrong"), strict=False):
        client.post(f"/v1/assessments/{assessment['id']}/feedback", json={"rating": rating}, headers=agent)

    browser.get(f"{base}/admin/")
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, "canvas[data-drawn=true]")) == 6)
    assert browser.find_element(By.CSS_SELECTOR, "[data-test=assessments-total]").text == "4"
    assert browser.find_element(By.CSS_SELECTOR, "[data-test=escalations-total]").text == "2"
    # The bars and lines are drawn: the canvas holds many pixels of the charts' own colours, not only axes.
    coloured = browser.execute_script(
        "const canvas = document.getElementById(arguments[0]);"
        "const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;"
        "let count = 0; for (let i = 0; i < pixels.length; i += 4) {"
        "  if (pixels[i + 3] > 0 && Math.abs(pixels[i] - pixels[i + 2]) > 60) count++; }"
        "return count;", "chart-by-level")
    assert coloured > 500, f"the level chart has {coloured} coloured pixels"
    logs = [entry for entry in browser.get_log("browser")
            if entry["level"] == "SEVERE" and entry["source"] != "network"]
    assert not logs, logs  # no script error, no Content-Security-Policy refusal
    _shoot(browser, "analytics")


def _directory(browser, base: str, wait: WebDriverWait) -> None:
    browser.get(f"{base}/admin/directory")
    before = _next_route(browser)
    assert before.startswith("Next ticket for Billing goes to ")
    chosen = before.removeprefix("Next ticket for Billing goes to ").split(" (")[0]

    form = browser.find_element(By.CSS_SELECTOR, "[data-test=add-expert]")
    form.find_element(By.NAME, "name").send_keys("Gia Rossi")
    form.find_element(By.NAME, "email").send_keys("gia.rossi@example.com")
    form.find_element(By.NAME, "slack_user_id").send_keys("U0GIA")
    _send(browser, wait, form.find_element(By.CSS_SELECTOR, "[data-test=save-new-expert]"))
    assert browser.find_elements(By.CSS_SELECTOR, "[data-test=expert][data-expert='Gia Rossi']")

    row = browser.find_element(By.CSS_SELECTOR, f"[data-test=expert][data-expert='{chosen}']")
    _send(browser, wait, row.find_element(By.CSS_SELECTOR, "[data-test=away]"))
    after = _next_route(browser)
    assert after != before and chosen not in after
    browser.find_element(By.CSS_SELECTOR, f"[data-test=expert][data-expert='{chosen}'] [data-test=back]")
    _shoot(browser, "directory")


def _queue(browser, base: str, wait: WebDriverWait, app, installation_id: str) -> None:
    with app.extensions["sidecar"].database.session() as session:
        job = enqueue(session, installation_id=installation_id, kind="escalation.slack_message", payload={})
        job.status, job.attempts, job.max_attempts = "dead", 8, 8
        job.last_error = "Slack refused the bot token: invalid_auth (reconnect Slack, then retry)"
        job_id = job.id
    browser.get(f"{base}/admin/queue?state=dead")
    row = browser.find_element(By.CSS_SELECTOR, f"[data-test=job][data-job='{job_id}']")
    assert "invalid_auth" in row.text and row.get_attribute("data-state") == "dead"
    _shoot(browser, "queue-dead")
    assert job_id in _send(browser, wait, row.find_element(By.CSS_SELECTOR, "[data-test=retry]"))
    browser.get(f"{base}/admin/queue")
    row = browser.find_element(By.CSS_SELECTOR, f"[data-test=job][data-job='{job_id}']")
    assert row.get_attribute("data-state") == "queued"
    _shoot(browser, "queue-retried")
