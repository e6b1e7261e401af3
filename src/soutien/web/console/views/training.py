"""Training requests and sessions in the console: file a request for a client, schedule from
suggested slots, move, cancel, record a held session or a no-show; teleconferences on requests."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from soutien.accounts.models import User
from soutien.contracts.models import Service
from soutien.contracts.selectors import subscriptions_including
from soutien.core.errors import ServiceError
from soutien.ticketing import selectors as ticket_selectors
from soutien.ticketing.models import ACTIVE_STATUSES
from soutien.training import selectors, services
from soutien.training.models import Session, TrainingRequest
from soutien.web.access import current_user, staff_required
from soutien.web.console.forms.training import (
    CancelForm,
    HeldForm,
    MoveForm,
    NoShowForm,
    SessionForm,
    SlotFilterForm,
    StaffTrainingRequestForm,
    TeleconferenceForm,
    TrainingDetailsForm,
)
from soutien.web.forms import apply_service_error, initial_from, reporting
from soutien.web.training import invitation_response


@staff_required
def training_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    show = request.GET.get("show", "open")
    qs = selectors.trainings_visible_to(user)
    if show == "open":
        qs = qs.filter(ticket__status__in=ACTIVE_STATUSES)
    trainings = list(qs.order_by("-created_at", "-id")[:200])
    return render(request, "console/training/list.html", {"trainings": trainings, "show": show})


@staff_required
def training_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = StaffTrainingRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            training = services.training_request_create(
                actor=user,
                organization=data["organization"],
                contact=data["contact"],
                channel=data["channel"],
                received_at=data["received_at"],
                **form.service_arguments(),
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Training request #%(number)s filed.") % {"number": training.ticket.number},
            )
            return redirect("console:training", training_id=training.pk)
    return render(
        request, "console/training/new.html", {"form": form}, status=400 if form.errors else 200
    )


def _slots(training: TrainingRequest, form: SlotFilterForm) -> list[selectors.Slot]:
    data = form.cleaned_data if form.is_valid() else {}
    return selectors.suggested_slots(
        training,
        trainer=data.get("trainer"),
        room=data.get("room"),
        minutes=data.get("minutes") or 180,
        days=data.get("days") or 30,
        count=8,
    )


def _detail(
    request: HttpRequest, training: TrainingRequest, *, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    slot_form = SlotFilterForm(request.GET or None)
    context: dict[str, Any] = {
        "training": training,
        "ticket": training.ticket,
        "sessions": list(training.sessions.all()),
        "slot_form": slot_form,
        "slots": _slots(training, slot_form),
        "session_form": SessionForm(
            initial={"location": training.address if training.place == "client" else ""}
        ),
        "details_form": TrainingDetailsForm(initial=initial_from(training, TrainingDetailsForm)),
        **bound,
    }
    return render(request, "console/training/detail.html", context, status=status)


@staff_required
def training_detail(request: HttpRequest, training_id: int) -> HttpResponse:
    training = selectors.training_for(current_user(request), training_id)
    return _detail(request, training)


@staff_required
@require_GET
def training_slots(request: HttpRequest, training_id: int) -> HttpResponse:
    """The suggested slots again, for other filters (an htmx partial)."""
    training = selectors.training_for(current_user(request), training_id)
    slots = _slots(training, SlotFilterForm(request.GET))
    return render(request, "console/training/_slots.html", {"training": training, "slots": slots})


@staff_required
@require_POST
def training_update(request: HttpRequest, training_id: int) -> HttpResponse:
    user = current_user(request)
    training = selectors.training_for(user, training_id)
    form = TrainingDetailsForm(request.POST)
    if form.is_valid():
        try:
            services.training_request_update(actor=user, training=training, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Details saved."))
            return redirect("console:training", training_id=training.pk)
    return _detail(request, training, status=400, details_form=form)


@staff_required
@require_POST
def session_schedule(request: HttpRequest, training_id: int) -> HttpResponse:
    """Book a session (from a suggested slot or by hand) and send the client the invitation."""
    user = current_user(request)
    training = selectors.training_for(user, training_id)
    form = SessionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_schedule(
                actor=user,
                training=training,
                trainer=data["trainer"],
                room=data["room"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                location=data["location"],
                join_url=data["join_url"],
                override=data["override"],
                confirmed=data["confirmed"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            done = (
                _("Session confirmed.")
                if session.status == "confirmed"
                else _("Session proposed: the client has the invitation.")
            )
            messages.success(request, done)
            return redirect("console:training", training_id=training.pk)
    return _detail(request, training, status=400, session_form=form)


# -- one session -----------------------------------------------------------------------------


def _session(request: HttpRequest, session_id: int) -> tuple[User, Session]:
    user = current_user(request)
    return user, selectors.session_for(user, session_id)


def _session_page(
    request: HttpRequest, session: Session, *, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    context: dict[str, Any] = {
        "s": session,
        "ticket": session.ticket,
        "move_form": MoveForm(session=session),
        "held_form": HeldForm(initial={"minutes": session.minutes}),
        "cancel_form": CancelForm(),
        "no_show_form": NoShowForm(),
        "started": session.starts_at <= timezone.now(),
        **bound,
    }
    return render(request, "console/training/session.html", context, status=status)


def _after(session: Session) -> HttpResponse:
    return redirect("console:session", session_id=session.pk)


@staff_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    _user, session = _session(request, session_id)
    return _session_page(request, session)


@staff_required
@require_POST
def session_move(request: HttpRequest, session_id: int) -> HttpResponse:
    user, session = _session(request, session_id)
    form = MoveForm(request.POST, session=session)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.session_reschedule(
                actor=user,
                session=session,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                host=data["host"],
                room=data["room"] if "room" in form.fields else services.UNCHANGED,
                join_url=data["join_url"],
                override=data["override"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Session moved: the updated invitation is sent."))
            return _after(session)
    return _session_page(request, session, status=400, move_form=form)


@staff_required
@require_POST
def session_cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    user, session = _session(request, session_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _session_page(request, session, status=400, cancel_form=form)
    with reporting(request, _("Session cancelled: the cancellation is sent.")):
        services.session_cancel(actor=user, session=session, reason=form.cleaned_data["reason"])
    return _after(session)


@staff_required
@require_POST
def session_held(request: HttpRequest, session_id: int) -> HttpResponse:
    user, session = _session(request, session_id)
    form = HeldForm(request.POST)
    if form.is_valid():
        try:
            services.session_held(
                actor=user,
                session=session,
                minutes=form.cleaned_data["minutes"],
                summary=form.cleaned_data["summary"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Session recorded as held; its time is logged."))
            return _after(session)
    return _session_page(request, session, status=400, held_form=form)


@staff_required
@require_POST
def session_no_show(request: HttpRequest, session_id: int) -> HttpResponse:
    user, session = _session(request, session_id)
    form = NoShowForm(request.POST)
    if not form.is_valid():
        return _session_page(request, session, status=400, no_show_form=form)
    with reporting(request, _("No-show recorded.")):
        services.session_no_show(actor=user, session=session, note=form.cleaned_data["note"])
    return _after(session)


@staff_required
def session_invitation(request: HttpRequest, session_id: int) -> HttpResponse:
    user, session = _session(request, session_id)
    return invitation_response(session, get_language() or user.language)


# -- teleconferences -------------------------------------------------------------------------


@staff_required
def teleconference_new(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Schedule a teleconference on a request (clients whose plan includes it)."""
    user = current_user(request)
    ticket = ticket_selectors.ticket_for(user, ticket_id)
    form = TeleconferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.teleconference_schedule(
                actor=user,
                ticket=ticket,
                starts_at=data["starts_at"],
                minutes=data["minutes"],
                technician=data["technician"],
                join_url=data["join_url"],
                bridge=data["bridge"],
                override=data["override"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Teleconference scheduled: the client has the invitation."))
            return _after(session)
    included = bool(
        subscriptions_including(
            ticket.organization_id, Service.TELECONFERENCE, timezone.localdate()
        )
    )
    return render(
        request,
        "console/training/teleconference_new.html",
        {"ticket": ticket, "form": form, "included": included},
        status=400 if form.errors else 200,
    )
