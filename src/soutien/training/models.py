"""Training requests, rooms, trainers' calendars and time off, and sessions (training or
teleconference) with their invitations and private calendar feeds (SPEC 5 and 7).

No person or room is ever booked twice at once: on PostgreSQL exclusion constraints over the
sessions' time ranges (migration 0002, not declared here so SQLite can run the same
migrations); on both databases the booking service checks inside its transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import Language

# A session that runs longer than this is a typing mistake (several days are several sessions).
MAX_SESSION = timedelta(hours=24)


class Room(models.Model):
    """One of the vendor's training rooms."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    capacity = models.PositiveSmallIntegerField(_("capacity (people)"))
    # What the room offers, one item each: "projector", "12 workstations".
    equipment = models.JSONField(_("equipment"), default=list, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("training room")
        verbose_name_plural = _("training rooms")
        constraints = [models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity")]

    def __str__(self) -> str:
        return self.name


class WorkCalendar(models.Model):
    """The working hours of a trainer or technician (a service calendar); without one, the
    standard service hours of the published policy."""

    person = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, primary_key=True, related_name="work_calendar"
    )
    calendar = models.ForeignKey(
        "sla.ServiceCalendar",
        verbose_name=_("working hours"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")

    def __str__(self) -> str:
        return f"{self.person}: {self.calendar}"


class TimeOff(models.Model):
    """A stretch when a trainer or technician cannot be booked."""

    person = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="time_off")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="time_off_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["person", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.person}: {self.starts_at:%Y-%m-%d %H:%M}"


class Subject(models.TextChoices):
    BASICS = "basics", _("Basics of content management")
    INTERNALS = "internals", _("In-depth application internals")
    OTHER = "other", _("Other")


class Place(models.TextChoices):
    CLIENT = "client", _("At the client's premises")
    VENDOR = "vendor", _("In our training rooms")
    REMOTE = "remote", _("Remote")


class TrainingRequest(models.Model):
    """What a client asks for in a training request; the request itself is a ticket of kind
    training (number, history, acknowledgement)."""

    ticket = models.OneToOneField(
        "ticketing.Ticket", on_delete=models.CASCADE, related_name="training"
    )
    subject = models.CharField(_("subject"), max_length=10, choices=Subject.choices)
    subject_detail = models.TextField(_("details"), blank=True)
    # Blank until said: a request by email says it in words, staff fill it in.
    place = models.CharField(_("place"), max_length=6, choices=Place.choices, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # [{"name": "...", "email": "..."}]; the count may exceed the names given.
    attendees = models.JSONField(_("attendees"), default=list, blank=True)
    attendee_count = models.PositiveSmallIntegerField(
        _("number of attendees"), null=True, blank=True
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("training request")
        verbose_name_plural = _("training requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(attendee_count__isnull=True) | Q(attendee_count__gte=1),
                name="training_attendees",
            ),
            models.CheckConstraint(
                condition=~Q(place="client") | ~Q(address=""), name="training_client_address"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} (#{self.ticket_id})"

    @property
    def attendee_names(self) -> list[str]:
        return [str(a.get("name", "")) for a in self.attendees if a.get("name")]


class PreferredPeriod(models.Model):
    """A period the client would like the training in (a whole day is midnight to midnight)."""

    training = models.ForeignKey(
        TrainingRequest, on_delete=models.CASCADE, related_name="preferred"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="preferred_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} - {self.ends_at:%Y-%m-%d %H:%M}"

    @property
    def last_moment(self) -> datetime:
        """The period's last instant (its end is excluded): for showing its last day."""
        return self.ends_at - timedelta(microseconds=1)


class SessionKind(models.TextChoices):
    TRAINING = "training", _("Training session")
    TELECONFERENCE = "teleconference", _("Teleconference")


class SessionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    HELD = "held", _("Held")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


# Sessions in these states hold their person and room (a cancelled one frees them).
BOOKED_STATUSES = (
    SessionStatus.PROPOSED,
    SessionStatus.CONFIRMED,
    SessionStatus.HELD,
    SessionStatus.NO_SHOW,
)
UPCOMING_STATUSES = (SessionStatus.PROPOSED, SessionStatus.CONFIRMED)


class Session(models.Model):
    """A training session or a teleconference: who gives it, where, when.

    `uid` and `sequence` are the iCalendar UID and SEQUENCE of its invitation: the UID never
    changes; SEQUENCE goes up with each change sent (RFC 5546).
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=14, choices=SessionKind.choices)
    ticket = models.ForeignKey(
        "ticketing.Ticket", on_delete=models.CASCADE, related_name="sessions"
    )
    training = models.ForeignKey(
        TrainingRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sessions",
    )
    # The trainer of a training session, the technician of a teleconference.
    host = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="hosted_sessions"
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=300, blank=True)
    join_url = models.URLField(_("join link"), max_length=500, blank=True)
    bridge = models.CharField(_("bridge number"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PROPOSED
    )
    sequence = models.PositiveIntegerField(default=0)
    # The client asked for another date: what they said, and when.
    change_request = models.TextField(_("another date asked for"), blank=True)
    change_requested_at = models.DateTimeField(null=True, blank=True)
    # Once held: the minutes given and the time entry they became.
    held_minutes = models.PositiveIntegerField(null=True, blank=True)
    time_entry = models.OneToOneField(
        "contracts.TimeEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="session",
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(kind="training", training__isnull=False)
                | Q(kind="teleconference", training__isnull=True, room__isnull=True),
                name="session_kind_matches",
            ),
        ]
        indexes = [
            models.Index(fields=["host", "starts_at"]),
            models.Index(fields=["room", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.starts_at:%Y-%m-%d %H:%M})"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_upcoming(self) -> bool:
        return self.status in UPCOMING_STATUSES


class CalendarFeed(models.Model):
    """A private calendar feed of one person's sessions, at a secret address; revocable.

    The address carries `key` signed with the site's secret key: the table alone does not
    give it away, and revoking the row turns the address off.
    """

    person = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.person} ({self.key})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
