"""Routes outside the three sites: attachment downloads and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, HttpRequest, JsonResponse

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
