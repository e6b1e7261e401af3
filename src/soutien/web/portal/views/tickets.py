"""A client's requests in the portal: file them, follow them, answer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from soutien.accounts.models import User
from soutien.agreements import selectors as agreement_selectors
from soutien.core.errors import ServiceError
from soutien.kb.services import request_form_filed
from soutien.notifications import services as notice_services
from soutien.notifications.models import Notification
from soutien.satisfaction import selectors as satisfaction_selectors
from soutien.satisfaction import services as satisfaction_services
from soutien.satisfaction.models import Guarantee, Rating
from soutien.sla import selectors as sla_selectors
from soutien.ticketing import search, selectors, services
from soutien.ticketing.models import ACTIVE_STATUSES, Channel, MessageKind, Status, Ticket
from soutien.training import selectors as training_selectors
from soutien.web.access import client_required, current_user
from soutien.web.forms import apply_service_error, reporting, uploads_from
from soutien.web.portal.forms import AnotherDateForm, NewRequestForm, ReplyForm
from soutien.web.satisfaction import GuaranteeForm, RatingForm
from soutien.web.timeline import timeline

PAGE_SIZE = 50


@client_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    show = request.GET.get("show", "active")
    query = " ".join(request.GET.get("q", "").split())[:200]
    qs = selectors.tickets_visible_to(user).select_related("assignee", "contact")
    if query:
        # The organization's requests (or one's own) only, and never the staff's notes.
        qs = search.matching(qs, query, staff=False)
    if show == "active":
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    elif show == "done":
        qs = qs.filter(status__in=[Status.RESOLVED, Status.CLOSED])
    tickets = list(qs.order_by("-updated_at", "-id")[:PAGE_SIZE])
    # Decisions on the satisfaction guarantees one invoked, until one reads them.
    decisions = list(
        Notification.objects.filter(
            recipient=user, kind=Notification.Kind.GUARANTEE_DECIDED, read_at__isnull=True
        ).order_by("-created_at", "-id")[:5]
    )
    context = {"tickets": tickets, "show": show, "q": query, "decisions": decisions}
    return render(request, "portal/ticket_list.html", context)


@client_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = NewRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            assert user.organization is not None
            ticket = services.ticket_create(
                actor=user,
                organization=user.organization,
                contact=user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                channel=Channel.WEB,
                uploads=uploads_from(form.cleaned_data["attachments"]),
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            request_form_filed(token=request.POST.get("kb_form", ""))
            messages.success(
                request, _("Your request #%(number)s was received.") % {"number": ticket.number}
            )
            return redirect("portal:ticket", ticket_id=ticket.pk)
    assert user.organization is not None
    preview = sla_selectors.response_preview(organization_id=user.organization.pk)
    context = {
        "form": form,
        "preview": preview,
        "preview_terms": preview.terms(get_language() or "fr") if preview else "",
    }
    return render(request, "portal/ticket_new.html", context)


@client_required
def ticket_detail(
    request: HttpRequest,
    ticket_id: int,
    reply_form: ReplyForm | None = None,
    rating_form: RatingForm | None = None,
    guarantee_form: GuaranteeForm | None = None,
) -> HttpResponse:
    user = current_user(request)
    ticket = selectors.ticket_for(user, ticket_id)
    # Reading the request is reading what was decided on its guarantee.
    notice_services.mark_read(
        user=user,
        notification_ids=Notification.objects.filter(
            recipient=user, ticket=ticket, kind=Notification.Kind.GUARANTEE_DECIDED
        ).values_list("pk", flat=True),
    )
    return render(
        request,
        "portal/ticket_detail.html",
        {
            "ticket": ticket,
            "agreement": agreement_selectors.agreements_of_ticket(user, ticket.pk).first(),
            "timeline": timeline(user, ticket),
            "reply_form": reply_form or ReplyForm(),
            "can_resolve": ticket.is_active,
            "sessions": training_selectors.sessions_of_ticket(user, ticket.pk),
            "training": training_selectors.training_of_ticket(user, ticket.pk),
            "another_form": AnotherDateForm(),
            **_rating_context(user, ticket, rating_form, guarantee_form),
        },
        status=400 if reply_form or rating_form or guarantee_form else 200,
    )


@client_required
@require_POST
def ticket_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user = current_user(request)
    ticket = selectors.ticket_for(user, ticket_id)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message = services.message_add(
                actor=user,
                ticket=ticket,
                kind=MessageKind.CLIENT,
                body=form.cleaned_data["body"],
                uploads=uploads_from(form.cleaned_data["attachments"]),
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            if message.ticket_id != ticket.pk:
                messages.info(
                    request,
                    _("Request #%(old)s was closed, so your message opened request #%(new)s.")
                    % {"old": ticket.number, "new": message.ticket_id},
                )
            return redirect("portal:ticket", ticket_id=message.ticket_id)
    return ticket_detail(request, ticket_id, reply_form=form)


@client_required
@require_POST
def ticket_resolve(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user = current_user(request)
    ticket = selectors.ticket_for(user, ticket_id)
    with reporting(request, _("Marked as resolved. Reply within 14 days to reopen it.")):
        services.ticket_change_status(actor=user, ticket=ticket, status=Status.RESOLVED)
    return redirect("portal:ticket", ticket_id=ticket.pk)


def _rating_context(
    user: User, ticket: Ticket, form: RatingForm | None, guarantee_form: GuaranteeForm | None
) -> dict[str, object]:
    """The rating of a resolved request: its form while it can be given or changed."""
    rating = satisfaction_selectors.rating_of(ticket.pk)
    can_rate = satisfaction_selectors.rating_open(ticket) and satisfaction_services.may_rate(
        user, ticket
    )
    if form is None and can_rate:
        initial = {"rating": rating.value, "comment": rating.comment} if rating else {}
        form = RatingForm(initial=initial)
    guarantees = list(satisfaction_selectors.guarantees_of_ticket(ticket.pk))
    if not user.is_client_admin or any(g.state == Guarantee.State.PENDING for g in guarantees):
        guarantee_form = None
    elif guarantee_form is None:
        guarantee_form = GuaranteeForm()
    return {
        "rating": rating,
        "rating_form": form if can_rate else None,
        "guarantee_form": guarantee_form,
        "guarantees": guarantees,
    }


@client_required
@require_POST
def ticket_guarantee(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """A client administrator invokes the satisfaction guarantee on the request."""
    user = current_user(request)
    ticket = selectors.ticket_for(user, ticket_id)
    if not user.is_client_admin:
        raise PermissionDenied(_("Only a client administrator can invoke the guarantee."))
    form = GuaranteeForm(request.POST)
    if form.is_valid():
        try:
            satisfaction_services.guarantee_invoke(
                actor=user, ticket=ticket, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The guarantee is invoked: a support manager will decide."))
            return redirect("portal:ticket", ticket_id=ticket.pk)
    return ticket_detail(request, ticket_id, guarantee_form=form)


@client_required
@require_POST
def ticket_rate(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user = current_user(request)
    ticket = selectors.ticket_for(user, ticket_id)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            satisfaction_services.rating_record(
                ticket=ticket,
                value=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                actor=user,
                via=Rating.Via.PORTAL,
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Thank you: your rating is recorded."))
            return redirect("portal:ticket", ticket_id=ticket.pk)
    return ticket_detail(request, ticket_id, rating_form=form)
