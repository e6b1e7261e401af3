"""Small factories for tests: real objects made through the same services the product uses."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any

from soutien.accounts.models import ClientRole, Organization, User
from soutien.accounts.services import staff_create
from soutien.contracts.models import Plan
from soutien.contracts.services import contract_create, plan_save, subscription_create
from soutien.sla.models import ServiceCalendar
from soutien.ticketing import services
from soutien.ticketing.models import Channel, Ticket
from soutien.training.models import Room, TrainingRequest
from soutien.training.services import Attendee, Period, training_request_create

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
    trainer: bool = False,
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
        administrator=admin,
        development_lead=development_lead,
        trainer=trainer,
        language=language,
    )


def trainer(name: str | None = None, *, levels: tuple[int, ...] = (), language: str = "fr") -> User:
    return staff(levels=levels, trainer=True, name=name, language=language)


def room(name: str | None = None, *, capacity: int = 8) -> Room:
    return Room.objects.create(
        name=name or f"Salle {next(_seq)}", capacity=capacity, equipment=["projecteur"]
    )


def custom_plan(
    manager: User,
    *,
    services: tuple[str, ...] = ("training", "teleconference"),
    minutes: int = 1200,
    code: str | None = None,
) -> Plan:
    """A negotiated plan ("Support personnalisé") on the standard service hours."""
    return plan_save(
        actor=manager,
        code=code or f"perso-{next(_seq)}",
        name_fr="Support personnalisé",
        name_en="Custom support",
        minutes=minutes,
        calendar=ServiceCalendar.objects.get(name="Heures normales de service"),
        services=services,
    )


def training_request(
    *,
    contact: User,
    actor: User | None = None,
    subject: str = "basics",
    place: str = "vendor",
    attendees: tuple[str, ...] = ("Ana", "Bruno", "Chloé"),
    preferred: tuple[tuple[datetime, datetime], ...] = (),
    language: str = "fr",
    **kwargs: Any,
) -> TrainingRequest:
    assert contact.organization is not None
    return training_request_create(
        actor=actor or contact,
        organization=contact.organization,
        contact=contact,
        subject=subject,
        place=place,
        attendees=[Attendee(name) for name in attendees],
        preferred=[Period(start, end) for start, end in preferred],
        language=language,
        **kwargs,
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
