"""Every email Soutien sends, stored before delivery so that a crash loses none."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import Language


class OutboundEmail(models.Model):
    """One email to send: stored before delivery, delivered by the worker with retries."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Not sent")

    # The kind of email (a name registered in soutien.outbound.kinds): its templates and context.
    template = models.CharField(_("email"), max_length=40)
    language = models.CharField(max_length=2, choices=Language.choices)
    to_address = models.CharField(_("recipient"), max_length=254)
    recipient = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The request it is about (emails about one request form one thread in mail clients), and
    # the public reply it carries; this app only files them, the kind's context reads them.
    ticket = models.ForeignKey(
        "ticketing.Ticket",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbound_emails",
    )
    reply = models.ForeignKey(
        "ticketing.Message", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # When no request holds the conversation (a refusal): the Message-ID it answers, and the
    # address answers to it should go to.
    in_reply_to = models.CharField(max_length=255, blank=True)
    reply_to = models.CharField(max_length=254, blank=True)
    # What the templates need beyond the objects above (JSON: old and new status, figures).
    context = models.JSONField(default=dict, blank=True)
    # RFC 3834: "auto-replied" for answers to a message, "auto-generated" for notices, "" if human.
    auto_submitted = models.CharField(max_length=14, blank=True)
    message_id = models.CharField(max_length=255, unique=True)
    # Rendered at the first delivery attempt, then kept so every retry sends the same email.
    subject = models.TextField(blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The table the mail app created before outgoing email became an app of its own.
        db_table = "mail_outboundemail"
        verbose_name = _("sent email")
        verbose_name_plural = _("sent emails")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="outbound_email_due",
            ),
            # The rate limit on automatic answers counts by address, whatever its case.
            models.Index(Lower("to_address"), "created_at", name="outbound_email_by_address"),
            models.Index(fields=["ticket", "created_at"], name="mail_outbou_ticket__4880f6_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.to_address} ({self.status})"


class OutboundAttachment(models.Model):
    """A file made for one email (an agreement's PDF, an invitation's .ics), kept with it.

    Stored with the email rather than rebuilt at delivery, so that every attempt sends the same
    bytes, and whoever made the file does not have to be reachable from here.
    """

    email = models.ForeignKey(OutboundEmail, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    data = models.BinaryField()

    class Meta:
        verbose_name = _("file of a sent email")
        verbose_name_plural = _("files of sent emails")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
