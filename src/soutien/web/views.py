"""Routes outside the three sites: attachment downloads, the health check, the error pages."""

from __future__ import annotations

import logging
import sys

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

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
    return defaults.server_error(request)
