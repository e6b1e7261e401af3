"""Turn a stored email into a request, a client message on one, or a reasoned refusal.

Each email is processed in one transaction; whatever goes wrong puts it in quarantine with
the reason, and the next email is processed as if nothing happened.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from soutien.accounts.models import User
from soutien.accounts.services import contact_for_stranger, user_by_email
from soutien.channels.mail import rules
from soutien.channels.mail.content import INLINE_IMAGE_TYPES, sanitize_html, trim_quoted
from soutien.channels.mail.models import ContactFax, InboundEmail, Mailbox, ServerCopy
from soutien.channels.mail.parsing import ParsedEmail, Unreadable, clean_text, parse
from soutien.core.errors import NotAllowed, ServiceError
from soutien.newsletter import services as newsletter
from soutien.notifications import events as notify
from soutien.ticketing import attachments
from soutien.ticketing.models import Attachment, Channel, MessageKind, Ticket
from soutien.ticketing.services import EARLIEST, Upload, message_add, ticket_create
from soutien.training.models import Subject
from soutien.training.services import training_request_create

logger = logging.getLogger(__name__)

# Processing that died this many times (the process itself, not an error) goes to quarantine.
MAX_ATTEMPTS = 3


class Quarantine(Exception):
    """This email needs a human; the message says why."""


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str = ""
    ticket: Ticket | None = None
    message_pk: int | None = None
    content_ids: dict[str, int] = field(default_factory=dict)


@dataclass
class Context:
    """What processing a run of emails shares: read once, not once per email."""

    own: frozenset[str]
    mailboxes: dict[int, Mailbox]
    # Lower-case address -> its user, for the senders of the run (None: nobody on file).
    users: dict[str, User | None]

    @classmethod
    def for_emails(cls, email_ids: list[int]) -> Context:
        addresses = {
            a.lower()
            for a in InboundEmail.objects.filter(pk__in=email_ids).values_list(
                "from_address", flat=True
            )
            if a
        }
        users: dict[str, User | None] = dict.fromkeys(addresses)
        found = (
            User.objects.select_related("organization")
            .alias(address=Lower("email"))
            .filter(address__in=addresses)
            .exclude(email="")
        )
        for user in found:
            users[user.email.lower()] = user
        return cls(
            own=own_addresses(),
            mailboxes={box.pk: box for box in Mailbox.objects.all()},
            users=users,
        )

    def user(self, address: str) -> User | None:
        if address not in self.users:
            self.users[address] = user_by_email(address)
        return self.users[address]


def own_addresses() -> frozenset[str]:
    """Addresses mail from which is our own: every mailbox's, and the sending address."""
    addresses = {a.lower() for a in Mailbox.objects.values_list("address", flat=True) if a}
    for value in (settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL):
        address = str(value).rsplit("<", 1)[-1].rstrip(">").strip().lower()
        if address:
            addresses.add(address)
    return frozenset(addresses)


def _moment(email: InboundEmail) -> datetime:
    """When it arrived, kept within what the request services accept."""
    now = timezone.now()
    arrived = email.arrived_at
    return arrived if EARLIEST <= arrived <= now else now


def _uploads(parsed: ParsedEmail, language: str) -> tuple[list[Upload], list[str], list[str]]:
    """Files to keep, notes on files left out, and the Content-IDs of those kept (in order)."""
    uploads, notes, content_ids = [], [], []
    with translation.override(language):
        for part in parsed.attachments:
            name = attachments.safe_filename(part.name)
            size = len(part.data)
            if not size:
                continue
            refused = attachments.refusal(name, size)
            if refused:
                notes.append(_("Attachment not kept: %(reason)s") % {"reason": refused})
                continue
            uploads.append(
                Upload(name=name, content=io.BytesIO(part.data), size=size,
                       content_type=part.content_type)
            )  # fmt: skip
            # Only raster images are shown inline; an SVG stays a file to download.
            content_ids.append(part.content_id if part.content_type in INLINE_IMAGE_TYPES else "")
    return uploads, notes, content_ids


def _body(parsed: ParsedEmail, notes: list[str], language: str, *, fallback: bool) -> str:
    body = trim_quoted(parsed.text) if parsed.text.strip() else ""
    if notes:
        body = "\n\n".join([body, *notes]) if body else "\n\n".join(notes)
    if not body and fallback:
        with translation.override(language):
            body = _("(The email had no text.)")
    return body


