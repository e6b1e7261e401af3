"""Routes outside the three sites: attachment downloads, the health check, the error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import get_language, gettext_lazy

from soutien.accounts.models import User
from soutien.ticketing.downloads import attachment_response
from soutien.ticketing.selectors import attachment_for


@login_required
def download(request: HttpRequest, attachment_id: int) -> FileResponse:
    assert isinstance(request.user, User)
    return attachment_response(attachment_for(request.user, attachment_id))


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


ERRORS = {
    403: (
        gettext_lazy("Access refused"),
        gettext_lazy("This page is not open to you. Sign in with another account, or ask us."),
    ),
    404: (
        gettext_lazy("Page not found"),
        gettext_lazy("This address leads nowhere: the page was moved, or the link is mistyped."),
    ),
}


def _error(request: HttpRequest, status: int) -> HttpResponse:
    title, text = ERRORS[status]
    context = {"status": status, "title": title, "text": text}
    return render(request, "web/error.html", context, status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The styled 404 of the three sites, in the visitor's language."""
    return _error(request, 404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The styled 403 of the three sites, in the visitor's language."""
    return _error(request, 403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page: no database, no user, nothing that could fail a second time."""
    html = loader.get_template("web/500.html").render({"LANGUAGE_CODE": get_language() or "fr"})
    return HttpResponse(html, status=500)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the static one."""
    return HttpResponsePermanentRedirect(static("soutien/favicon.ico"))
