"""A request in the console: its timeline, every action on it; requests filed by staff."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from soutien.accounts.models import User
from soutien.agreements import roles
from soutien.agreements import selectors as agreement_selectors
from soutien.agreements.models import Agreement, State
from soutien.contracts import selectors as contract_selectors
from soutien.contracts.models import TimeEntry
from soutien.core.errors import Conflict, ServiceError
from soutien.presence import selectors as presence_selectors
from soutien.presence import services as presence_services
from soutien.satisfaction import selectors as satisfaction_selectors
from soutien.satisfaction.models import Guarantee, Rating
from soutien.ticketing import held, selectors, services
from soutien.ticketing.models import CallDirection, Channel, Kind, MessageKind, Status, Ticket
from soutien.training import selectors as training_selectors
from soutien.training.models import Session
from soutien.web.access import current_user, staff_required
from soutien.web.clock import with_clocks
from soutien.web.console.forms.rendering import plain_widgets
from soutien.web.console.forms.satisfaction import GuaranteeDecisionForm
from soutien.web.console.forms.tickets import (
    AssignForm,
    CallForm,
    LevelForm,
    NewTicketForm,
    NoteForm,
    ReplyForm,
    StatusForm,
)
from soutien.web.forms import apply_service_error, reporting, uploads_from
from soutien.web.timeline import timeline_and_files


def _detail_context(user: User, ticket: Ticket, **bound: forms.Form) -> dict[str, Any]:
    story, original_files = timeline_and_files(user, ticket)
    # The last message shown (staff see them all): a reply written now was written after it.
    last_message = max((e.message.pk for e in story if e.message is not None), default=0)
    # The same HTML as Django's renderer, a third of the time (seven forms on this page).
    plain = plain_widgets
    forms_ = {
        "reply_form": ReplyForm(initial={"seen_message": last_message}, renderer=plain),
        "note_form": NoteForm(renderer=plain),
        "call_form": CallForm(renderer=plain),
        "level_form": LevelForm(initial={"level": ticket.level}, renderer=plain),
        "assign_form": AssignForm(
            level=ticket.level, initial={"assignee": ticket.assignee_id}, renderer=plain
        ),
        "status_form": StatusForm(initial={"status": ticket.status}, renderer=plain),
    }
    forms_.update(bound)
    with_clocks([ticket])
    return {
        "ticket": ticket,
        # The card shows its number, state and current version: not the whole agreement page's
        # joins and milestones.
        "agreement": agreement_selectors.agreements_of_ticket(user, ticket.pk)
        .exclude(state=State.CANCELLED)
        .select_related(None)
        .select_related("current")
        .prefetch_related(None)
        .first()
        if getattr(ticket, "has_agreements", True)
        else None,
        "can_draft": ticket.level == 3 and roles.may_write(user),
        "timeline": story,
        "original_files": original_files,
        # Its sessions as listed here (host and room): the request itself is already known.
        "sessions": list(
            training_selectors.sessions_visible_to(user)
            .filter(ticket_id=ticket.pk)
            .select_related(None)
            .select_related("host", "room")
            .order_by("starts_at", "id")
        )
        if getattr(ticket, "has_sessions", True)
        else [],
        "others": presence_selectors.others_on(ticket_id=ticket.pk, viewer=user),
        # Only a request of kind training has a training request (it is filed with it).
        "training": training_selectors.training_of_ticket(user, ticket.pk)
        if ticket.kind == Kind.TRAINING
        else None,
        "statuses": Status,
        **_satisfaction_context(user, ticket),
        **forms_,
    }


def bank_choices(organization_id: int) -> list[tuple[int, str]]:
    """The organization's banks a guarantee's minutes can be credited back to, as choices."""
    language = get_language() or "fr"
    return [
        (b.pk, b.label(language))
        for b in contract_selectors.banks_by_organization({organization_id}).get(
            organization_id, []
        )
    ]


def _satisfaction_context(user: User, ticket: Ticket) -> dict[str, Any]:
    """The client's rating and guarantees; a manager decides a pending guarantee right here.
    Each is read only if the request has one (as `_ticket` tells) or if that is not known."""
    guarantees = (
        list(satisfaction_selectors.guarantees_of_ticket(ticket.pk))
        if getattr(ticket, "has_guarantees", True)
        else []
    )
    pending = [g for g in guarantees if g.state == Guarantee.State.PENDING]
    forms_: dict[int, GuaranteeDecisionForm] = {}
    if user.is_manager and pending:
        banks = bank_choices(ticket.organization_id)
        for g in pending:
            forms_[g.pk] = GuaranteeDecisionForm(guarantee_id=g.pk, banks=banks)
    return {
        "rating": satisfaction_selectors.rating_of(ticket.pk)
        if getattr(ticket, "has_rating", True)
        else None,
        "guarantees": guarantees,
        "decision_forms": forms_,
    }


@staff_required
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user, ticket = _ticket(request, ticket_id)
    return render(request, "console/ticket_detail.html", _detail_context(user, ticket))


def ticket_with_decision(
    request: HttpRequest, ticket_id: int, guarantee_id: int, decision: GuaranteeDecisionForm
) -> HttpResponse:
    """The request's page again, a guarantee's decision form as typed with its errors."""
    user, ticket = _ticket(request, ticket_id)
    context = _detail_context(user, ticket)
    if guarantee_id in context["decision_forms"]:
        context["decision_forms"][guarantee_id] = decision
    return render(request, "console/ticket_detail.html", context, status=400)


def _ticket(request: HttpRequest, ticket_id: int) -> tuple[User, Ticket]:
    """The request, with how many time entries it has: the page's time panel is read only
    when opened, its title says how many are in it."""
    user = current_user(request)
    entries = (
        TimeEntry.objects.filter(ticket_id=OuterRef("pk"))
        .order_by()
        .values("ticket_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    count = Coalesce(Subquery(entries), 0)
    # Whether the satisfaction card has anything to show: most requests have no rating and no
    # guarantee, and then neither is looked for.
    rated = Exists(Rating.objects.filter(ticket_id=OuterRef("pk")))
    invoked = Exists(Guarantee.objects.filter(ticket_id=OuterRef("pk")))
    # The same for the agreement card and the sessions, which few requests have.
    agreed = Exists(Agreement.objects.filter(ticket_id=OuterRef("pk")))
    scheduled = Exists(Session.objects.filter(ticket_id=OuterRef("pk")))
    ticket = selectors.ticket_for(
        user,
        ticket_id,
        time_entry_count=count,
        has_rating=rated,
        has_guarantees=invoked,
        has_agreements=agreed,
        has_sessions=scheduled,
    )
    return user, ticket


def _invalid(request: HttpRequest, user: User, ticket: Ticket, **bound: forms.Form) -> HttpResponse:
    """The request's page again, with the form that did not validate and its errors."""
    context = _detail_context(user, ticket, **bound)
    return render(request, "console/ticket_detail.html", context, status=400)


