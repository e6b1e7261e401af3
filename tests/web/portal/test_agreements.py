"""A client's development agreements in the portal: read, accept or decline by version, confirm."""

from __future__ import annotations

import pytest

from soutien.agreements.models import Agreement, State
from soutien.ticketing.services import ticket_set_level
from tests import factories
from tests.agreements.fixtures import *  # noqa: F403  (frozen, tech3, lead, level3, agreed)
from tests.agreements.fixtures import draft, walk
from tests.web.helpers import signed_in, text_of


@pytest.fixture
def sent(level3, tech3, lead, client_admin) -> Agreement:
    return walk(draft(level3, tech3), (tech3, "propose"), (lead, "approve"), (tech3, "send"))


def test_the_client_administrator_accepts_the_version_read(sent, client_admin):
    portal = signed_in(client_admin)
    assert f"/portail/ententes/{sent.pk}/" in text_of(portal.get("/portail/ententes/"))
    page = text_of(portal.get(f"/portail/ententes/{sent.pk}/"))
    assert "Accepter la version 1" in page
    assert "Réécrire la <strong>synchronisation</strong>" in page
    r = portal.post(
        f"/portail/ententes/{sent.pk}/reponse/", {"action": "accept", "version": "1"}, follow=True
    )
    assert "Merci : l'entente est acceptée." in text_of(r)
    assert Agreement.objects.get(pk=sent.pk).state == State.ACCEPTED
    request = text_of(portal.get(f"/portail/demandes/{sent.ticket_id}/"))
    assert "Résolution promise" in request
    assert f"Entente de développement no {sent.pk}, version 1" in request


def test_a_version_changed_meanwhile_is_not_accepted(sent, tech3, client_admin):
    from soutien.agreements.services import agreement_revise

    agreement_revise(actor=tech3, agreement=sent, estimate_minutes=1500)
    r = signed_in(client_admin).post(
        f"/portail/ententes/{sent.pk}/reponse/", {"action": "accept", "version": "1"}
    )
    assert r.status_code == 400
    assert "n'est plus la version en cours : c'est la version 2" in text_of(r)
    assert Agreement.objects.get(pk=sent.pk).accepted is None


def test_declining_asks_why(sent, client_admin):
    portal = signed_in(client_admin)
    r = portal.post(f"/portail/ententes/{sent.pk}/reponse/", {"action": "decline", "version": "1"})
    assert r.status_code == 400
    assert "Donnez un motif." in text_of(r)
    portal.post(
        f"/portail/ententes/{sent.pk}/reponse/",
        {"action": "decline", "version": "1", "reason": "Le délai est trop long."},
    )
    assert Agreement.objects.get(pk=sent.pk).state == State.DRAFT
    assert "En révision par notre équipe" in text_of(portal.get("/portail/ententes/"))


def test_a_contact_reads_but_does_not_sign(sent, contact):
    portal = signed_in(contact)
    page = text_of(portal.get(f"/portail/ententes/{sent.pk}/"))
    assert "Accepter la version 1" not in page
    assert "Un administrateur client de votre organisation" in page
    r = portal.post(f"/portail/ententes/{sent.pk}/reponse/", {"action": "accept", "version": "1"})
    assert r.status_code == 400
    assert Agreement.objects.get(pk=sent.pk).state == State.SENT


def test_drafts_and_other_organizations_are_not_found(level3, tech3, sent, other_org, manager):
    stranger = signed_in(factories.client_admin(other_org))
    assert stranger.get(f"/portail/ententes/{sent.pk}/").status_code == 404
    assert stranger.get(f"/portail/ententes/{sent.pk}/versions/1/pdf/").status_code == 404
    assert (
        stranger.post(f"/portail/ententes/{sent.pk}/reponse/", {"action": "accept"}).status_code
        == 404
    )
    other = factories.ticket(contact=level3.contact, subject="Autre")
    ticket_set_level(actor=manager, ticket=other, level=3)
    unsent = draft(other, tech3)  # a draft on another request of the same client
    assert signed_in(level3.contact).get(f"/portail/ententes/{unsent.pk}/").status_code == 404


def test_the_delivery_is_confirmed_in_the_portal(agreed, tech3, client_admin):
    walk(agreed, (tech3, "start"), (tech3, "deliver"))
    portal = signed_in(client_admin)
    assert "Confirmer la livraison" in text_of(portal.get(f"/portail/ententes/{agreed.pk}/"))
    portal.post(f"/portail/ententes/{agreed.pk}/reponse/", {"action": "confirm", "version": "1"})
    assert Agreement.objects.get(pk=agreed.pk).state == State.CONFIRMED


def test_the_pdf_of_a_version_sent_downloads(sent, client_admin):
    r = signed_in(client_admin).get(f"/portail/ententes/{sent.pk}/versions/1/pdf/")
    assert r.status_code == 200
    assert r.content.startswith(b"%PDF")
