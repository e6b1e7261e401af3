"""Expiring accounts records (the sign-in log); the stand-in for a forgotten contact."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import ClientRole, KnownAddress, LoginFailure, Organization, User
from soutien.core import retention

# Usernames of the stand-ins start so: no email address or typed username can take this form.
PLACEHOLDER_PREFIX = "~anonyme-"


def placeholder_contact(organization: Organization) -> User:
    """The inactive contact an anonymized request of this organization is filed under."""
    username = f"{PLACEHOLDER_PREFIX}{organization.pk}"
    found = User.objects.filter(username=username).first()
    if found is not None:
        return found
    with transaction.atomic():
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": "Anonyme / Anonymous",
                "organization": organization,
                "client_role": ClientRole.CONTACT,
                "is_active": False,
                "password": make_password(None),
            },
        )
    return user


def is_placeholder(user: User) -> bool:
    return user.username.startswith(PLACEHOLDER_PREFIX)


def _failures(before: datetime) -> int:
    failures = LoginFailure.objects.filter(at__lt=before).count()
    return failures + KnownAddress.objects.filter(last_seen__lt=before).count()


def _delete_failures(before: datetime, action: str) -> int:
    deleted, _rows = LoginFailure.objects.filter(at__lt=before).delete()
    # An address not signed in from for the whole period is forgotten: it is a stranger again.
    forgotten, _rows = KnownAddress.objects.filter(last_seen__lt=before).delete()
    return deleted + forgotten


def register() -> None:
    retention.register(
        retention.Purger(
            kind="sign_in_log",
            label=_("Sign-in log"),
            description=_(
                "Failed sign-ins (the name typed, the address, the time) and the addresses a "
                "person signed in from."
            ),
            count=lambda before, action: _failures(before),
            apply=_delete_failures,
            owner="accounts",
        )
    )