def _back(ticket: Ticket) -> HttpResponse:
    return redirect("console:ticket", ticket_id=ticket.pk)


def _add_message(
    user: User, ticket: Ticket, kind: str, data: dict[str, Any], *, wait_for_client: bool = False
) -> None:
    services.message_add(
        actor=user,
        ticket=ticket,
        kind=kind,
        body=data["body"],
        uploads=uploads_from(data["attachments"]),
        wait_for_client=wait_for_client,
    )


@staff_required
@require_POST
def ticket_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Reply to the client, and with "then wait" set the request waiting for them.

    A reply written before someone else answered is held: the page comes back with the reply
    as written, what happened since, and "send anyway" (the same form, now up to date).
    """
    user, ticket = _ticket(request, ticket_id)
    form = ReplyForm(request.POST, request.FILES)
    kept: list[held.HeldFile] = []
    if form.is_valid() and form.cleaned_data["held_files"]:
        found = held.held(form.cleaned_data["held_files"], actor=user, ticket=ticket)
        if found is None:
            form.add_error(None, _("The files of the held reply are gone: attach them again."))
        kept = found or []
    if not form.is_valid():
        return _invalid(request, user, ticket, reply_form=form)
    data = form.cleaned_data
    new_files = uploads_from(data["attachments"])
    kept_files = held.uploads(kept)
    try:
        services.message_add(
            actor=user,
            ticket=ticket,
            kind=MessageKind.REPLY,
            body=data["body"],
            uploads=[*kept_files, *new_files],
            wait_for_client=data["then_wait"],
            seen_message_id=data["seen_message"],
        )
    except Conflict as exc:
        held.release([], kept_files)  # closed; still kept for the next "send anyway"
        token, files = held.hold(actor=user, ticket=ticket, uploads=new_files, kept=kept)
        return _held(request, user, ticket, exc, token, files)
    except ServiceError as exc:
        held.release([], kept_files)
        messages.error(request, exc.message)
        return _back(ticket)
    held.release(kept, kept_files)
    messages.success(request, _("Reply sent."))
    presence_services.presence_leave(actor=user, ticket=ticket)
    target = data["next"]
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return _back(ticket)


def _held(
    request: HttpRequest,
    user: User,
    ticket: Ticket,
    exc: Conflict,
    token: str,
    files: list[held.HeldFile],
) -> HttpResponse:
    """The request's page with a held reply: what came since, "send anyway" or review; its
    files are kept on the server and go with it."""
    data = request.POST.copy()
    data["seen_message"] = str(exc.details["latest_message_id"])
    data["held_files"] = token
    form = ReplyForm(data)
    context = _detail_context(user, ticket, reply_form=form)
    context["held"] = {
        "text": exc.message,
        "message_id": exc.details["latest_message_id"],
        "files": [f.name for f in files],
    }
    return render(request, "console/ticket_detail.html", context, status=409)


@staff_required
@require_POST
def ticket_note(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Add an internal note, which the client never sees."""
    user, ticket = _ticket(request, ticket_id)
    form = NoteForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, user, ticket, note_form=form)
    with reporting(request, _("Note added.")):
        _add_message(user, ticket, MessageKind.NOTE, form.cleaned_data)
    return _back(ticket)


