"""A client administrator's people, in the portal: its own organization only."""

from __future__ import annotations

import pytest

from soutien.outbound.models import OutboundEmail
from tests import factories
from tests.web.helpers import signed_in, text_of

pytestmark = pytest.mark.django_db


def test_a_client_admin_adds_and_invites_a_colleague(client_admin):
    portal = signed_in(client_admin)
    assert "Marc" not in text_of(portal.get("/portail/contacts/"))
    response = portal.post(
        "/portail/contacts/",
        {"name": "Marc Gagnon", "email": "marc@ville.example", "language": "fr",
         "role": "contact", "invite": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert OutboundEmail.objects.get(template="invitation").to_address == "marc@ville.example"
    assert "Marc Gagnon" in text_of(portal.get("/portail/contacts/"))


def test_a_client_admin_cannot_touch_another_organizations_people(client_admin, other_org):
    stranger = factories.contact(other_org)
    portal = signed_in(client_admin)
    assert portal.post(f"/portail/contacts/{stranger.pk}/invitation/").status_code == 404
    assert portal.post(f"/portail/contacts/{stranger.pk}/desactiver/").status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active
    assert not OutboundEmail.objects.exists()


def test_a_contact_has_no_contacts_page(contact):
    assert signed_in(contact).get("/portail/contacts/").status_code == 404
