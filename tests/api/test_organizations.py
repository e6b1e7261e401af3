from __future__ import annotations

from soutien.accounts.models import User


def test_manager_creates_an_organization_and_its_contacts(api_as, manager):
    api = api_as(manager)
    r = api.post("organizations", {"name": "Éditions Boréal", "language": "fr"})
    assert r.status_code == 201, r.content
    org_id = r.json()["id"]
    r = api.post(
        f"organizations/{org_id}/contacts",
        {
            "email": "luc@boreal.example",
            "name": "Luc Bouchard",
            "language": "fr",
            "role": "client_admin",
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["role"] == "client_admin"
    assert r.json()["organization"] == org_id
    contact = User.objects.get(pk=r.json()["id"])
    assert contact.is_client_admin
    assert not contact.has_usable_password()
    listing = api.get(f"organizations/{org_id}/contacts").json()
    assert [c["email"] for c in listing["items"]] == ["luc@boreal.example"]


def test_technician_cannot_create_organizations(api_as, tech1):
    r = api_as(tech1).post("organizations", {"name": "Nope"})
    assert r.status_code == 403


def test_client_admin_adds_contacts_to_its_own_organization_only(
    api_as, client_admin, org, other_org
):
    api = api_as(client_admin)
    r = api.post(
        f"organizations/{org.pk}/contacts", {"email": "new@ville.example", "name": "Nouvelle"}
    )
    assert r.status_code == 201
    r = api.post(
        f"organizations/{other_org.pk}/contacts", {"email": "x@maple.example", "name": "X"}
    )
    assert r.status_code == 404


def test_contact_sees_only_itself_among_contacts(api_as, contact, client_admin, org):
    emails = [
        c["email"] for c in api_as(contact).get(f"organizations/{org.pk}/contacts").json()["items"]
    ]
    assert emails == [contact.email]
    admin_view = api_as(client_admin).get(f"organizations/{org.pk}/contacts").json()["items"]
    assert {c["email"] for c in admin_view} == {contact.email, client_admin.email}


def test_client_sees_only_its_organization(api_as, contact, org, other_org):
    items = api_as(contact).get("organizations").json()["items"]
    assert [o["id"] for o in items] == [org.pk]
