"""The browser tests' Chromium: Debian's headless build driven by Selenium, and where screenshots go."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture
def browser():
    """Debian's Chromium, headless, through its chromedriver (a test tool's own browser download does not work here)."""
    for binary in (CHROMIUM, CHROMEDRIVER):
        assert Path(binary).exists(), (f"{binary} is missing: install Debian's packages "
                                       "(apt-get install -y chromium chromium-driver; `make test` does)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--window-size=1400,1100", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