def _sender(
    email: InboundEmail, parsed: ParsedEmail, mailbox: Mailbox | None, context: Context
) -> User | None:
    """The contact who wrote, or None if the mailbox refuses unknown senders."""
    address = parsed.from_address
    if not address:
        raise Quarantine("no sender address (From) could be read")
    user = context.user(address)
    if user is not None:
        if user.organization_id is None:
            raise Quarantine(
                f"sent from a staff member's address ({address}): staff answer in the console"
            )
        if not user.is_active:
            raise Quarantine(f"the sender's account ({address}) is deactivated")
        return user
    language = mailbox.language if mailbox else settings.LANGUAGE_CODE
    if parsed.content_language[:2] in ("fr", "en"):
        language = parsed.content_language[:2]
    if mailbox is not None and mailbox.unknown_sender == Mailbox.UnknownSender.REFUSE:
        notify.sender_refused(
            address=address,
            language=language,
            subject=email.subject,
            in_reply_to=email.message_id,
            mailbox_address=mailbox.address,
        )
        return None
    user = contact_for_stranger(email=address, name=parsed.from_name, language=language)
    context.users[address] = user
    return user


def _thread(email: InboundEmail, parsed: ParsedEmail, sender: User) -> Ticket | None:
    """The request this email continues: our signed references, then the client's own earlier
    emails, then "[#123]" in the subject; never a request of another organization."""
    organization = sender.organization_id
    assert organization is not None
    for ticket_id in rules.referenced_tickets(parsed):
        ticket = Ticket.objects.filter(pk=ticket_id, organization_id=organization).first()
        if ticket is not None:
            return ticket
    ids = [value[:255] for value in rules.referenced_ids(parsed)]
    if ids:
        earlier = (
            InboundEmail.objects.filter(message_id__in=ids, ticket__organization_id=organization)
            .exclude(pk=email.pk)
            .order_by("-id")
            .values_list("ticket_id", flat=True)
            .first()
        )
        if earlier is not None:
            return Ticket.objects.get(pk=earlier)
    number = rules.subject_number(parsed.subject)
    if number is not None:
        return Ticket.objects.filter(pk=number, organization_id=organization).first()
    return None


def _subject(parsed: ParsedEmail, language: str, default: str = "") -> str:
    subject = " ".join(parsed.subject.split())[:255]
    if not subject:
        with translation.override(language):
            subject = default or _("(no subject)")
    return subject


def _fax_contact(parsed: ParsedEmail, language: str) -> User:
    digits = rules.fax_number(parsed.subject, parsed.text)
    if digits:
        known = ContactFax.objects.filter(digits=digits, contact__is_active=True).first()
        if known is not None:
            return known.contact
        for user in User.objects.filter(
            is_active=True, organization__isnull=False, phone__endswith=digits[-4:]
        ):
            if rules.phone_digits(user.phone) == digits:
                return user
    return contact_for_stranger(
        email="", name=f"Fax {digits or '?'}", phone=digits, language=language
    )


def _link_images(ticket: Ticket, message_pk: int | None, content_ids: list[str]) -> dict[str, int]:
    """Content-ID -> attachment id, for showing inline images in the email's HTML."""
    if not any(content_ids):
        return {}
    files = Attachment.objects.filter(ticket=ticket)
    files = (
        files.filter(message__isnull=True)
        if message_pk is None
        else files.filter(message_id=message_pk)
    )
    stored = list(files.order_by("-id").values_list("pk", flat=True)[: len(content_ids)])[::-1]
    return {cid: pk for cid, pk in zip(content_ids, stored, strict=False) if cid}


def _bounced_newsletter(parsed: ParsedEmail) -> str:
    """A hard bounce of a newsletter copy puts its address on the suppression list."""
    report = parsed.report
    if report is None or not report.failed_for_good:
        return ""
    detail = "; ".join(" ".join(item) for item in report.recipients if item[1] == "failed")
    suppressed = newsletter.hard_bounce(message_ids=report.original_ids, detail=detail)
    if not suppressed:
        return ""
    return f"; newsletter copy bounced: {', '.join(suppressed)} gets no more issues"


