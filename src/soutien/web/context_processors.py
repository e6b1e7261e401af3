"""Values every page template needs."""

from __future__ import annotations

from django.http import HttpRequest

from soutien.accounts.models import User
from soutien.notifications.models import Notification


def staff_badges(request: HttpRequest) -> dict[str, object]:
    """Unread notifications for the console's top bar (one small query, staff only)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_staff_member:
        return {}
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return {"unread_notifications": unread}
