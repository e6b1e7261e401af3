"""What the resolution email carries for the satisfaction rating, the notice of a bad one, and
who is told of a satisfaction guarantee: the managers when invoked, the client when decided."""

from __future__ import annotations

import calendar
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from soutien.notifications import recipients
from soutien.notifications.services import email_each, post
from soutien.outbound.kinds import EmailKind, register
from soutien.outbound.models import OutboundEmail

if TYPE_CHECKING:
    from soutien.satisfaction.models import Guarantee
    from soutien.ticketing.models import Ticket

SALT = "soutien.satisfaction.rating"


def rating_token(ticket_id: int) -> str:
    """A signed, dated token naming the request (read by soutien.satisfaction.tokens)."""
    return signing.dumps({"t": ticket_id}, salt=SALT)


def rating_links(ticket_id: int) -> dict[str, str]:
    """The two one-click links of the resolution email: good and bad."""
    url = settings.SITE_URL + reverse("public:rate", args=[rating_token(ticket_id)])
    return {"good": f"{url}?r=good", "bad": f"{url}?r=bad"}


def bad_rating(*, ticket: Ticket, comment: str) -> int:
    """A client rated a request "bad": a notice to every support manager, to follow up."""
    return post(recipients.managers(), "satisfaction_bad", ticket=ticket, comment=comment[:500])


def guarantee_invoked(*, guarantee: Guarantee) -> int:
    """A client invoked the satisfaction guarantee: every support manager decides, in time."""
    return post(
        recipients.managers(),
        "guarantee_invoked",
        ticket=guarantee.ticket,
        guarantee=guarantee.pk,
        organization=guarantee.organization.name,
        reason=guarantee.reason[:500],
        decide_by=guarantee.decide_by,
    )


OVERDUE_EMAIL = "guarantee_overdue"


def guarantee_overdue(*, guarantee: Guarantee) -> int:
    """A guarantee is still undecided past its due time: every support manager, once (the caller
    marks it told in the same transaction), a notice and an email in their language. Returns
    how many emails were queued."""
    managers = recipients.managers()
    post(
        managers,
        "guarantee_overdue",
        ticket=guarantee.ticket,
        guarantee=guarantee.pk,
        organization=guarantee.organization.name,
        reason=guarantee.reason[:500],
        decide_by=guarantee.decide_by,
    )
    facts = {
        "guarantee": guarantee.pk,
        "organization": guarantee.organization.name,
        "reason": guarantee.reason[:500],
        "subject": guarantee.ticket.subject if guarantee.ticket is not None else "",
        "first_day": guarantee.first_day.isoformat() if guarantee.first_day else "",
        "last_day": guarantee.last_day.isoformat() if guarantee.last_day else "",
        "decide_by": guarantee.decide_by.isoformat(),
    }
    return email_each(managers, OVERDUE_EMAIL, context=facts, ticket_id=guarantee.ticket_id)


DECIDED_EMAIL = "guarantee_decided"


def _decision_facts(guarantee: Guarantee, credit_day: date | None) -> dict[str, object]:
    """What the client reads of a decision, kept with the notice and the email (plain JSON)."""
    credit = guarantee.credit
    bank = credit.bank if credit is not None else None
    return {
        "guarantee": guarantee.pk,
        "state": guarantee.state,
        "note": guarantee.decision_note,
        "reason": guarantee.reason[:500],
        "subject": guarantee.ticket.subject if guarantee.ticket is not None else "",
        "first_day": guarantee.first_day.isoformat() if guarantee.first_day else "",
        "last_day": guarantee.last_day.isoformat() if guarantee.last_day else "",
        "credit_minutes": credit.minutes if credit is not None else 0,
        "waived_minutes": credit.waived_overage_minutes if credit is not None else 0,
        "bank_fr": bank.label("fr") if bank is not None else "",
        "bank_en": bank.label("en") if bank is not None else "",
        "credit_day": credit_day.isoformat() if credit is not None and credit_day else "",
    }


def guarantee_decided(*, guarantee: Guarantee, credit_day: date | None = None) -> int:
    """A manager decided: the client administrator who invoked the guarantee, and the request's
    contact if someone else, get a notice and an email (their language) with the decision, the
    note and the credit (`credit_day`: the vendor's day it was granted, whose month's statement
    shows it). Returns how many emails were queued."""
    people = [guarantee.invoked_by]
    if guarantee.ticket is not None:
        people.append(guarantee.ticket.contact)
    people = [
        p
        for p in {p.pk: p for p in people}.values()
        if p.is_active and p.organization_id == guarantee.organization_id
    ]
    facts = _decision_facts(guarantee, credit_day)
    post(people, "guarantee_decided", ticket=guarantee.ticket, **facts)
    return email_each(people, DECIDED_EMAIL, context=facts, ticket_id=guarantee.ticket_id)


def _minutes(value: object) -> str:
    hours, minutes = divmod(abs(int(str(value or 0))), 60)
    return f"{hours} h {minutes:02d}" if hours else f"{minutes} min"


def _decided_context(row: OutboundEmail) -> dict[str, Any]:
    data = row.context
    ticket_id = row.ticket_id
    # Anyone may open the request; the statement is a client administrator's page.
    admin = row.recipient is not None and row.recipient.is_client_admin
    credit_day = str(data.get("credit_day") or "")
    if ticket_id:
        url = settings.SITE_URL + reverse("portal:ticket", args=[ticket_id])
    else:
        url = settings.SITE_URL + reverse("portal:statement")
    statement_url = ""
    if admin and credit_day:
        first, last = _month_of(date.fromisoformat(credit_day))
        statement_url = settings.SITE_URL + reverse("portal:statement") + f"?du={first}&au={last}"
    first_day = str(data.get("first_day") or "")
    last_day = str(data.get("last_day") or "")
    return {
        "granted": data.get("state") == "granted",
        "note": data.get("note", ""),
        "reason": data.get("reason", ""),
        "number": ticket_id,
        "subject": data.get("subject", ""),
        "first_day": date.fromisoformat(first_day) if first_day else None,
        "last_day": date.fromisoformat(last_day) if last_day else None,
        "credit": _minutes(data["credit_minutes"]) if data.get("credit_minutes") else "",
        "waived": _minutes(data["waived_minutes"]) if data.get("waived_minutes") else "",
        "bank": data.get("bank_en" if row.language == "en" else "bank_fr", ""),
        "url": url,
        "statement_url": statement_url,
    }


def _month_of(day: date) -> tuple[date, date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def _overdue_context(row: OutboundEmail) -> dict[str, Any]:
    data = row.context
    if row.ticket_id:
        url = settings.SITE_URL + reverse("console:ticket", args=[row.ticket_id]) + "#satisfaction"
    else:
        url = settings.SITE_URL + reverse("console:report", args=["satisfaction"]) + "#guarantees"
    first_day = str(data.get("first_day") or "")
    last_day = str(data.get("last_day") or "")
    return {
        "number": row.ticket_id,
        "subject": data.get("subject", ""),
        "organization": data.get("organization", ""),
        "reason": data.get("reason", ""),
        "decide_by": parse_datetime(str(data.get("decide_by", ""))),
        "first_day": date.fromisoformat(first_day) if first_day else None,
        "last_day": date.fromisoformat(last_day) if last_day else None,
        "url": url,
    }


register(EmailKind(DECIDED_EMAIL, f"notifications/emails/{DECIDED_EMAIL}", _decided_context))
register(EmailKind(OVERDUE_EMAIL, f"notifications/emails/{OVERDUE_EMAIL}", _overdue_context))
