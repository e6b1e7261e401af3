"""The newsletter's public pages: the archive and its feeds, subscribing, and the pages a reader
reaches from a message (confirm, unsubscribe, preferences) -- no sign-in, in the reader's
language. `one_click` is the RFC 8058 address mail clients POST to: no session, no CSRF token.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import feedgenerator, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from soutien.accounts.models import User
from soutien.core.errors import NotFound, ServiceError
from soutien.newsletter import compose, links, selectors, services, tokens
from soutien.newsletter.models import ALL_TOPICS, IssueImage, Subscriber
from soutien.web.forms import NewsletterChoicesForm, apply_service_error
from soutien.web.public.forms import SubscribeForm

FEED_ITEMS = 24


def _language(request: HttpRequest) -> str:
    wanted = request.GET.get("lang") or get_language() or "fr"
    return wanted[:2] if wanted[:2] in ("fr", "en") else "fr"


def _subscribe_form(language: str) -> SubscribeForm:
    text = selectors.current_text()
    return SubscribeForm(
        initial={
            "language": language,
            "topics": list(ALL_TOPICS),
            "text_version": text.version if text else "",
        }
    )


def _archive(request: HttpRequest, form: SubscribeForm, status: int = 200) -> HttpResponse:
    language = _language(request)
    text = selectors.current_text()
    context = {
        "issues": selectors.published_issues()[:120],
        "form": form,
        "consent_text": text.text(language) if text else "",
        "lang": language,
    }
    return render(request, "public/newsletter/archive.html", context, status=status)


@require_GET
def archive(request: HttpRequest) -> HttpResponse:
    """Past issues, latest first, and the subscription form."""
    return _archive(request, _subscribe_form(_language(request)))


@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _archive(request, form, status=400)
    data = form.cleaned_data
    if data["website"]:
        # A robot: answered as a person would be, nothing recorded, nothing sent.
        return render(request, "public/newsletter/subscribed.html", {"confirmed": False})
    actor = request.user if isinstance(request.user, User) else None
    try:
        subscriber, _event = services.subscribe(
            actor=actor,
            email=data["email"],
            language=data["language"],
            topics=data["topics"],
            source="public_form",
            text_version=data["text_version"],
        )
    except ServiceError as exc:
        apply_service_error(form, exc)
        return _archive(request, form, status=400)
    # The same answer whether or not the address was known: the page tells nobody who reads us.
    confirmed = actor is not None and selectors.state_of(subscriber).may_receive
    return render(request, "public/newsletter/subscribed.html", {"confirmed": confirmed})


@require_GET
def issue(request: HttpRequest, month: str) -> HttpResponse:
    found = selectors.published_issue(month)
    language = _language(request)
    intro, sections = compose.parts(found, language)
    context = {
        "issue": found,
        "subject": found.subject(language),
        "intro": intro,
        "sections": sections,
        "sender": selectors.settings_row(),
        "lang": language,
    }
    return render(request, "public/newsletter/issue.html", context)


@require_GET
def image(request: HttpRequest, key: str) -> FileResponse:
    """An issue's image: public like the archive, the same address for every reader."""
    try:
        wanted = uuid.UUID(hex=key)
    except ValueError:
        raise Http404 from None
    found = get_object_or_404(IssueImage, key=wanted)
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def feed(request: HttpRequest, kind: str) -> HttpResponse:
    """The archive as an Atom or RSS feed, in French (or `?lang=en`)."""
    language = _language(request)
    generator = feedgenerator.Atom1Feed if kind == "atom" else feedgenerator.Rss201rev2Feed
    sender = selectors.settings_row()
    with translation.override(language):
        title = _("Technical newsletter — %(sender)s") % {"sender": sender.sender_name}
        description = _("The monthly technical newsletter: new articles, problems solved, news.")
    document = generator(
        title=title,
        link=links.absolute(links.ARCHIVE),
        description=description,
        language=language,
        feed_url=request.build_absolute_uri(),
    )
    for item in selectors.published_issues()[:FEED_ITEMS]:
        intro, sections = compose.parts(item, language, site_url=links.absolute(""))
        body = intro.html + "".join(f"<h2>{s.title}</h2>{s.html}" for s in sections)
        document.add_item(
            title=item.subject(language),
            link=links.issue_page(item.slug) + ("?lang=en" if language == "en" else ""),
            description=body,
            pubdate=item.started_at,
            unique_id=links.issue_page(item.slug) + f"#{language}",
        )
    response = HttpResponse(content_type=f"{document.content_type}")
    document.write(response, "utf-8")
    return response


