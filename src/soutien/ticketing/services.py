"""Writes on requests: create, triage, assign, converse, change status. Each is one transaction."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any, Protocol, cast

from django.core.files.base import File
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from soutien.accounts.models import Organization, User
from soutien.accounts.permissions import require_triager
from soutien.contracts.services import time_entry_for_call
from soutien.core.db import lock_row
from soutien.core.errors import Conflict, InvalidInput, NotAllowed
from soutien.notifications import events as notify
from soutien.sla import services as sla
from soutien.ticketing import history, search
from soutien.ticketing.attachments import refusal, safe_filename
from soutien.ticketing.models import (
    ACTIVE_STATUSES,
    Attachment,
    CallDirection,
    Channel,
    Event,
    Kind,
    Message,
    MessageKind,
    Status,
    Ticket,
)

# A client's reply reopens a resolved request within this many days; later it opens a follow-up.
REOPEN_WINDOW = timedelta(days=14)
# Clocks drift; a moment this far ahead of ours is still accepted as "now".
CLOCK_SKEW = timedelta(minutes=5)
MAX_CALL_MINUTES = 24 * 60
# Nothing Soutien tracks happened before this; older moments are typing mistakes.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...
    def seek(self, offset: int, whence: int = ..., /) -> int: ...


@dataclass(frozen=True)
class IncomingCall:
    """The phone call that brought a request in, logged with it (it is not a response)."""

    direction: str
    minutes: int
    caller: str = ""


@dataclass(frozen=True)
class Upload:
    """A file received from a form, the API or an email, before it is stored."""

    name: str
    content: Readable
    size: int
    content_type: str = ""


def _now() -> datetime:
    return timezone.now()


def _touch(ticket: Ticket, *fields: str) -> None:
    ticket.updated_at = _now()
    ticket.save(update_fields=[*fields, "updated_at"])


def _check_moment(value: datetime, field: str) -> datetime:
    if timezone.is_naive(value):
        raise InvalidInput(_("Give the time with its UTC offset."), field=field)
    if value > _now() + CLOCK_SKEW:
        raise InvalidInput(_("This moment is in the future."), field=field)
    if value < EARLIEST:
        raise InvalidInput(_("This moment is too far in the past."), field=field)
    return value


def ticket_create(
    *,
    actor: User,
    organization: Organization,
    contact: User,
    subject: str,
    body: str = "",
    channel: str = Channel.WEB,
    received_at: datetime | None = None,
    uploads: Sequence[Upload] = (),
    intake: bool = False,
    call: IncomingCall | None = None,
    kind: str = Kind.SUPPORT,
) -> Ticket:
    """File a request; `received_at` (when the call, email or form arrived) starts the SLA clock.

    `intake=True`: the mail intake files it in the client's name (`actor` is the sender) from
    an email or a fax that arrived at `received_at`. `call`: staff file it from a phone call,
    logged on it at `received_at` with its duration (drawn from the client's hour banks).
    `kind`: a support request, or a training request (whose details the training app keeps).
    """
    subject = " ".join(subject.split())
    if not subject:
        raise InvalidInput(_("The subject cannot be empty."), field="subject")
    if len(subject) > 255:
        raise InvalidInput(_("The subject is longer than 255 characters."), field="subject")
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel: %(value)s.") % {"value": channel}, field="channel")
    if kind not in Kind.values:
        raise InvalidInput(_("Unknown kind of request: %(value)s.") % {"value": kind}, field="kind")
    if contact.organization_id != organization.pk:
        raise InvalidInput(_("This contact is not a member of this organization."), field="contact")
    if not contact.is_active:
        raise InvalidInput(_("This contact is no longer active."), field="contact")
    now = _now()
    if actor.is_staff_member or intake:
        received_at = now if received_at is None else _check_moment(received_at, "received_at")
    else:
        if actor.organization_id != organization.pk:
            raise NotAllowed(_("You cannot file a request for this organization."))
        if contact.pk != actor.pk and not actor.is_client_admin:
            raise NotAllowed(_("You can only file requests in your own name."))
        if channel != Channel.WEB:
            raise InvalidInput(_("Clients file requests through the web."), field="channel")
        if received_at is not None and abs(received_at - now) > CLOCK_SKEW:
            raise NotAllowed(_("Only staff can set when a request was received."))
        received_at = now
    with transaction.atomic():
        ticket = Ticket(
            organization=organization,
            contact=contact,
            subject=subject,
            body=body,
            channel=channel,
            kind=kind,
            received_at=received_at,
            status=Status.NEW,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        sla.apply_to_new_ticket(ticket)
        ticket.save(force_insert=True)
        history.record(ticket, actor, Event.Action.CREATED, channel=channel, kind=kind)
        for upload in uploads:
            _store_attachment(actor=actor, ticket=ticket, message=None, upload=upload)
        # Email to the client: the number and the promised time (not a response: no Message).
        notify.ticket_created(ticket=ticket)
        if call is not None:
            if channel != Channel.PHONE:
                raise InvalidInput(_("Only a request by phone comes with a call."), field="channel")
            message_add(
                actor=actor,
                ticket=ticket,
                kind=MessageKind.PHONE_CALL,
                body=body or subject,
                at=received_at,
                call_direction=call.direction,
                duration_minutes=call.minutes,
                caller=call.caller or contact.display_name,
            )
        search.reindex([ticket])
    return ticket


def _qualified(technician: User, level: int | None) -> bool:
    if not technician.is_staff_member or not technician.levels:
        return False
    return level is None or level in technician.levels


def least_loaded_technician(level: int) -> User | None:
    """The active technician qualified for `level` with the fewest active requests assigned."""
    return (
        User.objects.technicians(level)
        .annotate(
            load=Count("assigned_tickets", filter=Q(assigned_tickets__status__in=ACTIVE_STATUSES))
        )
        .order_by("load", "id")
        .first()
    )


def _assign(
    ticket: Ticket, actor: User | None, technician: User | None, *, automatic: bool
) -> None:
    previous = ticket.assignee_id
    if previous == (technician.pk if technician else None):
        return
    ticket.assignee = technician
    _touch(ticket, "assignee")
    history.record(
        ticket,
        actor,
        Event.Action.ASSIGNED,
        **{"from": previous, "to": technician.pk if technician else None, "automatic": automatic},
    )
    notify.ticket_assigned(ticket=ticket, actor=actor, technician=technician)


def _set_level(ticket: Ticket, actor: User, level: int) -> None:
    """Triage a locked request: a new one becomes open and goes to a qualified technician."""
    if level not in (1, 2, 3):
        raise InvalidInput(_("The level must be 1, 2 or 3."), field="level")
    if ticket.level != level:
        previous = ticket.level
        ticket.level = level
        fields = ["level"]
        if ticket.status == Status.NEW:
            ticket.status = Status.OPEN
            fields.append("status")
            history.record(
                ticket, actor, Event.Action.STATUS, **{"from": Status.NEW, "to": Status.OPEN}
            )
            # Email to the client: taken in hand (by whom is read when it is sent).
            notify.status_changed(ticket=ticket, actor=actor, old=Status.NEW, new=Status.OPEN)
        _touch(ticket, *fields)
        history.record(ticket, actor, Event.Action.LEVEL, **{"from": previous, "to": level})
        # The target changes with the level; it is counted again from `received_at`.
        sla.refresh(ticket)
    if ticket.is_active and (ticket.assignee is None or not _qualified(ticket.assignee, level)):
        _assign(ticket, actor, least_loaded_technician(level), automatic=True)


@transaction.atomic
def ticket_set_level(*, actor: User, ticket: Ticket, level: int) -> Ticket:
    """Triage: set the level; a new request becomes open and goes to a qualified technician."""
    require_triager(actor)
    ticket = _locked(ticket)
    _set_level(ticket, actor, level)
    return ticket


def _locked(ticket: Ticket) -> Ticket:
    return lock_row(Ticket, ticket.pk)


def _assign_checked(ticket: Ticket, actor: User, technician: User | None) -> None:
    """Assign a locked request, checking the technician against its level as it stands now."""
    if technician is not None and not _qualified(technician, ticket.level):
        raise InvalidInput(
            _("This person is not a technician qualified for this request's level."),
            field="assignee",
        )
    _assign(ticket, actor, technician, automatic=False)


def _assign_least_loaded(ticket: Ticket, actor: User) -> None:
    if ticket.level is None:
        raise InvalidInput(_("Set the level before assigning automatically."), field="level")
    technician = least_loaded_technician(ticket.level)
    if technician is None:
        raise InvalidInput(_("No active technician handles this level."), field="assignee")
    _assign(ticket, actor, technician, automatic=False)


@transaction.atomic
def ticket_assign(*, actor: User, ticket: Ticket, technician: User | None) -> Ticket:
    """Give the request to a technician qualified for its level (or take it back with None)."""
    require_triager(actor)
    ticket = _locked(ticket)
    _assign_checked(ticket, actor, technician)
    return ticket


@transaction.atomic
def ticket_assign_automatically(*, actor: User, ticket: Ticket) -> Ticket:
    """Give the request to the least-loaded technician qualified for its level."""
    require_triager(actor)
    ticket = _locked(ticket)
    _assign_least_loaded(ticket, actor)
    return ticket


def _set_status(ticket: Ticket, actor: User | None, status: str) -> None:
    previous = ticket.status
    if previous == status:
        return
    ticket.status = status
    fields = ["status"]
    now = _now()
    if status == Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    elif status == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
        if ticket.resolved_at is None:
            ticket.resolved_at = now
            fields.append("resolved_at")
    elif previous in (Status.RESOLVED, Status.CLOSED):
        ticket.resolved_at = None
        ticket.closed_at = None
        fields += ["resolved_at", "closed_at"]
    _touch(ticket, *fields)
    history.record(ticket, actor, Event.Action.STATUS, **{"from": previous, "to": status})
    # Email to the client when staff moved it (not when the client or the system did).
    notify.status_changed(ticket=ticket, actor=actor, old=previous, new=status)


def _change_status(ticket: Ticket, actor: User, status: str) -> None:
    """Move a locked request, if the actor may and the request is ready for that status."""
    if status not in Status.values:
        raise InvalidInput(_("Unknown status: %(value)s.") % {"value": status}, field="status")
    # A client may say its problem is solved, nothing else.
    if not actor.is_staff_member and (status != Status.RESOLVED or not ticket.is_active):
        raise NotAllowed(_("You can only mark an active request as resolved."))
    if status == Status.NEW and ticket.level is not None:
        raise InvalidInput(_("A triaged request cannot go back to new."), field="status")
    if status in (Status.OPEN, Status.WAITING) and ticket.level is None:
        raise InvalidInput(
            _("Set the level first: an open request is a triaged one."), field="status"
        )
    _set_status(ticket, actor, status)


@transaction.atomic
def ticket_change_status(*, actor: User, ticket: Ticket, status: str) -> Ticket:
    """Move a request along new -> open -> waiting on client -> resolved -> closed."""
    ticket = _locked(ticket)
    _change_status(ticket, actor, status)
    return ticket


# `ticket_update` leaves a field as it is when given this.
UNCHANGED: Any = object()
AUTOMATIC = "auto"


@transaction.atomic
def ticket_update(
    *,
    actor: User,
    ticket: Ticket,
    level: int | None = UNCHANGED,
    assignee: User | str | None = UNCHANGED,
    status: str | None = UNCHANGED,
) -> Ticket:
    """Triage, assign and move a request in one go: all of it happens, or none.

    `assignee` is a technician, None (nobody) or `AUTOMATIC` (the least-loaded qualified one);
    the level is set first, so the assignee is checked against the new level.
    """
    ticket = _locked(ticket)
    if level is not UNCHANGED:
        require_triager(actor)
        if level is None:
            raise InvalidInput(_("A triaged request keeps a level."), field="level")
        _set_level(ticket, actor, level)
    if assignee is not UNCHANGED:
        require_triager(actor)
        if assignee == AUTOMATIC:
            _assign_least_loaded(ticket, actor)
        else:
            _assign_checked(ticket, actor, cast(User | None, assignee))
    if status is not UNCHANGED and status is not None:
        _change_status(ticket, actor, status)
    return ticket


def _follow_up(*, actor: User, old: Ticket, body: str, at: datetime) -> Ticket:
    """A client's reply to a request closed for too long opens a new request linked to it."""
    new = Ticket(
        organization=old.organization,
        contact=actor if actor.organization_id == old.organization_id else old.contact,
        subject=old.subject,
        body=body,
        channel=old.channel if old.channel in (Channel.WEB, Channel.EMAIL) else Channel.WEB,
        received_at=at,
        follows=old,
        created_by=actor,
    )
    sla.apply_to_new_ticket(new)
    new.save(force_insert=True)
    history.record(new, actor, Event.Action.CREATED, channel=new.channel, follows=old.pk)
    history.record(old, actor, Event.Action.FOLLOW_UP, follow_up=new.pk)
    notify.ticket_created(ticket=new)  # the follow-up is a new request: tell its number
    return new


def message_add(
    *,
    actor: User,
    ticket: Ticket,
    kind: str,
    body: str,
    at: datetime | None = None,
    call_direction: str = "",
    duration_minutes: int | None = None,
    caller: str = "",
    uploads: Sequence[Upload] = (),
    wait_for_client: bool = False,
    seen_message_id: int | None = None,
) -> Message:
    """Add a reply, a note, a logged call or a client message (which may reopen the request).

    `wait_for_client`: a public reply that asks the client something; a triaged request then
    waits on the client (told by the reply itself, not by a second email).
    `seen_message_id`: for a staff reply, the last message the writer had seen (0: none); if
    someone else answered or the client wrote since, the reply is held (`Conflict`, with the
    newer message in its details) rather than sent blindly. Sending it anyway is sending it
    again with the newer message's id.
    """
    body = body.strip()
    if not body:
        raise InvalidInput(_("The message cannot be empty."), field="body")
    now = _now()
    at = now if at is None else _check_moment(at, "at")
    if kind not in MessageKind.values:
        raise InvalidInput(_("Unknown kind of message: %(value)s.") % {"value": kind}, field="kind")
    if actor.is_staff_member:
        if kind == MessageKind.CLIENT:
            raise InvalidInput(_("Staff write replies, notes or calls."), field="kind")
    elif kind != MessageKind.CLIENT:
        raise NotAllowed(_("Clients can only add their own messages."))
    if kind == MessageKind.PHONE_CALL:
        if call_direction not in CallDirection.values:
            raise InvalidInput(_("Say who called whom."), field="call_direction")
        if duration_minutes is None or not 0 < duration_minutes <= MAX_CALL_MINUTES:
            raise InvalidInput(
                _("A call lasts between 1 minute and 24 hours."), field="duration_minutes"
            )
    elif duration_minutes is not None or call_direction:
        raise InvalidInput(_("Only a phone call has a direction and a duration."), field="kind")
    if wait_for_client and kind != MessageKind.REPLY:
        raise InvalidInput(_("Only a public reply waits on the client."), field="kind")

    with transaction.atomic():
        ticket = lock_row(Ticket, ticket.pk)
        if kind == MessageKind.REPLY and seen_message_id is not None:
            _check_not_stale(ticket, actor, seen_message_id, now)
        if kind == MessageKind.CLIENT and ticket.status in (Status.RESOLVED, Status.CLOSED):
            reopen = (
                ticket.status == Status.RESOLVED
                and ticket.resolved_at is not None
                and now - ticket.resolved_at <= REOPEN_WINDOW
            )
            if not reopen:
                ticket = _follow_up(actor=actor, old=ticket, body=body, at=at)
            else:
                _set_status(ticket, actor, Status.OPEN if ticket.level else Status.NEW)
        elif kind == MessageKind.CLIENT and ticket.status == Status.WAITING:
            _set_status(ticket, actor, Status.OPEN)
        message = Message.objects.create(
            ticket=ticket,
            kind=kind,
            author=actor,
            body=body,
            at=at,
            created_at=now,
            call_direction=call_direction,
            call_duration_minutes=duration_minutes,
            caller=caller[:200],
        )
        history.record(ticket, actor, Event.Action.MESSAGE, kind=kind, message=message.pk)
        sla.record_response(ticket, message)
        if kind == MessageKind.PHONE_CALL:
            # The call's duration is work on the request, drawn from the client's hour banks.
            time_entry_for_call(message=message)
        for upload in uploads:
            _store_attachment(actor=actor, ticket=ticket, message=message, upload=upload)
        if kind == MessageKind.REPLY:
            notify.reply_posted(message=message)  # emailed to the client, with its files
            if wait_for_client and ticket.level is not None:
                _set_status(ticket, actor, Status.WAITING)
        _touch(ticket)
        search.reindex([ticket])
    return message


STALE_WORDS = {
    MessageKind.REPLY: gettext_lazy("%(name)s replied %(ago)s ago."),
    MessageKind.CLIENT: gettext_lazy("%(name)s wrote %(ago)s ago."),
    MessageKind.PHONE_CALL: gettext_lazy("%(name)s logged a call %(ago)s ago."),
    MessageKind.TELECONFERENCE: gettext_lazy("%(name)s held a teleconference %(ago)s ago."),
}


def _check_not_stale(ticket: Ticket, actor: User, seen_message_id: int, now: datetime) -> None:
    """Refuse a reply written before someone else answered the client or the client wrote."""
    newer = (
        Message.objects.filter(ticket=ticket, pk__gt=seen_message_id, kind__in=list(STALE_WORDS))
        .exclude(author=actor)
        .select_related("author")
        .order_by("-pk")
        .first()
    )
    if newer is None:
        return
    ago = (
        timesince(newer.created_at, now, depth=1)
        if now - newer.created_at >= timedelta(minutes=1)
        else _("less than a minute")
    )
    said = str(STALE_WORDS[MessageKind(newer.kind)]) % {
        "name": newer.author.display_name,
        "ago": ago,
    }
    raise Conflict(
        _("%(said)s Your reply was not sent: review it, then send it anyway if it still fits.")
        % {"said": said},
        field="body",
        details={
            "latest_message_id": newer.pk,
            "latest_message_kind": newer.kind,
            "latest_message_author": newer.author.display_name,
            "latest_message_at": newer.created_at.isoformat(),
        },
    )


@transaction.atomic
def teleconference_log(
    *, actor: User, ticket: Ticket, at: datetime, minutes: int, summary: str
) -> Message:
    """Record a teleconference held with the client: a public message that is a response.

    Its time is logged by whoever held it (the training app draws it from the hour banks).
    """
    if not actor.is_staff_member:
        raise NotAllowed(_("Only support staff hold teleconferences."))
    at = _check_moment(at, "at")
    if not 0 < minutes <= MAX_CALL_MINUTES:
        raise InvalidInput(
            _("A teleconference lasts between 1 minute and 24 hours."), field="minutes"
        )
    summary = summary.strip() or _("Teleconference")
    ticket = _locked(ticket)
    message = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.TELECONFERENCE,
        author=actor,
        body=summary,
        at=at,
        call_duration_minutes=minutes,
    )
    history.record(
        ticket, actor, Event.Action.MESSAGE, kind=MessageKind.TELECONFERENCE, message=message.pk
    )
    sla.record_response(ticket, message)
    _touch(ticket)
    search.reindex([ticket])
    return message


