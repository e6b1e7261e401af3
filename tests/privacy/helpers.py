"""Records of every kind the retention job handles, made at a chosen age."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from django.utils import timezone

from soutien.accounts.models import LoginFailure, User
from soutien.channels.mail.models import InboundEmail
from soutien.kb.models import SearchStat
from soutien.outbound.models import OutboundEmail
from soutien.ticketing import services
from soutien.ticketing.models import Attachment, Status, Ticket
from soutien.ticketing.services import Upload
from tests import factories


def days_ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def closed_ticket(contact: User, *, days: int, subject: str = "Mot de passe de Marc") -> Ticket:
    ticket = factories.ticket(contact=contact, subject=subject, body="Mon NAS est 123 456 789.")
    services.message_add(
        actor=contact,
        ticket=ticket,
        kind="client",
        body="Voici mon numéro : 514-555-0101",
        uploads=[Upload(name="capture.png", content=io.BytesIO(b"png"), size=3)],
    )
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED, closed_at=days_ago(days))
    Attachment.objects.filter(ticket=ticket).update(created_at=days_ago(days + 1))
    ticket.refresh_from_db()
    return ticket


def login_failure(days: int, username: str = "marc") -> LoginFailure:
    return LoginFailure.objects.create(username=username, address="192.0.2.1", at=days_ago(days))


def search_stat(days: int, query: str = "mot de passe") -> SearchStat:
    day: date = timezone.localdate() - timedelta(days=days)
    return SearchStat.objects.create(day=day, language="fr", query=query, searches=1)


def sent_email(days: int, to: str = "marc@example.com") -> OutboundEmail:
    return OutboundEmail.objects.create(
        template="ack",
        language="fr",
        to_address=to,
        subject="Votre demande",
        text="Bonjour Marc",
        message_id=f"<{to}-{days}-{OutboundEmail.objects.count()}@soutien.example>",
        status=OutboundEmail.Status.SENT,
        created_at=days_ago(days),
    )


def raw_email(days: int, key: str) -> InboundEmail:
    return InboundEmail.objects.create(
        key=key,
        message_id=f"<{key}@client.example>",
        raw=b"From: marc@example.com\r\n\r\nBonjour",
        size=34,
        arrived_at=days_ago(days),
        from_address="marc@example.com",
        subject="Bonjour",
        text="Bonjour",
        status=InboundEmail.Status.IMPORTED,
    )
