"""A contact's newsletter subscription: subscribe their own address, choose, unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from soutien.accounts.models import User
from soutien.core.errors import ServiceError
from soutien.newsletter import selectors, services
from soutien.newsletter.models import ALL_TOPICS
from soutien.web.access import client_required, current_user
from soutien.web.forms import NewsletterChoicesForm, apply_service_error, reporting
from soutien.web.portal.forms import PortalSubscribeForm

PAGE = "portal:newsletter"


def _page(
    request: HttpRequest,
    user: User,
    subscribe_form: PortalSubscribeForm | None = None,
    choices_form: NewsletterChoicesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    subscriber = selectors.subscriber_of(user)
    state = selectors.state_of(subscriber) if subscriber else None
    text = selectors.current_text()
    language = subscriber.language if subscriber else user.language
    topics = (subscriber.topics if subscriber else []) or list(ALL_TOPICS)
    context = {
        "subscriber": subscriber,
        "state": state,
        "consent_text": text.text(request.LANGUAGE_CODE) if text else "",
        "subscribe_form": subscribe_form
        or PortalSubscribeForm(
            initial={
                "language": language,
                "topics": topics,
                "text_version": text.version if text else "",
            }
        ),
        "choices_form": choices_form
        or NewsletterChoicesForm(initial={"language": language, "topics": topics}),
    }
    return render(request, "portal/newsletter.html", context, status=status)


@client_required
def newsletter(request: HttpRequest) -> HttpResponse:
    return _page(request, current_user(request))


@client_required
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = PortalSubscribeForm(request.POST)
    if form.is_valid():
        try:
            services.subscribe(
                actor=user,
                email=user.email,
                language=form.cleaned_data["language"],
                topics=form.cleaned_data["topics"],
                source="portal",
                text_version=form.cleaned_data["text_version"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("You are subscribed: the next issue will reach you."))
            return redirect(PAGE)
    return _page(request, user, subscribe_form=form, status=400)


@client_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    subscriber = selectors.subscriber_of(user)
    form = NewsletterChoicesForm(request.POST)
    if subscriber is not None and form.is_valid():
        try:
            services.preferences_save(subscriber=subscriber, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved: the next issue follows these choices."))
            return redirect(PAGE)
    return _page(request, user, choices_form=form, status=400)


@client_required
@require_POST
def unsubscribe(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    subscriber = selectors.subscriber_of(user)
    if subscriber is not None:
        with reporting(request, _("You are unsubscribed: it took effect at once.")):
            services.unsubscribe(subscriber=subscriber, source="portal", actor=user)
    return redirect(PAGE)
