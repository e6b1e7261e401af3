"""Requests (tickets), their messages, attachments and history."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import PurePosixPath

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import Organization, User


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    FAX = "fax", _("Fax")


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting on client")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING)


class Kind(models.TextChoices):
    """What a request asks for: support (most of them) or a training (SPEC 7)."""

    SUPPORT = "support", _("Support")
    TRAINING = "training", _("Training")


class Level(models.IntegerChoices):
    ONE = 1, _("Level 1")
    TWO = 2, _("Level 2")
    THREE = 3, _("Level 3")


class Ticket(models.Model):
    """A support request; its number is the human-readable id quoted by clients."""

    # The foreign keys carry no index of their own: a composite index of Meta.indexes starts
    # with each one that is searched, and every index costs each write on this big table.
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
    )
    contact = models.ForeignKey(
        User,
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
    )
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("description"), blank=True)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SUPPORT)
    received_at = models.DateTimeField(_("received at"))
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, null=True, blank=True
    )
    assignee = models.ForeignKey(
        User,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.NEW)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    follows = models.ForeignKey(
        "self",
        verbose_name=_("follows"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text=_("The earlier request this one continues."),
        db_index=False,
    )
    # A duplicate merged into another request: its messages, files, time and history moved
    # there; it stays, closed, pointing to it.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_requests",
        db_index=False,
    )
    # The service-level promise, kept up to date by soutien.sla: exact to the second.
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    # The terms that governed the due time, in words a client understands, in both languages:
    # {"source": "policy", "ref": 1, "minutes": 60, "fr": "...", "en": "..."}.
    sla_terms = models.JSONField(_("governing terms"), default=dict, blank=True)
    sla_calendar = models.ForeignKey(
        "sla.ServiceCalendar",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # When the breach warning is due (15 service minutes before the due time).
    sla_warn_at = models.DateTimeField(null=True, blank=True)
    # The next moment the alert job must look at this request (warning, then breach), or null.
    sla_next_alert_at = models.DateTimeField(null=True, blank=True)
    # The resolution target: set by an accepted development agreement (its delivery date),
    # with the terms that set it in both languages, as `sla_terms`:
    # {"source": "agreement", "ref": 12, "version": 3, "fr": "...", "en": "..."}.
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    resolution_terms = models.JSONField(_("resolution terms"), default=dict, blank=True)
    # Set when the retention job cleared the request's personal information (docs/privacy.md).
    anonymized_at = models.DateTimeField(_("anonymized at"), null=True, blank=True)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__in=[1, 2, 3]), name="ticket_level_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-received_at"]),
            models.Index(fields=["contact", "-received_at"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["status", "level", "-received_at"]),
            # The technicians' queues: active requests of a level, soonest due first.
            models.Index(
                fields=["level", "first_response_due", "id"],
                condition=Q(status__in=["new", "open", "waiting"]),
                name="ticket_queue_by_due",
            ),
            # Search across every request, soonest due first: walked when words match many.
            models.Index(fields=["first_response_due", "id"], name="ticket_by_due"),
            models.Index(
                fields=["follows"], condition=Q(follows__isnull=False), name="ticket_follow_ups"
            ),
            # The requests merged into this one, listed on its page: few rows, most null.
            models.Index(
                fields=["merged_into"],
                condition=Q(merged_into__isnull=False),
                name="ticket_merged_requests",
            ),
            models.Index(
                fields=["sla_next_alert_at"],
                condition=Q(sla_next_alert_at__isnull=False),
                name="ticket_sla_next_alert",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def number(self) -> str:
        return str(self.pk)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def governing_terms(self, language: str) -> str:
        """The terms that governed the due time, in the reader's language."""
        if not self.sla_terms:
            return ""
        return str(self.sla_terms.get(language) or self.sla_terms.get("fr") or "")

    def resolution_terms_text(self, language: str) -> str:
        """The terms that set the resolution target, in the reader's language."""
        if not self.resolution_terms:
            return ""
        return str(self.resolution_terms.get(language) or self.resolution_terms.get("fr") or "")

    def sla_breached(self, now: datetime | None = None) -> bool:
        """Whether the first response came, or is still awaited, after its due time."""
        if self.first_response_due is None:
            return False
        if self.first_responded_at is not None:
            return self.first_responded_at > self.first_response_due
        return (now or timezone.now()) > self.first_response_due


class MessageKind(models.TextChoices):
    REPLY = "reply", _("Public reply")
    NOTE = "note", _("Internal note")
    PHONE_CALL = "phone_call", _("Phone call")
    CLIENT = "client", _("Client message")
    # A teleconference held with the client: a response, like a logged call.
    TELECONFERENCE = "teleconference", _("Teleconference")


class CallDirection(models.TextChoices):
    INBOUND = "inbound", _("Call from the client")
    OUTBOUND = "outbound", _("Call to the client")


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=14, choices=MessageKind.choices)
    author = models.ForeignKey(
        User,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("message"))
    # When it happened: a call's start, an email's date; the creation time otherwise.
    at = models.DateTimeField(_("at"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    call_direction = models.CharField(
        _("direction"), max_length=8, choices=CallDirection.choices, blank=True
    )
    call_duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), null=True, blank=True
    )
    caller = models.CharField(_("caller"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["ticket", "at"]),
            # The technicians' responses in a period (reports' workload): an index-only scan.
            models.Index(
                fields=["author", "at"],
                include=["ticket"],
                condition=Q(kind__in=["reply", "phone_call", "teleconference"]),
                name="responses_by_author",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="phone_call")
                | Q(
                    call_duration_minutes__isnull=False, call_direction__in=["inbound", "outbound"]
                ),
                name="message_call_has_direction_and_duration",
            ),
            models.CheckConstraint(
                condition=~Q(kind="teleconference") | Q(call_duration_minutes__isnull=False),
                name="message_teleconference_has_duration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.kind != MessageKind.NOTE


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is random; the client's name is kept only as data, never as a path.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    today = timezone.now()
    return f"attachments/{today:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """One entry of a request's history: who did what, when."""

    class Action(models.TextChoices):
        CREATED = "created", _("created the request")
        LEVEL = "level", _("set the level")
        ASSIGNED = "assigned", _("assigned the request")
        STATUS = "status", _("changed the status")
        MESSAGE = "message", _("added a message")
        ATTACHMENT = "attachment", _("attached a file")
        FOLLOW_UP = "follow_up", _("opened a follow-up request")
        FIELD = "field", _("changed a field")
        TIME = "time", _("logged time")
        SESSION = "session", _("changed a session")
        AGREEMENT = "agreement", _("changed the development agreement")
        RESOLUTION = "resolution", _("set the resolution target")
        MERGED = "merged", _("merged a request")
        LINKED = "linked", _("linked a request")
        UNLINKED = "unlinked", _("removed a link")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=12, choices=Action.choices)
    # {"from": ..., "to": ...} or other small facts of the change.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"])]

    def __str__(self) -> str:
        return f"{self.action} #{self.ticket_id}"


class TicketLink(models.Model):
    """Two related requests, shown on each (one row per pair, the smaller id first)."""

    first = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("link between requests")
        verbose_name_plural = _("links between requests")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="ticket_link_once"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="ticket_link_ordered"),
        ]

    def __str__(self) -> str:
        return f"#{self.first_id} ↔ #{self.second_id}"
