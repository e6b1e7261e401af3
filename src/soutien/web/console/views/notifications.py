"""A staff member's notifications."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from soutien.notifications.models import Notification
from soutien.notifications.services import mark_read
from soutien.web.access import current_user, staff_required


@staff_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        mark_read(user=user)
        return redirect("console:notifications")
    items = list(
        Notification.objects.filter(recipient=user)
        .select_related("ticket")
        .order_by("-created_at")[:100]
    )
    return render(request, "console/notifications.html", {"notifications": items})
