"""One-time links (invitations, resets), deactivation, and who may manage whose access."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from soutien.accounts import access
from soutien.accounts.models import AccessLink, ApiToken
from soutien.accounts.services import token_issue, token_user
from soutien.core.errors import Conflict, NotAllowed, NotFound
from soutien.outbound.models import OutboundEmail
from soutien.people import services
from tests import factories
from tests.accounts.outbox import latest_email, link_in, token_of

pytestmark = pytest.mark.django_db
NEW = "Tremplin-Boréal-2026"


def _invite(actor, user) -> str:
    services.invitation_send(actor=actor, user=user)
    return token_of(link_in(latest_email(user.email, "invitation")))


def test_a_new_contact_cannot_sign_in_until_it_accepts_its_invitation(manager, org):
    contact = services.contact_create(
        actor=manager, organization=org, email="luc@boreal.example", name="Luc", invite=True
    )
    assert not contact.has_usable_password()
    email = latest_email("luc@boreal.example", "invitation")
    assert "Luc" in email.text
    assert "luc@boreal.example" in email.text
    user = access.link_set_password(
        raw=token_of(link_in(email)), purpose=AccessLink.Purpose.INVITATION, password=NEW
    )
    assert user.pk == contact.pk
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_an_invitation_works_once(manager, contact):
    token = _invite(manager, contact)
    access.link_set_password(raw=token, purpose=AccessLink.Purpose.INVITATION, password=NEW)
    with pytest.raises(access.InvalidLink):
        access.link_set_password(
            raw=token, purpose=AccessLink.Purpose.INVITATION, password=NEW + "x"
        )
    contact.refresh_from_db()
    assert contact.check_password(NEW)


def test_an_invitation_expires_after_seven_days(manager, contact):
    token = _invite(manager, contact)
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        access.link_check(raw=token, purpose=AccessLink.Purpose.INVITATION)
    with (
        time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)),
        pytest.raises(access.InvalidLink),
    ):
        access.link_set_password(raw=token, purpose=AccessLink.Purpose.INVITATION, password=NEW)


def test_a_new_invitation_voids_the_one_sent_before(manager, contact):
    first = _invite(manager, contact)
    second = _invite(manager, contact)
    assert first != second
    with pytest.raises(access.InvalidLink):
        access.link_check(raw=first, purpose=AccessLink.Purpose.INVITATION)
    access.link_set_password(raw=second, purpose=AccessLink.Purpose.INVITATION, password=NEW)


@pytest.mark.parametrize("token", ["", "nope", "x" * 500])
def test_a_wrong_token_is_refused(token):
    with pytest.raises(access.InvalidLink):
        access.link_set_password(raw=token, purpose=AccessLink.Purpose.RESET, password=NEW)


def test_an_invitation_is_not_a_reset_link(manager, contact):
    token = _invite(manager, contact)
    with pytest.raises(access.InvalidLink):
        access.link_set_password(raw=token, purpose=AccessLink.Purpose.RESET, password=NEW)


def test_a_weak_password_is_refused_and_the_link_still_works(manager, contact):
    token = _invite(manager, contact)
    with pytest.raises(access.InvalidInput) as refused:
        access.link_set_password(raw=token, purpose=AccessLink.Purpose.INVITATION, password="123")
    assert refused.value.field == "password"
    access.link_set_password(raw=token, purpose=AccessLink.Purpose.INVITATION, password=NEW)


def test_a_reset_ends_every_api_token_and_lasts_one_hour(contact):
    _, raw = token_issue(user=contact)
    services.password_reset_request(email=contact.email.upper())
    token = token_of(link_in(latest_email(contact.email, "password_reset")))
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=61)),
        pytest.raises(access.InvalidLink),
    ):
        access.link_check(raw=token, purpose=AccessLink.Purpose.RESET)
    access.link_set_password(raw=token, purpose=AccessLink.Purpose.RESET, password=NEW)
    assert token_user(raw) is None
    contact.refresh_from_db()
    assert contact.check_password(NEW)


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_nothing(contact):
    assert services.password_reset_request(email="nobody@example.com") is None
    assert not OutboundEmail.objects.exists()


def test_reset_emails_to_one_person_are_limited_per_hour(contact):
    for _ in range(5):
        services.password_reset_request(email=contact.email)
    assert OutboundEmail.objects.filter(template="password_reset").count() == 3


def test_a_deactivated_person_cannot_use_a_link_or_a_token_nor_sign_in(manager, contact, client):
    token = _invite(manager, contact)
    _, raw = token_issue(user=contact)
    access.user_deactivate(actor=manager, user=contact)
    assert token_user(raw) is None
    assert ApiToken.objects.get(user=contact).revoked_at is not None
    with pytest.raises(access.InvalidLink):
        access.link_set_password(raw=token, purpose=AccessLink.Purpose.INVITATION, password=NEW)
    services.password_reset_request(email=contact.email)
    assert not OutboundEmail.objects.filter(template="password_reset").exists()
    response = client.post(
        "/connexion/", {"username": contact.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 200  # the form again: refused
    with pytest.raises(Conflict):
        services.invitation_send(actor=manager, user=contact)


def test_deactivation_ends_the_persons_web_sessions_even_after_reactivation(manager, contact):
    from tests.web.helpers import signed_in

    browser = signed_in(contact)
    assert browser.get("/portail/").status_code == 200
    access.user_deactivate(actor=manager, user=contact)
    assert browser.get("/portail/").status_code == 302
    access.user_reactivate(actor=manager, user=contact)
    assert browser.get("/portail/").status_code == 302


def test_a_client_admin_manages_its_own_organization_only(client_admin, contact, other_org):
    stranger = factories.contact(other_org)
    services.invitation_send(actor=client_admin, user=contact)
    with pytest.raises(NotFound):
        services.invitation_send(actor=client_admin, user=stranger)
    with pytest.raises(NotFound):
        access.user_deactivate(actor=client_admin, user=stranger)


def test_a_contact_manages_nobody(contact, client_admin):
    with pytest.raises(NotAllowed):
        services.invitation_send(actor=contact, user=client_admin)


def test_staff_are_invited_and_deactivated_by_an_administrator_only(manager, admin, tech1):
    with pytest.raises(NotAllowed):
        services.invitation_send(actor=manager, user=tech1)
    with pytest.raises(NotAllowed):
        access.user_deactivate(actor=manager, user=tech1)
    access.user_deactivate(actor=admin, user=tech1)
    tech1.refresh_from_db()
    assert not tech1.is_active
    with pytest.raises(NotAllowed):
        access.user_deactivate(actor=admin, user=admin)
