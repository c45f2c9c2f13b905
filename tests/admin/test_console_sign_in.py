"""Signing in to /admin: admin tokens only, the cookie's flags, revocation, CSRF, security headers."""
from __future__ import annotations

import pytest

from sidecar.admin.console import COOKIE
from tests.admin.conftest import csrf_of, sign_in


def _cookie_header(response) -> str:
    return next(value for name, value in response.headers.items()
                if name == "Set-Cookie" and value.startswith(COOKIE + "="))


def test_the_installation_admin_token_signs_in(client, installation):
    answer = sign_in(client, installation["api_token"])
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/")
    page = client.get("/admin/directory")
    assert page.status_code == 200 and installation["id"] in page.get_data(as_text=True)
    assert installation["api_token"] not in page.get_data(as_text=True)
    assert installation["api_token"] not in _cookie_header(answer)


def test_a_scoped_admin_token_signs_in(client, scoped_token):
    _, token = scoped_token("admin")
    assert sign_in(client, token).status_code == 302
    assert client.get("/admin/queue").status_code == 200


@pytest.mark.parametrize("scope", ["agent", "read"])
def test_an_agent_or_read_token_is_refused_in_words(client, scoped_token, scope):
    _, token = scoped_token(scope)
    answer = sign_in(client, token)
    assert answer.status_code == 403
    assert f"{scope}-scope token; the console needs an admin-scope token" in answer.get_data(as_text=True)
    assert client.get("/admin/queue").status_code == 302  # still signed out


def test_an_unknown_token_is_refused(client):
    answer = sign_in(client, "not-a-token")
    assert answer.status_code == 401 and "not valid" in answer.get_data(as_text=True)


def test_a_revoked_token_signs_the_console_out(client, scoped_token, installation):
    token_id, token = scoped_token("admin")
    sign_in(client, token)
    assert client.get("/admin/queue").status_code == 200
    client.delete(f"/v1/tokens/{token_id}", headers={"Authorization": f"Bearer {installation['api_token']}"})
    answer = client.get("/admin/queue")
    assert answer.status_code == 302 and "/admin/sign-in" in answer.headers["Location"]
    assert "revoked" in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_the_cookie_is_httponly_lax_and_not_secure_on_loopback(client, installation):
    for host in ("http://127.0.0.1:5000", "http://localhost", "http://[::1]:5000"):
        header = _cookie_header(sign_in(client, installation["api_token"], base_url=host))
        assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/admin" in header
        assert "Secure" not in header, host


def test_the_cookie_is_secure_on_any_other_host(client, installation):
    header = _cookie_header(sign_in(client, installation["api_token"], base_url="https://sidecar.example.com"))
    assert "Secure" in header and "HttpOnly" in header


def test_a_post_without_the_csrf_token_is_refused(console):
    for data in ({}, {"csrf_token": "forged"}):
        answer = console.post("/admin/directory/teams", data={**data, "name": "Billing"})
        assert answer.status_code == 403
        assert "out of date or did not come from the console" in answer.get_data(as_text=True)
    assert "Billing" not in console.get("/admin/directory").get_data(as_text=True)


def test_the_sign_in_form_needs_its_csrf_token_too(client, installation):
    client.get("/admin/sign-in")
    answer = client.post("/admin/sign-in", data={"token": installation["api_token"]})
    assert answer.status_code == 403


def test_sign_out_ends_the_session(console):
    answer = console.post("/admin/sign-out", data={"csrf_token": console.csrf})
    assert answer.status_code == 302
    assert console.get("/admin/queue").status_code == 302


def test_a_forged_cookie_is_a_signed_out_visitor(client):
    client.set_cookie(COOKIE, "forged", domain="localhost", path="/admin")
    assert client.get("/admin/queue").status_code == 302


def test_pages_carry_the_security_headers(console):
    answer = console.get("/admin/directory")
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Referrer-Policy"] == "same-origin"
    assert "<script>" not in answer.get_data(as_text=True)  # only <script src> and JSON data blocks


def test_bearer_tokens_do_not_open_the_console(client, installation):
    answer = client.get("/admin/queue", headers={"Authorization": f"Bearer {installation['api_token']}"})
    assert answer.status_code == 302


def test_the_sign_in_page_renders_with_a_csrf_field(client):
    page = client.get("/admin/sign-in")
    assert page.status_code == 200 and 'name="token"' in page.get_data(as_text=True) and csrf_of(page)
