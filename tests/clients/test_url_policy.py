"""The outbound URL policy: what is refused, in every spelling, at save time and at connect time."""
from __future__ import annotations

import socket
import threading

import pytest
import responses

from sidecar.clients import url_policy
from sidecar.clients.base import ApiSession
from sidecar.clients.errors import OutboundUrlRefused
from sidecar.clients.jira import JiraClient
from sidecar.clients.url_policy import OutboundUrlError, check_outbound_url
from sidecar.jobs.worker import classify


def refusal(url: str, *, allow_private: bool = False, resolve=None) -> str | None:
    try:
        check_outbound_url(url, allow_private=allow_private, resolve=resolve)
    except OutboundUrlError as exc:
        return str(exc)
    return None


def resolver(table: dict[str, list[str]]):
    """A getaddrinfo stand-in: host -> addresses; unknown hosts do not resolve."""
    def resolve(host, port, type=0):  # noqa: A002 - getaddrinfo's own keyword
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in table[host]]
    return resolve


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/", "https://169.254.169.254/latest/meta-data/", "https://[fd00:ec2::254]/",
    "https://[::ffff:169.254.169.254]/", "https://[::ffff:a9fe:a9fe]/", "https://[64:ff9b::a9fe:a9fe]/",
    "https://2852039166/", "https://0xa9fea9fe/", "https://0251.0376.0251.0376/", "https://169.254.43518/",
    "https://169.254.1.1/", "https://[fe80::1]/", "https://0.0.0.0/", "https://[::]/", "https://224.0.0.1/",
    "https://240.0.0.1/", "https://100.100.100.200/", "https://168.63.129.16/",
])
def test_link_local_metadata_and_unroutable_addresses_are_refused_even_with_the_switch(url):
    for allow_private in (False, True):
        reason = refusal(url, allow_private=allow_private)
        assert reason is not None and "never allowed" in reason, (url, allow_private, reason)


@pytest.mark.parametrize("url, address", [
    ("http://2130706433/", "127.0.0.1"), ("http://0x7f000001/", "127.0.0.1"), ("http://0177.0.0.1/", "127.0.0.1"),
    ("http://127.1/", "127.0.0.1"), ("http://0x7f.1/", "127.0.0.1"), ("http://[::ffff:127.0.0.1]/", "127.0.0.1"),
    ("https://127.0.0.1:8443/", "127.0.0.1"), ("https://[::1]/", "::1"), ("https://10.0.0.8/", "10.0.0.8"),
    ("https://172.16.5.4/", "172.16.5.4"), ("https://192.168.1.10/", "192.168.1.10"),
    ("https://[fd12::1]/", "fd12::1"), ("https://100.64.0.1/", "100.64.0.1"),
    ("https://localhost/", "127.0.0.1"), ("https://jira.localhost/", "127.0.0.1"),
])
def test_loopback_and_private_addresses_need_the_switch(url, address):
    reason = refusal(url)
    assert reason is not None and address in reason and "SIDECAR_ALLOW_PRIVATE_URLS=true" in reason
    assert refusal(url, allow_private=True) is None  # over http or https


def test_the_refusal_says_which_address_an_unusual_spelling_means():
    assert refusal("http://2130706433/").startswith("2130706433 is 127.0.0.1, a loopback address")
    assert refusal("http://169.254.169.254/").startswith("169.254.169.254 is a link-local/cloud-metadata address")


def test_https_is_required_except_for_private_hosts_with_the_switch():
    public = resolver({"jira.acme.example": ["93.184.216.34"], "jira.corp.example": ["10.1.2.3"]})
    assert refusal("https://jira.acme.example/", resolve=public) is None
    assert "must be https" in refusal("http://jira.acme.example/", resolve=public)
    assert "must be https" in refusal("http://jira.acme.example/", allow_private=True, resolve=public)
    assert refusal("http://jira.corp.example/", allow_private=True, resolve=public) is None
    assert "must be https" in refusal("http://8.8.8.8/", allow_private=True)
    assert "https" in refusal("ftp://jira.acme.example/")


