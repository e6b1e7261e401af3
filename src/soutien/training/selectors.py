"""Reads on training requests, sessions, rooms and trainers, narrowed to what the viewer may
see (a client only its organization's requests, as ticketing decides), and free slots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from soutien.accounts.models import User
from soutien.ticketing.selectors import tickets_visible_to
from soutien.training.booking import working_calendar
from soutien.training.models import (
    BOOKED_STATUSES,
    CalendarFeed,
    Place,
    PreferredPeriod,
    Room,
    Session,
    TimeOff,
    TrainingRequest,
)
from soutien.training.slots import Span, free_starts

SESSION_RELATED = ("ticket__organization", "ticket__contact", "training", "host", "room")


def trainings_visible_to(user: User) -> QuerySet[TrainingRequest]:
    return (
        TrainingRequest.objects.filter(ticket__in=tickets_visible_to(user))
        .select_related("ticket__organization", "ticket__contact", "ticket__assignee")
        .prefetch_related(
            Prefetch("preferred", queryset=PreferredPeriod.objects.order_by("starts_at")),
            Prefetch(
                "sessions",
                queryset=Session.objects.select_related("host", "room").order_by("starts_at"),
            ),
        )
    )


def training_for(user: User, training_id: int) -> TrainingRequest:
    """The training request if the user may see it; 404 otherwise, whether or not it exists."""
    training = trainings_visible_to(user).filter(pk=training_id).first()
    if training is None:
        raise Http404
    return training


def training_of_ticket(user: User, ticket_id: int) -> TrainingRequest | None:
    return trainings_visible_to(user).filter(ticket_id=ticket_id).first()


def sessions_visible_to(user: User) -> QuerySet[Session]:
    return Session.objects.filter(ticket__in=tickets_visible_to(user)).select_related(
        *SESSION_RELATED
    )


def session_for(user: User, session_id: int) -> Session:
    session = sessions_visible_to(user).filter(pk=session_id).first()
    if session is None:
        raise Http404
    return session


def sessions_of_ticket(user: User, ticket_id: int) -> list[Session]:
    return list(sessions_visible_to(user).filter(ticket_id=ticket_id).order_by("starts_at", "id"))


def rooms(*, active_only: bool = False) -> QuerySet[Room]:
    qs = Room.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def trainers() -> QuerySet[User]:
    return User.objects.filter(is_active=True, organization__isnull=True, is_trainer=True).order_by(
        "full_name", "id"
    )


def technicians() -> QuerySet[User]:
    return User.objects.technicians().order_by("full_name", "id")


def week_of(
    start: datetime, *, person: User | None = None, room: Room | None = None
) -> list[Session]:
    """The booked sessions of a person or a room in the 7 days from `start`."""
    qs = Session.objects.filter(
        status__in=BOOKED_STATUSES, starts_at__lt=start + timedelta(days=7), ends_at__gt=start
    ).select_related(*SESSION_RELATED)
    if person is not None:
        qs = qs.filter(host=person)
    if room is not None:
        qs = qs.filter(room=room)
    return list(qs.order_by("starts_at", "id"))


def time_off_of(person: User, start: datetime, end: datetime) -> list[TimeOff]:
    return list(TimeOff.objects.filter(person=person, starts_at__lt=end, ends_at__gt=start))


def feeds_of(person: User) -> QuerySet[CalendarFeed]:
    return CalendarFeed.objects.filter(person=person).order_by("-created_at", "-id")


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    trainer: User
    room: Room | None


def _busy(start: datetime, end: datetime, *, person: User, room: Room | None) -> list[Span]:
    sessions = Session.objects.filter(
        status__in=BOOKED_STATUSES, starts_at__lt=end, ends_at__gt=start
    ).filter(Q(host=person) | Q(room=room) if room is not None else Q(host=person))
    spans = [(s, e) for s, e in sessions.values_list("starts_at", "ends_at")]
    spans += [(t.starts_at, t.ends_at) for t in time_off_of(person, start, end)]
    return spans


def suggested_slots(
    training: TrainingRequest,
    *,
    trainer: User | None = None,
    room: Room | None = None,
    minutes: int = 180,
    days: int = 30,
    count: int = 5,
    now: datetime | None = None,
) -> list[Slot]:
    """The first free slots for a session of `minutes`: from tomorrow on, for `days` days,
    inside the client's preferred periods (all of them if none is still ahead), in the
    trainer's working hours, with the trainer and the room free and the room big enough."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    earliest = datetime.combine(local.date() + timedelta(days=1), time(), local.tzinfo)
    latest = earliest + timedelta(days=days)
    periods: list[Span] = [
        (max(p.starts_at, earliest), min(p.ends_at, latest))
        for p in training.preferred.all()
        if p.ends_at > earliest and p.starts_at < latest
    ] or [(earliest, latest)]
    people = [trainer] if trainer is not None else list(trainers())
    if room is not None:
        places: list[Room | None] = [room]
    elif training.place == Place.VENDOR:
        needed = training.attendee_count or 1
        places = list(rooms(active_only=True).filter(capacity__gte=needed).order_by("capacity"))
    else:
        places = [None]
    found: list[Slot] = []
    length = timedelta(minutes=minutes)
    for person in people:
        calendar = working_calendar(person, earliest)
        if calendar is None:
            continue
        for place in places:
            starts = free_starts(
                calendar=calendar,
                periods=periods,
                busy=_busy(earliest, latest, person=person, room=place),
                minutes=minutes,
            )
            taken = 0
            free_from = earliest
            for start in starts:
                # Slots that do not overlap one another: real alternatives, not the same
                # morning shifted by half an hour.
                if start < free_from:
                    continue
                found.append(Slot(start, start + length, person, place))
                free_from = start + length
                taken += 1
                if taken >= count:
                    break
    found.sort(key=lambda s: (s.starts_at, s.trainer.pk, s.room.pk if s.room else 0))
    return found[:count]
