"""Two-factor sign-in on the web (issue 17, done-when 4): the code after the password, set-up
in the console and the portal, required for managers and administrators."""

from __future__ import annotations

from django.test import Client

from soutien.accounts.models import User
from tests import factories
from tests.two_factor import code_for, turn_on
from tests.web.helpers import signed_in, text_of


def _password(client: Client, user: User, next_url: str = ""):
    data = {"username": user.username, "password": factories.PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/connexion/", data)


def test_with_two_factor_on_the_password_alone_does_not_sign_in(tech1):
    device, _codes = turn_on(tech1)
    client = Client()
    r = _password(client, tech1, "/console/")
    assert r.status_code == 302
    assert r["Location"] == "/connexion/code/"
    assert client.get("/console/")["Location"].startswith("/connexion/")
    wrong = client.post("/connexion/code/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "errors" in wrong.content.decode()
    assert client.get("/console/")["Location"].startswith("/connexion/")
    before = client.cookies["sessionid"].value
    r = client.post("/connexion/code/", {"code": code_for(device, steps_ahead=1)})
    assert r.status_code == 302
    assert r["Location"] == "/console/"
    assert client.cookies["sessionid"].value != before
    assert client.get("/console/").status_code == 200


def test_a_code_is_accepted_once(tech1):
    device, _codes = turn_on(tech1)
    code = code_for(device, steps_ahead=1)
    first = Client()
    _password(first, tech1)
    assert first.post("/connexion/code/", {"code": code}).status_code == 302
    second = Client()
    _password(second, tech1)
    assert second.post("/connexion/code/", {"code": code}).status_code == 200


def test_a_recovery_code_signs_in_once(contact):
    _device, codes = turn_on(contact)
    client = Client()
    _password(client, contact)
    assert client.post("/connexion/code/", {"code": codes[0].upper()}).status_code == 302
    again = Client()
    _password(again, contact)
    assert again.post("/connexion/code/", {"code": codes[0]}).status_code == 200
    assert again.post("/connexion/code/", {"code": codes[1]}).status_code == 302


def test_the_code_step_does_not_open_without_the_password(db):
    assert Client().get("/connexion/code/")["Location"] == "/connexion/"
    assert Client().post("/connexion/code/", {"code": "123456"})["Location"] == "/connexion/"


def test_failed_codes_count_in_the_throttle(tech1):
    turn_on(tech1)
    client = Client()
    _password(client, tech1)
    for _ in range(10):
        client.post("/connexion/code/", {"code": "000000"})
    r = client.post("/connexion/code/", {"code": "000000"})
    assert "Trop de tentatives" in text_of(r)


def test_signing_in_another_way_does_not_skip_the_code(tech1):
    """Django's admin form or any other login(): the person is signed out at the next page."""
    turn_on(tech1)
    client = signed_in(tech1)
    r = client.get("/console/")
    assert r.status_code == 302
    assert r["Location"] == "/connexion/"
    assert client.get("/console/")["Location"].startswith("/connexion/")


def test_a_manager_is_held_on_the_set_up_page_until_it_is_on(manager):
    client = Client()
    r = _password(client, manager, "/console/")
    assert r["Location"] == "/console/securite/"
    assert client.get("/console/")["Location"] == "/console/securite/"
    assert client.get("/console/organisations/")["Location"] == "/console/securite/"
    page = client.get("/console/securite/")
    assert "requires two-factor" in text_of(page) or "exige" in text_of(page)
    setup = client.post("/console/securite/", {"action": "start"})
    html = setup.content.decode()
    assert "<svg" in html
    assert "otpauth://totp/" in text_of(setup)
    device = manager.totpdevice_set.get(confirmed=False)
    done = client.post(
        "/console/securite/",
        {"action": "confirm", "device": device.pk, "code": code_for(device)},
    )
    assert done.status_code == 200
    assert len(done.context["recovery_codes"]) == 10
    assert client.get("/console/").status_code == 200


def test_a_wrong_code_at_set_up_keeps_it_off_and_shows_the_code_again(tech1):
    client = signed_in(tech1)
    client.post("/console/securite/", {"action": "start"})
    device = tech1.totpdevice_set.get()
    r = client.post("/console/securite/", {"action": "confirm", "device": device.pk, "code": "1"})
    assert r.status_code == 200
    assert "<svg" in r.content.decode()
    assert "errors" in r.content.decode()
    assert not tech1.totpdevice_set.filter(confirmed=True).exists()


def test_a_client_turns_it_on_in_the_portal_and_off_again(contact):
    client = signed_in(contact)
    assert client.get("/portail/securite/").status_code == 200
    client.post("/portail/securite/", {"action": "start"})
    device = contact.totpdevice_set.get()
    r = client.post(
        "/portail/securite/", {"action": "confirm", "device": device.pk, "code": code_for(device)}
    )
    assert len(r.context["recovery_codes"]) == 10
    off = client.post(
        "/portail/securite/", {"action": "disable", "code": code_for(device, steps_ahead=1)}
    )
    assert off.status_code == 302
    assert not contact.totpdevice_set.exists()


def test_a_manager_cannot_turn_it_off(manager):
    _device, codes = turn_on(manager)
    client = Client()
    _password(client, manager)
    client.post("/connexion/code/", {"code": codes[0]})
    r = client.post("/console/securite/", {"action": "disable", "code": codes[1]})
    assert r.status_code == 200
    assert manager.totpdevice_set.filter(confirmed=True).exists()


def test_new_recovery_codes_replace_the_old_ones(contact):
    device, old = turn_on(contact)
    client = Client()
    _password(client, contact)
    client.post("/connexion/code/", {"code": old[0]})
    r = client.post(
        "/portail/securite/", {"action": "renew", "code": code_for(device, steps_ahead=1)}
    )
    new = r.context["recovery_codes"]
    assert len(new) == 10
    again = Client()
    _password(again, contact)
    assert again.post("/connexion/code/", {"code": old[1]}).status_code == 200
    assert again.post("/connexion/code/", {"code": new[0]}).status_code == 302


def test_a_demo_manager_is_exempt_and_told_so(manager):
    manager.second_factor_exempt = True
    manager.save(update_fields=["second_factor_exempt"])
    client = Client()
    r = _password(client, manager, "/console/")
    assert r["Location"] == "/console/"
    assert "demo account" in text_of(client.get("/console/securite/", HTTP_ACCEPT_LANGUAGE="en"))


def test_the_admin_site_signs_in_through_the_same_two_steps(db):
    r = Client().get("/admin/login/?next=/admin/")
    assert r.status_code == 302
    assert r["Location"] == "/connexion/?next=/admin/"
    chain = Client().get("/admin/", follow=True).redirect_chain
    assert chain[-1][0].startswith("/connexion/")
