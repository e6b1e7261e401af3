"""Mailboxes polled over IMAP, the messages they deliver, and contacts' fax numbers."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import Language

# A mailbox whose polls failed this many times in a row raises an alarm in the console.
FAILURES_BEFORE_ALARM = 3
# A stored message still waiting to be processed after this long raises an alarm.
STUCK_AFTER = timedelta(minutes=15)


class Mailbox(models.Model):
    """An IMAP folder Soutien polls; its messages become requests or replies."""

    class Security(models.TextChoices):
        SSL = "ssl", _("TLS from the start (port 993)")
        STARTTLS = "starttls", _("STARTTLS (port 143)")
        NONE = "none", _("None (loopback or tests only)")

    class AfterImport(models.TextChoices):
        FLAG = "flag", _("Mark as read and flag")
        MOVE = "move", _("Move to a folder")
        DELETE = "delete", _("Delete")

    class UnknownSender(models.TextChoices):
        IDENTIFY = "identify", _("Create a contact under “To identify”")
        REFUSE = "refuse", _("Answer with a polite refusal")

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.EmailField(
        _("address"), help_text=_("The address clients write to; our answers come from it.")
    )
    host = models.CharField(_("IMAP server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("security"), max_length=8, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("user name"), max_length=255)
    # Fernet token of the password, keyed from SECRET_KEY (.keys); never shown again.
    password_encrypted = models.TextField(blank=True)
    password_env = models.CharField(
        _("password environment variable"),
        max_length=100,
        blank=True,
        help_text=_("Read the password from this environment variable (or NAME_FILE) instead."),
    )
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    after_import = models.CharField(
        _("after import"), max_length=6, choices=AfterImport.choices, default=AfterImport.FLAG
    )
    move_to = models.CharField(_("move to folder"), max_length=200, blank=True)
    is_fax_gateway = models.BooleanField(
        _("fax gateway"), default=False, help_text=_("Its messages are faxes: requests by fax.")
    )
    is_training = models.BooleanField(
        _("training requests"),
        default=False,
        help_text=_("Its new messages are training requests (replies still join their request)."),
    )
    unknown_sender = models.CharField(
        _("unknown senders"),
        max_length=8,
        choices=UnknownSender.choices,
        default=UnknownSender.IDENTIFY,
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        default=Language.FRENCH,
        help_text=_("For contacts it creates and for answers to unknown senders."),
    )
    poll_every_minutes = models.PositiveSmallIntegerField(_("poll every (minutes)"), default=1)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    # What the last polls did, for the console and its alarms.
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    poll_started_at = models.DateTimeField(null=True, blank=True)
    last_poll_at = models.DateTimeField(_("last poll"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last successful poll"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(after_import="move") | ~Q(move_to=""), name="mailbox_move_has_folder"
            ),
            models.CheckConstraint(
                condition=Q(port__gte=1, port__lte=65535), name="mailbox_port_valid"
            ),
            models.CheckConstraint(
                condition=~Q(is_fax_gateway=True, is_training=True),
                name="mailbox_fax_or_training",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def failing(self) -> bool:
        return self.consecutive_failures >= FAILURES_BEFORE_ALARM


class InboundEmail(models.Model):
    """One email as received, raw bytes first; stored once whatever mailbox or poll saw it."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Waiting to be processed")
        IMPORTED = "imported", _("Imported")
        IGNORED = "ignored", _("Ignored (automatic or loop)")
        REFUSED = "refused", _("Refused (unknown sender)")
        QUARANTINED = "quarantined", _("In quarantine")

    # sha256 of the Message-ID and the sender (or of the content when there is no Message-ID).
    key = models.CharField(max_length=64, unique=True)
    message_id = models.CharField(max_length=255, db_index=True)
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="emails"
    )
    raw = models.BinaryField()
    size = models.PositiveBigIntegerField()
    # When the mailbox received it (IMAP INTERNALDATE): the request's SLA clock starts there.
    arrived_at = models.DateTimeField()
    from_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.RECEIVED)
    reason = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    ticket = models.ForeignKey(
        "ticketing.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_emails",
    )
    # The client message it became; empty when it opened the request itself.
    client_message = models.OneToOneField(
        "ticketing.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_email",
    )
    # The whole text, quoted history included, and the sanitized HTML (display trims both).
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    # Content-ID -> attachment id, to show the HTML's inline images.
    content_ids = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("received email")
        verbose_name_plural = _("received emails")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["id"], condition=Q(status="received"), name="inbound_email_pending"
            ),
            models.Index(fields=["mailbox", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.status})"


class ServerCopy(models.Model):
    """A message as one mailbox lists it (UIDVALIDITY, UID), and what was done with it there.

    The row is written when the server first lists the UID ("seen"), linked to the stored
    email once its bytes are committed, and marked done once the server has flagged, moved
    or deleted it: the server is only touched after the commit.
    """

    class State(models.TextChoices):
        LISTED = "listed", _("Seen, not yet stored")
        STORED = "stored", _("Stored")
        VANISHED = "vanished", _("Gone from the server before it was read")
        UNREADABLE = "unreadable", _("The server could not deliver it")

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="copies")
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    size = models.PositiveBigIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.LISTED)
    email = models.ForeignKey(
        InboundEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    fetch_attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    seen_at = models.DateTimeField(default=timezone.now)
    server_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("server copy")
        verbose_name_plural = _("server copies")
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], name="server_copy_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["mailbox", "uid"],
                condition=Q(server_done_at__isnull=True),
                name="server_copy_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mailbox_id}:{self.uidvalidity}:{self.uid}"


class ContactFax(models.Model):
    """A client contact's fax number, so faxes from it are filed under the right person."""

    contact = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="fax_number"
    )
    number = models.CharField(_("fax number"), max_length=40)
    # The number's last ten digits (North American numbering): what matching compares.
    digits = models.CharField(max_length=15, db_index=True)

    class Meta:
        verbose_name = _("fax number")
        verbose_name_plural = _("fax numbers")

    def __str__(self) -> str:
        return self.number
