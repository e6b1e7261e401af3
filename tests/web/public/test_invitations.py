"""Getting in from an emailed link, asking for a reset, and the privacy page and footer."""

from __future__ import annotations

import pytest
from django.test import Client

from soutien.accounts import privacy_officer
from soutien.outbound.models import OutboundEmail
from soutien.people import services
from tests import factories
from tests.accounts.outbox import latest_email, link_in
from tests.web.helpers import text_of

pytestmark = pytest.mark.django_db
NEW = "Tremplin-Boréal-2026"


def test_an_invited_contact_sets_a_password_and_lands_in_the_portal_signed_in(manager, contact):
    services.invitation_send(actor=manager, user=contact)
    path = link_in(latest_email(contact.email, "invitation"))
    browser = Client()
    page = browser.get(path)
    assert page.status_code == 200
    assert contact.username in text_of(page)
    before = browser.cookies["sessionid"].value if "sessionid" in browser.cookies else None
    done = browser.post(path, {"password1": NEW, "password2": NEW})
    assert done.status_code == 302
    assert browser.cookies["sessionid"].value != before
    assert browser.get("/portail/").status_code == 200
    # The link has done its work.
    spent = Client().get(path)
    assert "Ce lien ne fonctionne plus" in text_of(spent)
    assert Client().post(path, {"password1": NEW, "password2": NEW}).status_code == 200


@pytest.mark.parametrize(
    ("language", "first", "second", "expected"),
    [
        ("fr", "Tremplin-Boréal-2026", "autre-chose-2026", "Les deux mots de passe diffèrent."),
        ("en", "Tremplin-Boréal-2026", "autre-chose-2026", "The two passwords differ."),
        ("fr", "12345678", "12345678", "Ce mot de passe est trop courant."),
        ("en", "12345678", "12345678", "This password is too common."),
        ("en", "short", "short", "This password is too short."),
    ],
)
def test_the_password_form_shows_the_validators_errors_in_both_languages(
    manager, contact, language, first, second, expected
):
    services.invitation_send(actor=manager, user=contact)
    path = link_in(latest_email(contact.email, "invitation"))
    response = Client(headers={"accept-language": language}).post(
        path, {"password1": first, "password2": second}
    )
    assert response.status_code == 400
    assert expected in text_of(response)
    contact.refresh_from_db()
    assert contact.check_password(factories.PASSWORD)


def _main(response) -> str:
    page = text_of(response)
    return page[page.index("<main>") : page.index("</main>")]


def test_forgotten_password_answers_the_same_for_any_address(contact):
    browser = Client()
    assert "Mot de passe oublié?" in text_of(browser.get("/connexion/"))
    known = browser.post("/mot-de-passe/oublie/", {"email": contact.email})
    unknown = browser.post("/mot-de-passe/oublie/", {"email": "personne@nulle-part.example"})
    assert known.status_code == unknown.status_code == 200
    assert _main(known) == _main(unknown)
    assert OutboundEmail.objects.filter(template="password_reset").count() == 1


def test_a_reset_link_changes_the_password_and_ends_other_sessions(contact):
    elsewhere = Client()
    elsewhere.force_login(contact)
    assert elsewhere.get("/portail/").status_code == 200
    Client().post("/mot-de-passe/oublie/", {"email": contact.email})
    path = link_in(latest_email(contact.email, "password_reset"))
    browser = Client()
    assert browser.post(path, {"password1": NEW, "password2": NEW}).status_code == 302
    assert browser.get("/portail/").status_code == 200
    assert elsewhere.get("/portail/").status_code == 302


def test_a_wrong_link_says_so(db):
    response = Client().get("/mot-de-passe/nouveau/pas-un-jeton/")
    assert response.status_code == 200
    assert "Ce lien ne fonctionne plus" in text_of(response)


def test_the_person_in_charge_is_on_the_privacy_page_and_every_page_foot(db):
    privacy_officer.officer_save(
        actor=None,
        name="Claire Dubé",
        title="Responsable de la protection des renseignements personnels",
        email="vie-privee@ebi.example",
        postal_address="1200, rue Sherbrooke Ouest\nMontréal (Québec) H3A 1H6",
    )
    for language, heading in (("fr", "Vos droits"), ("en", "Your rights")):
        page = text_of(Client(headers={"accept-language": language}).get("/confidentialite/"))
        assert heading in page
        assert "Claire Dubé" in page
        assert "H3A 1H6" in page
    foot = text_of(Client().get("/connexion/"))
    assert "vie-privee@ebi.example" in foot
    assert 'href="/confidentialite/"' in foot


def test_every_email_ends_with_the_person_in_charge(manager, contact):
    privacy_officer.officer_save(
        actor=manager, name="Claire Dubé", title="", email="vie-privee@ebi.example",
        postal_address="Montréal",
    )  # fmt: skip
    services.invitation_send(actor=manager, user=contact)
    email = latest_email(contact.email, "invitation")
    assert "Protection des renseignements personnels : Claire Dubé" in email.text
    assert email.html.index("vie-privee@ebi.example") < email.html.index("</body>")
    english = factories.contact(contact.organization, language="en")
    services.password_reset_request(email=english.email)
    email = latest_email(english.email, "password_reset")
    assert "Protection of personal information: Claire Dubé" in email.text


def test_a_link_is_not_a_second_factor(manager, tech1, admin):
    from tests.two_factor import turn_on

    turn_on(tech1)
    Client().post("/mot-de-passe/oublie/", {"email": tech1.email})
    browser = Client()
    done = browser.post(
        link_in(latest_email(tech1.email, "password_reset")), {"password1": NEW, "password2": NEW}
    )
    assert done.status_code == 302
    assert done["Location"] == "/connexion/"
    assert browser.get("/console/").status_code == 302  # not signed in: the code is still asked
    # A manager who must set a second factor up is signed in held on the set-up page.
    services.invitation_send(actor=admin, user=manager)
    held = Client()
    done = held.post(
        link_in(latest_email(manager.email, "invitation")), {"password1": NEW, "password2": NEW}
    )
    assert done["Location"] == "/console/securite/"
    assert held.get("/console/")["Location"] == "/console/securite/"
