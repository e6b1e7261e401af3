"""iCalendar files for sessions, built with the `icalendar` library (RFC 5545, 5546, 7986).

- An invitation (METHOD:REQUEST) or its cancellation (METHOD:CANCEL) for one session: the
  same UID for its whole life, SEQUENCE raised with each change sent, the vendor's time zone
  with its VTIMEZONE, the host as organizer, the client's contact and named attendees.
- A calendar feed (no METHOD) of a person's sessions and time off, for Outlook, Google
  Calendar or Thunderbird to subscribe to.

Text is written in the reader's language. A local time that happens twice (the hour before
the November change) or never is written in UTC instead: with a TZID a reader would take the
first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from soutien.accounts.models import User
from soutien.training.models import Session, SessionKind, SessionStatus, TimeOff

PRODID = "-//Soutien//Sessions//FR"
REQUEST, CANCEL = "REQUEST", "CANCEL"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def content_type(method: str) -> str:
    """The MIME type of an invitation file: mail clients read the method from it."""
    return f"text/calendar; method={method}; charset=utf-8"


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "soutien.invalid"


def uid(session: Session) -> str:
    """The session's UID: the same in every invitation, update and cancellation."""
    return f"{session.uid}@{_domain()}"


def _when(moment: datetime) -> datetime:
    """The instant in the vendor's zone, or in UTC if that wall-clock time is ambiguous."""
    zone = _zone()
    local = moment.astimezone(zone)
    # Read back as a calendar program would (the first occurrence): the same instant?
    if local.replace(tzinfo=zone, fold=0).astimezone(UTC) != moment.astimezone(UTC):
        return moment.astimezone(UTC)
    return local


def _address(person: User, role: str, status: str, *, name: str = "") -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = vText(name or person.display_name)
    address.params["ROLE"] = vText(role)
    address.params["PARTSTAT"] = vText(status)
    return address


def _organizer(session: Session) -> vCalAddress:
    host = session.host
    email = host.email or str(settings.DEFAULT_FROM_EMAIL).rsplit("<", 1)[-1].rstrip(">")
    organizer = vCalAddress(f"mailto:{email}")
    organizer.params["CN"] = vText(host.display_name)
    return organizer


def _attendees(session: Session) -> list[vCalAddress]:
    accepted = session.status in (SessionStatus.CONFIRMED, SessionStatus.HELD)
    state = "ACCEPTED" if accepted else "NEEDS-ACTION"
    people: list[vCalAddress] = []
    seen: set[str] = set()
    if session.host.email:
        people.append(_address(session.host, "CHAIR", "ACCEPTED"))
        seen.add(session.host.email.lower())
    contact = session.ticket.contact
    if contact.email and contact.email.lower() not in seen:
        people.append(_address(contact, "REQ-PARTICIPANT", state))
        seen.add(contact.email.lower())
    if session.training is not None:
        for attendee in session.training.attendees:
            email = str(attendee.get("email") or "").strip()
            if email and email.lower() not in seen:
                address = vCalAddress(f"mailto:{email}")
                address.params["CN"] = vText(str(attendee.get("name") or email))
                address.params["ROLE"] = vText("REQ-PARTICIPANT")
                address.params["PARTSTAT"] = vText(state)
                people.append(address)
                seen.add(email.lower())
    return people


def summary(session: Session) -> str:
    """The event's title in the active language."""
    if session.kind == SessionKind.TRAINING and session.training is not None:
        return _("Training: %(subject)s") % {"subject": session.training.get_subject_display()}
    return _("Teleconference: %(subject)s") % {"subject": session.ticket.subject}


def location(session: Session) -> str:
    """Where it happens, in words: the room, the client's address, or the way to join."""
    if session.room is not None:
        room = session.room
        return f"{room.name}, {room.address}" if room.address else room.name
    if session.location:
        return session.location
    return session.join_url or session.bridge


def _line(label: str, value: object) -> str:
    return _("%(label)s: %(value)s") % {"label": label, "value": value}


