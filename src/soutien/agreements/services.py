"""Writes on development agreements; each service is one transaction, checks after the lock.

An agreement moves draft -> proposed -> approved -> sent -> accepted -> in production ->
delivered -> confirmed (or cancelled before delivery). Every change of content makes a new
version; a change after approval sends the agreement back to draft, so it needs a new approval
and, once sent, a new acceptance of that named version. The accepted version's delivery date
is the request's resolution target.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from soutien.accounts.models import ClientRole, Language, User
from soutien.accounts.permissions import require_manager
from soutien.agreements import dates, documents, roles
from soutien.agreements.models import (
    EDITABLE,
    FINISHED,
    TRANSITIONS,
    Action,
    Agreement,
    AgreementDocument,
    AgreementSettings,
    AgreementVersion,
    Delegate,
    Milestone,
    MilestoneAlert,
    Payment,
    State,
)
from soutien.contracts.services import quoted_work_close, quoted_work_open
from soutien.core.dates import check_year
from soutien.core.db import lock_row
from soutien.core.errors import Conflict, InvalidInput
from soutien.notifications import agreements as notify
from soutien.ticketing import history
from soutien.ticketing.models import Event, Ticket
from soutien.ticketing.services import ticket_set_resolution_target

MAX_SOLUTION = 100_000
# A year of work around the clock: anything larger is a typing mistake.
MAX_MINUTES = 60 * 24 * 365
MAX_AMOUNT = Decimal("9999999999.99")
MAX_MILESTONES = 50
MAX_REASON = 2_000
MAX_CONFIRM_DAYS = 60

# `agreement_revise` leaves a field as it is when given this.
UNCHANGED: Any = object()


@dataclass(frozen=True)
class MilestoneInput:
    """A milestone as a writer gives it; `id` names an existing one (kept, with its progress)."""

    title: str
    due_on: date
    description: str = ""
    id: int | None = None


@dataclass(frozen=True)
class Content:
    solution: str
    estimate_minutes: int
    delivery_on: date
    payment: str = Payment.BANKS
    quoted_minutes: int | None = None
    quoted_amount: Decimal | None = None
    language: str = Language.FRENCH
    milestones: tuple[MilestoneInput, ...] = field(default=())


def _now() -> datetime:
    return timezone.now()


def _clean(content: Content, *, now: datetime) -> Content:
    """The content as it will be stored, or 422 naming the field at fault."""
    solution = content.solution.strip()
    if not solution:
        raise InvalidInput(_("Describe the proposed solution."), field="solution")
    if len(solution) > MAX_SOLUTION or "\x00" in solution:
        raise InvalidInput(_("The proposed solution is too long."), field="solution")
    estimate = content.estimate_minutes
    if isinstance(estimate, bool) or not isinstance(estimate, int) or estimate < 1:
        raise InvalidInput(
            _("The estimate is a positive number of minutes."), field="estimate_minutes"
        )
    if estimate > MAX_MINUTES:
        raise InvalidInput(_("The estimate is too large."), field="estimate_minutes")
    today = dates.local_date(now)
    check_year(content.delivery_on, field="delivery_on")
    if content.delivery_on < today:
        raise InvalidInput(_("The delivery date is in the past."), field="delivery_on")
    if content.payment not in Payment.values:
        raise InvalidInput(
            _("Say how the work is paid: from the hour banks or quoted."), field="payment"
        )
    quoted_minutes, quoted_amount = content.quoted_minutes, content.quoted_amount
    if quoted_amount is not None and not isinstance(quoted_amount, Decimal):
        quoted_amount = Decimal(str(quoted_amount))
    if content.payment == Payment.BANKS:
        if quoted_minutes is not None or quoted_amount is not None:
            raise InvalidInput(
                _("Only quoted work states minutes or an amount."), field="quoted_minutes"
            )
    elif (quoted_minutes is None) == (quoted_amount is None):
        raise InvalidInput(
            _("A quote states either a number of minutes or an amount."), field="quoted_minutes"
        )
    elif quoted_minutes is not None and not 1 <= quoted_minutes <= MAX_MINUTES:
        raise InvalidInput(_("The quoted minutes are a positive number."), field="quoted_minutes")
    elif quoted_amount is not None and not Decimal("0") < quoted_amount <= MAX_AMOUNT:
        raise InvalidInput(_("The quoted amount is a positive amount."), field="quoted_amount")
    if content.language not in Language.values:
        raise InvalidInput(_("The document is written in French or English."), field="language")
    if len(content.milestones) > MAX_MILESTONES:
        raise InvalidInput(_("Too many milestones."), field="milestones")
    milestones = []
    for index, milestone in enumerate(content.milestones):
        title = " ".join(milestone.title.split())
        if not title or len(title) > 200:
            raise InvalidInput(
                _("Each milestone has a title of at most 200 characters."),
                field="milestones",
                details={"milestone": index},
            )
        check_year(milestone.due_on, field="milestones")
        if milestone.due_on > content.delivery_on:
            raise InvalidInput(
                _("The milestone “%(title)s” falls after the delivery date.") % {"title": title},
                field="milestones",
                details={"milestone": index},
            )
        milestones.append(
            replace(milestone, title=title, description=milestone.description.strip())
        )
    if quoted_amount is not None:
        quoted_amount = quoted_amount.quantize(Decimal("0.01"))
    return replace(
        content,
        solution=solution,
        quoted_amount=quoted_amount,
        milestones=tuple(milestones),
    )


def _content_of(version: AgreementVersion) -> Content:
    return Content(
        solution=version.solution,
        estimate_minutes=version.estimate_minutes,
        delivery_on=version.delivery_on,
        payment=version.payment,
        quoted_minutes=version.quoted_minutes,
        quoted_amount=version.quoted_amount,
        language=version.language,
        milestones=tuple(
            MilestoneInput(
                title=item["title"],
                due_on=item["due_on"],
                description=item.get("description", ""),
                id=item.get("id"),
            )
            for item in version.milestone_list()
        ),
    )


def _save_milestones(agreement: Agreement, milestones: Sequence[MilestoneInput]) -> list[Milestone]:
    """Make the agreement's milestone rows match the list; a kept one keeps its progress."""
    existing = {m.pk: m for m in agreement.milestones.all()}
    kept: list[Milestone] = []
    for position, item in enumerate(milestones):
        if item.id is not None:
            row = existing.pop(item.id, None)
            if row is None:
                raise InvalidInput(
                    _("This agreement has no milestone %(id)s.") % {"id": item.id},
                    field="milestones",
                    details={"milestone": position},
                )
            row.title, row.due_on, row.description, row.position = (
                item.title,
                item.due_on,
                item.description,
                position,
            )
            row.save(update_fields=["title", "due_on", "description", "position"])
        else:
            row = Milestone.objects.create(
                agreement=agreement,
                position=position,
                title=item.title,
                due_on=item.due_on,
                description=item.description,
            )
        kept.append(row)
    Milestone.objects.filter(pk__in=list(existing)).delete()
    return kept


