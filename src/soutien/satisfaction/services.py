"""Writes on satisfaction: a client rates a resolved request; a manager closes the follow-up."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from soutien.accounts.models import Organization, User
from soutien.accounts.permissions import require_manager
from soutien.contracts.models import HourBank
from soutien.contracts.services import credit_grant
from soutien.contracts.terms import VENDOR_ZONE
from soutien.core.errors import Conflict, InvalidInput, NotAllowed
from soutien.notifications import satisfaction as notify
from soutien.satisfaction.models import Guarantee, Rating
from soutien.satisfaction.selectors import rating_open
from soutien.sla.engine import decide
from soutien.sla.terms import SlaRequest
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


def _decision_due(organization_id: int, at: datetime) -> datetime:
    """When a level-2 request received now would be due: the manager decides by then."""
    decision = decide(SlaRequest(organization_id=organization_id, received_at=at, level=2))
    return decision.due if decision is not None else at + timedelta(days=1)


@transaction.atomic
def guarantee_invoke(
    *,
    actor: User,
    reason: str,
    ticket: Ticket | None = None,
    organization: Organization | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
) -> Guarantee:
    """A client administrator invokes the satisfaction guarantee, on a request or a statement."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say what went wrong: a manager reads it."), field="reason")
    if len(reason) > MAX_COMMENT:
        raise InvalidInput(_("Keep the reason under 5,000 characters."), field="reason")
    if ticket is not None:
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        organization_id = ticket.organization_id
    elif organization is not None and first_day and last_day and first_day <= last_day:
        organization_id = organization.pk
    else:
        raise InvalidInput(_("Invoke the guarantee on a request or a statement."), field="ticket")
    if not (actor.is_client_admin and actor.organization_id == organization_id):
        raise NotAllowed(_("Only a client administrator of the organization can invoke it."))
    pending = Guarantee.objects.filter(
        organization_id=organization_id, state=Guarantee.State.PENDING
    )
    if ticket is not None:
        pending = pending.filter(ticket=ticket)
    else:
        pending = pending.filter(ticket__isnull=True, first_day=first_day, last_day=last_day)
    if pending.exists():
        raise Conflict(
            _("The guarantee is already invoked on this and awaits a manager's decision.")
        )
    now = timezone.now()
    guarantee = Guarantee.objects.create(
        organization_id=organization_id,
        ticket=ticket,
        first_day=None if ticket else first_day,
        last_day=None if ticket else last_day,
        reason=reason,
        invoked_by=actor,
        invoked_at=now,
        decide_by=_decision_due(organization_id, now),
    )
    if ticket is not None:
        history.record(ticket, actor, Event.Action.FIELD, field="guarantee", to="invoked")
    notify.guarantee_invoked(guarantee=guarantee)
    return guarantee


@transaction.atomic
def guarantee_decide(
    *,
    actor: User,
    guarantee: Guarantee,
    grant: bool,
    note: str,
    bank: HourBank | None = None,
    credit_minutes: int = 0,
    waived_overage_minutes: int = 0,
) -> Guarantee:
    """A manager grants (with a credit to a bank or overage waived, or neither) or refuses.

    The decision, its note and the credit go in the request's history; the client
    administrator who invoked it (and the request's contact) get a notice and an email.
    """
    guarantee = Guarantee.objects.select_for_update().get(pk=guarantee.pk)
    require_manager(actor, _("Only a support manager can decide on a guarantee."))
    if guarantee.state != Guarantee.State.PENDING:
        raise Conflict(_("This guarantee has already been decided."))
    note = note.strip()
    if not note:
        raise InvalidInput(_("Say why: the client and the statement read it."), field="note")
    if grant and (credit_minutes or waived_overage_minutes):
        guarantee.credit = credit_grant(
            actor=actor,
            organization=guarantee.organization,
            note=note,
            bank=bank,
            minutes=credit_minutes,
            waived_overage_minutes=waived_overage_minutes,
            reference=f"guarantee:{guarantee.pk}",
        )
    guarantee.state = Guarantee.State.GRANTED if grant else Guarantee.State.REFUSED
    guarantee.decided_by = actor
    guarantee.decided_at = timezone.now()
    guarantee.decision_note = note
    guarantee.save()
    if guarantee.ticket is not None:
        history.record(
            guarantee.ticket,
            actor,
            Event.Action.FIELD,
            field="guarantee",
            to=guarantee.state,
            credit_minutes=credit_minutes if grant else 0,
            waived_overage_minutes=waived_overage_minutes if grant else 0,
            note=note,
        )
    credit = guarantee.credit
    notify.guarantee_decided(
        guarantee=guarantee,
        credit_day=credit.granted_at.astimezone(VENDOR_ZONE).date() if credit else None,
    )
    return guarantee


def alert_overdue_guarantees(*, now: datetime | None = None) -> int:
    """Tell the support managers, once, of each guarantee still undecided past its due time.

    Safe with several workers at once: each guarantee is claimed under a row lock that the
    others skip, and the notice is written in the transaction that marks it told.
    """
    now = now or timezone.now()
    due = Guarantee.objects.filter(
        state=Guarantee.State.PENDING, decide_by__lt=now, overdue_alerted_at__isnull=True
    )
    told = 0
    for pk in due.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            guarantee = (
                Guarantee.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=pk, state=Guarantee.State.PENDING, overdue_alerted_at__isnull=True)
                .select_related("organization", "ticket")
                .first()
            )
            if guarantee is None:
                continue
            guarantee.overdue_alerted_at = now
            guarantee.save(update_fields=["overdue_alerted_at"])
            notify.guarantee_overdue(guarantee=guarantee)
            told += 1
    return told
