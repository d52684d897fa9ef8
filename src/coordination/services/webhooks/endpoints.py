"""Where a webhook may point: the deployment's allow-list (`COORDINATION_WEBHOOK_HOSTS`).

An entry is a host name, which allows HTTPS to that host on any port (`*.example.de`:
to its subdomains), or an origin (`http://127.0.0.1:9000`), which allows exactly that
scheme, host and port. A host allowed by name must also resolve to public addresses
only when a delivery goes out, so a name cannot be pointed at the service's own
network later (DNS rebinding); an origin is the operator's explicit choice."""

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


class EndpointRefused(ValueError):
    """The URL is not one a webhook may point to."""


def check_endpoint(url: str, allowed: list[str]) -> bool:
    """Whether `url` is allowed; True when allowed as an exact origin (no address check
    needed), False when allowed by host name. Raises EndpointRefused otherwise."""
    parts = _parts(url)
    origin = f"{parts.scheme}://{parts.hostname}:{_port(parts)}"
    for entry in allowed:
        if "://" in entry:
            allowed_parts = _parts(entry)
            if (
                origin
                == f"{allowed_parts.scheme}://{allowed_parts.hostname}:{_port(allowed_parts)}"
            ):
                return True
        elif parts.scheme == "https" and _host_matches(parts.hostname or "", entry.lower()):
            return False
    msg = f"{parts.scheme}://{parts.hostname} is not on this deployment's list of webhook hosts"
    raise EndpointRefused(msg)


def check_addresses(url: str) -> None:
    """Refuses a host that resolves to an address that is not public (loopback, private,
    link-local, reserved)."""
    parts = _parts(url)
    try:
        found = socket.getaddrinfo(parts.hostname, _port(parts), proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise EndpointRefused(f"{parts.hostname} does not resolve") from error
    for *_, address in found:
        if not ipaddress.ip_address(address[0]).is_global:
            raise EndpointRefused(f"{parts.hostname} resolves to a non-public address")


def _parts(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError as error:
        raise EndpointRefused("not a URL") from error
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise EndpointRefused("a webhook URL is https:// (or an allowed http:// origin)")
    if parts.username or parts.password or parts.fragment:
        raise EndpointRefused("a webhook URL carries no user, password or fragment")
    return parts


def _port(parts: SplitResult) -> int:
    return parts.port or DEFAULT_PORTS[parts.scheme]


def _host_matches(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern
