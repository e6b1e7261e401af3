"""Getting people in: invitations and password resets, each one transaction with its email.

The links themselves are made and used by `accounts.access`; this module decides who may send
them and has `notifications` email them.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from soutien.accounts import access
from soutien.accounts import services as accounts
from soutien.accounts.models import AccessLink, ClientRole, Language, Organization, User
from soutien.core.errors import Conflict, InvalidInput
from soutien.notifications import access as notices

# Reset emails one person may be sent per hour, whoever asks: no mailbox flooding.
RESETS_PER_HOUR = 3


@transaction.atomic
def invitation_send(*, actor: User, user: User) -> AccessLink:
    """Email `user` a link to choose a password (valid 7 days); an earlier link stops working.

    Staff invite client users, an administrator anyone, a client administrator the people of
    its own organization (anyone else: not found).
    """
    user = (
        User.objects.select_for_update(of=("self",)).select_related("organization").get(pk=user.pk)
    )
    access.require_may_manage(actor, user)
    if not user.is_active:
        raise Conflict(_("This person is deactivated: reactivate them first."), field="user")
    if not user.email:
        raise InvalidInput(_("This person has no email address to send the invitation to."))
    link, secret = access.link_issue(user=user, purpose=AccessLink.Purpose.INVITATION, actor=actor)
    notices.invitation(user=user, link=link, secret=secret, inviter=actor)
    return link


@transaction.atomic
def contact_create(
    *,
    actor: User,
    organization: Organization,
    email: str,
    name: str,
    language: str = Language.FRENCH,
    role: str = ClientRole.CONTACT,
    phone: str = "",
    invite: bool = False,
) -> User:
    """Add a client contact and, if asked, invite it at once (one transaction)."""
    user = accounts.contact_create(
        actor=actor,
        organization=organization,
        email=email,
        name=name,
        language=language,
        role=role,
        phone=phone,
    )
    if invite:
        invitation_send(actor=actor, user=user)
    return user


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Email a reset link if an active person has this address; say nothing either way.

    The caller answers the same whether or not the address is known (no enumeration).
    """
    email = email.strip()
    if not email or "@" not in email or len(email) > 254:
        return
    user = accounts.user_by_email(email)
    if user is None or not user.is_active:
        return
    user = User.objects.select_for_update().get(pk=user.pk)
    recent = access.link_recent_count(
        user=user, purpose=AccessLink.Purpose.RESET, since=timedelta(hours=1)
    )
    if recent >= RESETS_PER_HOUR:
        return
    link, secret = access.link_issue(user=user, purpose=AccessLink.Purpose.RESET)
    notices.password_reset(user=user, link=link, secret=secret)


@transaction.atomic
def password_set_with_link(*, token: str, purpose: str, password: str) -> User:
    """Use an invitation or reset link; after a reset, the person is told by email."""
    user = access.link_set_password(raw=token, purpose=purpose, password=password)
    if purpose == AccessLink.Purpose.RESET:
        notices.password_changed(user=user)
    return user