def test_every_address_a_name_resolves_to_is_checked():
    mixed = resolver({"jira.acme.example": ["93.184.216.34", "169.254.169.254"],
                      "v6.acme.example": ["2606:4700::1111", "::ffff:127.0.0.1"]})
    assert "resolves to 169.254.169.254" in refusal("https://jira.acme.example/", allow_private=True, resolve=mixed)
    assert "a loopback address (as 127.0.0.1)" in refusal("https://v6.acme.example/", resolve=mixed)


def test_a_name_that_does_not_resolve_is_accepted_over_https():
    nothing = resolver({})
    assert refusal("https://acme.zendesk.com/", resolve=nothing) is None
    assert "must be https" in refusal("http://acme.zendesk.com/", resolve=nothing)


def test_malformed_hosts_are_refused():
    assert "not a valid" in refusal("https://1.2.3.4.5/")
    assert "not a valid" in refusal("https://999.1.1.1/")
    assert "backslash" in refusal("https://169.254.169.254\\@acme.atlassian.net/")
    assert "percent" in refusal("https://127.0.0.1%2e/")
    assert "port" in refusal("https://acme.atlassian.net:99999/")


# --- at connect time ------------------------------------------------------------------------------


def test_a_host_that_now_resolves_to_metadata_is_refused_before_anything_is_sent(monkeypatch):
    # Saved while it pointed elsewhere; its DNS has changed since.
    monkeypatch.setattr(url_policy.socket, "getaddrinfo", resolver({"jira.acme.example": ["169.254.169.254"]}))
    client = JiraClient("https://jira.acme.example", email="bot@acme.example", api_token="tok-123456")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
        http.get("https://jira.acme.example/rest/api/3/myself", json={"accountId": "x"})
        with pytest.raises(OutboundUrlRefused) as caught:
            client.myself()
        assert len(http.calls) == 0
    error = caught.value
    assert not error.transient and error.code == "outbound_url_refused"
    assert "169.254.169.254" in error.message and "jira.acme.example" in error.message
    permanent, _, message = classify(error)  # the outbox parks the job as dead, with the reason
    assert permanent and "link-local/cloud-metadata" in message


def test_a_redirect_to_a_private_address_is_refused():
    session = ApiSession("https://jira.acme.example", service="Jira")
    with responses.RequestsMock() as http:
        http.get("https://jira.acme.example/rest/api/3/myself", status=302,
                 headers={"Location": "http://169.254.169.254/latest/meta-data/iam/"})
        with pytest.raises(OutboundUrlRefused, match="169.254.169.254"):
            session.get("/rest/api/3/myself")
        assert [call.request.url for call in http.calls] == ["https://jira.acme.example/rest/api/3/myself"]


def test_the_switch_lets_a_local_fake_through_at_connect_time():
    with responses.RequestsMock() as http:
        http.get("http://127.0.0.1:8089/jira/rest/api/3/myself", json={"accountId": "x"})
        client = JiraClient("http://127.0.0.1:8089/jira", email="e@x.example", api_token="tok-123456",
                            allow_private=True)
        assert client.myself() == {"accountId": "x"}
        with pytest.raises(OutboundUrlRefused, match="loopback"):
            JiraClient("http://127.0.0.1:8089/jira", email="e@x.example", api_token="tok-123456").myself()
        assert len(http.calls) == 1


def test_the_connected_socket_is_checked_too_dns_rebinding(monkeypatch):
    """The name passes the check as a public address, then resolves to 127.0.0.1 when urllib3 connects."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    received: list[bytes] = []

    def serve():
        try:
            connection, _ = server.accept()
        except OSError:
            return
        connection.settimeout(2)
        try:
            received.append(connection.recv(1024))
        except OSError:
            pass
        connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    real_getaddrinfo = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        return real_getaddrinfo("127.0.0.1" if host == "rebind.example" else host, *args, **kwargs)

    monkeypatch.setattr(url_policy, "resolve_host", lambda host, port, resolve=None: {
        url_policy.ipaddress.ip_address("93.184.216.34")})
    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    session = ApiSession(f"https://rebind.example:{port}", service="Jira", timeout=(2, 2))
    try:
        with pytest.raises(OutboundUrlRefused, match="connects to 127.0.0.1, a loopback address"):
            session.get("/rest/api/3/myself")
    finally:
        server.close()
        thread.join(3)
    assert received in ([], [b""])  # the socket was closed before TLS: not a byte was sent
