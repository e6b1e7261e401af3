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


def test_a_technician_refused_a_setting_is_told_so_where_the_refusal_sends_them(tech1):
    web = signed_in(tech1)
    r = web.get("/console/reglages/calendriers/", follow=True)
    assert r.redirect_chain == [("/console/", 302)]
    assert "Seul un gestionnaire du soutien peut modifier ces réglages." in r.content.decode()
    r = web.get("/console/courriel/boites/nouvelle/")
    assert r["Location"] == "/console/courriel/"


def test_client_administrator_pages_are_404_for_other_clients_and_send_staff_away(
    contact, client_admin, tech1
):
    assert signed_in(contact).get("/portail/releve/").status_code == 404
    assert signed_in(client_admin).get("/portail/releve/").status_code == 200
    assert signed_in(tech1).get("/portail/releve/")["Location"] == "/console/"