def _ingest(email: InboundEmail, parsed: ParsedEmail, context: Context) -> Outcome:
    mailbox = email.mailbox
    fax = bool(mailbox and mailbox.is_fax_gateway)
    noise = rules.noise_reason(parsed, own_addresses=context.own, fax_gateway=fax)
    if noise:
        return Outcome(InboundEmail.Status.IGNORED, noise + _bounced_newsletter(parsed))
    language = mailbox.language if mailbox else settings.LANGUAGE_CODE
    at = _moment(email)
    if fax:
        contact = _fax_contact(parsed, language)
        uploads, notes, content_ids = _uploads(parsed, language)
        assert contact.organization is not None
        ticket = ticket_create(
            actor=contact,
            organization=contact.organization,
            contact=contact,
            subject=_subject(parsed, language, default="Fax"),
            body=_body(parsed, notes, language, fallback=False),
            channel=Channel.FAX,
            received_at=at,
            uploads=uploads,
            intake=True,
        )
        return Outcome(InboundEmail.Status.IMPORTED, ticket=ticket)
    sender = _sender(email, parsed, mailbox, context)
    if sender is None:
        return Outcome(InboundEmail.Status.REFUSED, "unknown sender: answered with a refusal")
    language = sender.language
    uploads, notes, content_ids = _uploads(parsed, language)
    thread = _thread(email, parsed, sender)
    if thread is not None:
        message = message_add(
            actor=sender,
            ticket=thread,
            kind=MessageKind.CLIENT,
            body=_body(parsed, notes, language, fallback=True),
            at=at,
            uploads=uploads,
        )
        images = _link_images(message.ticket, message.pk, content_ids)
        return Outcome(
            InboundEmail.Status.IMPORTED,
            ticket=message.ticket,
            message_pk=message.pk,
            content_ids=images,
        )
    assert sender.organization is not None
    if mailbox is not None and mailbox.is_training:
        # Written to the training address: a training request, said in words; staff fill in
        # the place and the number of attendees.
        training = training_request_create(
            actor=sender,
            organization=sender.organization,
            contact=sender,
            subject=Subject.OTHER,
            subject_detail=_body(parsed, notes, language, fallback=True),
            place="",
            language=language,
            channel=Channel.EMAIL,
            received_at=at,
            intake=True,
            title=_subject(parsed, language),
            uploads=uploads,
        )
        images = _link_images(training.ticket, None, content_ids)
        return Outcome(InboundEmail.Status.IMPORTED, ticket=training.ticket, content_ids=images)
    ticket = ticket_create(
        actor=sender,
        organization=sender.organization,
        contact=sender,
        subject=_subject(parsed, language),
        body=_body(parsed, notes, language, fallback=False),
        channel=Channel.EMAIL,
        received_at=at,
        uploads=uploads,
        intake=True,
    )
    images = _link_images(ticket, None, content_ids)
    return Outcome(InboundEmail.Status.IMPORTED, ticket=ticket, content_ids=images)


def _quarantine(email_id: int, reason: str) -> str:
    """Set the email aside with its reason, unless another worker processed it meanwhile."""
    waiting = InboundEmail.objects.filter(pk=email_id, status=InboundEmail.Status.RECEIVED)
    if not waiting.update(
        status=InboundEmail.Status.QUARANTINED, reason=reason[:2000], processed_at=timezone.now()
    ):
        return str(InboundEmail.objects.get(pk=email_id).status)
    logger.warning("email %s set aside: %s", email_id, reason)
    return InboundEmail.Status.QUARANTINED


@dataclass(frozen=True)
class Claim:
    """An email whose attempt is counted, with what processing it needs."""

    attempts: int  # this one included
    raw: bytes
    mailbox_id: int | None
    arrived_at: datetime
    subject: str
    message_id: str

    def email(self, pk: int, mailboxes: dict[int, Mailbox]) -> InboundEmail:
        mailbox = None
        if self.mailbox_id is not None:
            mailbox = mailboxes.get(self.mailbox_id) or Mailbox.objects.get(pk=self.mailbox_id)
        return InboundEmail(
            pk=pk, mailbox=mailbox, arrived_at=self.arrived_at, subject=self.subject,
            message_id=self.message_id, status=InboundEmail.Status.RECEIVED,
        )  # fmt: skip


def _count_attempt(email_id: int) -> Claim | None:
    """Count an attempt and read the email, in one statement (RETURNING: PostgreSQL and SQLite
    3.35+, which Django 5.2 requires); None if the email is not waiting."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {InboundEmail._meta.db_table} SET attempts = attempts + 1"  # noqa: S608
            " WHERE id = %s AND status = %s"
            " RETURNING attempts, raw, mailbox_id, arrived_at, subject, message_id",
            [email_id, InboundEmail.Status.RECEIVED],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    arrived_at = row[3]
    if isinstance(arrived_at, str):  # SQLite hands back text from a raw query
        arrived_at = datetime.fromisoformat(arrived_at)
    if timezone.is_naive(arrived_at):
        arrived_at = timezone.make_aware(arrived_at, UTC)
    return Claim(int(row[0]), bytes(row[1]), row[2], arrived_at, row[4], row[5])


def _claim(email_id: int) -> Claim | None:
    """Count an attempt before trying, so an email that kills the process is set aside."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Losing this count to a database crash costs nothing: no need to wait for fsync.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return _count_attempt(email_id)


