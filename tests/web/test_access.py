"""Who may enter which site: sign-in first, then each person to their own site."""

from __future__ import annotations

from django.test import Client

from tests.web.helpers import signed_in


def test_clients_cannot_enter_the_console(contact):
    client = Client()
    client.force_login(contact)
    assert client.get("/console/")["Location"] == "/portail/"


def test_anonymous_visitors_are_sent_to_sign_in(db):
    r = Client().get("/portail/")
    assert r.status_code == 302
    assert r["Location"].startswith("/connexion/")


def test_staff_are_sent_to_the_console(tech1):
    client = Client()
    client.force_login(tech1)
    assert client.get("/portail/")["Location"] == "/console/"


def test_settings_are_for_managers_only(tech1):
    r = signed_in(tech1).get("/console/reglages/calendriers/")
    assert r.status_code == 302
