"""Who is told what about the newsletter: the address owner asked to confirm a subscription, and
the managers told an issue went out.

The issues themselves are not notifications: the newsletter app sends them, each reader once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from soutien.notifications import recipients
from soutien.notifications.models import Notification
from soutien.notifications.services import post
from soutien.outbound.kinds import EmailKind, register
from soutien.outbound.models import OutboundEmail
from soutien.outbound.outbox import AUTO_GENERATED, queue

if TYPE_CHECKING:
    from soutien.newsletter.models import Issue

TEMPLATES = "notifications/emails"


def subscription_to_confirm(
    *, address: str, language: str, url: str, sender: str
) -> OutboundEmail | None:
    """To the address someone subscribed on a form: confirm it is yours (double opt-in)."""
    return queue(
        template="newsletter_confirmation",
        to_address=address,
        language=language,
        context={"url": url, "sender": sender},
        auto_submitted=AUTO_GENERATED,
    )


def issue_sent(*, issue: Issue, figures: dict[str, int]) -> int:
    """To the managers: an issue has gone out, with its figures."""
    return post(
        recipients.managers(),
        Notification.Kind.NEWSLETTER_SENT,
        issue=issue.pk,
        subject=issue.subject_fr,
        figures=figures,
    )


def _confirmation(row: OutboundEmail) -> dict[str, Any]:
    return {"url": row.context.get("url", ""), "sender": row.context.get("sender", "")}


register(
    EmailKind("newsletter_confirmation", f"{TEMPLATES}/newsletter_confirmation", _confirmation)
)
