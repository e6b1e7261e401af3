"""Facts about an HTTP request every layer may need: who is asking, from where."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address of the client, past the trusted proxies in front of the service.

    `SOUTIEN_TRUSTED_PROXIES` says how many proxies add themselves to X-Forwarded-For; the
    address that many places from its right is the client's. With none, the peer's address.
    """
    proxies = int(getattr(settings, "SOUTIEN_TRUSTED_PROXIES", 0))
    address = str(request.META.get("REMOTE_ADDR", ""))
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            address = hops[-proxies]
    return address[:64]


def address_group(address: str) -> str:
    """The unit a limit counts: an IPv4 address, or the /64 network of an IPv6 one.

    One IPv6 client usually holds a whole /64 and could change address at every request.
    """
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