def _new_version(
    agreement: Agreement, actor: User, content: Content, number: int
) -> AgreementVersion:
    milestones = _save_milestones(agreement, content.milestones)
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=number,
        solution=content.solution,
        estimate_minutes=content.estimate_minutes,
        delivery_on=content.delivery_on,
        milestones=[
            {
                "id": m.pk,
                "title": m.title,
                "due_on": m.due_on.isoformat(),
                "description": m.description,
            }
            for m in milestones
        ],
        payment=content.payment,
        quoted_minutes=content.quoted_minutes,
        quoted_amount=content.quoted_amount,
        language=content.language,
        author=actor,
    )
    agreement.current = version
    return version


# Steps the client is shown in its request's history (once the agreement was sent to it).
CLIENT_STEPS = frozenset({"send", "accept", "decline", "deliver", "confirm", "dispute", "cancel"})


def _record(agreement: Agreement, actor: User | None, step: str, **data: object) -> None:
    """The agreement's step in its request's history: who, when (now), what, which version."""
    history.record(
        agreement.ticket,
        actor,
        Event.Action.AGREEMENT,
        agreement=agreement.pk,
        step=step,
        version=agreement.version,
        state=agreement.state,
        client=step in CLIENT_STEPS and agreement.sent_id is not None,
        **data,
    )


