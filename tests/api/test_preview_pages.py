"""The demo's preview pages: the sidebar's and the nav bar's host pages, and the app's pages with the stub SDK."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from sidecar import create_app
from sidecar.api.preview import STUB_URL, ZAF_SDK_URL


@pytest.fixture(scope="module")
def preview_client(config):
    """The app as `sidecar demo` builds it, with a preview installation and token."""
    app = create_app(dataclasses.replace(config, preview_installation_id="inst_demo", preview_token="sct_preview"))
    return app.test_client()


@pytest.mark.parametrize("path", ["/preview/zendesk", "/preview/zendesk/nav_bar"])
def test_the_host_pages_carry_the_demo_installation_and_token(preview_client, path):
    response = preview_client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '{"installation_id": "inst_demo", "token": "sct_preview"}' in page
    assert "__PREVIEW_SETTINGS__" not in page
    assert response.headers["Cache-Control"] == "no-store"


def test_the_nav_bar_page_plays_an_admin_and_shows_the_apps_icon(preview_client):
    page = preview_client.get("/preview/zendesk/nav_bar").get_data(as_text=True)
    assert "role: 'admin'" in page and "location: 'nav_bar'" in page
    assert "/preview/zendesk/app/assets/nav_bar.html" in page
    icon = preview_client.get("/preview/zendesk/app/assets/icon_nav_bar.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


@pytest.mark.parametrize("page", ["assets/iframe.html", "assets/nav_bar.html"])
def test_the_apps_pages_load_the_stub_instead_of_zendesks_sdk(preview_client, page):
    html = preview_client.get(f"/preview/zendesk/app/{page}").get_data(as_text=True)
    assert STUB_URL in html and ZAF_SDK_URL not in html


def test_the_dashboard_loads_chartjs_from_the_app_itself(preview_client):
    html = preview_client.get("/preview/zendesk/app/assets/nav_bar.html").get_data(as_text=True)
    assert '<script src="vendor/chartjs/chart.umd.js"></script>' in html
    chart = preview_client.get("/preview/zendesk/app/assets/vendor/chartjs/chart.umd.js")
    assert chart.status_code == 200 and chart.mimetype == "text/javascript"
    assert chart.get_data(as_text=True).startswith("/*!\n * Chart.js v4.6.2")


def test_the_dashboard_and_the_admin_console_draw_with_the_same_chartjs():
    root = Path(__file__).resolve().parents[2]
    copies = ("zendesk_app/assets/vendor/chartjs/chart.umd.js", "sidecar/admin/static/vendor/chartjs/chart.umd.min.js")
    banners = [(root / path).read_text(encoding="utf-8")[:40] for path in copies]
    versions = [re.search(r"Chart\.js v(\d+\.\d+\.\d+)", banner) for banner in banners]
    assert all(versions) and versions[0].group(1) == versions[1].group(1), banners
