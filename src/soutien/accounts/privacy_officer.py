"""The person in charge of the protection of personal information (Law 25): read and edit."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from soutien.accounts.models import PrivacyOfficer, User
from soutien.accounts.permissions import require_manager
from soutien.core.errors import InvalidInput

SINGLETON = 1
CACHE_KEY = "soutien:privacy-officer"
# The foot of every page shows the person: read at most once a minute per process, not once
# a page (a change shows at once in the process that made it, within a minute elsewhere).
CACHE_SECONDS = 60


def current() -> PrivacyOfficer | None:
    """The person in charge, or None until a manager names one."""
    return PrivacyOfficer.objects.filter(pk=SINGLETON).first()


def current_cached() -> PrivacyOfficer | None:
    """`current()`, kept a minute: for the foot of every page."""
    found = cache.get(CACHE_KEY)
    if found is None:
        found = current() or False
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found or None


@transaction.atomic
def officer_save(
    *,
    actor: User | None,
    name: str,
    title: str,
    email: str,
    postal_address: str,
    phone: str = "",
) -> PrivacyOfficer:
    """Name the person in charge and how to reach them (a manager or an administrator).

    `actor` None: the demo and the command line.
    """
    if actor is not None:
        require_manager(
            actor, _("Only a support manager or an administrator can change this setting.")
        )
    name, email = name.strip(), email.strip()
    if not name:
        raise InvalidInput(_("The name cannot be empty."), field="name")
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(_("This is not a valid email address."), field="email") from exc
    officer, _created = PrivacyOfficer.objects.select_for_update().update_or_create(
        pk=SINGLETON,
        defaults={
            "name": name[:200],
            "title": title.strip()[:200],
            "email": email,
            "postal_address": postal_address.strip(),
            "phone": phone.strip()[:40],
            "updated_at": timezone.now(),
            "updated_by": actor,
        },
    )
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))
    return officer
