"""Small factories for tests: real objects made through the same services the product uses."""

from __future__ import annotations

import itertools
from datetime import datetime

from soutien.accounts.models import ClientRole, Organization, User
from soutien.accounts.services import staff_create
from soutien.ticketing import services
from soutien.ticketing.models import Channel, Ticket

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def organization(name: str | None = None, language: str = "fr") -> Organization:
    return Organization.objects.create(name=name or f"Organisation {next(_seq)}", language=language)


def contact(
    org: Organization,
    *,
    role: str = ClientRole.CONTACT,
    name: str | None = None,
    language: str = "fr",
) -> User:
    n = next(_seq)
    user = User(
        username=f"client{n}",
        email=f"client{n}@example.com",
        full_name=name or f"Client {n}",
        organization=org,
        client_role=role,
        language=language,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def client_admin(org: Organization, **kwargs: object) -> User:
    return contact(org, role=ClientRole.CLIENT_ADMIN, **kwargs)  # type: ignore[arg-type]


def staff(
    *,
    levels: tuple[int, ...] = (1, 2, 3),
    manager: bool = False,
    admin: bool = False,
    name: str | None = None,
) -> User:
    n = next(_seq)
    return staff_create(
        username=f"staff{n}",
        email=f"staff{n}@soutien.example",
        full_name=name or f"Staff {n}",
        password=PASSWORD,
        levels=levels,
        support_manager=manager,
        administrator=admin,
    )


def ticket(
    *,
    contact: User,
    actor: User | None = None,
    subject: str = "Problème d'affichage",
    body: str = "La page ne s'affiche pas.",
    channel: str = Channel.WEB,
    received_at: datetime | None = None,
) -> Ticket:
    assert contact.organization is not None
    return services.ticket_create(
        actor=actor or contact,
        organization=contact.organization,
        contact=contact,
        subject=subject,
        body=body,
        channel=channel,
        received_at=received_at,
    )
