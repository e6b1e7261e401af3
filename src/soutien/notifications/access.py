"""Who is told what about getting in: an invitation to choose a password, a password reset link.

The link's secret travels in the stored row (it is in the email anyway) and becomes an address
of the public site when the email is rendered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from soutien.outbound.kinds import EmailKind, register
from soutien.outbound.models import OutboundEmail
from soutien.outbound.outbox import AUTO_GENERATED, queue

if TYPE_CHECKING:
    from soutien.accounts.models import AccessLink, User

TEMPLATES = "notifications/emails"


def invitation(
    *, user: User, link: AccessLink, secret: str, inviter: User | None
) -> OutboundEmail | None:
    """To a person invited to Soutien: choose a password with this link (valid 7 days)."""
    return queue(
        template="invitation",
        to_address=user.email,
        language=user.language,
        recipient=user,
        context={
            "token": secret,
            "expires_at": link.expires_at.isoformat(),
            "inviter": inviter.display_name if inviter is not None else "",
            "organization": user.organization.name if user.organization is not None else "",
        },
        auto_submitted=AUTO_GENERATED,
    )


def password_reset(*, user: User, link: AccessLink, secret: str) -> OutboundEmail | None:
    """To a person who asked to reset their password: choose a new one with this link."""
    return queue(
        template="password_reset",
        to_address=user.email,
        language=user.language,
        recipient=user,
        context={"token": secret, "expires_at": link.expires_at.isoformat()},
        auto_submitted=AUTO_GENERATED,
    )


def password_changed(*, user: User) -> OutboundEmail | None:
    """To a person whose password was just reset: if it was not you, tell us."""
    return queue(
        template="password_changed",
        to_address=user.email,
        language=user.language,
        recipient=user,
        auto_submitted=AUTO_GENERATED,
    )


def _changed(row: OutboundEmail) -> dict[str, Any]:
    return {
        "username": row.recipient.username if row.recipient is not None else "",
        "reset_url": settings.SITE_URL + reverse("public:password_reset"),
        "at": row.created_at,
    }


def _link(row: OutboundEmail, name: str) -> dict[str, Any]:
    token = str(row.context.get("token", ""))
    return {
        "url": settings.SITE_URL + reverse(name, args=[token]),
        "expires_at": parse_datetime(str(row.context.get("expires_at", ""))),
        "inviter": row.context.get("inviter", ""),
        "organization": row.context.get("organization", ""),
        "username": row.recipient.username if row.recipient is not None else "",
        "login_url": settings.SITE_URL + reverse("public:login"),
    }


def _invitation(row: OutboundEmail) -> dict[str, Any]:
    return _link(row, "public:invitation")


def _reset(row: OutboundEmail) -> dict[str, Any]:
    return _link(row, "public:password_reset_confirm")


register(EmailKind("invitation", f"{TEMPLATES}/invitation", _invitation))
register(EmailKind("password_reset", f"{TEMPLATES}/password_reset", _reset))
register(EmailKind("password_changed", f"{TEMPLATES}/password_changed", _changed))
