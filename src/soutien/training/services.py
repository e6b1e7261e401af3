"""Writes on training requests, rooms, working hours, time off, sessions and calendar feeds.

Each service is one transaction. A session's invitation (iCalendar, one per language) is made
here and handed to `soutien.notifications.training` as bytes; its SEQUENCE goes up with each
change sent. A held session becomes one time entry of its host, drawn from the client's
banks by `soutien.contracts` (a training from plans that include training only).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signing import BadSignature, Signer
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from soutien.accounts.models import Language, Organization, User
from soutien.accounts.permissions import require_manager, require_staff
from soutien.contracts.models import Service
from soutien.contracts.selectors import banks_offering, subscriptions_including
from soutien.contracts.services import time_entry_create
from soutien.core.dates import check_year, moment_text
from soutien.core.db import lock_row
from soutien.core.errors import InvalidInput, NotFound
from soutien.notifications import training as notify
from soutien.sla.models import ServiceCalendar
from soutien.ticketing import history
from soutien.ticketing import services as tickets
from soutien.ticketing.models import Channel, Event, Kind, Status, Ticket
from soutien.training import invitations
from soutien.training.booking import (
    Booking,
    BookingConflict,
    check_hours,
    conflicts,
    is_exclusion_violation,
)
from soutien.training.models import (
    MAX_SESSION,
    UPCOMING_STATUSES,
    CalendarFeed,
    Place,
    PreferredPeriod,
    Room,
    Session,
    SessionKind,
    SessionStatus,
    Subject,
    TimeOff,
    TrainingRequest,
    WorkCalendar,
)

MANAGERS_ONLY = gettext_lazy("Only a support manager or an administrator can do this.")
MAX_ATTENDEES = 500
MAX_PERIODS = 20
# Preferred periods and sessions further ahead than this are typing mistakes.
HORIZON = timedelta(days=2 * 366)
# A session may be booked a little in the past (the clock of the one booking it drifts).
CLOCK_SKEW = timedelta(minutes=5)
LANGUAGES = ("fr", "en")
_feed_signer = Signer(salt="soutien.training.feed", sep=".")


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str = ""


@dataclass(frozen=True)
class Period:
    """A preferred period; `ends_at` excluded (a whole day is midnight to midnight)."""

    starts_at: datetime
    ends_at: datetime


def _now() -> datetime:
    return timezone.now()


def _aware(value: datetime, field: str) -> datetime:
    if timezone.is_naive(value):
        raise InvalidInput(_("Give the time with its UTC offset."), field=field)
    return value


# -- training requests ----------------------------------------------------------------------


def _clean_attendees(attendees: Sequence[Attendee]) -> list[dict[str, str]]:
    if len(attendees) > MAX_ATTENDEES:
        raise InvalidInput(
            _("At most %(count)s attendees.") % {"count": MAX_ATTENDEES}, field="attendees"
        )
    cleaned = []
    for attendee in attendees:
        name = " ".join(attendee.name.split())[:200]
        email = attendee.email.strip()
        if not name:
            raise InvalidInput(_("Each attendee needs a name."), field="attendees")
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise InvalidInput(
                    _("%(value)s is not a valid email address.") % {"value": email},
                    field="attendees",
                ) from exc
        cleaned.append({"name": name, "email": email} if email else {"name": name})
    return cleaned


def _clean_count(count: int | None, named: int, *, required: bool) -> int | None:
    if count is None:
        if named:
            return named
        if required:
            raise InvalidInput(_("Say how many people will attend."), field="attendees")
        return None
    if not 1 <= count <= MAX_ATTENDEES:
        raise InvalidInput(
            _("Between 1 and %(count)s attendees.") % {"count": MAX_ATTENDEES},
            field="attendee_count",
        )
    if count < named:
        raise InvalidInput(
            _("More attendees are named than the number given."), field="attendee_count"
        )
    return count


def _clean_periods(periods: Sequence[Period]) -> list[Period]:
    if len(periods) > MAX_PERIODS:
        raise InvalidInput(
            _("At most %(count)s preferred periods.") % {"count": MAX_PERIODS}, field="preferred"
        )
    now = _now()
    for period in periods:
        _aware(period.starts_at, "preferred")
        _aware(period.ends_at, "preferred")
        if period.ends_at <= period.starts_at:
            raise InvalidInput(_("A preferred period ends after it starts."), field="preferred")
        if period.ends_at <= now:
            raise InvalidInput(_("A preferred period is already over."), field="preferred")
        if period.starts_at > now + HORIZON:
            raise InvalidInput(_("A preferred period is too far ahead."), field="preferred")
    return sorted(periods, key=lambda p: p.starts_at)


def _check_details(
    *, subject: str, subject_detail: str, place: str, address: str, language: str, intake: bool
) -> None:
    if subject not in Subject.values:
        raise InvalidInput(_("Unknown subject: %(value)s.") % {"value": subject}, field="subject")
    if subject == Subject.OTHER and not subject_detail.strip():
        raise InvalidInput(_("Say what the training should cover."), field="subject_detail")
    if place not in Place.values and not (intake and place == ""):
        raise InvalidInput(_("Unknown place: %(value)s.") % {"value": place}, field="place")
    if place == Place.CLIENT and not address.strip():
        raise InvalidInput(_("Give the address of your premises."), field="address")
    if len(address) > 300:
        raise InvalidInput(_("The address is longer than 300 characters."), field="address")
    if language not in Language.values:
        raise InvalidInput(
            _("Unknown language: %(value)s.") % {"value": language}, field="language"
        )


def _summary(training: TrainingRequest, periods: Sequence[Period]) -> str:
    """The request's body in words, in the active language."""
    lines = [_("Subject: %(value)s") % {"value": training.get_subject_display()}]
    if training.subject_detail:
        lines.append(training.subject_detail)
    if training.place:
        place = training.get_place_display()
        if training.address:
            place = f"{place} — {training.address}"
        lines.append(_("Place: %(value)s") % {"value": place})
    if training.attendee_count:
        names = ", ".join(training.attendee_names)
        count = str(training.attendee_count) + (f" ({names})" if names else "")
        lines.append(_("Attendees: %(value)s") % {"value": count})
    for period in periods:
        start, end = moment_text(period.starts_at), moment_text(period.ends_at)
        lines.append(_("Preferred: %(start)s to %(end)s") % {"start": start, "end": end})
    lines.append(_("Language: %(value)s") % {"value": training.get_language_display()})
    return "\n".join(lines)


