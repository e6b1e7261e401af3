"""Whether a session may take its place in time: working hours, and nothing else booked then.

Read inside the booking transaction. On SQLite that transaction is IMMEDIATE (it holds the
write lock from its start), so the check and the write cannot interleave with another
booking; on PostgreSQL two bookings checked at once can both pass, and the exclusion
constraints of migration 0002 refuse the second at its insert (`is_exclusion_violation`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from soutien.accounts.models import User
from soutien.core.dates import day_text
from soutien.core.errors import Conflict, InvalidInput
from soutien.sla.calendar import Calendar
from soutien.sla.engine import snapshot
from soutien.training.models import BOOKED_STATUSES, Room, Session, TimeOff, WorkCalendar
from soutien.training.slots import fully_open

EXCLUSION_VIOLATION = "23P01"  # PostgreSQL's SQLSTATE for exclusion_violation


class BookingConflict(Conflict):
    """The session would double-book someone or a room, or overfill the room (409).

    `conflicts` says what, one item each: `{"kind": "trainer" | "technician" | "room" |
    "capacity", ...}`.
    """

    def __init__(self, conflicts: list[dict[str, Any]], *, field: str | None = None) -> None:
        super().__init__(_describe(conflicts), field=field)
        self.conflicts = conflicts


def working_calendar(person: User, at: datetime | None = None) -> Calendar | None:
    """The person's working hours as a pure calendar; the standard hours without their own."""
    snap = snapshot()
    own = WorkCalendar.objects.filter(person=person).values_list("calendar_id", flat=True).first()
    if own is None:
        policy = snap.policy_at(at or timezone.now())
        if policy is None:
            return None
        own = policy.calendar_id
    return snap.calendar(own)


def _day(day: date) -> str:
    return day_text(day, weekday=True)


def check_hours(person: User, starts_at: datetime, ends_at: datetime) -> None:
    """Refuse a session outside the person's working hours, naming a closed day it touches."""
    calendar = working_calendar(person, starts_at)
    if calendar is None or fully_open(calendar, starts_at, ends_at):
        return
    zone = ZoneInfo(calendar.zone)
    first = starts_at.astimezone(zone).date()
    last = (ends_at - timedelta(microseconds=1)).astimezone(zone).date()
    day = first
    while day <= last:
        midnight = datetime.combine(day, time(), zone)
        next_midnight = datetime.combine(day + timedelta(days=1), time(), zone)
        if calendar.service_seconds(midnight, next_midnight) == 0:
            raise InvalidInput(
                _(
                    "The session runs into %(day)s, a day %(name)s does not work (weekend, "
                    "holiday or closure); confirm to book it anyway."
                )
                % {"day": _day(day), "name": person.display_name},
                field="starts_at" if day == first else "ends_at",
            )
        day += timedelta(days=1)
    raise InvalidInput(
        _("The session is outside the working hours of %(name)s; confirm to book it anyway.")
        % {"name": person.display_name},
        field="starts_at",
    )


@dataclass
class Booking:
    """A session about to be written, as the conflict check sees it."""

    host: User
    host_role: str  # "trainer" or "technician"
    starts_at: datetime
    ends_at: datetime
    room: Room | None = None
    attendees: int | None = None
    session_id: int | None = None  # the session being moved, which does not conflict with itself
    conflicts: list[dict[str, Any]] = field(default_factory=list)


def _session_item(kind: str, session: Session, **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "session": session.pk,
        "starts_at": timezone.localtime(session.starts_at).isoformat(),
        "ends_at": timezone.localtime(session.ends_at).isoformat(),
        **extra,
    }


def conflicts(booking: Booking) -> list[dict[str, Any]]:
    """Everything the booking would collide with; empty if it can be written."""
    found: list[dict[str, Any]] = []
    start, end = booking.starts_at, booking.ends_at
    overlapping = Session.objects.filter(
        status__in=BOOKED_STATUSES, starts_at__lt=end, ends_at__gt=start
    )
    if booking.session_id is not None:
        overlapping = overlapping.exclude(pk=booking.session_id)
    host = booking.host
    for session in overlapping.filter(host=host).order_by("starts_at", "id"):
        found.append(
            _session_item(
                booking.host_role, session, person=host.pk, name=host.display_name, reason="session"
            )
        )
    for stretch in TimeOff.objects.filter(person=host, starts_at__lt=end, ends_at__gt=start):
        found.append(
            {
                "kind": booking.host_role,
                "person": host.pk,
                "name": host.display_name,
                "reason": "time_off",
                "time_off": stretch.pk,
                "starts_at": timezone.localtime(stretch.starts_at).isoformat(),
                "ends_at": timezone.localtime(stretch.ends_at).isoformat(),
            }
        )
    room = booking.room
    if room is not None:
        for session in overlapping.filter(room=room).order_by("starts_at", "id"):
            found.append(_session_item("room", session, room=room.pk, name=room.name))
        if booking.attendees is not None and booking.attendees > room.capacity:
            found.append(
                {
                    "kind": "capacity",
                    "room": room.pk,
                    "name": room.name,
                    "capacity": room.capacity,
                    "attendees": booking.attendees,
                }
            )
    return found


def is_exclusion_violation(exc: IntegrityError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == EXCLUSION_VIOLATION


def _describe(found: list[dict[str, Any]]) -> str:
    parts = []
    for item in found:
        kind = item["kind"]
        if kind == "capacity":
            parts.append(
                _("room %(name)s holds %(capacity)s people, not %(attendees)s")
                % {k: item[k] for k in ("name", "capacity", "attendees")}
            )
        elif kind == "room":
            parts.append(
                _("room %(name)s is taken by session #%(session)s")
                % {"name": item["name"], "session": item["session"]}
            )
        elif item.get("reason") == "time_off":
            parts.append(_("%(name)s is off then") % {"name": item["name"]})
        else:
            parts.append(
                _("%(name)s already has session #%(session)s")
                % {"name": item["name"], "session": item["session"]}
            )
    if not parts:
        return _("Someone booked this time meanwhile; choose another.")
    return _("This time is not free: %(conflicts)s.") % {"conflicts": "; ".join(parts)}
