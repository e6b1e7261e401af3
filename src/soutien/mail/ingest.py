"""Turn a stored email into a request, a client message on one, or a reasoned refusal.

Each email is processed in one transaction; whatever goes wrong puts it in quarantine with
the reason, and the next email is processed as if nothing happened.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from soutien.accounts.models import ClientRole, Organization, User
from soutien.core.errors import NotAllowed, ServiceError
from soutien.mail import catalog, rules
from soutien.mail.content import INLINE_IMAGE_TYPES, sanitize_html, trim_quoted
from soutien.mail.models import ContactFax, InboundEmail, Mailbox
from soutien.mail.parsing import ParsedEmail, Unreadable, clean_text, parse
from soutien.ticketing.models import Attachment, Channel, MessageKind, Ticket
from soutien.ticketing.services import (
    BLOCKED_EXTENSIONS,
    EARLIEST,
    Upload,
    message_add,
    safe_filename,
    ticket_create,
)

logger = logging.getLogger(__name__)

# Processing that died this many times (the process itself, not an error) goes to quarantine.
MAX_ATTEMPTS = 3
# Where contacts created for unknown senders go unless a mailbox names another organization.
TO_IDENTIFY = "À identifier"


class Quarantine(Exception):
    """This email needs a human; the message says why."""


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str = ""
    ticket: Ticket | None = None
    message_pk: int | None = None


def own_addresses() -> set[str]:
    """Addresses mail from which is our own: every mailbox's, and the sending address."""
    addresses = {a.lower() for a in Mailbox.objects.values_list("address", flat=True) if a}
    for value in (settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL):
        address = str(value).rsplit("<", 1)[-1].rstrip(">").strip().lower()
        if address:
            addresses.add(address)
    return addresses


def _moment(email: InboundEmail) -> datetime:
    """When it arrived, kept within what the request services accept."""
    now = timezone.now()
    arrived = email.arrived_at
    return arrived if EARLIEST <= arrived <= now else now