@transaction.atomic
def training_request_create(
    *,
    actor: User,
    organization: Organization,
    contact: User,
    subject: str,
    place: str,
    language: str,
    subject_detail: str = "",
    address: str = "",
    attendees: Sequence[Attendee] = (),
    attendee_count: int | None = None,
    preferred: Sequence[Period] = (),
    channel: str = Channel.WEB,
    received_at: datetime | None = None,
    intake: bool = False,
    title: str = "",
    uploads: Sequence[tickets.Upload] = (),
) -> TrainingRequest:
    """Ask for a training: a request of kind training (number, history, acknowledgement) and
    what is specific to it. Clients ask for their own organization; staff on a client's behalf.

    `intake=True`: from an email to the training address (the place and the number of
    attendees may be unsaid; staff fill them in). `title`: the request's subject (the email's).
    """
    subject_detail = subject_detail.strip()
    address = " ".join(address.split())
    _check_details(
        subject=subject,
        subject_detail=subject_detail,
        place=place,
        address=address,
        language=language,
        intake=intake,
    )
    people = _clean_attendees(attendees)
    count = _clean_count(attendee_count, len(people), required=not intake)
    periods = _clean_periods(preferred)
    training = TrainingRequest(
        subject=subject,
        subject_detail=subject_detail,
        place=place,
        address=address,
        attendees=people,
        attendee_count=count,
        language=language,
    )
    with translation.override(contact.language or language):
        if not title:
            title = _("Training: %(subject)s") % {"subject": training.get_subject_display()}
        body = _summary(training, periods)
    ticket = tickets.ticket_create(
        actor=actor,
        organization=organization,
        contact=contact,
        subject=title,
        body=body,
        channel=channel,
        received_at=received_at,
        uploads=uploads,
        intake=intake,
        kind=Kind.TRAINING,
    )
    training.ticket = ticket
    training.save()
    PreferredPeriod.objects.bulk_create(
        PreferredPeriod(training=training, starts_at=p.starts_at, ends_at=p.ends_at)
        for p in periods
    )
    notify.training_requested(training=training)
    return training


