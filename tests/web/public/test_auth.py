"""Signing in and out, in French or English."""

from __future__ import annotations

from django.test import Client

from tests import factories


def test_sign_in_page_is_french_by_default_and_english_on_request(db):
    page = Client().get("/connexion/")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.content.decode()
    english = Client(headers={"Accept-Language": "en"}).get("/connexion/")
    assert '<html lang="en">' in english.content.decode()
    assert "Sign in" in english.content.decode()


def test_sign_in_rotates_the_session_and_lands_on_the_portal(contact):
    client = Client()
    anonymous_session = client.session
    anonymous_session["seen"] = True
    anonymous_session.save()
    before = client.cookies["sessionid"].value
    r = client.post("/connexion/", {"username": contact.username, "password": factories.PASSWORD})
    assert r.status_code == 302
    assert client.cookies["sessionid"].value != before
    assert client.get("/", follow=True).request["PATH_INFO"] == "/portail/"


def test_wrong_password_shows_a_form_error(contact):
    r = Client().post("/connexion/", {"username": contact.username, "password": "faux"})
    assert r.status_code == 200
    assert "errors" in r.content.decode()


def test_language_switch_to_english(portal):
    r = portal.post("/langue/", {"language": "en", "next": "/portail/"})
    assert r.status_code == 302
    assert '<html lang="en">' in portal.get("/portail/").content.decode()
