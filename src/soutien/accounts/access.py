"""Getting in and out: one-time links to set a password, and deactivating a person.

The email that carries a link is sent by the caller (a domain service, through
`notifications`): this module only makes, checks and uses links, and changes the person.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from soutien.accounts.models import AccessLink, ApiToken, User, hash_token
from soutien.core.errors import InvalidInput, NotAllowed, NotFound

LINK_BYTES = 32
LIFETIMES = {
    AccessLink.Purpose.INVITATION: timedelta(days=7),
    AccessLink.Purpose.RESET: timedelta(hours=1),
}


class InvalidLink(InvalidInput):
    """The link is unknown, used, replaced by a newer one, expired, or its person deactivated."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This link is no longer valid: it was already used, replaced by a newer one, "
                "or it expired. Ask for a new one."
            ),
            field="token",
        )


def link_issue(*, user: User, purpose: str, actor: User | None = None) -> tuple[AccessLink, str]:
    """A new link for `user`; earlier unused links of the same purpose stop working.

    The raw secret is returned once (for the email) and never stored.
    """
    now = timezone.now()
    AccessLink.objects.filter(
        user=user, purpose=purpose, used_at__isnull=True, voided_at__isnull=True
    ).update(voided_at=now)
    raw = secrets.token_urlsafe(LINK_BYTES)
    link = AccessLink.objects.create(
        user=user,
        purpose=purpose,
        key_hash=hash_token(raw),
        created_by=actor,
        created_at=now,
        expires_at=now + LIFETIMES[AccessLink.Purpose(purpose)],
    )
    return link, raw


def link_recent_count(*, user: User, purpose: str, since: timedelta) -> int:
    return AccessLink.objects.filter(
        user=user, purpose=purpose, created_at__gte=timezone.now() - since
    ).count()


def _find(raw: str, purpose: str, *, lock: bool) -> AccessLink:
    if not raw or len(raw) > 200:
        raise InvalidLink
    qs = AccessLink.objects.select_related("user").filter(key_hash=hash_token(raw), purpose=purpose)
    if lock:
        qs = qs.select_for_update()
    link = qs.first()
    if link is None or not link.is_usable:
        raise InvalidLink
    return link


def link_check(*, raw: str, purpose: str) -> AccessLink:
    """The link named by `raw`, if it may still be used (raises `InvalidLink` otherwise)."""
    return _find(raw, purpose, lock=False)


def password_errors(password: str, user: User) -> list[str]:
    """What Django's password validators say about `password` for `user` (empty if none)."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return [str(message) for message in exc.messages]
    return []


def _end_access(user: User, now: object) -> None:
    """Revoke the person's API tokens and void their unused links."""
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    AccessLink.objects.filter(user=user, used_at__isnull=True, voided_at__isnull=True).update(
        voided_at=now
    )


@transaction.atomic
def link_set_password(*, raw: str, purpose: str, password: str) -> User:
    """Use a link: set the person's password; their other sessions and API tokens end.

    Sessions end because Django ties each one to the password's hash; tokens are revoked.
    """
    link = _find(raw, purpose, lock=True)
    user = User.objects.select_for_update().get(pk=link.user_id)
    if not user.is_active:
        raise InvalidLink
    errors = password_errors(password, user)
    if errors:
        raise InvalidInput(" ".join(errors), field="password", details={"errors": errors})
    now = timezone.now()
    user.set_password(password)
    user.save(update_fields=["password"])
    _end_access(user, now)
    link.used_at = now
    link.save(update_fields=["used_at"])
    return user


def may_manage(actor: User, user: User) -> bool:
    """Whether `actor` may invite or deactivate `user`.

    Staff manage client users, an administrator anyone, a client administrator the people of
    its own organization.
    """
    if actor.is_superuser and actor.is_active:
        return True
    if user.organization_id is None:
        return False
    if actor.is_staff_member:
        return True
    return (
        actor.is_client_admin and actor.is_active and actor.organization_id == user.organization_id
    )


def require_may_manage(actor: User, user: User) -> None:
    """Refuse: 404 for someone the actor may not see at all, 403 for one it sees but not manages."""
    if may_manage(actor, user):
        return
    sees = actor.is_staff_member or (
        actor.organization_id is not None and actor.organization_id == user.organization_id
    )
    if not sees:
        raise NotFound(_("Person not found."))
    raise NotAllowed(_("You cannot manage this person's access."))


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """End a person's access at once: no sign-in, sessions, API tokens or links any more.

    The password is made unusable, which ends every session (each is tied to the password's
    hash); a person reactivated later is invited again to choose a new one.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    require_may_manage(actor, user)
    if user.pk == actor.pk:
        raise NotAllowed(_("You cannot deactivate yourself."))
    now = timezone.now()
    if user.is_active or user.has_usable_password():
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
    _end_access(user, now)
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user: User) -> User:
    """Let a deactivated person back in; they choose a password from a new invitation."""
    user = User.objects.select_for_update().get(pk=user.pk)
    require_may_manage(actor, user)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


def access_states(users: list[User]) -> dict[int, str]:
    """Each person's access, in one query: active, invited (a link pending), not invited, or
    deactivated."""
    pending = set(
        AccessLink.objects.filter(
            user__in=[u.pk for u in users],
            purpose=AccessLink.Purpose.INVITATION,
            used_at__isnull=True,
            voided_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).values_list("user_id", flat=True)
    )
    states = {}
    for user in users:
        if not user.is_active:
            states[user.pk] = "deactivated"
        elif user.has_usable_password():
            states[user.pk] = "active"
        else:
            states[user.pk] = "invited" if user.pk in pending else "not_invited"
    return states