@transaction.atomic
def training_request_update(
    *,
    actor: User,
    training: TrainingRequest,
    subject: str | None = None,
    subject_detail: str | None = None,
    place: str | None = None,
    address: str | None = None,
    attendees: Sequence[Attendee] | None = None,
    attendee_count: int | None = None,
    language: str | None = None,
) -> TrainingRequest:
    """Staff complete or correct what a client asked (a request by email says it in words)."""
    require_staff(actor)
    training = lock_row(TrainingRequest, training.pk)
    before = {
        "subject": training.subject,
        "place": training.place,
        "address": training.address,
        "attendee_count": training.attendee_count,
        "language": training.language,
    }
    if subject is not None:
        training.subject = subject
    if subject_detail is not None:
        training.subject_detail = subject_detail.strip()
    if place is not None:
        training.place = place
    if address is not None:
        training.address = " ".join(address.split())
    if language is not None:
        training.language = language
    _check_details(
        subject=training.subject,
        subject_detail=training.subject_detail,
        place=training.place,
        address=training.address,
        language=training.language,
        intake=False,
    )
    if attendees is not None:
        training.attendees = _clean_attendees(attendees)
    named = len(training.attendee_names)
    training.attendee_count = _clean_count(
        attendee_count if attendee_count is not None else training.attendee_count,
        named,
        required=True,
    )
    _check_rooms_hold(
        Session.objects.filter(training=training), training.attendee_count, "attendee_count"
    )
    training.save()
    after = {key: getattr(training, key) for key in before}
    changed = {
        key: {"from": before[key], "to": after[key]} for key in before if before[key] != after[key]
    }
    history.record(training.ticket, actor, Event.Action.FIELD, training=changed)
    return training


def _check_rooms_hold(
    sessions: Any, attendees: int | None, field: str, room: Room | None = None
) -> None:
    """Refuse a change that would put more attendees in an upcoming session's room than it
    holds (more attendees, or a room made smaller)."""
    if attendees is None:
        return
    for session in sessions:
        held_in = room or session.room
        if held_in is None or session.status not in UPCOMING_STATUSES:
            continue
        if attendees > held_in.capacity:
            raise BookingConflict(
                [
                    {
                        "kind": "capacity",
                        "room": held_in.pk,
                        "name": held_in.name,
                        "capacity": held_in.capacity,
                        "attendees": attendees,
                        "session": session.pk,
                    }
                ],
                field=field,
            )


# -- rooms, working hours, time off ---------------------------------------------------------


