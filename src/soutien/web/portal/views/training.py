"""Training in the portal: ask for one, see the sessions proposed and confirmed, accept one or
ask for another date, download an invitation."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from soutien.core.errors import ServiceError
from soutien.training import selectors, services
from soutien.web.access import client_required, current_user
from soutien.web.forms import apply_service_error, reporting
from soutien.web.portal.forms import AnotherDateForm
from soutien.web.training import TrainingRequestForm, invitation_response


@client_required
def training_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    trainings = list(selectors.trainings_visible_to(user).order_by("-created_at", "-id")[:100])
    return render(request, "portal/training/list.html", {"trainings": trainings})


@client_required
def training_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = TrainingRequestForm(request.POST or None, initial={"language": user.language})
    if request.method == "POST" and form.is_valid():
        assert user.organization is not None
        try:
            training = services.training_request_create(
                actor=user,
                organization=user.organization,
                contact=user,
                **form.service_arguments(),
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Your training request #%(number)s was received.")
                % {"number": training.ticket.number},
            )
            return redirect("portal:training", training_id=training.pk)
    return render(
        request, "portal/training/new.html", {"form": form}, status=400 if form.errors else 200
    )


@client_required
def training_detail(
    request: HttpRequest, training_id: int, another_form: AnotherDateForm | None = None
) -> HttpResponse:
    user = current_user(request)
    training = selectors.training_for(user, training_id)
    return render(
        request,
        "portal/training/detail.html",
        {
            "training": training,
            "ticket": training.ticket,
            "sessions": list(training.sessions.all()),
            "another_form": another_form or AnotherDateForm(),
        },
        status=400 if another_form is not None else 200,
    )


def _back(session_training_id: int | None, ticket_id: int) -> HttpResponse:
    if session_training_id is not None:
        return redirect("portal:training", training_id=session_training_id)
    return redirect("portal:ticket", ticket_id=ticket_id)


@client_required
@require_POST
def session_accept(request: HttpRequest, session_id: int) -> HttpResponse:
    user = current_user(request)
    session = selectors.session_for(user, session_id)
    with reporting(request, _("Session confirmed: the confirmation is on its way by email.")):
        services.session_confirm(actor=user, session=session)
    return _back(session.training_id, session.ticket_id)


@client_required
@require_POST
def session_another_date(request: HttpRequest, session_id: int) -> HttpResponse:
    user = current_user(request)
    session = selectors.session_for(user, session_id)
    form = AnotherDateForm(request.POST)
    if not form.is_valid() and session.training_id is not None:
        return training_detail(request, session.training_id, another_form=form)
    with reporting(request, _("We will propose another date.")):
        services.session_ask_another_date(
            actor=user, session=session, note=form.cleaned_data.get("note", "")
        )
    return _back(session.training_id, session.ticket_id)


@client_required
def session_invitation(request: HttpRequest, session_id: int) -> HttpResponse:
    user = current_user(request)
    session = selectors.session_for(user, session_id)
    return invitation_response(session, get_language() or user.language)
