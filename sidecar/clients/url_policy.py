"""Where the sidecar may send credentials: the outbound URL policy, in one place.

Every URL an admin sets (Jira, Zendesk, Salesforce, Slack, the LLM) must be https and must not point at
this machine or its network. Refused always: link-local addresses (169.254.0.0/16, fe80::/10), cloud
metadata endpoints (169.254.169.254, fd00:ec2::254, ...), unspecified (0.0.0.0, ::), multicast and
reserved addresses. Refused unless `SIDECAR_ALLOW_PRIVATE_URLS=true`: loopback and private ranges
(127/8, ::1, 10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10); with the switch these may also be
reached over plain http (tests, the demo, an on-premise Jira). Every other address must be https.

A host is judged by every address it resolves to (`socket.getaddrinfo`), and IP literals in any
spelling the C library accepts (`2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`) or wrapped in IPv6
(`::ffff:127.0.0.1`, NAT64 `64:ff9b::7f00:1`, 6to4) are read as the address they mean.

The check runs when a URL is saved (`check_outbound_url` in `services.connections.configure`) and again
when the clients connect (`ApiSession` in `clients.base`), because DNS can change in between:
before each request and each redirect, and once more on the connected socket's peer address, so a name
that re-resolves between the two (DNS rebinding) is caught before a byte is sent.

A name that does not resolve is accepted. At save time the sidecar may not see the host's DNS (a
proxy-only network, a name created later), and the connect-time check judges it when it is used;
at connect time the request either fails to resolve as well (a transient error, retried) or resolves
and its socket is checked.
"""
from __future__ import annotations

import ipaddress
import re
import socket
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from sidecar.config import allow_private_urls_from_env

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list[Any]]

SWITCH = "SIDECAR_ALLOW_PRIVATE_URLS"

# Cloud instance metadata and platform endpoints: they hand out the machine's own cloud credentials.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254",  # AWS, GCP, Azure, Oracle, OpenStack, DigitalOcean
    "169.254.170.2",  # AWS ECS task metadata
    "fd00:ec2::254",  # AWS IPv6 metadata
    "100.100.100.200",  # Alibaba Cloud
    "168.63.129.16",  # Azure WireServer (a public address reachable only from inside Azure)
))
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: private in practice
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NUMERIC_PART = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")

# What kind of address, and whether the switch may allow it.
_ALWAYS = "always"
_SWITCH = "switch"


class OutboundUrlError(ValueError):
    """A URL the sidecar refuses to send requests (and credentials) to; the message says why."""


def check_outbound_url(url: str, *, allow_private: bool, resolve: Resolver | None = None) -> None:
    """Raise OutboundUrlError naming the problem unless `url` may receive the sidecar's requests."""
    text = str(url)
    if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in text):
        raise OutboundUrlError("must not contain spaces, control characters or backslashes")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise OutboundUrlError("must be an https URL")
    try:
        host = parts.hostname
        port = parts.port
    except ValueError:  # a port that is not a number, or out of range
        raise OutboundUrlError("has an invalid port") from None
    if not host:
        raise OutboundUrlError("must name a host")
    if "%" in host:
        raise OutboundUrlError("must not percent-encode its host")
    literal = ip_literal(host)
    if literal is not None:
        check_address(literal, allow_private=allow_private, https=scheme == "https", shown=host)
        return
    if _looks_numeric(host):
        # All digits and dots (or 0x parts) but no address inet_aton would read: no such host exists,
        # and resolvers disagree about such names, so it is refused rather than guessed at.
        raise OutboundUrlError(f"{host} is not a valid IP address or host name")
    name = host.rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):  # RFC 6761: always this machine
        check_address(ipaddress.ip_address("127.0.0.1"), allow_private=allow_private,
                      https=scheme == "https", shown=host)
        return
    addresses = resolve_host(host, port or (443 if scheme == "https" else 80), resolve=resolve)
    if not addresses:
        # Unresolvable: accepted (see the module docstring); only https is accepted without the switch,
        # since there is no private address to excuse plain http.
        if scheme != "https" and not allow_private:
            raise OutboundUrlError(_https_reason())
        return
    for address in sorted(addresses, key=str):
        check_address(address, allow_private=allow_private, https=scheme == "https", shown=host)


