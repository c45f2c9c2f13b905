"""A real browser (Debian's headless Chromium) opens /preview/zendesk against a running sidecar.

The sidecar runs as the demo runs it (tests/browser/conftest.py). The test picks the refund ticket, checks
the score and reasons render in the app, clicks Escalate, confirms the preview, and waits for the Jira key.
It saves a screenshot to test-artifacts/zendesk-preview-escalated.png.
"""
from __future__ import annotations

from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_the_preview_assesses_a_demo_ticket_and_escalates_it(sidecar, browser):
    browser.get(f"{sidecar}/preview/zendesk?ticket=48213")
    wait = WebDriverWait(browser, 30)
    wait.until(ready.frame_to_be_available_and_switch_to_it((By.CSS_SELECTOR, "[data-test=app-frame]")))

    score = wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, "[data-test=score]")))
    assert float(score.get_attribute("data-score")) > 0.8
    level = browser.find_element(By.CSS_SELECTOR, "[data-test=level]").get_attribute("data-level")
    assert level in ("high", "critical")
    reasons = browser.find_elements(By.CSS_SELECTOR, "[data-test=reasons] li")
    # Each reason with its quoted evidence: the customer asked for a person, in their own words.
    assert any("person" in r.text and 'comment 3 (customer): "Can I speak to someone' in r.text for r in reasons)

    browser.find_element(By.CSS_SELECTOR, "[data-test=escalate]").click()
    summary = wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, "[data-test=preview-summary]")))
    assert "Charged twice" in summary.get_attribute("value")
    browser.find_element(By.CSS_SELECTOR, "[data-test=preview-note]").send_keys("Finance approved the refund.")
    browser.find_element(By.CSS_SELECTOR, "[data-test=confirm-escalate]").click()

    key = wait.until(lambda driver: _text(driver, "[data-test=jira-key]").startswith("DRYRUN-")
                     and _text(driver, "[data-test=jira-key]"))
    assert key.startswith("DRYRUN-")
    wait.until(lambda driver: "dry_run" in _text(driver, "[data-test=steps]").lower().replace("-", "_")
               or "dry run" in _text(driver, "[data-test=steps]").lower())

    browser.switch_to.default_content()
    wait.until(lambda driver: key in _text(driver, "[data-test=planned-status]"))
    planned = _text(browser, "[data-test=planned-requests]")
    assert "POST /rest/api/3/issue" in planned and "/chat.postMessage" in planned
    ARTIFACTS.mkdir(exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, max(1100, min(int(height), 4000)))  # the whole page: ticket, app and planned writes
    browser.save_screenshot(str(ARTIFACTS / "zendesk-preview-escalated.png"))


def _text(driver, selector: str) -> str:
    # The app re-renders while it polls: an element found a moment ago may be gone when read, which
    # counts as "not there yet" for the waits that call this.
    try:
        found = driver.find_elements(By.CSS_SELECTOR, selector)
        return found[0].text.strip() if found else ""
    except StaleElementReferenceException:
        return ""