@staff_required
@require_POST
def ticket_call(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Log a phone call with the client."""
    user, ticket = _ticket(request, ticket_id)
    form = CallForm(request.POST)
    if not form.is_valid():
        return _invalid(request, user, ticket, call_form=form)
    data = form.cleaned_data
    with reporting(request, _("Call logged.")):
        services.message_add(
            actor=user,
            ticket=ticket,
            kind=MessageKind.PHONE_CALL,
            body=data["body"],
            at=data["started_at"],
            call_direction=data["direction"],
            duration_minutes=data["duration_minutes"],
            caller=data["caller"],
        )
    return _back(ticket)


@staff_required
@require_POST
def ticket_level(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Set the request's support level."""
    user, ticket = _ticket(request, ticket_id)
    form = LevelForm(request.POST)
    if not form.is_valid():
        return _invalid(request, user, ticket, level_form=form)
    with reporting(request, _("Level set.")):
        services.ticket_set_level(actor=user, ticket=ticket, level=form.cleaned_data["level"])
    return _back(ticket)


@staff_required
@require_POST
def ticket_assign(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Assign the request to a technician of its level, or to nobody."""
    user, ticket = _ticket(request, ticket_id)
    form = AssignForm(request.POST, level=ticket.level)
    if not form.is_valid():
        return _invalid(request, user, ticket, assign_form=form)
    with reporting(request, _("Assignment saved.")):
        services.ticket_assign(actor=user, ticket=ticket, technician=form.cleaned_data["assignee"])
    return _back(ticket)


@staff_required
@require_POST
def ticket_assign_auto(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Assign the request to the least-loaded technician qualified for its level."""
    user, ticket = _ticket(request, ticket_id)
    with reporting(request, _("Assigned to the least-loaded qualified technician.")):
        services.ticket_assign_automatically(actor=user, ticket=ticket)
    return _back(ticket)


@staff_required
@require_POST
def ticket_status(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Change the request's status."""
    user, ticket = _ticket(request, ticket_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _invalid(request, user, ticket, status_form=form)
    with reporting(request, _("Status changed.")):
        services.ticket_change_status(actor=user, ticket=ticket, status=form.cleaned_data["status"])
    return _back(ticket)


@staff_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = NewTicketForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = _file_for_client(user, data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Request #%(number)s filed.") % {"number": ticket.number})
            return redirect("console:ticket", ticket_id=ticket.pk)
    return render(
        request, "console/ticket_new.html", {"form": form}, status=400 if form.errors else 200
    )


def _file_for_client(user: User, data: dict[str, Any]) -> Ticket:
    """File the request, with the call that brought it in when it came by phone."""
    call = None
    if data["channel"] == Channel.PHONE and data["call_minutes"]:
        call = services.IncomingCall(
            direction=data["call_direction"] or CallDirection.INBOUND,
            minutes=data["call_minutes"],
            caller=data["caller"],
        )
    return services.ticket_create(
        actor=user,
        organization=data["organization"],
        contact=data["contact"],
        subject=data["subject"],
        body=data["body"],
        channel=data["channel"],
        received_at=data["received_at"],
        uploads=uploads_from(data["attachments"]),
        call=call,
    )


@staff_required
@require_GET
def contact_options(request: HttpRequest) -> HttpResponse:
    """The contacts of one organization, as <option>s for the new-request form."""
    try:
        organization_id = int(request.GET.get("organization", ""))
    except ValueError:
        organization_id = 0
    contacts = User.objects.filter(organization_id=organization_id, is_active=True).order_by(
        "full_name"
    )
    return render(request, "console/_contact_options.html", {"contacts": contacts})


@staff_required
@require_GET
def ticket_clock(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The live clock of one request (polled by the detail page)."""
    ticket = selectors.ticket_for(current_user(request), ticket_id)
    return render(request, "console/_clock.html", {"ticket": with_clocks([ticket])[0]})
