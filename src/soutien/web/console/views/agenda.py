"""The week of a trainer, technician or room; one's time off and private calendar feeds;
the training rooms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from soutien.accounts.models import User
from soutien.core.errors import ServiceError
from soutien.training import selectors, services
from soutien.training.models import CalendarFeed, Room, Session, TimeOff, WorkCalendar
from soutien.web.access import current_user, manager_required, staff_required
from soutien.web.console.forms.training import RoomForm, TimeOffForm, WorkCalendarForm
from soutien.web.forms import apply_service_error, reporting


@dataclass
class Day:
    day: date
    sessions: list[Session] = field(default_factory=list)
    time_off: list[TimeOff] = field(default_factory=list)


def _monday(value: str | None) -> date:
    try:
        day = date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


def _pick(model: type[User] | type[Room], value: str | None) -> Any:
    if not value or not value.isdigit() or len(value) > 18:
        return None
    return model.objects.filter(pk=int(value)).first()


def _days_of(starts_at: datetime, ends_at: datetime, monday: date) -> range:
    """Which days of the week (0 = Monday) a stretch of time touches."""
    first = max(timezone.localtime(starts_at).date(), monday)
    last = min(
        timezone.localtime(ends_at - timedelta(microseconds=1)).date(), monday + timedelta(days=6)
    )
    return range((first - monday).days, (last - monday).days + 1)


def _hours_form(person: User) -> WorkCalendarForm:
    own = WorkCalendar.objects.filter(person=person).values_list("calendar", flat=True).first()
    return WorkCalendarForm(initial={"calendar": own})


def _week_context(user: User, query: dict[str, str], **bound: forms.Form) -> dict[str, Any]:
    monday = _monday(query.get("week"))
    room = _pick(Room, query.get("room"))
    person = None if room else (_pick(User, query.get("person")) or user)
    if person is not None and not person.is_staff_member:
        raise Http404
    zone = timezone.get_current_timezone()
    start = datetime.combine(monday, time(), zone)
    end = datetime.combine(monday + timedelta(days=7), time(), zone)
    days = [Day(monday + timedelta(days=n)) for n in range(7)]
    for session in selectors.week_of(start, person=person, room=room):
        for n in _days_of(session.starts_at, session.ends_at, monday):
            days[n].sessions.append(session)
    now = timezone.now()
    upcoming: list[TimeOff] = []
    if person is not None:
        for stretch in selectors.time_off_of(person, start, end):
            for n in _days_of(stretch.starts_at, stretch.ends_at, monday):
                days[n].time_off.append(stretch)
        upcoming = selectors.time_off_of(person, now, now + timedelta(days=366))
    own = person is not None and person.pk == user.pk
    trainers = list(selectors.trainers())
    return {
        "days": days,
        "monday": monday,
        "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
        "person": person,
        "room": room,
        "own": own,
        "people": trainers + [t for t in selectors.technicians() if t not in trainers],
        "rooms": list(selectors.rooms(active_only=True)),
        "feeds": [
            (feed, services.feed_address(feed) if feed.is_active else "")
            for feed in (selectors.feeds_of(person) if person and (own or user.is_manager) else [])
        ],
        "time_off": upcoming,
        "time_off_form": bound.get("time_off_form") or TimeOffForm(),
        "hours_form": _hours_form(person) if person is not None and user.is_manager else None,
    }


@staff_required
def agenda(request: HttpRequest) -> HttpResponse:
    """The week of a person (oneself by default) or of a room."""
    context = _week_context(current_user(request), request.GET.dict())
    return render(request, "console/training/agenda.html", context)


def _back_to(request: HttpRequest, person: User) -> HttpResponse:
    response = redirect("console:agenda")
    response["Location"] += f"?person={person.pk}"
    return response


def _person(request: HttpRequest) -> User:
    user = current_user(request)
    picked = _pick(User, request.POST.get("person"))
    return picked or user


@staff_required
@require_POST
def time_off_add(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    person = _person(request)
    form = TimeOffForm(request.POST)
    if form.is_valid():
        try:
            services.time_off_add(actor=user, person=person, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Time off recorded."))
            return _back_to(request, person)
    context = _week_context(user, {"person": str(person.pk)}, time_off_form=form)
    return render(request, "console/training/agenda.html", context, status=400)


@staff_required
@require_POST
def time_off_delete(request: HttpRequest, time_off_id: int) -> HttpResponse:
    user = current_user(request)
    stretch = TimeOff.objects.select_related("person").filter(pk=time_off_id).first()
    if stretch is None:
        raise Http404
    with reporting(request, _("Time off removed.")):
        services.time_off_delete(actor=user, time_off=stretch)
    return _back_to(request, stretch.person)


@manager_required(otherwise="console:agenda")
@require_POST
def work_calendar_set(request: HttpRequest) -> HttpResponse:
    """Give a trainer or technician their own working hours (or the standard ones back)."""
    person = _person(request)
    form = WorkCalendarForm(request.POST)
    if form.is_valid():
        with reporting(request, _("Working hours saved.")):
            services.work_calendar_set(
                actor=current_user(request), person=person, calendar=form.cleaned_data["calendar"]
            )
    else:
        messages.error(request, _("Choose one of the calendars."))
    return _back_to(request, person)


@staff_required
@require_POST
def feed_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    person = _person(request)
    with reporting(request, _("The private calendar address is ready.")):
        services.calendar_feed_create(actor=user, person=person)
    return _back_to(request, person)


@staff_required
@require_POST
def feed_revoke(request: HttpRequest, feed_id: int) -> HttpResponse:
    user = current_user(request)
    feed = CalendarFeed.objects.select_related("person").filter(pk=feed_id).first()
    if feed is None or not (user.is_manager or feed.person_id == user.pk):
        raise Http404
    with reporting(request, _("That address no longer works.")):
        services.calendar_feed_revoke(actor=user, feed=feed)
    return _back_to(request, feed.person)


# -- rooms -----------------------------------------------------------------------------------


@staff_required
def room_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/training/rooms.html",
        {"rooms": list(selectors.rooms()), "form": RoomForm()},
    )


@manager_required(otherwise="console:rooms")
def room_edit(request: HttpRequest, room_id: int | None = None) -> HttpResponse:
    user = current_user(request)
    room = None
    if room_id is not None:
        room = Room.objects.filter(pk=room_id).first()
        if room is None:
            raise Http404
    initial = (
        {
            "name": room.name,
            "capacity": room.capacity,
            "equipment": ", ".join(room.equipment),
            "address": room.address,
            "is_active": room.is_active,
        }
        if room
        else None
    )
    form = RoomForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.room_save(actor=user, room=room, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Room saved."))
            return redirect("console:rooms")
    return render(
        request,
        "console/training/room_edit.html",
        {"form": form, "room": room},
        status=400 if form.errors else 200,
    )
