"""Routes outside the three sites: attachment downloads, the health check, the error pages."""

from __future__ import annotations

import logging
import sys

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from soutien.accounts.models import User
from soutien.core.db import is_unavailable, retry_after_seconds
from soutien.ticketing.downloads import attachment_response
from soutien.ticketing.selectors import attachment_for


@login_required
def download(request: HttpRequest, attachment_id: int) -> FileResponse:
    assert isinstance(request.user, User)
    return attachment_response(attachment_for(request.user, attachment_id))


logger = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> JsonResponse:
    """Whether this process answers and reaches its database; never waits for a write lock."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("Health check: database unavailable: %s", exc)
        response = JsonResponse({"status": "database unavailable"}, status=503)
        response["Retry-After"] = str(retry_after_seconds())
        return response
    return JsonResponse({"status": "ok"})


def busy(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON on the API, a page of our own elsewhere."""
    seconds = retry_after_seconds()
    response: HttpResponse
    if request.path.startswith("/api/"):
        detail = _("The service is busy: try again in a few seconds.")
        response = JsonResponse({"detail": detail}, status=503)
    else:
        # Rendered without the request: the page must not need the database it is about.
        page = render_to_string("web/busy.html", {"seconds": seconds})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(seconds)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's last resort (handler500): a busy database is a 503, the API always answers JSON."""
    exc = sys.exc_info()[1]
    if exc is not None and is_unavailable(exc):
        return busy(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Server error: it has been logged.")}, status=500)
    # No database, no user, nothing that could fail a second time.
    html = loader.get_template("web/500.html").render({"LANGUAGE_CODE": get_language() or "fr"})
    return HttpResponse(html, status=500)


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


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the static one."""
    return HttpResponsePermanentRedirect(static("soutien/favicon.ico"))
