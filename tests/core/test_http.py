"""The client's address, past trusted proxies, and the unit a limit counts."""

from __future__ import annotations

from django.test import RequestFactory

from soutien.core.http import address_group, client_address


def test_without_proxies_the_peer_is_the_client(settings):
    settings.SOUTIEN_TRUSTED_PROXIES = 0
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert client_address(request) == "192.0.2.1"


def test_with_two_proxies_the_client_is_two_hops_from_the_right(settings):
    settings.SOUTIEN_TRUSTED_PROXIES = 2
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4, 10.0.0.1"
    )
    assert client_address(request) == "198.51.100.4"


def test_ipv6_clients_are_counted_by_their_64_network():
    assert address_group("2001:db8:1:2:aaaa::1") == address_group("2001:db8:1:2:bbbb::9")
    assert address_group("2001:db8:1:2::1") != address_group("2001:db8:1:3::1")
    assert address_group("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_group("192.0.2.1") == "192.0.2.1"
    assert address_group("") == "unknown"
