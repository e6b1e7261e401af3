"""People in the console: add a contact and invite it, resend, deactivate; the Law 25 setting."""

from __future__ import annotations

import pytest

from soutien.accounts import privacy_officer
from soutien.accounts.models import User
from soutien.outbound.models import OutboundEmail
from tests.web.helpers import signed_in, text_of

pytestmark = pytest.mark.django_db


def test_staff_add_a_contact_and_invite_it(tech1, org):
    console = signed_in(tech1)
    response = console.post(
        f"/console/organisations/{org.pk}/contacts/",
        {"name": "Luc Bouchard", "email": "luc@boreal.example", "language": "fr",
         "role": "contact", "invite": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    luc = User.objects.get(email="luc@boreal.example")
    assert OutboundEmail.objects.get(template="invitation").to_address == luc.email
    page = text_of(console.get(f"/console/organisations/{org.pk}/"))
    assert "Luc Bouchard" in page
    assert "Invité" in page


def test_a_duplicate_address_is_a_form_error(tech1, org, contact):
    response = signed_in(tech1).post(
        f"/console/organisations/{org.pk}/contacts/",
        {"name": "Bis", "email": contact.email.upper(), "language": "fr", "role": "contact"},
    )
    assert response.status_code == 400
    assert "Cette adresse courriel est déjà utilisée." in text_of(response)


def test_staff_resend_an_invitation_and_deactivate(tech1, contact):
    console = signed_in(tech1)
    assert console.post(f"/console/personnes/{contact.pk}/invitation/").status_code == 302
    assert console.post(f"/console/personnes/{contact.pk}/invitation/").status_code == 302
    assert OutboundEmail.objects.filter(template="invitation").count() == 2
    assert console.post(f"/console/personnes/{contact.pk}/desactiver/").status_code == 302
    contact.refresh_from_db()
    assert not contact.is_active
    assert console.post(f"/console/personnes/{contact.pk}/reactiver/").status_code == 302
    contact.refresh_from_db()
    assert contact.is_active


def test_a_manager_names_the_person_in_charge_of_personal_information(manager, tech1):
    console = signed_in(manager)
    assert console.get("/console/reglages/confidentialite/").status_code == 200
    bad = console.post("/console/reglages/confidentialite/", {"name": "", "email": "x"})
    assert bad.status_code == 400
    response = console.post(
        "/console/reglages/confidentialite/",
        {"name": "Claire Dubé", "title": "Responsable", "email": "vie-privee@ebi.example",
         "postal_address": "Montréal"},
    )  # fmt: skip
    assert response.status_code == 302
    officer = privacy_officer.current()
    assert officer is not None
    assert officer.name == "Claire Dubé"
    assert signed_in(tech1).get("/console/reglages/confidentialite/").status_code == 302


@pytest.mark.parametrize(
    ("language", "joined"), [("fr", "1er décembre 2026"), ("en", "December 1, 2026")]
)
def test_a_persons_page_says_dates_in_the_languages_one_style(manager, org, language, joined):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from tests import factories

    with time_machine.travel(datetime(2026, 12, 1, 10, 15, tzinfo=ZoneInfo("America/Toronto"))):
        person = factories.contact(org, name="Marc Gagnon")
    web = signed_in(manager)
    web.cookies["django_language"] = language
    page = text_of(web.get(f"/console/personnes/{person.pk}/"))
    assert joined in page
    assert "1 December 2026" not in page, "not Django's default order in English"


def test_a_technician_renames_a_contact_and_search_finds_its_requests_by_it(
    tech1, contact, django_capture_on_commit_callbacks
):
    from tests import factories

    factories.ticket(contact=contact, subject="Imprimante")
    web = signed_in(tech1)
    assert "Nouveau nom" in text_of(web.get(f"/console/personnes/{contact.pk}/"))
    with django_capture_on_commit_callbacks(execute=True):
        r = web.post(f"/console/personnes/{contact.pk}/nom/", {"rename-name": "Marc-André Roy"})
    assert r.status_code == 302
    contact.refresh_from_db()
    assert contact.full_name == "Marc-André Roy"
    assert "Imprimante" in text_of(web.get("/console/recherche/", {"q": "Roy"}))
    assert "Imprimante" not in text_of(web.get("/console/recherche/", {"q": "Gagnon"}))
    empty = web.post(f"/console/personnes/{contact.pk}/nom/", {"rename-name": "  "})
    assert empty.status_code == 400
    staff = web.post(f"/console/personnes/{tech1.pk}/nom/", {"rename-name": "Autre"})
    assert staff.status_code == 400
    assert "Vous ne pouvez pas renommer cette personne." in text_of(staff)