def _touch(agreement: Agreement, *fields: str) -> None:
    agreement.updated_at = _now()
    agreement.save(update_fields=[*fields, "updated_at"])


def _locked(agreement: Agreement) -> Agreement:
    """The agreement's row, locked; its versions are read after the lock, by later queries.

    Not joined in the locking query: on PostgreSQL a row re-read after waiting for the lock
    keeps the joined rows of the query's snapshot, where a version saved meanwhile is missing.
    """
    return lock_row(Agreement, agreement.pk)


def agreement_create(
    *,
    actor: User,
    ticket: Ticket,
    solution: str,
    estimate_minutes: int,
    delivery_on: date,
    milestones: Sequence[MilestoneInput] = (),
    payment: str = Payment.BANKS,
    quoted_minutes: int | None = None,
    quoted_amount: Decimal | None = None,
    language: str | None = None,
) -> Agreement:
    """Write the first version of an agreement on a level-3 request (a draft)."""
    now = _now()
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=ticket.pk)
        )
        roles.require_writer(actor)
        if ticket.level != 3:
            raise Conflict(_("Only a level-3 request can carry a development agreement."))
        if Agreement.objects.filter(ticket=ticket).exclude(state=State.CANCELLED).exists():
            raise Conflict(_("This request already has a development agreement."))
        content = _clean(
            Content(
                solution=solution,
                estimate_minutes=estimate_minutes,
                delivery_on=delivery_on,
                payment=payment,
                quoted_minutes=quoted_minutes,
                quoted_amount=quoted_amount,
                language=language or ticket.organization.language,
                milestones=tuple(milestones),
            ),
            now=now,
        )
        try:
            with transaction.atomic():
                agreement = Agreement.objects.create(
                    ticket=ticket,
                    organization_id=ticket.organization_id,
                    author=actor,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            raise Conflict(_("This request already has a development agreement.")) from None
        _new_version(agreement, actor, content, 1)
        agreement.save(update_fields=["current"])
        _record(agreement, actor, "create")
    return agreement


def agreement_revise(
    *,
    actor: User,
    agreement: Agreement,
    solution: str = UNCHANGED,
    estimate_minutes: int = UNCHANGED,
    delivery_on: date = UNCHANGED,
    milestones: Sequence[MilestoneInput] = UNCHANGED,
    payment: str = UNCHANGED,
    quoted_minutes: int | None = UNCHANGED,
    quoted_amount: Decimal | None = UNCHANGED,
    language: str = UNCHANGED,
) -> Agreement:
    """Change the content: a new version; after approval, back to draft for a new approval.

    Changing only the payment to "banks" drops the quote; nothing changed, no new version.
    """
    now = _now()
    with transaction.atomic():
        agreement = _locked(agreement)
        roles.require_writer(actor)
        if agreement.state not in EDITABLE:
            raise _state_conflict(agreement, _("This agreement can no longer be changed."))
        current = agreement.current
        assert current is not None
        before = _content_of(current)
        given: dict[str, Any] = {
            name: value
            for name, value in (
                ("solution", solution),
                ("estimate_minutes", estimate_minutes),
                ("delivery_on", delivery_on),
                ("payment", payment),
                ("quoted_minutes", quoted_minutes),
                ("quoted_amount", quoted_amount),
                ("language", language),
            )
            if value is not UNCHANGED
        }
        if milestones is not UNCHANGED:
            given["milestones"] = tuple(milestones)
        if given.get("payment") == Payment.BANKS:
            given.setdefault("quoted_minutes", None)
            given.setdefault("quoted_amount", None)
        elif "quoted_minutes" in given and given["quoted_minutes"] is not None:
            given.setdefault("quoted_amount", None)
        elif "quoted_amount" in given and given["quoted_amount"] is not None:
            given.setdefault("quoted_minutes", None)
        after = _clean(replace(before, **given), now=now)
        if after == _clean_unchecked(before):
            return agreement
        previous_state = agreement.state
        _new_version(agreement, actor, after, current.number + 1)
        if agreement.state not in (State.DRAFT, State.PROPOSED):
            # What was approved (and maybe sent or accepted) is no longer what is written.
            agreement.state = State.DRAFT
        _touch(agreement, "current", "state")
        _record(agreement, actor, "revise", **{"from": previous_state})
        accepted = agreement.accepted
        if accepted is not None and after.delivery_on != accepted.delivery_on:
            # The client is told at once that the promised date moves, before the new version.
            notify.agreement_revised(
                agreement=agreement,
                previous_delivery=accepted.delivery_on,
                delivery=after.delivery_on,
            )
    return agreement


def _clean_unchecked(content: Content) -> Content:
    """Stored content in the shape `_clean` gives, to compare without re-checking old dates."""
    return replace(content, milestones=tuple(content.milestones))


def _where_it_stands(agreement: Agreement) -> dict[str, object]:
    """What a refused step answers with: the state, the steps it allows, the current version."""
    allowed = agreement.allowed_actions
    return {
        "state": agreement.state,
        "allowed": allowed,
        "allowed_actions": allowed,
        "current_version": agreement.version,
    }


def _state_conflict(agreement: Agreement, message: str) -> Conflict:
    return Conflict(message, details=_where_it_stands(agreement))


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Give a reason."), field="reason")
    if len(reason) > MAX_REASON or "\x00" in reason:
        raise InvalidInput(_("The reason is too long."), field="reason")
    return reason


def _check_version(agreement: Agreement, version: int | None) -> None:
    if version is not None and version != agreement.version:
        raise Conflict(
            _("Version %(given)s is not the current one: version %(current)s is.")
            % {"given": version, "current": agreement.version},
            details=_where_it_stands(agreement),
        )


def _sync_quote(agreement: Agreement, now: datetime) -> None:
    """Quoted work in production draws from no bank; everything else follows the bank rules."""
    accepted = agreement.accepted
    if (
        accepted is not None
        and accepted.payment == Payment.QUOTED
        and agreement.started_at is not None
        and agreement.state not in FINISHED
    ):
        quoted_work_open(
            ticket=agreement.ticket,
            at=now,
            reference=_("Development agreement no. %(n)s") % {"n": agreement.number},
        )
    else:
        quoted_work_close(ticket=agreement.ticket, at=now)


def _resolution_terms(agreement: Agreement, version: AgreementVersion) -> dict[str, object]:
    accepted_on = timezone.localtime(version.accepted_at or _now()).date().isoformat()
    return {
        "source": "agreement",
        "ref": agreement.pk,
        "version": version.number,
        "fr": (
            f"Entente de développement no {agreement.pk}, version {version.number},"
            f" acceptée le {accepted_on}"
        ),
        "en": (
            f"Development agreement no. {agreement.pk}, version {version.number},"
            f" accepted on {accepted_on}"
        ),
    }


def _has_client_admin(agreement: Agreement) -> bool:
    return User.objects.filter(
        organization_id=agreement.organization_id,
        client_role=ClientRole.CLIENT_ADMIN,
        is_active=True,
    ).exists()


def _store_document(version: AgreementVersion, agreement: Agreement, kind: str) -> bytes:
    pdf = documents.render_pdf(agreement=agreement, version=version)
    AgreementDocument.objects.update_or_create(
        version=version, kind=kind, defaults={"pdf": pdf, "created_at": _now()}
    )
    return pdf


def _propose(agreement: Agreement, actor: User, now: datetime, **extra: Any) -> None:
    agreement.state = State.PROPOSED
    notify.agreement_proposed(agreement=agreement, approvers=list(roles.approvers()))


def _approve(agreement: Agreement, actor: User, now: datetime, **extra: Any) -> None:
    version = agreement.current
    assert version is not None
    version.approved_by, version.approved_at = actor, now
    version.save(update_fields=["approved_by", "approved_at"])
    agreement.state = State.APPROVED
    notify.agreement_approved(agreement=agreement, actor=actor)


def _reject(agreement: Agreement, actor: User, now: datetime, reason: str, **extra: Any) -> None:
    agreement.state = State.DRAFT
    notify.agreement_returned(agreement=agreement, actor=actor, reason=reason)


def _send(agreement: Agreement, actor: User, now: datetime, **extra: Any) -> None:
    version = agreement.current
    assert version is not None
    if version.delivery_on < dates.local_date(now):
        raise _state_conflict(
            agreement, _("The delivery date of this version has passed: revise it first.")
        )
    if not _has_client_admin(agreement):
        raise _state_conflict(
            agreement,
            _("This organization has no client administrator to accept the agreement."),
        )
    version.sent_by, version.sent_at = actor, now
    version.save(update_fields=["sent_by", "sent_at"])
    agreement.sent = version
    agreement.state = State.SENT
    document = _store_document(version, agreement, AgreementDocument.Kind.SENT)
    notify.agreement_sent(agreement=agreement, version=version, document=document)


def _accept(agreement: Agreement, actor: User, now: datetime, **extra: Any) -> None:
    version = agreement.current
    assert version is not None
    version.accepted_by, version.accepted_at = actor, now
    version.save(update_fields=["accepted_by", "accepted_at"])
    agreement.accepted = version
    # A revision agreed while production was under way goes straight back to production.
    agreement.state = State.IN_PRODUCTION if agreement.started_at else State.ACCEPTED
    ticket_set_resolution_target(
        ticket=agreement.ticket,
        due=dates.close_of_day(version.delivery_on),
        terms=_resolution_terms(agreement, version),
        actor=actor,
    )
    _sync_quote(agreement, now)
    document = _store_document(version, agreement, AgreementDocument.Kind.ACCEPTED)
    notify.agreement_accepted(agreement=agreement, version=version, actor=actor, document=document)


def _decline(agreement: Agreement, actor: User, now: datetime, reason: str, **extra: Any) -> None:
    version = agreement.current
    assert version is not None
    version.declined_by, version.declined_at, version.decline_reason = actor, now, reason
    version.save(update_fields=["declined_by", "declined_at", "decline_reason"])
    agreement.state = State.DRAFT
    notify.agreement_declined(agreement=agreement, version=version, actor=actor, reason=reason)


def _start(agreement: Agreement, actor: User, now: datetime, **extra: Any) -> None:
    agreement.state = State.IN_PRODUCTION
    agreement.started_at = agreement.started_at or now
    _sync_quote(agreement, now)


def _deliver(agreement: Agreement, actor: User, now: datetime, **extra: Any) -> None:
    agreement.state = State.DELIVERED
    agreement.delivered_at = now
    agreement.confirmation_due = dates.business_days_after(now, settings_now().confirm_after_days)
    _sync_quote(agreement, now)
    notify.agreement_delivered(agreement=agreement, confirmation_due=agreement.confirmation_due)


def _confirm(agreement: Agreement, actor: User | None, now: datetime, **extra: Any) -> None:
    agreement.state = State.CONFIRMED
    agreement.confirmed_at, agreement.confirmed_by = now, actor
    notify.agreement_confirmed(agreement=agreement, actor=actor)


def _dispute(agreement: Agreement, actor: User, now: datetime, reason: str, **extra: Any) -> None:
    agreement.state = State.IN_PRODUCTION
    agreement.delivered_at = agreement.confirmation_due = None
    _sync_quote(agreement, now)
    notify.agreement_disputed(agreement=agreement, actor=actor, reason=reason)


def _cancel(agreement: Agreement, actor: User, now: datetime, reason: str, **extra: Any) -> None:
    agreement.state = State.CANCELLED
    agreement.cancelled_at, agreement.cancel_reason = now, reason
    _sync_quote(agreement, now)
    if agreement.accepted_id is not None:
        ticket_set_resolution_target(ticket=agreement.ticket, due=None, terms={}, actor=actor)
    notify.agreement_cancelled(agreement=agreement, actor=actor, reason=reason)


_STEPS: dict[str, Callable[..., None]] = {
    Action.PROPOSE: _propose,
    Action.APPROVE: _approve,
    Action.REJECT: _reject,
    Action.SEND: _send,
    Action.ACCEPT: _accept,
    Action.DECLINE: _decline,
    Action.START: _start,
    Action.DELIVER: _deliver,
    Action.CONFIRM: _confirm,
    Action.DISPUTE: _dispute,
    Action.CANCEL: _cancel,
}
_NEEDS_REASON = (Action.REJECT, Action.DECLINE, Action.DISPUTE, Action.CANCEL)
_NAMES_VERSION = (Action.ACCEPT, Action.APPROVE)

_FIELDS = [
    "state",
    "sent",
    "accepted",
    "started_at",
    "delivered_at",
    "confirmation_due",
    "confirmed_at",
    "confirmed_by",
    "cancelled_at",
    "cancel_reason",
]


def agreement_transition(
    *,
    actor: User,
    agreement: Agreement,
    action: str,
    version: int | None = None,
    reason: str = "",
) -> Agreement:
    """Move an agreement one step; 403 for the wrong hands, 409 from the wrong state.

    `accept` must name the version being accepted (`approve` may): a version that is no longer
    the current one is refused with 409 naming the current one.
    """
    if action not in _STEPS:
        raise InvalidInput(_("Unknown action: %(value)s.") % {"value": action}, field="action")
    now = _now()
    with transaction.atomic():
        agreement = _locked(agreement)
        roles.require_for(actor, agreement, action)
        if action == Action.ACCEPT and version is None:
            raise InvalidInput(_("Name the version you accept."), field="version")
        if action in _NAMES_VERSION:
            _check_version(agreement, version)
        if action not in TRANSITIONS[agreement.state]:
            raise _state_conflict(
                agreement,
                _("“%(action)s” is not possible while the agreement is “%(state)s”.")
                % {"action": Action(action).label, "state": agreement.get_state_display()},
            )
        reason = _require_reason(reason) if action in _NEEDS_REASON else reason.strip()[:MAX_REASON]
        previous = agreement.state
        _STEPS[action](agreement, actor, now, reason=reason)
        _touch(agreement, *_FIELDS)
        _record(
            agreement, actor, action, **{"from": previous}, **({"reason": reason} if reason else {})
        )
    return agreement


def milestone_mark_done(*, actor: User, agreement: Agreement, milestone_id: int) -> Milestone:
    """Mark a milestone of a committed agreement done (once; again changes nothing)."""
    with transaction.atomic():
        agreement = _locked(agreement)
        roles.require_writer(actor)
        milestone = Milestone.objects.filter(agreement=agreement, pk=milestone_id).first()
        if milestone is None:
            raise InvalidInput(_("This agreement has no such milestone."), field="milestone")
        if agreement.accepted_id is None or agreement.state in FINISHED:
            raise _state_conflict(
                agreement, _("Milestones are marked done once the client has accepted.")
            )
        if milestone.done_at is None:
            milestone.done_at, milestone.done_by = _now(), actor
            milestone.save(update_fields=["done_at", "done_by"])
            _record(
                agreement, actor, "milestone_done", milestone=milestone.pk, title=milestone.title
            )
    return milestone


def settings_now() -> AgreementSettings:
    found = AgreementSettings.objects.filter(pk=1).first()
    return found or AgreementSettings(pk=1)


@transaction.atomic
def settings_update(*, actor: User, confirm_after_days: int) -> AgreementSettings:
    """Set after how many business days an unconfirmed delivery is taken as delivered."""
    require_manager(actor)
    if isinstance(confirm_after_days, bool) or not 1 <= confirm_after_days <= MAX_CONFIRM_DAYS:
        raise InvalidInput(
            _("Between 1 and %(max)s business days.") % {"max": MAX_CONFIRM_DAYS},
            field="confirm_after_days",
        )
    found, _created = AgreementSettings.objects.select_for_update().get_or_create(pk=1)
    found.confirm_after_days = confirm_after_days
    found.updated_at, found.updated_by = _now(), actor
    found.save()
    return found


@transaction.atomic
def delegate_name(*, actor: User, user: User) -> Delegate:
    """A manager names staff who may approve agreements in the development lead's stead."""
    require_manager(actor, _("Only a support manager names approval delegates."))
    if not user.is_staff_member:
        raise InvalidInput(_("A delegate is a member of the support staff."), field="user")
    found = Delegate.objects.filter(user=user, revoked_at__isnull=True).first()
    if found is not None:
        return found
    return Delegate.objects.create(user=user, named_by=actor, named_at=_now())


@transaction.atomic
def delegate_revoke(*, actor: User, delegate: Delegate) -> Delegate:
    require_manager(actor, _("Only a support manager names approval delegates."))
    delegate = lock_row(Delegate, delegate.pk)
    if delegate.revoked_at is None:
        delegate.revoked_at, delegate.revoked_by = _now(), actor
        delegate.save(update_fields=["revoked_at", "revoked_by"])
    return delegate


def confirm_due_deliveries(*, now: datetime | None = None) -> int:
    """Take as delivered the deliveries whose confirmation is due; safe to run twice at once."""
    now = now or _now()
    confirmed = 0
    due = Agreement.objects.filter(state=State.DELIVERED, confirmation_due__lte=now)
    for pk in due.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            agreement = (
                Agreement.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, state=State.DELIVERED, confirmation_due__lte=now)
                .first()
            )
            if agreement is None:
                continue
            previous = agreement.state
            _confirm(agreement, None, now)
            _touch(agreement, *_FIELDS)
            _record(agreement, None, Action.CONFIRM, **{"from": previous, "automatic": True})
            confirmed += 1
    return confirmed


def alert_late_milestones(*, now: datetime | None = None) -> int:
    """One alert for each milestone of a committed agreement whose day ended undone.

    Safe with several workers at once: the (milestone, due date) row is unique, and the alert
    is written in the transaction that claims it.
    """
    now = now or _now()
    today = dates.local_date(now)
    late = (
        Milestone.objects.filter(done_at__isnull=True, due_on__lt=today)
        .filter(agreement__accepted__isnull=False)
        .exclude(agreement__state__in=FINISHED)
        .exclude(
            Exists(
                MilestoneAlert.objects.filter(milestone=OuterRef("pk"), due_on=OuterRef("due_on"))
            )
        )
        .select_related("agreement__ticket__assignee", "agreement__author", "agreement__accepted")
        .order_by("due_on", "id")
    )
    sent = 0
    for milestone in late[:500]:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    MilestoneAlert.objects.create(milestone=milestone, due_on=milestone.due_on)
            except IntegrityError:
                continue
            notify.milestone_late(agreement=milestone.agreement, milestone=milestone)
            sent += 1
    return sent