# --- from a message: no sign-in, in the reader's language -------------------------------------


def _reader_page(
    request: HttpRequest, subscriber: Subscriber, template: str, context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    with translation.override(subscriber.language):
        response = render(request, template, {"subscriber": subscriber, **context}, status=status)
    response["Content-Language"] = subscriber.language
    return response


def _invalid_link(request: HttpRequest, message: str) -> HttpResponse:
    """A forged, cut or outdated link: said plainly, nothing changed."""
    return render(request, "public/newsletter/invalid_link.html", {"message": message}, status=400)


def _reader(token: str) -> Subscriber | None:
    try:
        return services.subscriber_from_token(token)
    except NotFound:
        return None


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The visible link of every issue: a button (GET changes nothing), then done at once."""
    subscriber = _reader(token)
    if subscriber is None:
        return _invalid_link(request, _("This unsubscribe link is not valid: it may have been "
                                        "cut or changed. Nothing was changed."))  # fmt: skip
    if request.method == "POST":
        services.unsubscribe(subscriber=subscriber, source="link")
        return _reader_page(request, subscriber, "public/newsletter/unsubscribed.html",
                            {"token": token})  # fmt: skip
    return _reader_page(request, subscriber, "public/newsletter/unsubscribe.html",
                        {"token": token})  # fmt: skip


@csrf_exempt
@require_http_methods(["GET", "POST"])
def one_click(request: HttpRequest, token: str) -> HttpResponse:
    """RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click`; it takes effect at once.

    A GET (a person following the header's address) gets the page with the button: a link
    checker fetching addresses must not unsubscribe anyone.
    """
    subscriber = _reader(token)
    if subscriber is None:
        return _invalid_link(request, _("This unsubscribe link is not valid: it may have been "
                                        "cut or changed. Nothing was changed."))  # fmt: skip
    if request.method == "GET":
        return HttpResponseRedirect(reverse("public:newsletter_unsubscribe", args=[token]))
    services.unsubscribe(subscriber=subscriber, source="one_click")
    return _reader_page(request, subscriber, "public/newsletter/unsubscribed.html",
                        {"token": token})  # fmt: skip


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = _reader(token)
    if subscriber is None:
        return _invalid_link(request, _("This link is not valid: it may have been cut or "
                                        "changed. Nothing was changed."))  # fmt: skip
    saved = False
    if request.method == "POST":
        form = NewsletterChoicesForm(request.POST)
        if form.is_valid():
            try:
                subscriber = services.preferences_save(
                    subscriber=subscriber,
                    language=form.cleaned_data["language"],
                    topics=form.cleaned_data["topics"],
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                saved = True
    else:
        form = NewsletterChoicesForm(
            initial={"language": subscriber.language, "topics": subscriber.topics or ALL_TOPICS}
        )
    context = {
        "form": form,
        "token": token,
        "saved": saved,
        "state": selectors.state_of(subscriber),
    }
    status = 400 if form.errors else 200
    return _reader_page(request, subscriber, "public/newsletter/preferences.html", context, status)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The double opt-in link: a button (link checkers fetch addresses), then subscribed."""
    invalid = _("This confirmation link is not valid, or too old. Nothing was changed.")
    if tokens.confirmation_from(token) is None:
        return _invalid_link(request, invalid)
    if request.method == "GET":
        return render(request, "public/newsletter/confirm.html", {"token": token})
    try:
        subscriber = services.confirm(token=token)
    except NotFound:
        return _invalid_link(request, invalid)
    reader = tokens.reader_token(subscriber.pk)
    return _reader_page(request, subscriber, "public/newsletter/confirmed.html", {"token": reader})