def _uploads(parsed: ParsedEmail, language: str) -> tuple[list[Upload], list[str], list[str]]:
    """Files to keep, notes on files left out, and the Content-IDs of those kept (in order)."""
    limit = settings.SOUTIEN_MAX_ATTACHMENT_BYTES
    uploads, notes, content_ids = [], [], []
    with translation.override(language):
        for part in parsed.attachments:
            name = safe_filename(part.name)
            size = len(part.data)
            if not size:
                continue
            if size > limit:
                notes.append(
                    _("Attachment not kept: %(name)s (%(size)s MB) is larger than %(limit)s MB.")
                    % {"name": name, "size": f"{size / 1048576:.1f}", "limit": limit // 1048576}
                )
                continue
            if PurePath(name).suffix.lower() in BLOCKED_EXTENSIONS:
                notes.append(
                    _("Attachment not kept: files like %(name)s are not accepted.") % {"name": name}
                )
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


def _organization_to_identify(mailbox: Mailbox | None) -> Organization:
    organization = Organization.objects.filter(name__iexact=TO_IDENTIFY).first()
    if organization is None:
        try:
            with transaction.atomic():
                organization = Organization.objects.create(name=TO_IDENTIFY)
        except IntegrityError:
            organization = Organization.objects.get(name__iexact=TO_IDENTIFY)
    return organization


def _new_contact(*, email: str, name: str, phone: str = "", language: str) -> User:
    """A contact for someone not on file, under "À identifier", until staff move it."""
    organization = _organization_to_identify(None)
    base = (email or f"fax-{phone}").lower()[:140]
    username = base
    for n in range(2, 50):
        if not User.objects.filter(username=username).exists():
            break
        username = f"{base}-{n}"
    user = User(
        username=username,
        email=email,
        full_name=name[:200] or email or phone,
        language=language,
        organization=organization,
        client_role=ClientRole.CONTACT,
        phone=phone,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        found = User.objects.filter(email__iexact=email).first() if email else None
        if found is None:
            raise
        user = found
    return user


def _sender(email: InboundEmail, parsed: ParsedEmail, mailbox: Mailbox | None) -> User | None:
    """The contact who wrote, or None if the mailbox refuses unknown senders."""
    address = parsed.from_address
    if not address:
        raise Quarantine("no sender address (From) could be read")
    user = User.objects.filter(email__iexact=address).first()
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
        catalog.refusal(email=email, address=address, language=language)
        return None
    return _new_contact(email=address, name=parsed.from_name, language=language)


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
    return _new_contact(email="", name=f"Fax {digits or '?'}", phone=digits, language=language)


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


def _ingest(email: InboundEmail, parsed: ParsedEmail) -> Outcome:
    mailbox = email.mailbox
    fax = bool(mailbox and mailbox.is_fax_gateway)
    noise = rules.noise_reason(parsed, own_addresses=own_addresses(), fax_gateway=fax)
    if noise:
        return Outcome(InboundEmail.Status.IGNORED, noise)
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
    sender = _sender(email, parsed, mailbox)
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
        email.content_ids = images
        return Outcome(InboundEmail.Status.IMPORTED, ticket=message.ticket, message_pk=message.pk)
    assert sender.organization is not None
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
    email.content_ids = _link_images(ticket, None, content_ids)
    return Outcome(InboundEmail.Status.IMPORTED, ticket=ticket)


def _quarantine(email_id: int, reason: str) -> str:
    InboundEmail.objects.filter(pk=email_id).update(
        status=InboundEmail.Status.QUARANTINED, reason=reason[:2000], processed_at=timezone.now()
    )
    logger.warning("email %s set aside: %s", email_id, reason)
    return InboundEmail.Status.QUARANTINED


def _claim(email_id: int) -> InboundEmail | None:
    """Count an attempt before trying, so an email that kills the process is set aside."""
    with transaction.atomic():
        email = (
            InboundEmail.objects.select_for_update()
            .filter(pk=email_id, status=InboundEmail.Status.RECEIVED)
            .first()
        )
        if email is None:
            return None
        email.attempts += 1
        email.save(update_fields=["attempts"])
    return email


def process(*, email_id: int) -> str:
    """Process one stored email; returns its status. Safe to run twice, or at once by two."""
    email = _claim(email_id)
    if email is None:
        return str(
            InboundEmail.objects.filter(pk=email_id).values_list("status", flat=True).first()
        )
    if email.attempts > MAX_ATTEMPTS:
        return _quarantine(
            email_id, f"processing stopped abruptly {MAX_ATTEMPTS} times (a crash or a timeout)"
        )
    try:
        parsed = parse(bytes(email.raw))
    except Unreadable as exc:
        return _quarantine(email_id, str(exc))
    except Exception as exc:
        logger.exception("email %s could not be parsed", email_id)
        return _quarantine(email_id, f"could not be read: {type(exc).__name__}: {exc}")
    try:
        with transaction.atomic():
            email = InboundEmail.objects.select_for_update().get(pk=email_id)
            if email.status != InboundEmail.Status.RECEIVED:
                return email.status
            email.text = clean_text(parsed.text, 1_000_000)
            email.html = sanitize_html(parsed.html[:2_000_000])
            outcome = _ingest(email, parsed)
            email.status = outcome.status
            email.reason = outcome.reason
            email.ticket = outcome.ticket
            email.client_message_id = outcome.message_pk
            email.processed_at = timezone.now()
            email.save()
            logger.debug("processed", extra={"mail_step": "processed", "email": email_id})
    except Quarantine as exc:
        return _quarantine(email_id, str(exc))
    except ServiceError as exc:
        return _quarantine(email_id, exc.message)
    except Exception as exc:
        logger.exception("email %s could not be imported", email_id)
        return _quarantine(email_id, f"{type(exc).__name__}: {exc}")
    return outcome.status


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
