"""Who is told what about training requests, sessions and teleconferences (SPEC 5 and 7).

The training app makes the invitation files (iCalendar, one per language) and passes them as
bytes; each recipient gets the one in their language. The client's contact and the session's
host (trainer or technician) get every invitation, update and cancellation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import translation
from django.utils.dateparse import parse_datetime

from soutien.accounts.models import User
from soutien.notifications import recipients
from soutien.notifications.emails import TEMPLATES, ticket_context
from soutien.notifications.models import Notification
from soutien.notifications.services import post
from soutien.outbound.kinds import EmailKind, register
from soutien.outbound.models import OutboundEmail
from soutien.outbound.outbox import AUTO_GENERATED, queue

if TYPE_CHECKING:
    from soutien.training.models import Session, TrainingRequest

# Invitation files by language ("fr", "en"), made by the training app.
Invitations = Mapping[str, bytes]
# What pays for a training session: the plan bank's name by language, or None (billable).
Funding = Mapping[str, Any] | None

FILE_NAMES = {
    "REQUEST": {"fr": "invitation.ics", "en": "invitation.ics"},
    "CANCEL": {"fr": "annulation.ics", "en": "cancellation.ics"},
}


def _unique(people: list[User]) -> list[User]:
    return list({p.pk: p for p in people if p.is_active}.values())


def training_requested(*, training: TrainingRequest) -> int:
    """To the trainers and the managers: a client asks for a training (the client's
    acknowledgement is the request's own)."""
    people = _unique(recipients.trainers() + recipients.managers())
    return post(
        people,
        Notification.Kind.TRAINING_REQUESTED,
        ticket=training.ticket,
        subject=training.subject,
        place=training.place,
    )


def _session_data(session: Session, language: str) -> dict[str, Any]:
    """What the emails say about a session, in the reader's language (stored with the email)."""
    with translation.override(language):
        training = session.training
        data: dict[str, Any] = {
            "session": session.pk,
            "kind": session.kind,
            "status": session.status,
            "starts_at": session.starts_at.isoformat(),
            "ends_at": session.ends_at.isoformat(),
            "minutes": session.minutes,
            "host": session.host.display_name,
            "room": session.room.name if session.room else "",
            "room_address": session.room.address if session.room else "",
            "location": session.location,
            "join_url": session.join_url,
            "bridge": session.bridge,
            "topic": training.get_subject_display() if training else session.ticket.subject,
            "place": training.get_place_display() if training and training.place else "",
            "attendees": training.attendee_count if training else None,
            "training_language": training.get_language_display() if training else "",
        }
    return data


def _email(
    person: User,
    template: str,
    session: Session,
    *,
    event: str,
    method: str = "",
    files: Invitations | None = None,
    **extra: Any,
) -> OutboundEmail | None:
    if not person.email:
        return None
    language = person.language if person.language in ("fr", "en") else settings.LANGUAGE_CODE
    attached = []
    if files:
        data = files.get(language) or next(iter(files.values()))
        content_type = f"text/calendar; method={method}; charset=utf-8"
        attached.append((FILE_NAMES[method][language], data, content_type))
    return queue(
        template=template,
        to_address=person.email,
        language=language,
        recipient=person,
        ticket_id=session.ticket_id,
        context={**_session_data(session, language), "event": event, **extra},
        auto_submitted=AUTO_GENERATED,
        files=attached,
    )


def _funding_words(funding: Funding) -> dict[str, Any]:
    if funding is None:
        return {"billable": True}
    return {"billable": False, "bank": dict(funding.get("bank", {})), "left": funding.get("left")}


def _send(people: list[User], template: str, session: Session, **options: Any) -> int:
    """One email of `template` to each person with an address; how many were queued."""
    return sum(1 for person in _unique(people) if _email(person, template, session, **options))


def _invite(
    session: Session,
    invitations: Invitations,
    *,
    event: str,
    actor: User | None,
    notice: str | None,
    funding: Funding = None,
    training_session: bool = True,
) -> int:
    """The invitation (or its update) to the client's contact and the host; a notice to the
    host when someone else did it."""
    extra = _funding_words(funding) if training_session else {}
    sent = _send(
        [session.ticket.contact, session.host],
        "session_invitation",
        session,
        event=event,
        method="REQUEST",
        files=invitations,
        **extra,
    )
    if notice and (actor is None or actor.pk != session.host_id):
        post([session.host], notice, ticket=session.ticket, session=session.pk, event=event)
    return sent


def session_proposed(
    *, session: Session, invitations: Invitations, actor: User, funding: Funding = None
) -> int:
    """A training session proposed to the client (to accept, or to ask for another date)."""
    return _invite(
        session,
        invitations,
        event="proposed",
        actor=actor,
        notice=Notification.Kind.SESSION_BOOKED,
        funding=funding,
    )


def session_confirmed(
    *, session: Session, invitations: Invitations, actor: User, funding: Funding = None
) -> int:
    """The confirmation of a training session, saying which plan pays for it (or billable)."""
    return _invite(
        session,
        invitations,
        event="confirmed",
        actor=actor,
        notice=Notification.Kind.SESSION_CONFIRMED,
        funding=funding,
    )


def session_moved(
    *,
    session: Session,
    invitations: Invitations,
    actor: User,
    funding: Funding = None,
    former_host: User | None = None,
    cancellations: Invitations | None = None,
) -> int:
    """A session changed (time, place, host): the updated invitation; a host taken off it
    gets the cancellation."""
    sent = _invite(
        session,
        invitations,
        event="updated",
        actor=actor,
        notice=Notification.Kind.SESSION_BOOKED,
        funding=funding,
        training_session=session.training_id is not None,
    )
    if former_host is not None and cancellations:
        sent += _send([former_host], "session_cancelled", session, event="reassigned",
                      method="CANCEL", files=cancellations)  # fmt: skip
        post([former_host], Notification.Kind.SESSION_CANCELLED, ticket=session.ticket,
             session=session.pk)  # fmt: skip
    return sent


def teleconference_scheduled(*, session: Session, invitations: Invitations, actor: User) -> int:
    """A teleconference on a request: the invitation to the contact and the technician."""
    return _invite(
        session,
        invitations,
        event="scheduled",
        actor=actor,
        notice=Notification.Kind.SESSION_BOOKED,
        training_session=False,
    )


def session_cancelled(
    *, session: Session, cancellations: Invitations, actor: User, reason: str = ""
) -> int:
    """The cancellation (METHOD:CANCEL) to the contact and the host."""
    sent = _send(
        [session.ticket.contact, session.host],
        "session_cancelled",
        session,
        event="cancelled",
        method="CANCEL",
        files=cancellations,
        reason=reason,
    )
    if actor.pk != session.host_id:
        post([session.host], Notification.Kind.SESSION_CANCELLED, ticket=session.ticket,
             session=session.pk)  # fmt: skip
    return sent


def session_change_requested(*, session: Session, actor: User, note: str) -> int:
    """To the host and the managers: the client asks for another date."""
    people = _unique([session.host, *recipients.managers()])
    post(people, Notification.Kind.SESSION_CHANGE, ticket=session.ticket, session=session.pk,
         note=note[:500], by=actor.display_name)  # fmt: skip
    return _send([session.host], "session_change", session, event="change", note=note,
                 by=actor.display_name)  # fmt: skip


def _session(row: OutboundEmail) -> dict[str, Any]:
    context = ticket_context(row)
    data = row.context
    context.update(data)
    context["starts_at"] = parse_datetime(str(data.get("starts_at", "")))
    context["ends_at"] = parse_datetime(str(data.get("ends_at", "")))
    context["training"] = data.get("kind") == "training"
    context["organization"] = context["ticket"].organization.name
    bank = data.get("bank") or {}
    context["bank"] = bank.get(row.language) or bank.get("fr") or ""
    left = data.get("left")
    context["left"] = f"{left // 60} h {left % 60:02d}" if isinstance(left, int) else ""
    return context


for kind in (
    EmailKind("session_invitation", f"{TEMPLATES}/session_invitation", _session),
    EmailKind("session_cancelled", f"{TEMPLATES}/session_cancelled", _session),
    EmailKind("session_change", f"{TEMPLATES}/session_change", _session),
):
    register(kind)
