"""The rating link of the resolution email: no sign-in, a button (GET changes nothing)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from soutien.core.errors import ServiceError
from soutien.satisfaction import selectors, services, tokens
from soutien.satisfaction.models import Rating
from soutien.ticketing.models import Ticket
from soutien.web.forms import apply_service_error
from soutien.web.satisfaction import RatingForm


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """The page in the contact's language (the email's), unless the visitor chose one."""
    ticket_id = tokens.ticket_of(token)
    ticket = (
        Ticket.objects.filter(pk=ticket_id).select_related("contact").first()
        if ticket_id is not None
        else None
    )
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if ticket is None or chosen in dict(settings.LANGUAGES):
        return _rate(request, ticket)
    with translation.override(ticket.contact.language or settings.LANGUAGE_CODE):
        return _rate(request, ticket)


def _rate(request: HttpRequest, ticket: Ticket | None) -> HttpResponse:
    """A link checker fetching the address rates nothing: the person presses the button."""
    if ticket is None or not selectors.rating_open(ticket):
        message = _(
            "This rating link is not valid any more: a request can be rated for 7 days after "
            "its resolution. Nothing was changed."
        )
        return render(request, "public/satisfaction/done.html", {"message": message}, status=410)
    rating = selectors.rating_of(ticket.pk)
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                rating = services.rating_record(
                    ticket=ticket,
                    value=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                    actor=None,
                    via=Rating.Via.EMAIL,
                )
            except ServiceError as error:
                apply_service_error(form, error)
            else:
                return render(request, "public/satisfaction/done.html", {"rating": rating})
    else:
        chosen = request.GET.get("r")
        initial = {"rating": chosen if chosen in Rating.Value.values else None}
        if rating is not None:
            initial = {"rating": chosen or rating.value, "comment": rating.comment}
        form = RatingForm(initial=initial)
    context = {"ticket": ticket, "rating": rating, "form": form}
    return render(
        request, "public/satisfaction/rate.html", context, status=400 if form.errors else 200
    )