@transaction.atomic
def room_save(
    *,
    actor: User,
    room: Room | None = None,
    name: str,
    capacity: int,
    equipment: Sequence[str] = (),
    address: str = "",
    is_active: bool = True,
) -> Room:
    """Add or edit a training room."""
    require_manager(actor, MANAGERS_ONLY)
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("The name cannot be empty."), field="name")
    if len(name) > 200:
        raise InvalidInput(_("The name is longer than 200 characters."), field="name")
    if not 1 <= capacity <= 10_000:
        raise InvalidInput(_("A room holds at least one person."), field="capacity")
    items = [" ".join(str(item).split())[:100] for item in equipment]
    room = room or Room()
    room.name, room.capacity, room.address = name, capacity, " ".join(address.split())[:300]
    room.equipment, room.is_active = [item for item in items if item], is_active
    if Room.objects.filter(name__iexact=name).exclude(pk=room.pk).exists():
        raise InvalidInput(_("A room with this name already exists."), field="name")
    if room.pk is not None:
        booked = Session.objects.filter(room=room).select_related("training")
        for session in booked.filter(status__in=UPCOMING_STATUSES):
            if session.training is not None:
                _check_rooms_hold([session], session.training.attendee_count, "capacity", room)
    room.save()
    return room


@transaction.atomic
def work_calendar_set(
    *, actor: User, person: User, calendar: ServiceCalendar | None
) -> WorkCalendar | None:
    """Give a trainer or technician their own working hours (None: the standard hours)."""
    require_manager(actor, MANAGERS_ONLY)
    if not person.is_staff_member:
        raise InvalidInput(_("Only staff have working hours here."), field="person")
    if calendar is None:
        WorkCalendar.objects.filter(person=person).delete()
        return None
    found, _created = WorkCalendar.objects.update_or_create(
        person=person, defaults={"calendar": calendar}
    )
    return found


def _may_manage_person(actor: User, person: User) -> None:
    if actor.pk != person.pk:
        require_manager(actor, MANAGERS_ONLY)
    require_staff(actor)


@transaction.atomic
def time_off_add(
    *, actor: User, person: User, starts_at: datetime, ends_at: datetime, reason: str = ""
) -> TimeOff:
    """Record time off (a trainer or technician cannot be booked then)."""
    _may_manage_person(actor, person)
    _aware(starts_at, "starts_at")
    _aware(ends_at, "ends_at")
    check_year(starts_at, field="starts_at")
    check_year(ends_at, field="ends_at")
    if ends_at <= starts_at:
        raise InvalidInput(_("The end comes before the start."), field="ends_at")
    return TimeOff.objects.create(
        person=person, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()[:200]
    )


@transaction.atomic
def time_off_delete(*, actor: User, time_off: TimeOff) -> None:
    _may_manage_person(actor, time_off.person)
    time_off.delete()


# -- sessions -------------------------------------------------------------------------------


