"""Writes for people and organizations; each service is one transaction."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from soutien.accounts import renames
from soutien.accounts.models import (
    ApiToken,
    ClientRole,
    Language,
    Organization,
    User,
    hash_token,
)
from soutien.core.errors import Conflict, InvalidInput, NotAllowed

TOKEN_BYTES = 30
# The organization of contacts created for people not on file (made on first need); staff move
# each contact to its real organization once they know it.
TO_IDENTIFY = "À identifier"


def _require_language(language: str) -> None:
    if language not in Language.values:
        raise InvalidInput(
            _("Unknown language: %(value)s.") % {"value": language}, field="language"
        )


@transaction.atomic
def organization_create(*, actor: User, name: str, language: str = Language.FRENCH) -> Organization:
    if not actor.is_manager:
        raise NotAllowed(_("Only a support manager or an administrator can add an organization."))
    name = name.strip()
    if not name:
        raise InvalidInput(_("The name cannot be empty."), field="name")
    _require_language(language)
    if Organization.objects.filter(name__iexact=name).exists():
        raise Conflict(_("An organization with this name already exists."), field="name")
    return Organization.objects.create(name=name, language=language)


@transaction.atomic
def organization_rename(*, actor: User, organization: Organization, name: str) -> Organization:
    """A new name for an organization; its requests are found by it from then on."""
    if not actor.is_manager:
        raise NotAllowed(
            _("Only a support manager or an administrator can rename an organization.")
        )
    name = name.strip()
    if not name:
        raise InvalidInput(_("The name cannot be empty."), field="name")
    taken = Organization.objects.filter(name__iexact=name).exclude(pk=organization.pk)
    if taken.exists():
        raise Conflict(_("An organization with this name already exists."), field="name")
    if name != organization.name:
        organization.name = name
        organization.save(update_fields=["name"])
        renames.renamed(organization_id=organization.pk)
    return organization


@transaction.atomic
def contact_rename(*, actor: User, contact: User, name: str) -> User:
    """A new name for a client contact (by staff, its organization's administrator or itself);
    its requests are found by it from then on."""
    allowed = (
        actor.is_staff_member
        or actor.pk == contact.pk
        or (actor.is_client_admin and actor.organization_id == contact.organization_id)
    )
    if not allowed or contact.is_staff_member:
        raise NotAllowed(_("You cannot rename this person."))
    name = name.strip()
    if not name:
        raise InvalidInput(_("The name cannot be empty."), field="name")
    if name != contact.full_name:
        contact.full_name = name[:200]
        contact.save(update_fields=["full_name"])
        renames.renamed(contact_id=contact.pk)
    return contact


def _username_for(email: str) -> str:
    return email.lower()[:150]


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
    password: str | None = None,
) -> User:
    """Add a client contact or client administrator; it signs in once given a password."""
    allowed = actor.is_staff_member or (
        actor.is_client_admin and actor.organization_id == organization.pk
    )
    if not allowed:
        raise NotAllowed(_("You cannot add contacts to this organization."))
    if role not in ClientRole.values:
        raise InvalidInput(_("Unknown role: %(value)s.") % {"value": role}, field="role")
    _require_language(language)
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(_("This is not a valid email address."), field="email") from exc
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(_("Someone already uses this email address."), field="email")
    user = User(
        username=_username_for(email),
        email=email,
        full_name=name.strip(),
        language=language,
        organization=organization,
        client_role=role,
        phone=phone,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise Conflict(_("Someone already uses this email address."), field="email") from exc
    return user


def user_by_email(address: str) -> User | None:
    """The user with this address, found through the unique index on lower(email)."""
    return (
        User.objects.select_related("organization")
        .alias(address=Lower("email"))
        .filter(address=address.lower())
        .exclude(email="")
        .first()
    )


def organization_to_identify() -> Organization:
    """The organization that holds contacts nobody has identified yet."""
    organization = Organization.objects.filter(name__iexact=TO_IDENTIFY).first()
    if organization is None:
        try:
            with transaction.atomic():
                organization = Organization.objects.create(name=TO_IDENTIFY)
        except IntegrityError:
            organization = Organization.objects.get(name__iexact=TO_IDENTIFY)
    return organization


def contact_for_stranger(*, email: str, name: str, phone: str = "", language: str) -> User:
    """A contact for someone not on file (an email or a fax from an unknown sender).

    Filed under "À identifier" until staff move it; it cannot sign in until invited. If the
    address was taken meanwhile (two messages at once), the existing person is returned.
    """
    organization = organization_to_identify()
    base = (email or f"fax-{phone}").lower()[:140]
    username = base
    for n in range(2, 50):
        if not User.objects.filter(username=username).exists():
            break
        username = f"{base}-{n}"
    user = User(
        username=username,
        email=email,
        full_name=name[:200] or email or phone,
        language=language,
        organization=organization,
        client_role=ClientRole.CONTACT,
        phone=phone,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        found = user_by_email(email) if email else None
        if found is None:
            raise
        user = found
    return user


def staff_create(
    *,
    username: str,
    email: str,
    full_name: str,
    password: str,
    levels: tuple[int, ...] = (),
    support_manager: bool = False,
    development_lead: bool = False,
    trainer: bool = False,
    administrator: bool = False,
    language: str = Language.FRENCH,
) -> User:
    """Create a staff account (used by the demo and the administrator's tools)."""
    user = User(
        username=username,
        email=email,
        full_name=full_name,
        language=language,
        handles_level_1=1 in levels,
        handles_level_2=2 in levels,
        handles_level_3=3 in levels,
        is_support_manager=support_manager,
        is_development_lead=development_lead,
        is_trainer=trainer,
        is_superuser=administrator,
        is_staff=administrator,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def token_issue(*, user: User, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored."""
    max_days = settings.SOUTIEN_API_TOKEN_DAYS
    life = max_days if days is None else max(1, min(days, max_days))
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        prefix=raw[:8],
        name=name[:100],
        expires_at=timezone.now() + timedelta(days=life),
    )
    return token, raw


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk and not actor.is_superuser:
        raise NotAllowed(_("You cannot revoke this token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_user(raw: str) -> tuple[ApiToken, User] | None:
    """The token and its user, if the raw value names a live token of an active user."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Writing on every call would cost a write per API request; a minute's precision is plenty.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token, token.user
