"""Writes for mailboxes, fax numbers and scanned faxes; each service is one transaction."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from soutien.accounts.models import Language, Organization, User
from soutien.accounts.permissions import require_manager
from soutien.channels.mail import keys, rules
from soutien.channels.mail.imap import ImapSession, MailboxError
from soutien.channels.mail.models import ContactFax, Mailbox
from soutien.core.errors import Conflict, InvalidInput, NotAllowed
from soutien.ticketing.models import Channel, Ticket
from soutien.ticketing.services import Upload, ticket_create

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
FAX_TYPES = (".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg")


def _require_manager(actor: User | None) -> None:
    # None: an operator at the command line (`soutien mailbox add`).
    if actor is not None:
        require_manager(
            actor, _("Only a support manager or an administrator can configure mailboxes.")
        )


def mailbox_save(
    *,
    actor: User | None,
    mailbox: Mailbox | None = None,
    name: str,
    address: str,
    host: str,
    port: int,
    security: str,
    username: str,
    password: str | None = None,
    password_env: str = "",
    folder: str = "INBOX",
    after_import: str = Mailbox.AfterImport.FLAG,
    move_to: str = "",
    is_fax_gateway: bool = False,
    is_training: bool = False,
    unknown_sender: str = Mailbox.UnknownSender.IDENTIFY,
    language: str = Language.FRENCH,
    poll_every_minutes: int = 1,
    is_active: bool = True,
) -> Mailbox:
    """Add or change a mailbox; a password given is kept encrypted, never shown again.

    `password=None` keeps the stored password; `password_env` names an environment variable
    (or NAME_FILE) to read it from instead.
    """
    _require_manager(actor)
    name, address, host, username = name.strip(), address.strip(), host.strip(), username.strip()
    folder, move_to, password_env = folder.strip(), move_to.strip(), password_env.strip()
    if not name:
        raise InvalidInput(_("The name cannot be empty."), field="name")
    try:
        validate_email(address)
    except ValidationError as exc:
        raise InvalidInput(_("This is not a valid email address."), field="address") from exc
    if not host:
        raise InvalidInput(_("Give the IMAP server's name."), field="host")
    if not 0 < port < 65536:
        raise InvalidInput(_("The port is a number from 1 to 65535."), field="port")
    choices = (
        (security, Mailbox.Security.values, "security"),
        (after_import, Mailbox.AfterImport.values, "after_import"),
        (unknown_sender, Mailbox.UnknownSender.values, "unknown_sender"),
        (language, Language.values, "language"),
    )
    for choice, allowed, field in choices:
        if choice not in allowed:
            raise InvalidInput(_("Unknown choice: %(value)s.") % {"value": choice}, field=field)
    if not username:
        raise InvalidInput(_("Give the user name to sign in with."), field="username")
    if not folder:
        raise InvalidInput(_("Give the folder to read (usually INBOX)."), field="folder")
    if after_import == Mailbox.AfterImport.MOVE and not move_to:
        raise InvalidInput(_("Say which folder to move messages to."), field="move_to")
    if move_to and move_to == folder:
        raise InvalidInput(_("Messages cannot be moved to the folder they are read from."),
                           field="move_to")  # fmt: skip
    if is_fax_gateway and is_training:
        raise InvalidInput(
            _("A fax gateway cannot also be the training address."), field="is_training"
        )
    if password_env and not ENV_NAME.match(password_env):
        raise InvalidInput(_("This is not an environment variable name."), field="password_env")
    if not 0 < poll_every_minutes <= 24 * 60:
        raise InvalidInput(_("Poll between every minute and once a day."),
                           field="poll_every_minutes")  # fmt: skip
    mailbox = mailbox or Mailbox()
    if password:
        mailbox.password_encrypted = keys.encrypt_password(password)
    if not password_env and not mailbox.password_encrypted:
        raise InvalidInput(
            _("Give the password, or the environment variable that holds it."), field="password"
        )
    fields: dict[str, object] = {
        "name": name, "address": address, "host": host, "port": port, "security": security,
        "username": username, "password_env": password_env, "folder": folder,
        "after_import": after_import, "move_to": move_to, "is_fax_gateway": is_fax_gateway,
        "is_training": is_training, "unknown_sender": unknown_sender, "language": language,
        "poll_every_minutes": poll_every_minutes, "is_active": is_active,
    }  # fmt: skip
    if mailbox.pk is not None and (
        (mailbox.host, mailbox.username, mailbox.folder) != (host, username, folder)
    ):
        # Another folder or server: its UIDs mean something else.
        mailbox.uidvalidity = None
    for key, new in fields.items():
        setattr(mailbox, key, new)
    try:
        with transaction.atomic():
            mailbox.save()
    except IntegrityError as exc:
        raise Conflict(_("A mailbox with this name already exists."), field="name") from exc
    return mailbox


def mailbox_check(*, mailbox: Mailbox) -> int:
    """Sign in and open the folder; returns how many messages it holds, or says what failed."""
    try:
        with ImapSession(mailbox, timeout=20) as imap:
            return len(imap.imap.search(["ALL"]))
    except MailboxError as exc:
        raise InvalidInput(str(exc)) from exc
    except Exception as exc:
        raise InvalidInput(f"{type(exc).__name__}: {exc}") from exc


@transaction.atomic
def contact_fax_set(*, actor: User, contact: User, number: str) -> ContactFax | None:
    """Record (or with an empty number, forget) the fax number faxes from this contact carry."""
    if not actor.is_staff_member:
        raise NotAllowed(_("Only support staff can do this."))
    if contact.organization_id is None:
        raise InvalidInput(_("Only a client contact has a fax number here."), field="contact")
    number = " ".join(number.split())
    if not number:
        ContactFax.objects.filter(contact=contact).delete()
        return None
    digits = rules.phone_digits(number)
    if not digits:
        raise InvalidInput(_("A fax number has at least ten digits."), field="fax_number")
    fax, _created = ContactFax.objects.update_or_create(
        contact=contact, defaults={"number": number[:40], "digits": digits}
    )
    return fax


def fax_file(
    *,
    actor: User,
    organization: Organization,
    contact: User,
    subject: str,
    body: str = "",
    received_at: datetime | None = None,
    uploads: Sequence[Upload],
    fax_number: str = "",
) -> Ticket:
    """A scanned fax, filed by staff: a request by fax with the scan attached."""
    if not uploads:
        raise InvalidInput(_("Attach the scanned fax."), field="scans")
    for upload in uploads:
        if not upload.name.lower().endswith(FAX_TYPES):
            raise InvalidInput(
                _("A scanned fax is a PDF, TIFF, PNG or JPEG file: %(name)s is not.")
                % {"name": upload.name},
                field="scans",
            )
    with transaction.atomic():
        ticket = ticket_create(
            actor=actor,
            organization=organization,
            contact=contact,
            subject=subject,
            body=body,
            channel=Channel.FAX,
            received_at=received_at,
            uploads=uploads,
        )
        if fax_number:
            contact_fax_set(actor=actor, contact=contact, number=fax_number)
    return ticket
