"""The monthly technical newsletter: subscribers, their consent ledger, issues and deliveries.

Consent is never a field to tick: it is derived from `ConsentEvent` rows, appended and never
edited (a database trigger refuses updates), so that what a person agreed to, when, how and
before whom stays provable (CASL). A `Delivery` row is one reader's copy of one issue, fixed
when sending starts; its status is changed only by compare-and-set updates (`sending.py`).
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import Language


class Topic(models.TextChoices):
    """What a reader may choose to get; an issue's sections each belong to one."""

    KNOWLEDGE_BASE = "knowledge_base", _("New and most consulted articles")
    PROBLEMS = "problems", _("Problems solved")
    NEWS = "news", _("Product and service news")


ALL_TOPICS = tuple(Topic.values)


class Subscriber(models.Model):
    """An address that may receive the newsletter: a contact of ours or anyone else."""

    # Stored in lower case: one row per address, whatever case it was typed in.
    email = models.CharField(_("email"), max_length=254, unique=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    # The topics chosen; empty means every topic.
    topics = models.JSONField(_("topics"), default=list, blank=True)
    # The person on file with this address, if any (for implied consent and the portal).
    person = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["email"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")

    def __str__(self) -> str:
        return self.email

    def wants(self, topic: str) -> bool:
        return not self.topics or topic in self.topics

    @property
    def topic_labels(self) -> list[str]:
        return [str(Topic(t).label) for t in self.topics if t in Topic.values]


class ConsentSource(models.TextChoices):
    """Where a consent event was given or recorded."""

    PORTAL = "portal", _("Client portal (signed in)")
    PUBLIC_FORM = "public_form", _("Public subscription form")
    CONSOLE = "console", _("Recorded by staff (phone, in person)")
    API = "api", _("API")
    CONFIRMATION = "confirmation", _("Confirmation link (double opt-in)")
    CONTRACT = "contract", _("License contract")
    PLAN = "plan", _("Support plan")
    INQUIRY = "inquiry", _("Request to support (inquiry)")
    UNSUBSCRIBE_LINK = "link", _("Unsubscribe link")
    ONE_CLICK = "one_click", _("One-click unsubscribe (mail client)")
    PREFERENCES = "preferences", _("Preferences page")


class ConsentEvent(models.Model):
    """One event of an address's consent: given, implied by a relationship, or withdrawn.

    Never edited: a change is a new row. The current state is read from the rows
    (`selectors.consenting`).
    """

    class Kind(models.TextChoices):
        EXPRESS = "express", _("Express consent")
        IMPLIED = "implied", _("Implied consent")
        WITHDRAWAL = "withdrawal", _("Withdrawal")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=12, choices=ConsentSource.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    # Express consent: the exact words the person agreed to, in the language shown, and the
    # version of that text.
    text_version = models.CharField(_("text version"), max_length=40, blank=True)
    text = models.TextField(_("text agreed to"), blank=True)
    # Who recorded it (a technician on the phone, the person in the portal); the name is kept
    # even if the account goes.
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by_name = models.CharField(_("recorded by"), max_length=200, blank=True)
    # Express consent given through a form anyone can fill: it counts once confirmed.
    awaiting_confirmation = models.BooleanField(default=False)
    confirms = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="confirmations"
    )
    # Implied consent: until when (computed from the relationship, never typed), and why.
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    basis = models.CharField(_("basis"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        indexes = [models.Index(fields=["subscriber", "kind", "id"], name="newsletter_event_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="implied", expires_at__isnull=False)
                | (~Q(kind="implied") & Q(expires_at__isnull=True)),
                name="newsletter_event_expiry_iff_implied",
            ),
            models.CheckConstraint(
                condition=Q(awaiting_confirmation=False) | Q(kind="express"),
                name="newsletter_event_only_express_awaits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subscriber_id} {self.at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("consent events are never edited: record a new one")
        super().save(*args, **kwargs)


class Suppression(models.Model):
    """An address nothing is sent to any more: it bounced for good, or staff said so."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("Hard bounce")
        MANUAL = "manual", _("Added by staff")

    email = models.CharField(_("email"), max_length=254, unique=True)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self) -> str:
        return self.email


class ConsentText(models.Model):
    """A version of the words a person agrees to when subscribing; a new wording is a new row."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    text_fr = models.TextField(_("text (French)"))
    text_en = models.TextField(_("text (English)"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")

    def __str__(self) -> str:
        return self.version

    def text(self, language: str) -> str:
        return self.text_en if language == "en" else self.text_fr


class NewsletterSettings(models.Model):
    """Who sends the newsletter and how fast (one row)."""

    sender_name = models.CharField(_("sender's name"), max_length=200)
    from_address = models.EmailField(
        _("sending address"), blank=True, help_text=_("Empty: the server's sending address.")
    )
    postal_address = models.TextField(_("postal address"))
    reach = models.CharField(
        _("how to reach us"),
        max_length=300,
        help_text=_("An email address, a phone number or a web address, shown in every issue."),
    )
    batch_size = models.PositiveIntegerField(_("messages per batch"), default=100)
    rate_per_minute = models.PositiveIntegerField(
        _("messages per minute"), default=600, help_text=_("0: as fast as the server takes them.")
    )
    senders = models.PositiveSmallIntegerField(_("workers sending at once"), default=2)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("newsletter settings")
        verbose_name_plural = _("newsletter settings")

    def __str__(self) -> str:
        return self.sender_name


class Issue(models.Model):
    """One month's issue, in French and English."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    month = models.DateField(_("month"), unique=True)
    subject_fr = models.CharField(_("subject (French)"), max_length=200)
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    intro_fr = models.TextField(_("introduction (French, Markdown)"), blank=True)
    intro_en = models.TextField(_("introduction (English, Markdown)"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    scheduled_for = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("sending finished"), null=True, blank=True)
    # The last time a sender made progress: the periodic job restarts a stalled sending.
    active_at = models.DateTimeField(null=True, blank=True)
    # Why sending is held up (the mail server refused the connection...), until it moves again.
    problem = models.CharField(max_length=500, blank=True)
    # The figures, kept when the per-reader rows are forgotten (Law 25: no longer than needed).
    tally = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("issue")
        verbose_name_plural = _("issues")

    def __str__(self) -> str:
        return self.subject_fr

    def subject(self, language: str) -> str:
        return self.subject_en if language == "en" else self.subject_fr

    def intro(self, language: str) -> str:
        return self.intro_en if language == "en" else self.intro_fr

    @property
    def slug(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class IssueSection(models.Model):
    """A part of an issue, on one topic: a reader who did not choose the topic does not get it."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_fr = models.TextField(_("text (French, Markdown)"), blank=True)
    body_en = models.TextField(_("text (English, Markdown)"), blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title_fr

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_fr

    def body(self, language: str) -> str:
        return self.body_en if language == "en" else self.body_fr


def issue_image_path(instance: IssueImage, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"newsletter/{timezone.now():%Y/%m}/{instance.key.hex}{suffix}"


class IssueImage(models.Model):
    """An image shown in an issue: public, like the archive, at an address that says nothing of
    who reads it (the same for every reader: no tracking)."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="images")
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=issue_image_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.name


class ResolvedProblem(models.Model):
    """A resolved level-2 request a manager judged worth telling, in words fit for everyone."""

    ticket = models.OneToOneField("ticketing.Ticket", on_delete=models.CASCADE, related_name="+")
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    summary_fr = models.TextField(_("what happened and the fix (French)"))
    summary_en = models.TextField(_("what happened and the fix (English)"))
    marked_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)
    told_in = models.ForeignKey(
        Issue, on_delete=models.SET_NULL, null=True, blank=True, related_name="problems"
    )

    class Meta:
        ordering = ["-marked_at", "-id"]
        verbose_name = _("problem worth telling")
        verbose_name_plural = _("problems worth telling")

    def __str__(self) -> str:
        return self.title_fr

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_fr

    def summary(self, language: str) -> str:
        return self.summary_en if language == "en" else self.summary_fr


class Delivery(models.Model):
    """One reader's copy of one issue: fixed when sending starts, sent at most once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To send")
        # Taken by a sender for its batch; not yet handed to the mail server.
        CLAIMED = "claimed", _("Being sent")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    email = models.CharField(max_length=254)
    language = models.CharField(max_length=2, choices=Language.choices)
    topics = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    # The batch that holds it (random), and since when: a dead sender's batch is taken back.
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="newsletter_once_per_issue"
            ),
        ]
        indexes = [models.Index(fields=["issue", "status", "id"], name="newsletter_delivery_due")]

    def __str__(self) -> str:
        return f"{self.issue_id} → {self.email} ({self.status})"
