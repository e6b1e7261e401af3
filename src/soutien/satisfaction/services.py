"""Writes on satisfaction: a client rates a resolved request; a manager closes the follow-up."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from soutien.accounts.models import User
from soutien.accounts.permissions import require_manager
from soutien.core.errors import Conflict, InvalidInput, NotAllowed
from soutien.notifications import satisfaction as notify
from soutien.satisfaction.models import Rating
from soutien.satisfaction.selectors import rating_open
from soutien.ticketing import history
from soutien.ticketing.models import Event, Status, Ticket

MAX_COMMENT = 5000


def may_rate(actor: User, ticket: Ticket) -> bool:
    """The request's contact, or a client administrator of its organization."""
    if actor.is_staff_member or actor.organization_id != ticket.organization_id:
        return False
    return actor.pk == ticket.contact_id or actor.is_client_admin


@transaction.atomic
def rating_record(
    *, ticket: Ticket, value: str, comment: str = "", actor: User | None, via: str
) -> Rating:
    """Rate a resolved request good or bad (once per request; changeable for 7 days).

    `actor` None: the signed link of the resolution email, which speaks for the contact.
    A change to "bad" tells the support managers, who follow up.
    """
    if value not in Rating.Value.values:
        raise InvalidInput(_("A rating is “good” or “bad”."), field="rating")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(_("Keep the comment under 5,000 characters."), field="comment")
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if actor is not None and not may_rate(actor, ticket):
        raise NotAllowed(_("Only the client who filed the request can rate it."))
    if ticket.status not in (Status.RESOLVED, Status.CLOSED) or ticket.resolved_at is None:
        raise Conflict(_("Only a resolved request can be rated."))
    now = timezone.now()
    if not rating_open(ticket, now=now):
        raise Conflict(_("A rating can be given or changed for 7 days after the resolution."))
    rating = Rating.objects.filter(ticket=ticket).first()
    previous = rating.value if rating else None
    if rating is None:
        rating = Rating(ticket=ticket, organization_id=ticket.organization_id, created_at=now)
    rating.value = value
    rating.comment = comment if value == Rating.Value.BAD else ""
    rating.via = via
    rating.rated_by = actor or ticket.contact
    rating.updated_at = now
    if value == Rating.Value.BAD and previous != Rating.Value.BAD:
        rating.followed_up_at = None  # a new bad rating: a new follow-up
    rating.save()
    history.record(
        ticket, actor, Event.Action.FIELD, field="satisfaction", **{"from": previous, "to": value}
    )
    if value == Rating.Value.BAD and previous != Rating.Value.BAD:
        notify.bad_rating(ticket=ticket, comment=rating.comment)
    return rating


@transaction.atomic
def follow_up_close(*, actor: User, rating: Rating, note: str) -> Rating:
    """A manager has followed up a bad rating (called the client...): say how, once."""
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    require_manager(actor, _("Only a support manager can close a follow-up."))
    if rating.value != Rating.Value.BAD or rating.followed_up_at is not None:
        raise Conflict(_("There is no follow-up open on this rating."))
    rating.followed_up_at = timezone.now()
    rating.followed_up_by = actor
    rating.follow_up_note = note.strip()[:MAX_COMMENT]
    rating.save(update_fields=["followed_up_at", "followed_up_by", "follow_up_note"])
    history.record(rating.ticket, actor, Event.Action.FIELD, field="satisfaction_follow_up")
    return rating