def _description(session: Session) -> str:
    ticket = session.ticket
    lines = [
        _("Request #%(number)s — %(organization)s")
        % {"number": ticket.number, "organization": ticket.organization.name},
        ticket.subject,
        "",
    ]
    role = _("Trainer") if session.kind == SessionKind.TRAINING else _("Technician")
    lines.append(_line(role, session.host.display_name))
    training = session.training
    if training is not None:
        if training.subject_detail:
            lines.append(training.subject_detail)
        lines.append(_line(_("Place"), training.get_place_display()))
        if session.room is not None:
            capacity = _("%(count)s people") % {"count": session.room.capacity}
            lines.append(_line(_("Room"), f"{session.room.name} ({capacity})"))
        names = ", ".join(training.attendee_names)
        count = training.attendee_count
        lines.append(_line(_("Attendees"), f"{count} ({names})" if names else count))
        lines.append(_line(_("Language of the training"), training.get_language_display()))
    if session.join_url:
        lines.append(_line(_("Join link"), session.join_url))
    if session.bridge:
        lines.append(_line(_("Bridge number"), session.bridge))
    return "\n".join(lines)


STATUS: dict[str, str] = {
    SessionStatus.PROPOSED: "TENTATIVE",
    SessionStatus.CONFIRMED: "CONFIRMED",
    SessionStatus.HELD: "CONFIRMED",
    SessionStatus.NO_SHOW: "CONFIRMED",
    SessionStatus.CANCELLED: "CANCELLED",
}


def _event(session: Session, *, method: str | None, stamp: datetime) -> Event:
    event = Event.new(
        uid=uid(session),
        sequence=session.sequence,
        stamp=stamp,
        start=_when(session.starts_at),
        end=_when(session.ends_at),
        summary=summary(session),
        description=_description(session),
        status="CANCELLED" if method == CANCEL else STATUS[session.status],  # type: ignore[arg-type]
    )
    where = location(session)
    if where:
        event.add("location", where)
    if session.join_url:
        event.add("url", session.join_url)
    event.add("organizer", _organizer(session))
    for attendee in _attendees(session):
        event.add("attendee", attendee)
    event.add("transp", "OPAQUE")
    event.add("last-modified", session.updated_at.astimezone(UTC))
    return event


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _calendar(method: str | None, events: Iterable[Event], name: str = "") -> Calendar:
    calendar = Calendar.new(prodid=PRODID, method=method, name=name or None)
    calendar.pop("UID", None)  # a calendar object needs none; an iTIP message has the event's
    days: list[date] = []
    for event in events:
        calendar.add_component(event)
        days += [_day(event.start), _day(event.end)]
    if days:
        # Only the time zone's changes around these events: a small file.
        calendar.add_missing_timezones(
            first_date=min(days) - timedelta(days=366), last_date=max(days) + timedelta(days=366)
        )
    return calendar


def invitation(session: Session, *, language: str, method: str = REQUEST) -> bytes:
    """The invitation (REQUEST) or cancellation (CANCEL) of one session, in `language`."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unknown method {method!r}")
    with translation.override(language):
        event = _event(session, method=method, stamp=timezone.now())
        return _calendar(method, [event]).to_ical()


def feed(
    person: User,
    sessions: Iterable[Session],
    time_off: Iterable[TimeOff],
    *,
    language: str,
) -> bytes:
    """A person's calendar to subscribe to: their sessions and their time off."""
    with translation.override(language):
        now = timezone.now()
        events = [_event(s, method=None, stamp=now) for s in sessions]
        for stretch in time_off:
            event = Event.new(
                uid=f"time-off-{stretch.pk}@{_domain()}",
                stamp=now,
                start=_when(stretch.starts_at),
                end=_when(stretch.ends_at),
                summary=stretch.reason or _("Time off"),
            )
            event.add("transp", "OPAQUE")
            events.append(event)
        name = _("Sessions of %(name)s") % {"name": person.display_name}
        calendar = _calendar(None, events, name=name)
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
        return calendar.to_ical()