def _store_attachment(
    *, actor: User, ticket: Ticket, message: Message | None, upload: Upload
) -> Attachment:
    name = safe_filename(upload.name)
    refused = refusal(name, upload.size)
    if refused:
        raise InvalidInput(refused, field="file")
    digest = hashlib.sha256()
    upload.content.seek(0)
    for chunk in iter(lambda: upload.content.read(1 << 16), b""):
        digest.update(chunk)
    upload.content.seek(0)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    attachment = Attachment(
        ticket=ticket,
        message=message,
        name=name,
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(name, File(cast(IO[bytes], upload.content)), save=False)
    attachment.save()
    history.record(ticket, actor, Event.Action.ATTACHMENT, attachment=attachment.pk, name=name)
    return attachment


def attachment_add(*, actor: User, ticket: Ticket, upload: Upload) -> Attachment:
    with transaction.atomic():
        attachment = _store_attachment(actor=actor, ticket=ticket, message=None, upload=upload)
        _touch(ticket)
        search.reindex([ticket])
    return attachment


@transaction.atomic
def ticket_set_resolution_target(
    *, ticket: Ticket, due: datetime | None, terms: dict[str, object], actor: User | None = None
) -> Ticket:
    """Set (or clear, with None) when the request is promised resolved, and by which terms.

    Called by the service that made the promise (an accepted development agreement), in its
    transaction; `terms` holds the words in both languages (`{"fr": ..., "en": ..., ...}`).
    """
    if due is not None and timezone.is_naive(due):
        raise InvalidInput(_("Give the time with its UTC offset."), field="resolution_due")
    ticket = _locked(ticket)
    terms = dict(terms) if due is not None else {}
    if ticket.resolution_due == due and ticket.resolution_terms == terms:
        return ticket
    previous = ticket.resolution_due
    ticket.resolution_due = due
    ticket.resolution_terms = terms
    _touch(ticket, "resolution_due", "resolution_terms")
    history.record(
        ticket,
        actor,
        Event.Action.RESOLUTION,
        **{
            "from": previous.isoformat() if previous else None,
            "to": due.isoformat() if due else None,
            "source": terms.get("source"),
            "ref": terms.get("ref"),
            "version": terms.get("version"),
        },
    )
    return ticket


def tickets_close_resolved(*, older_than: timedelta = REOPEN_WINDOW) -> int:
    """Close requests resolved longer ago than the reopen window; safe to run twice."""
    horizon = _now() - older_than
    closed = 0
    for pk in Ticket.objects.filter(status=Status.RESOLVED, resolved_at__lt=horizon).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().filter(pk=pk).first()
            if ticket is not None and ticket.status == Status.RESOLVED:
                _set_status(ticket, None, Status.CLOSED)
                closed += 1
    return closed
