"""What the resolution email carries for the satisfaction rating, and the notice of a bad one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.urls import reverse

from soutien.notifications import recipients
from soutien.notifications.services import post

if TYPE_CHECKING:
    from soutien.satisfaction.models import Guarantee
    from soutien.ticketing.models import Ticket

SALT = "soutien.satisfaction.rating"


def rating_token(ticket_id: int) -> str:
    """A signed, dated token naming the request (read by soutien.satisfaction.tokens)."""
    return signing.dumps({"t": ticket_id}, salt=SALT)


def rating_links(ticket_id: int) -> dict[str, str]:
    """The two one-click links of the resolution email: good and bad."""
    url = settings.SITE_URL + reverse("public:rate", args=[rating_token(ticket_id)])
    return {"good": f"{url}?r=good", "bad": f"{url}?r=bad"}


def bad_rating(*, ticket: Ticket, comment: str) -> int:
    """A client rated a request "bad": a notice to every support manager, to follow up."""
    return post(recipients.managers(), "satisfaction_bad", ticket=ticket, comment=comment[:500])


def guarantee_invoked(*, guarantee: Guarantee) -> int:
    """A client invoked the satisfaction guarantee: every support manager decides, in time."""
    return post(
        recipients.managers(),
        "guarantee_invoked",
        ticket=guarantee.ticket,
        guarantee=guarantee.pk,
        organization=guarantee.organization.name,
        reason=guarantee.reason[:500],
        decide_by=guarantee.decide_by,
    )
