"""Small factories for tests: real objects made through the same services the product uses."""

from __future__ import annotations

import itertools
from datetime import date, datetime

from soutien.accounts.models import ClientRole, Organization, User
from soutien.accounts.services import staff_create
from soutien.contracts.models import Plan
from soutien.contracts.services import contract_create, subscription_create
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
    development_lead: bool = False,
    name: str | None = None,
    language: str = "fr",
) -> User:
    n = next(_seq)
    return staff_create(
        username=f"staff{n}",
        email=f"staff{n}@soutien.example",
        full_name=name or f"Staff {n}",
        password=PASSWORD,
        levels=levels,
        support_manager=manager,
        development_lead=development_lead,
        administrator=admin,
        language=language,
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


def spec4_banks(manager: User, organization: Organization) -> None:
    """SPEC 4: contract LIC-2026-004 to 2027-03-31 (standard hours), base plus to 2026-12-31."""
    contract_create(
        actor=manager,
        organization=organization,
        reference="LIC-2026-004",
        starts_on=date(2026, 4, 1),
        ends_on=date(2027, 3, 31),
        included_minutes=1200,
    )
    subscription_create(
        actor=manager,
        organization=organization,
        plan=Plan.objects.get(code="base-plus"),
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 12, 31),
    )
