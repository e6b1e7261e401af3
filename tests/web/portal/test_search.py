"""A client searches its organization's requests in the portal, and no one else's."""

from __future__ import annotations

from soutien.ticketing import services
from soutien.ticketing.models import MessageKind
from tests import factories
from tests.web.helpers import signed_in


def test_a_client_finds_its_organizations_requests_only(client_admin, contact, tech1, other_org):
    mine = factories.ticket(contact=contact, subject="Imprimante bloquée", body="Le bac coince.")
    services.message_add(actor=tech1, ticket=mine, kind=MessageKind.NOTE, body="Client pressé.")
    factories.ticket(contact=contact, subject="Écran noir")
    stranger = factories.contact(other_org, language="en")
    factories.ticket(contact=stranger, subject="Imprimante ailleurs")
    admin = signed_in(client_admin)
    page = admin.get("/portail/?show=all&q=imprimantes").content.decode()
    assert "Imprimante bloquée" in page
    assert "Écran noir" not in page
    assert "Imprimante ailleurs" not in page
    assert "Imprimante bloquée" not in admin.get("/portail/?show=all&q=pressé").content.decode()
    assert "Imprimante bloquée" in admin.get("/portail/?show=all&q=coince").content.decode()
    theirs = signed_in(stranger).get("/portail/?show=all&q=imprimante").content.decode()
    assert "Imprimante ailleurs" in theirs
    assert "Imprimante bloquée" not in theirs
    colleague = signed_in(factories.contact(contact.organization))
    assert (
        "Imprimante bloquée"
        not in colleague.get("/portail/?show=all&q=imprimante").content.decode()
    )