def check_address(address: Address | str, *, allow_private: bool, https: bool = True,
                  shown: str | None = None) -> None:
    """Raise OutboundUrlError unless a request may go to this address (`shown` names the host it came from)."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    kind, severity = classify_address(ip)
    what = _where(shown, ip) + kind
    if severity == _ALWAYS:
        raise OutboundUrlError(f"{what}; never allowed, not even with {SWITCH}=true")
    if severity == _SWITCH:
        if not allow_private:
            raise OutboundUrlError(f"{what}; loopback and private addresses are allowed only with {SWITCH}=true")
        return  # with the switch: over http or https
    if not https:
        raise OutboundUrlError(_https_reason())


def classify_address(ip: Address) -> tuple[str, str | None]:
    """(what the address is, "always" | "switch" | None): refused always, allowed only with the switch, or public."""
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        kind, severity = classify_address(embedded)
        if isinstance(ip, ipaddress.IPv6Address) and (ip.ipv4_mapped or ip in _NAT64):
            # Mapped and NAT64 addresses are the IPv4 address they carry, nothing else.
            return (f"{kind} (as {embedded})" if severity else kind), severity
        if severity:  # 6to4 / Teredo: judged by the worse of the two
            return f"{kind} (as {embedded})", severity
    if ip in METADATA_ADDRESSES:
        return "a link-local/cloud-metadata address", _ALWAYS
    if ip.is_link_local:
        return "a link-local address", _ALWAYS
    if ip.is_unspecified:
        return "an unspecified address", _ALWAYS
    if ip.is_multicast:
        return "a multicast address", _ALWAYS
    if ip.is_loopback:  # before is_reserved: Python counts ::1 as reserved
        return "a loopback address", _SWITCH
    if ip.is_reserved:
        return "a reserved address", _ALWAYS
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "a private (shared, carrier-grade NAT) address", _SWITCH
    if ip.is_private or not ip.is_global:
        return "a private address", _SWITCH
    return "a public address", None


def ip_literal(host: str) -> Address | None:
    """The address an IP-literal host means (any inet_aton spelling, IPv6), or None for a name."""
    text = host.strip("[]").rstrip(".").lower()
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    return _inet_aton(text)


def resolve_host(host: str, port: int, *, resolve: Resolver | None = None) -> set[Address]:
    """Every address `host` resolves to; empty when it does not resolve."""
    try:
        infos = (resolve or socket.getaddrinfo)(host, port, type=socket.SOCK_STREAM)
    except UnicodeError:
        raise OutboundUrlError(f"{host} is not a valid host name") from None
    except OSError:  # gaierror: no such name, or no DNS right now
        return set()
    addresses: set[Address] = set()
    for info in infos:
        try:
            addresses.add(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
        except ValueError:
            continue
    return addresses


def private_urls_allowed(explicit: bool | None = None) -> bool:
    """The switch in effect: `explicit` when given, else the running app's Config, else the environment.

    Code that holds a Config passes `config.allow_private_urls`. Services called from the HTTP API
    are not handed the Config, so they read the current Flask app's (tests build apps with
    `testing_config`, which allows private URLs); code with neither (a Worker built without the
    setting, import commands) reads SIDECAR_ALLOW_PRIVATE_URLS, the same variable Config reads.
    """
    if explicit is not None:
        return bool(explicit)
    flask = sys.modules.get("flask")  # never import Flask just to ask
    if flask is not None and flask.has_app_context():
        config = getattr(flask.current_app.extensions.get("sidecar"), "config", None)
        if config is not None:
            return bool(config.allow_private_urls)
    return allow_private_urls_from_env()


def _where(shown: str | None, ip: Address) -> str:
    """The start of a refusal: "resolves to 10.0.0.1, ", "2130706433 is 127.0.0.1, ", "127.0.0.1 is "."""
    if shown is None:
        return f"connects to {ip}, "
    literal = shown.strip("[]").rstrip(".")
    try:
        ipaddress.ip_address(literal)
        return f"{literal} is "  # a standard spelling says what it is
    except ValueError:
        pass
    if ip_literal(shown) is not None:
        return f"{literal} is {ip}, "  # 2130706433, 0x7f000001, 127.1: say which address it means
    return f"resolves to {ip}, "


def _https_reason() -> str:
    return f"must be https (plain http is allowed only for loopback and private hosts, with {SWITCH}=true)"


def _embedded_ipv4(ip: Address) -> ipaddress.IPv4Address | None:
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def _inet_aton(text: str) -> ipaddress.IPv4Address | None:
    """IPv4 as the C library reads it: 1 to 4 parts, each decimal, 0x hex or 0-prefixed octal."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMERIC_PART.match(part) for part in parts):
        return None
    values = []
    for part in parts:
        try:
            if part.startswith("0x"):
                values.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part.startswith("0"):
                values.append(int(part, 8))
            else:
                values.append(int(part))
        except ValueError:  # 08, 09: not octal
            return None
    *head, last = values
    if any(value > 255 for value in head) or last >= 256 ** (4 - len(head)):
        return None
    number = 0
    for value in head:
        number = number * 256 + value
    return ipaddress.IPv4Address(number * 256 ** (4 - len(head)) + last)


def _looks_numeric(host: str) -> bool:
    labels = [label for label in host.rstrip(".").split(".") if label]
    # A real host name never ends in an all-numeric label (no top-level domain is numeric).
    return bool(labels) and bool(_NUMERIC_PART.match(labels[-1]))
