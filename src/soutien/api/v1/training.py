"""Training requests, rooms, sessions (training and teleconference), invitations and the
private calendar feeds (SPEC 5 and 7)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import AfterValidator, Field

from soutien.accounts.models import User
from soutien.api.v1.common import Id, LocalDateTime, LongText, Name, caller, no_nul
from soutien.api.v1.tickets import requester, visible_ticket
from soutien.core.errors import InvalidInput, NotAllowed
from soutien.training import invitations, selectors, services
from soutien.training.models import (
    CalendarFeed,
    Room,
    Session,
    SessionStatus,
    TimeOff,
    TrainingRequest,
)
from soutien.training.services import Attendee, Period

router = Router(tags=["training"])
# The calendar feeds are read by calendar programs, which send no token: the secret is in the
# address (revocable).
feeds_router = Router(tags=["training"], auth=None)

Address = Annotated[str, Field(max_length=300), AfterValidator(no_nul)]
Url = Annotated[str, Field(max_length=500), AfterValidator(no_nul)]
Minutes = Annotated[int, Field(ge=1, le=24 * 60)]


# -- schemas ---------------------------------------------------------------------------------


class AttendeeIn(Schema):
    name: Name
    email: Annotated[str, Field(max_length=254), AfterValidator(no_nul)] = ""


class PeriodIn(Schema):
    start: date | datetime = Field(alias="from", description="A day, or a moment with its offset.")
    end: date | datetime = Field(alias="to", description="A day (included), or a moment.")


class TrainingRequestIn(Schema):
    organization: Id | None = Field(None, description="Defaults to the client's own organization.")
    contact: Id | None = Field(None, description="Defaults to the client asking.")
    subject: Literal["basics", "internals", "other"]
    subject_detail: LongText = ""
    place: Literal["client", "vendor", "remote"]
    address: Address = ""
    attendees: list[Name | AttendeeIn] = Field(default_factory=list, max_length=500)
    attendee_count: Annotated[int | None, Field(ge=1, le=500)] = None
    preferred: list[PeriodIn] = Field(default_factory=list, max_length=20)
    language: Literal["fr", "en"] | None = Field(None, description="Defaults to the contact's.")
    channel: Literal["web", "email", "phone", "fax"] = "web"


class TrainingRequestPatch(Schema):
    subject: Literal["basics", "internals", "other"] | None = None
    subject_detail: LongText | None = None
    place: Literal["client", "vendor", "remote"] | None = None
    address: Address | None = None
    attendees: list[Name | AttendeeIn] | None = Field(None, max_length=500)
    attendee_count: Annotated[int | None, Field(ge=1, le=500)] = None
    language: Literal["fr", "en"] | None = None


class SessionOut(Schema):
    id: int
    kind: str
    ticket: int
    training_request: int | None
    status: str
    host: int
    host_name: str
    room: int | None
    room_name: str | None
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    minutes: int
    location: str
    join_url: str
    bridge: str
    uid: str
    sequence: int
    change_request: str
    held_minutes: int | None
    time_entry: int | None
    invitation: str

    @staticmethod
    def resolve_ticket(obj: Session) -> int:
        return obj.ticket_id

    @staticmethod
    def resolve_training_request(obj: Session) -> int | None:
        return obj.training_id

    @staticmethod
    def resolve_host(obj: Session) -> int:
        return obj.host_id

    @staticmethod
    def resolve_host_name(obj: Session) -> str:
        return obj.host.display_name

    @staticmethod
    def resolve_room(obj: Session) -> int | None:
        return obj.room_id

    @staticmethod
    def resolve_room_name(obj: Session) -> str | None:
        return obj.room.name if obj.room else None

    @staticmethod
    def resolve_uid(obj: Session) -> str:
        return invitations.uid(obj)

    @staticmethod
    def resolve_time_entry(obj: Session) -> int | None:
        return obj.time_entry_id

    @staticmethod
    def resolve_invitation(obj: Session) -> str:
        return f"/api/v1/sessions/{obj.pk}/invitation.ics"


class TrainingRequestOut(Schema):
    id: int
    ticket: int
    number: str
    organization: int
    contact: int
    status: str
    subject: str
    subject_detail: str
    place: str
    address: str
    attendees: list[dict[str, str]]
    attendee_count: int | None
    preferred: list[dict[str, str]] = Field(description='[{"from": ..., "to": ...}]')
    language: str
    sessions: list[SessionOut]
    created_at: LocalDateTime

    @staticmethod
    def resolve_ticket(obj: TrainingRequest) -> int:
        return obj.ticket_id

    @staticmethod
    def resolve_number(obj: TrainingRequest) -> str:
        return obj.ticket.number

    @staticmethod
    def resolve_organization(obj: TrainingRequest) -> int:
        return obj.ticket.organization_id

    @staticmethod
    def resolve_contact(obj: TrainingRequest) -> int:
        return obj.ticket.contact_id

    @staticmethod
    def resolve_status(obj: TrainingRequest) -> str:
        return obj.ticket.status

    @staticmethod
    def resolve_preferred(obj: TrainingRequest) -> list[dict[str, str]]:
        return [
            {
                "from": timezone.localtime(p.starts_at).isoformat(),
                "to": timezone.localtime(p.ends_at).isoformat(),
            }
            for p in obj.preferred.all()
        ]

    @staticmethod
    def resolve_sessions(obj: TrainingRequest) -> list[Session]:
        return list(obj.sessions.all())


class SessionIn(Schema):
    trainer: Id
    room: Id | None = None
    starts_at: datetime
    ends_at: datetime
    location: Address = ""
    join_url: Url = ""
    override: bool = Field(False, description="Book it outside the trainer's working hours.")
    confirmed: bool = Field(False, description="The client already agreed: confirm at once.")


class SessionPatch(Schema):
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    host: Id | None = Field(None, description="Another trainer (or technician).")
    room: Id | None = None
    location: Address | None = None
    join_url: Url | None = None
    bridge: Annotated[str, Field(max_length=100), AfterValidator(no_nul)] | None = None
    override: bool = False


class TeleconferenceIn(Schema):
    starts_at: datetime
    minutes: Minutes
    join_url: Url = ""
    bridge: Annotated[str, Field(max_length=100), AfterValidator(no_nul)] = ""
    technician: Id | None = Field(None, description="Defaults to the technician scheduling it.")
    override: bool = Field(False, description="Book it outside the technician's working hours.")


class HeldIn(Schema):
    minutes: Minutes | None = Field(None, description="Defaults to the session's length.")
    summary: LongText = ""


class NoteIn(Schema):
    note: LongText = ""


class ReasonIn(Schema):
    reason: Annotated[str, Field(max_length=500), AfterValidator(no_nul)] = ""


class SlotOut(Schema):
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    trainer: int
    trainer_name: str
    room: int | None
    room_name: str | None


class SlotQuery(Schema):
    days: Annotated[int, Field(ge=1, le=366)] = 30
    minutes: Minutes = 180
    trainer: Id | None = None
    room: Id | None = None
    count: Annotated[int, Field(ge=1, le=50)] = 5


class RoomIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(no_nul)]
    capacity: Annotated[int, Field(ge=1, le=10_000)]
    equipment: list[Annotated[str, Field(max_length=100), AfterValidator(no_nul)]] = Field(
        default_factory=list, max_length=50
    )
    address: Address = ""
    is_active: bool = True


class RoomOut(Schema):
    id: int
    name: str
    capacity: int
    equipment: list[str]
    address: str
    is_active: bool


class SessionFilters(Schema):
    start: datetime | None = Field(None, alias="from")
    end: datetime | None = Field(None, alias="to")
    host: Id | None = None
    room: Id | None = None
    status: Literal["proposed", "confirmed", "held", "no_show", "cancelled"] | None = None


class TimeOffIn(Schema):
    person: Id | None = Field(None, description="Defaults to the caller.")
    starts_at: datetime
    ends_at: datetime
    reason: Annotated[str, Field(max_length=200), AfterValidator(no_nul)] = ""


class TimeOffOut(Schema):
    id: int
    person: int
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    reason: str

    @staticmethod
    def resolve_person(obj: TimeOff) -> int:
        return obj.person_id


class FeedIn(Schema):
    person: Id | None = Field(None, description="Defaults to the caller (managers: anyone).")


class FeedOut(Schema):
    id: int
    person: int
    url: str
    webcal_url: str
    created_at: LocalDateTime
    revoked_at: LocalDateTime | None
    last_read_at: LocalDateTime | None

    @staticmethod
    def resolve_person(obj: CalendarFeed) -> int:
        return obj.person_id

    @staticmethod
    def resolve_url(obj: CalendarFeed) -> str:
        return services.feed_address(obj)

    @staticmethod
    def resolve_webcal_url(obj: CalendarFeed) -> str:
        return "webcal://" + services.feed_address(obj).split("://", 1)[-1]


# -- helpers ---------------------------------------------------------------------------------


def _moment(value: date | datetime, *, end: bool) -> datetime:
    """A day as its local midnight (the day after, for an end: the day is included)."""
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            raise InvalidInput(_("Give the time with its UTC offset."), field="preferred")
        return value
    day = value + timedelta(days=1) if end else value
    return datetime.combine(day, time(), timezone.get_default_timezone())


def _attendees(items: list[str | AttendeeIn]) -> list[Attendee]:
    return [
        Attendee(item) if isinstance(item, str) else Attendee(item.name, item.email)
        for item in items
    ]


def _staff(request: HttpRequest) -> User:
    actor = caller(request)
    if not actor.is_staff_member:
        raise NotAllowed(_("Only support staff can do this."))
    return actor


def _person(person_id: int, field: str) -> User:
    person = User.objects.filter(pk=person_id, organization__isnull=True).first()
    if person is None:
        raise InvalidInput(_("No such staff member."), field=field)
    return person


def _room(room_id: int | None) -> Room | None:
    if room_id is None:
        return None
    room = Room.objects.filter(pk=room_id).first()
    if room is None:
        raise InvalidInput(_("No such room."), field="room")
    return room


def _training(request: HttpRequest, training_id: int) -> TrainingRequest:
    return selectors.training_for(caller(request), training_id)


def _session(request: HttpRequest, session_id: int) -> Session:
    return selectors.session_for(caller(request), session_id)


def _language(user: User) -> str:
    language = (get_language() or user.language or "fr")[:2]
    return language if language in ("fr", "en") else "fr"


# -- training requests -----------------------------------------------------------------------


@router.post("/training-requests", response={201: TrainingRequestOut}, summary="Ask for a training")
def create_training_request(
    request: HttpRequest, payload: TrainingRequestIn
) -> Status[TrainingRequest]:
    actor = caller(request)
    organization, contact = requester(actor, payload.organization, payload.contact)
    training = services.training_request_create(
        actor=actor,
        organization=organization,
        contact=contact,
        subject=payload.subject,
        subject_detail=payload.subject_detail,
        place=payload.place,
        address=payload.address,
        attendees=_attendees(payload.attendees),
        attendee_count=payload.attendee_count,
        preferred=[
            Period(_moment(p.start, end=False), _moment(p.end, end=True)) for p in payload.preferred
        ],
        language=payload.language or contact.language,
        channel=payload.channel,
    )
    return Status(201, selectors.training_for(actor, training.pk))


@router.get("/training-requests", response=list[TrainingRequestOut], summary="Training requests")
def list_training_requests(request: HttpRequest) -> list[TrainingRequest]:
    qs = selectors.trainings_visible_to(caller(request)).order_by("-created_at", "-id")
    return list(qs[:200])


@router.get(
    "/training-requests/{training_id}", response=TrainingRequestOut, summary="A training request"
)
def get_training_request(request: HttpRequest, training_id: Id) -> TrainingRequest:
    return _training(request, training_id)


@router.patch(
    "/training-requests/{training_id}",
    response=TrainingRequestOut,
    summary="Complete or correct a training request (staff)",
)
def patch_training_request(
    request: HttpRequest, training_id: Id, payload: TrainingRequestPatch
) -> TrainingRequest:
    actor = _staff(request)
    training = _training(request, training_id)
    given = payload.model_fields_set
    services.training_request_update(
        actor=actor,
        training=training,
        subject=payload.subject,
        subject_detail=payload.subject_detail,
        place=payload.place,
        address=payload.address,
        attendees=_attendees(payload.attendees)
        if "attendees" in given and payload.attendees is not None
        else None,
        attendee_count=payload.attendee_count,
        language=payload.language,
    )
    return _training(request, training_id)


@router.get(
    "/training-requests/{training_id}/slots",
    response=list[SlotOut],
    summary="The first free slots for a session",
)
def training_slots(
    request: HttpRequest, training_id: Id, query: Query[SlotQuery]
) -> list[dict[str, Any]]:
    _staff(request)
    training = _training(request, training_id)
    trainer = _person(query.trainer, "trainer") if query.trainer else None
    slots = selectors.suggested_slots(
        training,
        trainer=trainer,
        room=_room(query.room),
        minutes=query.minutes,
        days=query.days,
        count=query.count,
    )
    return [
        {
            "starts_at": slot.starts_at,
            "ends_at": slot.ends_at,
            "trainer": slot.trainer.pk,
            "trainer_name": slot.trainer.display_name,
            "room": slot.room.pk if slot.room else None,
            "room_name": slot.room.name if slot.room else None,
        }
        for slot in slots
    ]


@router.post(
    "/training-requests/{training_id}/sessions",
    response={201: SessionOut},
    summary="Schedule a training session (409 names what conflicts)",
)
def create_session(request: HttpRequest, training_id: Id, payload: SessionIn) -> Status[Session]:
    actor = _staff(request)
    training = _training(request, training_id)
    session = services.session_schedule(
        actor=actor,
        training=training,
        trainer=_person(payload.trainer, "trainer"),
        room=_room(payload.room),
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        location=payload.location,
        join_url=payload.join_url,
        override=payload.override,
        confirmed=payload.confirmed,
    )
    return Status(201, selectors.session_for(actor, session.pk))


# -- teleconferences -------------------------------------------------------------------------


@router.post(
    "/tickets/{ticket_id}/teleconferences",
    response={201: SessionOut},
    summary="Schedule a teleconference on a request (409 on conflict)",
)
def create_teleconference(
    request: HttpRequest, ticket_id: Id, payload: TeleconferenceIn
) -> Status[Session]:
    actor = _staff(request)
    ticket = visible_ticket(actor, ticket_id)
    session = services.teleconference_schedule(
        actor=actor,
        ticket=ticket,
        starts_at=payload.starts_at,
        minutes=payload.minutes,
        technician=_person(payload.technician, "technician") if payload.technician else None,
        join_url=payload.join_url,
        bridge=payload.bridge,
        override=payload.override,
    )
    return Status(201, selectors.session_for(actor, session.pk))


@router.get(
    "/tickets/{ticket_id}/sessions", response=list[SessionOut], summary="A request's sessions"
)
def ticket_sessions(request: HttpRequest, ticket_id: Id) -> list[Session]:
    actor = caller(request)
    ticket = visible_ticket(actor, ticket_id)
    return selectors.sessions_of_ticket(actor, ticket.pk)


# -- sessions --------------------------------------------------------------------------------


@router.get("/sessions", response=list[SessionOut], summary="Sessions in a period (staff)")
def list_sessions(request: HttpRequest, filters: Query[SessionFilters]) -> list[Session]:
    actor = _staff(request)
    start = filters.start or timezone.now() - timedelta(days=7)
    end = filters.end or start + timedelta(days=35)
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise InvalidInput(_("Give the time with its UTC offset."), field="from")
    qs = selectors.sessions_visible_to(actor).filter(starts_at__lt=end, ends_at__gt=start)
    if filters.host:
        qs = qs.filter(host_id=filters.host)
    if filters.room:
        qs = qs.filter(room_id=filters.room)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return list(qs.order_by("starts_at", "id")[:500])


@router.get("/sessions/{session_id}", response=SessionOut, summary="A session")
def get_session(request: HttpRequest, session_id: Id) -> Session:
    return _session(request, session_id)


@router.patch(
    "/sessions/{session_id}",
    response=SessionOut,
    summary="Move a session: the invitation is sent again with SEQUENCE + 1",
)
def patch_session(request: HttpRequest, session_id: Id, payload: SessionPatch) -> Session:
    actor = _staff(request)
    session = _session(request, session_id)
    given = payload.model_fields_set
    room: Room | None = services.UNCHANGED
    if "room" in given:
        room = _room(payload.room)
    services.session_reschedule(
        actor=actor,
        session=session,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        host=_person(payload.host, "host") if payload.host else None,
        room=room,
        location=payload.location,
        join_url=payload.join_url,
        bridge=payload.bridge,
        override=payload.override,
    )
    return _session(request, session_id)


@router.get("/sessions/{session_id}/invitation.ics", summary="The session's invitation")
def session_invitation(request: HttpRequest, session_id: Id) -> HttpResponse:
    actor = caller(request)
    session = _session(request, session_id)
    method = (
        invitations.CANCEL if session.status == SessionStatus.CANCELLED else invitations.REQUEST
    )
    data = invitations.invitation(session, language=_language(actor), method=method)
    response = HttpResponse(data, content_type=invitations.content_type(method))
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


@router.post("/sessions/{session_id}/accept", response=SessionOut, summary="Accept a session")
def accept_session(request: HttpRequest, session_id: Id) -> Session:
    services.session_confirm(actor=caller(request), session=_session(request, session_id))
    return _session(request, session_id)


@router.post(
    "/sessions/{session_id}/another-date", response=SessionOut, summary="Ask for another date"
)
def another_date(request: HttpRequest, session_id: Id, payload: NoteIn) -> Session:
    services.session_ask_another_date(
        actor=caller(request), session=_session(request, session_id), note=payload.note
    )
    return _session(request, session_id)


@router.post(
    "/sessions/{session_id}/held",
    response=SessionOut,
    summary="The session took place: its time becomes a time entry",
)
def held_session(request: HttpRequest, session_id: Id, payload: HeldIn) -> Session:
    services.session_held(
        actor=_staff(request),
        session=_session(request, session_id),
        minutes=payload.minutes,
        summary=payload.summary,
    )
    return _session(request, session_id)


@router.post("/sessions/{session_id}/no-show", response=SessionOut, summary="Nobody came")
def no_show(request: HttpRequest, session_id: Id, payload: NoteIn) -> Session:
    services.session_no_show(
        actor=_staff(request), session=_session(request, session_id), note=payload.note
    )
    return _session(request, session_id)


@router.post("/sessions/{session_id}/cancel", response=SessionOut, summary="Cancel a session")
def cancel_session(
    request: HttpRequest, session_id: Id, payload: ReasonIn | None = None
) -> Session:
    services.session_cancel(
        actor=_staff(request),
        session=_session(request, session_id),
        reason=payload.reason if payload else "",
    )
    return _session(request, session_id)


# -- rooms, time off -------------------------------------------------------------------------


@router.get("/rooms", response=list[RoomOut], summary="Training rooms")
def list_rooms(request: HttpRequest) -> list[Room]:
    caller(request)
    return list(selectors.rooms())


@router.post("/rooms", response={201: RoomOut}, summary="Add a training room")
def create_room(request: HttpRequest, payload: RoomIn) -> Status[Room]:
    room = services.room_save(
        actor=caller(request),
        name=payload.name,
        capacity=payload.capacity,
        equipment=payload.equipment,
        address=payload.address,
        is_active=payload.is_active,
    )
    return Status(201, room)


@router.put("/rooms/{room_id}", response=RoomOut, summary="Change a training room")
def update_room(request: HttpRequest, room_id: Id, payload: RoomIn) -> Room:
    room = Room.objects.filter(pk=room_id).first()
    if room is None:
        raise Http404
    return services.room_save(
        actor=caller(request),
        room=room,
        name=payload.name,
        capacity=payload.capacity,
        equipment=payload.equipment,
        address=payload.address,
        is_active=payload.is_active,
    )


@router.get("/time-off", response=list[TimeOffOut], summary="Time off of a person (staff)")
def list_time_off(request: HttpRequest, person: Id | None = None) -> list[TimeOff]:
    actor = _staff(request)
    qs = TimeOff.objects.filter(person_id=person or actor.pk, ends_at__gte=timezone.now())
    return list(qs.order_by("starts_at")[:200])


@router.post("/time-off", response={201: TimeOffOut}, summary="Record time off")
def create_time_off(request: HttpRequest, payload: TimeOffIn) -> Status[TimeOff]:
    actor = _staff(request)
    person = _person(payload.person, "person") if payload.person else actor
    stretch = services.time_off_add(
        actor=actor,
        person=person,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        reason=payload.reason,
    )
    return Status(201, stretch)


@router.delete("/time-off/{time_off_id}", response={204: None}, summary="Remove time off")
def delete_time_off(request: HttpRequest, time_off_id: Id) -> Status[None]:
    actor = _staff(request)
    stretch = TimeOff.objects.select_related("person").filter(pk=time_off_id).first()
    if stretch is None:
        raise Http404
    services.time_off_delete(actor=actor, time_off=stretch)
    return Status(204, None)


# -- calendar feeds --------------------------------------------------------------------------


@router.get("/calendar-feeds", response=list[FeedOut], summary="My calendar feeds")
def list_feeds(request: HttpRequest) -> list[CalendarFeed]:
    return list(selectors.feeds_of(_staff(request)))


@router.post(
    "/calendar-feeds",
    response={201: FeedOut},
    summary="A private address to subscribe to in Outlook, Google Calendar or Thunderbird",
)
def create_feed(request: HttpRequest, payload: FeedIn | None = None) -> Status[CalendarFeed]:
    actor = _staff(request)
    person = _person(payload.person, "person") if payload and payload.person else actor
    return Status(201, services.calendar_feed_create(actor=actor, person=person))


@router.delete(
    "/calendar-feeds/{feed_id}", response={204: None}, summary="Turn a feed's address off"
)
def revoke_feed(request: HttpRequest, feed_id: Id) -> Status[None]:
    actor = _staff(request)
    feed = CalendarFeed.objects.select_related("person").filter(pk=feed_id).first()
    if feed is None or not (actor.is_manager or feed.person_id == actor.pk):
        raise Http404
    services.calendar_feed_revoke(actor=actor, feed=feed)
    return Status(204, None)


@feeds_router.get("/{token}.ics", summary="A calendar feed (no sign-in: the address is the key)")
def read_feed(request: HttpRequest, token: Annotated[str, Field(max_length=200)]) -> HttpResponse:
    data = services.calendar_feed_read(token=token)
    response = HttpResponse(data, content_type=invitations.CONTENT_TYPE)
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="soutien.ics"'
    return response