class _AlreadyDone(Exception):
    """Another worker processed the email meanwhile: undo this attempt's work."""


def process(*, email_id: int) -> str:
    """Process one stored email; returns its status. Safe to run twice, or at once by two."""
    return _process(email_id, Context.for_emails([email_id]))[0]


def process_many(email_ids: list[int]) -> Iterator[str]:
    """Process emails in this order; yields each one's status.

    Each email's attempt is counted inside the transaction that files the one before it:
    still committed before the email is tried, without a transaction of its own.
    """
    context = Context.for_emails(email_ids)
    claimed: Claim | None = None
    for n, email_id in enumerate(email_ids):
        then = email_ids[n + 1] if n + 1 < len(email_ids) else None
        status, claimed = _process(email_id, context, claimed=claimed, then=then)
        yield status


def _process(
    email_id: int, context: Context, *, claimed: Claim | None = None, then: int | None = None
) -> tuple[str, Claim | None]:
    """Process one email; with `then`, also count the next one's attempt (returned)."""
    claimed = claimed or _claim(email_id)
    if claimed is None:
        status = InboundEmail.objects.filter(pk=email_id).values_list("status", flat=True)
        return str(status.first()), None
    if claimed.attempts > MAX_ATTEMPTS:
        reason = f"processing stopped abruptly {MAX_ATTEMPTS} times (a crash or a timeout)"
        return _quarantine(email_id, reason), None
    try:
        parsed = parse(claimed.raw)
    except Unreadable as exc:
        return _quarantine(email_id, str(exc)), None
    except Exception as exc:
        logger.exception("email %s could not be parsed", email_id)
        return _quarantine(email_id, f"could not be read: {type(exc).__name__}: {exc}"), None
    following: Claim | None = None
    try:
        with transaction.atomic():
            outcome = _ingest(claimed.email(email_id, context.mailboxes), parsed, context)
            # Still waiting? (A second worker on the same email waits here on the row lock,
            # then finds it done and undoes its work.)
            done = InboundEmail.objects.filter(
                pk=email_id, status=InboundEmail.Status.RECEIVED
            ).update(
                text=clean_text(parsed.text, 1_000_000),
                html=sanitize_html(parsed.html[:2_000_000]),
                status=outcome.status,
                reason=outcome.reason,
                ticket=outcome.ticket,
                client_message_id=outcome.message_pk,
                content_ids=outcome.content_ids,
                processed_at=timezone.now(),
            )
            if not done:
                raise _AlreadyDone
            if then is not None:
                following = _count_attempt(then)
            logger.debug("processed", extra={"mail_step": "processed", "email": email_id})
    except _AlreadyDone:
        return str(InboundEmail.objects.get(pk=email_id).status), None
    except Quarantine as exc:
        return _quarantine(email_id, str(exc)), None
    except ServiceError as exc:
        return _quarantine(email_id, exc.message), None
    except Exception as exc:
        logger.exception("email %s could not be imported", email_id)
        return _quarantine(email_id, f"{type(exc).__name__}: {exc}"), None
    return outcome.status, following


def copy_retry(*, actor: User, copy: ServerCopy) -> ServerCopy:
    """Ask the server again for a message it refused to hand over (fixed on its side)."""
    if not actor.is_staff_member:
        raise NotAllowed(_("Only support staff can do this."))
    updated = ServerCopy.objects.filter(pk=copy.pk, state=ServerCopy.State.UNREADABLE).update(
        state=ServerCopy.State.LISTED, fetch_attempts=0, error="", server_done_at=None
    )
    if not updated:
        raise ServiceError(_("Only a message the server could not deliver can be asked again."))
    copy.refresh_from_db()
    return copy


def retry(*, actor: User, email: InboundEmail) -> InboundEmail:
    """Put an email in quarantine back in line (after staff fixed what it needed)."""
    if not actor.is_staff_member:
        raise NotAllowed(_("Only support staff can do this."))
    updated = InboundEmail.objects.filter(
        Q(status=InboundEmail.Status.QUARANTINED), pk=email.pk
    ).update(status=InboundEmail.Status.RECEIVED, attempts=0, reason="", processed_at=None)
    if not updated:
        raise ServiceError(_("Only an email in quarantine can be tried again."))
    email.refresh_from_db()
    return email