def _check_times(starts_at: datetime, ends_at: datetime, *, new: bool = True) -> None:
    _aware(starts_at, "starts_at")
    _aware(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise InvalidInput(_("The session ends before it starts."), field="ends_at")
    if ends_at - starts_at > MAX_SESSION:
        raise InvalidInput(
            _("A session lasts at most 24 hours; book several sessions."), field="ends_at"
        )
    now = _now()
    if new and starts_at < now - CLOCK_SKEW:
        raise InvalidInput(_("This moment is already past."), field="starts_at")
    if starts_at > now + HORIZON:
        raise InvalidInput(_("This moment is too far ahead."), field="starts_at")


def _check_trainer(trainer: User) -> None:
    if not (trainer.is_active and trainer.is_staff_member and trainer.is_trainer):
        raise InvalidInput(
            _("%(name)s does not have the trainer role.") % {"name": trainer.display_name},
            field="trainer",
        )


def _check_technician(technician: User) -> None:
    if not (technician.is_active and technician.is_staff_member and technician.levels):
        raise InvalidInput(
            _("%(name)s is not a technician.") % {"name": technician.display_name},
            field="technician",
        )


def _check_room(room: Room | None, training: TrainingRequest) -> None:
    if room is not None and not room.is_active:
        raise InvalidInput(_("This room is no longer in use."), field="room")
    if room is None and training.place == Place.VENDOR:
        raise InvalidInput(_("Choose one of our rooms: the training is held there."), field="room")


def _check_join_url(join_url: str) -> str:
    join_url = join_url.strip()
    if join_url:
        try:
            URLValidator(schemes=["https", "http"])(join_url)
        except ValidationError as exc:
            raise InvalidInput(_("The join link is not a web address."), field="join_url") from exc
        if len(join_url) > 500:
            raise InvalidInput(_("The join link is too long."), field="join_url")
    return join_url


def _write(session: Session, booking: Booking) -> None:
    """Save the session if nothing conflicts; answer 409 naming what does."""
    found = conflicts(booking)
    if found:
        raise BookingConflict(found, field="starts_at")
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError as exc:
        if not is_exclusion_violation(exc):
            raise
        # Booked by someone else meanwhile (PostgreSQL's exclusion constraint saw it).
        raise BookingConflict(conflicts(booking), field="starts_at") from exc


def _invitations(session: Session, method: str = invitations.REQUEST) -> dict[str, bytes]:
    return {
        lang: invitations.invitation(session, language=lang, method=method) for lang in LANGUAGES
    }


def funding(session: Session) -> dict[str, Any] | None:
    """The plan bank a training session's hours would be drawn from today (None: billable)."""
    if session.kind != SessionKind.TRAINING:
        return None
    day = timezone.localtime(session.starts_at).date()
    banks = banks_offering(session.ticket.organization_id, Service.TRAINING, day)
    if not banks:
        return None
    bank = banks[0]
    return {
        "id": bank.pk,
        "bank": {lang: bank.label(lang) for lang in LANGUAGES},
        "left": sum(b.left_minutes for b in banks),
    }


def _record(session: Session, actor: User | None, change: str, **data: object) -> None:
    history.record(
        session.ticket,
        actor,
        Event.Action.SESSION,
        session=session.pk,
        kind=session.kind,
        change=change,
        starts_at=session.starts_at.isoformat(),
        ends_at=session.ends_at.isoformat(),
        **data,
    )


def _open_ticket(ticket: Ticket) -> None:
    if ticket.status == Status.CLOSED:
        raise InvalidInput(_("This request is closed."), field="ticket")


@transaction.atomic
def session_schedule(
    *,
    actor: User,
    training: TrainingRequest,
    trainer: User,
    starts_at: datetime,
    ends_at: datetime,
    room: Room | None = None,
    location: str = "",
    join_url: str = "",
    override: bool = False,
    confirmed: bool = False,
) -> Session:
    """Book a training session and propose it to the client with an invitation.

    `override`: book it even outside the trainer's working hours (a closed day, the
    evening). `confirmed`: the client already agreed (by phone): confirm it at once.
    """
    require_staff(actor, _("Only support staff schedule sessions."))
    _check_times(starts_at, ends_at)
    _check_trainer(trainer)
    training = TrainingRequest.objects.select_related(
        "ticket__organization", "ticket__contact"
    ).get(pk=training.pk)
    _check_room(room, training)
    _open_ticket(training.ticket)
    join_url = _check_join_url(join_url)
    if not override:
        check_hours(trainer, starts_at, ends_at)
    location = " ".join(location.split())[:300]
    if not location and room is None and training.place == Place.CLIENT:
        location = training.address
    now = _now()
    session = Session(
        kind=SessionKind.TRAINING,
        ticket=training.ticket,
        training=training,
        host=trainer,
        room=room,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        join_url=join_url,
        status=SessionStatus.CONFIRMED if confirmed else SessionStatus.PROPOSED,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _write(
        session,
        Booking(trainer, "trainer", starts_at, ends_at, room, training.attendee_count),
    )
    _record(session, actor, "scheduled", host=trainer.pk, room=room.pk if room else None)
    if confirmed:
        notify.session_confirmed(
            session=session,
            invitations=_invitations(session),
            actor=actor,
            funding=funding(session),
        )
    else:
        notify.session_proposed(
            session=session,
            invitations=_invitations(session),
            actor=actor,
            funding=funding(session),
        )
    return session


def _upcoming(actor: User, session: Session, refusal: str) -> Session:
    """The session locked, if the actor is staff and the session is still to come."""
    require_staff(actor, refusal)
    session = _locked(session)
    if session.status not in UPCOMING_STATUSES:
        raise InvalidInput(_("This session is no longer to come."), field="status")
    return session


def _locked(session: Session) -> Session:
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("ticket__organization", "ticket__contact", "training", "host", "room")
        .get(pk=session.pk)
    )


def _may_answer(actor: User, session: Session) -> None:
    """Staff, the request's contact, or a client administrator of its organization."""
    if actor.is_staff_member:
        return
    ticket = session.ticket
    same = actor.organization_id == ticket.organization_id
    if not (same and (actor.pk == ticket.contact_id or actor.is_client_admin)):
        raise NotFound(_("Not found."))


@transaction.atomic
def session_confirm(*, actor: User, session: Session) -> Session:
    """The client (or staff for them) accepts a proposed session: it is confirmed."""
    session = _locked(session)
    _may_answer(actor, session)
    if session.status != SessionStatus.PROPOSED:
        raise InvalidInput(_("Only a proposed session can be accepted."), field="status")
    session.status = SessionStatus.CONFIRMED
    session.sequence += 1
    session.change_request, session.change_requested_at = "", None
    session.updated_at = _now()
    session.save()
    _record(session, actor, "confirmed")
    notify.session_confirmed(
        session=session, invitations=_invitations(session), actor=actor, funding=funding(session)
    )
    return session


@transaction.atomic
def session_ask_another_date(*, actor: User, session: Session, note: str = "") -> Session:
    """The client cannot come then: staff are asked for another date (the session stays
    booked until they move or cancel it)."""
    session = _locked(session)
    _may_answer(actor, session)
    if session.status not in UPCOMING_STATUSES:
        raise InvalidInput(_("This session is no longer to come."), field="status")
    note = note.strip()[:2000]
    session.change_request = note or "—"
    session.change_requested_at = _now()
    session.save(update_fields=["change_request", "change_requested_at"])
    _record(session, actor, "change_requested", note=note)
    notify.session_change_requested(session=session, actor=actor, note=note)
    return session


UNCHANGED: Any = object()


@transaction.atomic
def session_reschedule(
    *,
    actor: User,
    session: Session,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    host: User | None = None,
    room: Room | None = UNCHANGED,
    location: str | None = None,
    join_url: str | None = None,
    bridge: str | None = None,
    override: bool = False,
) -> Session:
    """Move a session (time, host, room, place): the same UID, SEQUENCE one more; a training
    session goes back to proposed, for the client to accept the new date."""
    session = _upcoming(actor, session, _("Only support staff schedule sessions."))
    former_host = session.host
    start = session.starts_at if starts_at is None else starts_at
    # A new start alone keeps the length.
    end = ends_at or (start + (session.ends_at - session.starts_at))
    _check_times(start, end)
    new_host = host or session.host
    training = session.training
    if session.kind == SessionKind.TRAINING:
        assert training is not None
        _check_trainer(new_host)
        if room is not UNCHANGED:
            _check_room(room, training)
            session.room = room
    else:
        _check_technician(new_host)
    if not override:
        check_hours(new_host, start, end)
    session.starts_at, session.ends_at, session.host = start, end, new_host
    if location is not None:
        session.location = " ".join(location.split())[:300]
    if join_url is not None:
        session.join_url = _check_join_url(join_url)
    if bridge is not None:
        session.bridge = bridge.strip()[:100]
    if session.kind == SessionKind.TRAINING:
        session.status = SessionStatus.PROPOSED
    session.sequence += 1
    session.change_request, session.change_requested_at = "", None
    session.updated_at = _now()
    role = "trainer" if session.kind == SessionKind.TRAINING else "technician"
    attendees = training.attendee_count if training else None
    _write(session, Booking(new_host, role, start, end, session.room, attendees, session.pk))
    _record(session, actor, "rescheduled", host=new_host.pk)
    moved_host = former_host if former_host.pk != new_host.pk else None
    notify.session_moved(
        session=session,
        invitations=_invitations(session),
        actor=actor,
        funding=funding(session),
        former_host=moved_host,
        cancellations=_invitations(session, invitations.CANCEL) if moved_host else None,
    )
    return session


@transaction.atomic
def session_cancel(*, actor: User, session: Session, reason: str = "") -> Session:
    """Cancel a session: its person and room are free again; everyone gets METHOD:CANCEL."""
    session = _upcoming(actor, session, _("Only support staff cancel sessions."))
    session.status = SessionStatus.CANCELLED
    session.sequence += 1
    session.updated_at = _now()
    session.save()
    reason = reason.strip()[:500]
    _record(session, actor, "cancelled", reason=reason)
    notify.session_cancelled(
        session=session,
        cancellations=_invitations(session, invitations.CANCEL),
        actor=actor,
        reason=reason,
    )
    return session


def _started(session: Session) -> None:
    if session.starts_at > _now() + CLOCK_SKEW:
        raise InvalidInput(_("The session has not started yet."), field="starts_at")


@transaction.atomic
def session_held(
    *, actor: User, session: Session, minutes: int | None = None, summary: str = ""
) -> Session:
    """The session took place: its time becomes one time entry of its host.

    A training is drawn only from the client's plans that include training (what they do not
    cover is billable); a teleconference is ordinary support, and counts as a response to
    the request, like a logged call.
    """
    session = _upcoming(actor, session, _("Only support staff record sessions."))
    _started(session)
    minutes = session.minutes if minutes is None else minutes
    if not 1 <= minutes <= 24 * 60:
        raise InvalidInput(_("Between 1 minute and 24 hours."), field="minutes")
    ticket = session.ticket
    host = session.host
    with translation.override(ticket.contact.language or "fr"):
        note = summary.strip() or invitations.summary(session)
    training = session.kind == SessionKind.TRAINING
    if not training:
        # Held with the client: a response to the request, like a logged call.
        tickets.teleconference_log(
            actor=host, ticket=ticket, at=session.starts_at, minutes=minutes, summary=note
        )
    entry = time_entry_create(
        actor=host,
        ticket=ticket,
        started_at=session.starts_at,
        minutes=minutes,
        note=note[:500],
        service=Service.TRAINING if training else "",
    )
    session.status = SessionStatus.HELD
    session.held_minutes = minutes
    session.time_entry = entry
    session.updated_at = _now()
    session.save()
    _record(session, actor, "held", minutes=minutes, entry=entry.pk)
    return session


@transaction.atomic
def session_no_show(*, actor: User, session: Session, note: str = "") -> Session:
    """Nobody came: recorded on the request (no time entry, no response)."""
    session = _upcoming(actor, session, _("Only support staff record sessions."))
    _started(session)
    session.status = SessionStatus.NO_SHOW
    session.updated_at = _now()
    session.save()
    _record(session, actor, "no_show", note=note.strip()[:500])
    return session


# -- teleconferences ------------------------------------------------------------------------


@transaction.atomic
def teleconference_schedule(
    *,
    actor: User,
    ticket: Ticket,
    starts_at: datetime,
    minutes: int,
    technician: User | None = None,
    join_url: str = "",
    bridge: str = "",
    override: bool = False,
) -> Session:
    """A teleconference on a request of a client whose plan includes it; the contact gets an
    invitation. The technician (the one scheduling, by default) is checked like a trainer."""
    require_staff(actor, _("Only support staff schedule sessions."))
    if not 1 <= minutes <= 24 * 60:
        raise InvalidInput(_("Between 1 minute and 24 hours."), field="minutes")
    _aware(starts_at, "starts_at")
    ends_at = starts_at + timedelta(minutes=minutes)
    _check_times(starts_at, ends_at)
    technician = technician or actor
    _check_technician(technician)
    ticket = Ticket.objects.select_related("organization", "contact").get(pk=ticket.pk)
    _open_ticket(ticket)
    day = timezone.localtime(starts_at).date()
    if not subscriptions_including(ticket.organization_id, Service.TELECONFERENCE, day):
        raise InvalidInput(
            _("This client has no plan that includes teleconferences on that day."),
            field="ticket",
        )
    join_url = _check_join_url(join_url)
    bridge = bridge.strip()[:100]
    if not join_url and not bridge:
        raise InvalidInput(_("Give a join link or a bridge number."), field="join_url")
    if not override:
        check_hours(technician, starts_at, ends_at)
    now = _now()
    session = Session(
        kind=SessionKind.TELECONFERENCE,
        ticket=ticket,
        host=technician,
        starts_at=starts_at,
        ends_at=ends_at,
        join_url=join_url,
        bridge=bridge,
        status=SessionStatus.CONFIRMED,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _write(session, Booking(technician, "technician", starts_at, ends_at))
    _record(session, actor, "scheduled", host=technician.pk)
    notify.teleconference_scheduled(session=session, invitations=_invitations(session), actor=actor)
    return session


# -- calendar feeds -------------------------------------------------------------------------


def feed_token(feed: CalendarFeed) -> str:
    """The secret part of the feed's address."""
    return _feed_signer.sign(feed.key.hex)


def feed_address(feed: CalendarFeed) -> str:
    """The feed's full address, to paste into a calendar program (read without signing in)."""
    path = reverse("api-v1:read_feed", kwargs={"token": feed_token(feed)})
    return f"{settings.SITE_URL}{path}"


def feed_for_token(token: str) -> CalendarFeed | None:
    """The active feed this token opens, or None (unknown, forged or revoked)."""
    try:
        key = uuid.UUID(hex=_feed_signer.unsign(token))
    except (BadSignature, ValueError):
        return None
    return (
        CalendarFeed.objects.select_related("person")
        .filter(key=key, revoked_at__isnull=True, person__is_active=True)
        .first()
    )


@transaction.atomic
def calendar_feed_create(*, actor: User, person: User | None = None) -> CalendarFeed:
    """A new private feed of a person's sessions (one's own; a manager's for anyone)."""
    person = person or actor
    _may_manage_person(actor, person)
    if not person.is_staff_member:
        raise InvalidInput(_("Only staff have a calendar of sessions."), field="person")
    return CalendarFeed.objects.create(person=person)


@transaction.atomic
def calendar_feed_revoke(*, actor: User, feed: CalendarFeed) -> CalendarFeed:
    """Turn a feed's address off for good."""
    _may_manage_person(actor, feed.person)
    if feed.revoked_at is None:
        feed.revoked_at = _now()
        feed.save(update_fields=["revoked_at"])
    return feed


# A feed is read every few minutes by each subscribed calendar: note the reading at most this
# often.
FEED_READ_NOTE = timedelta(minutes=15)


def calendar_feed_read(*, token: str, days_back: int = 60) -> bytes:
    """The feed's iCalendar text (404 if the address is unknown or revoked)."""
    feed = feed_for_token(token)
    if feed is None:
        raise NotFound(_("Not found."))
    now = _now()
    if feed.last_read_at is None or now - feed.last_read_at > FEED_READ_NOTE:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now)
    person = feed.person
    since = now - timedelta(days=days_back)
    sessions = (
        Session.objects.filter(host=person, ends_at__gte=since)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("ticket__organization", "ticket__contact", "training", "host", "room")
        .order_by("starts_at")
    )
    time_off = TimeOff.objects.filter(person=person, ends_at__gte=since)
    language = person.language if person.language in LANGUAGES else "fr"
    return invitations.feed(person, sessions, time_off, language=language)
