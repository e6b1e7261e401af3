"""People and organizations: client contacts and administrators, staff with combinable roles."""

from __future__ import annotations

import hashlib
import zoneinfo
from functools import cache
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


@cache
def _time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _time_zone_names():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organization_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class ClientRole(models.TextChoices):
    CONTACT = "contact", _("Client contact")
    CLIENT_ADMIN = "client_admin", _("Client administrator")


class SoutienUserManager(UserManager["User"]):
    def technicians(self, level: int | None = None) -> models.QuerySet[User]:
        qs = self.filter(is_active=True, organization__isnull=True)
        if level is None:
            return qs.filter(
                models.Q(handles_level_1=True)
                | models.Q(handles_level_2=True)
                | models.Q(handles_level_3=True)
            )
        return qs.filter(**{f"handles_level_{level}": True})


class User(AbstractUser):
    """Anyone who signs in, or on whose behalf requests are filed.

    A client user belongs to exactly one organization and has a client role; staff belong
    to none and hold any combination of staff roles. An administrator is a superuser.
    """

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/Toronto", validators=[validate_time_zone]
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    client_role = models.CharField(
        _("client role"), max_length=20, choices=ClientRole.choices, blank=True
    )

    handles_level_1 = models.BooleanField(_("technician, level 1"), default=False)
    handles_level_2 = models.BooleanField(_("technician, level 2"), default=False)
    handles_level_3 = models.BooleanField(_("technician, level 3"), default=False)
    is_support_manager = models.BooleanField(_("support manager"), default=False)
    is_development_lead = models.BooleanField(_("development lead"), default=False)
    is_trainer = models.BooleanField(_("trainer"), default=False)
    # Only the demo's accounts: managers and administrators must otherwise use a second factor.
    second_factor_exempt = models.BooleanField(
        _("may sign in without a second factor (demo accounts only)"), default=False
    )

    objects: ClassVar[SoutienUserManager] = SoutienUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(organization__isnull=True, client_role="")
                    | models.Q(
                        organization__isnull=False,
                        client_role__in=[ClientRole.CONTACT, ClientRole.CLIENT_ADMIN],
                    )
                ),
                name="user_client_role_matches_organization",
            ),
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique_ci",
            ),
        ]
        indexes = [models.Index(fields=["organization", "client_role"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_client(self) -> bool:
        return self.organization_id is not None

    @property
    def is_client_admin(self) -> bool:
        return self.organization_id is not None and self.client_role == ClientRole.CLIENT_ADMIN

    @property
    def is_staff_member(self) -> bool:
        """Staff of the vendor (any staff role, or an administrator)."""
        return (
            self.is_active
            and self.organization_id is None
            and (self.is_superuser or bool(self.staff_roles))
        )

    @property
    def is_manager(self) -> bool:
        return (
            self.is_active
            and self.organization_id is None
            and (self.is_superuser or self.is_support_manager)
        )

    @property
    def must_use_second_factor(self) -> bool:
        """Managers and administrators sign in with a second factor (the demo's are exempt)."""
        return self.is_manager and not self.second_factor_exempt

    @property
    def levels(self) -> list[int]:
        return [
            level
            for level, flag in (
                (1, self.handles_level_1),
                (2, self.handles_level_2),
                (3, self.handles_level_3),
            )
            if flag
        ]

    @property
    def staff_roles(self) -> list[str]:
        roles = []
        if self.levels:
            roles.append("technician")
        if self.is_support_manager:
            roles.append("support_manager")
        if self.is_development_lead:
            roles.append("development_lead")
        if self.is_trainer:
            roles.append("trainer")
        if self.is_superuser:
            roles.append("administrator")
        return roles

    def clean(self) -> None:
        super().clean()
        if self.organization_id is None and self.client_role:
            raise ValidationError({"client_role": _("Only a client user has a client role.")})
        if self.organization_id is not None:
            if not self.client_role:
                raise ValidationError({"client_role": _("A client user needs a client role.")})
            if (
                self.levels
                or self.is_support_manager
                or self.is_development_lead
                or (self.is_trainer or self.is_superuser)
            ):
                raise ValidationError(_("A client user cannot hold a staff role."))


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token: only its hash is kept; it expires and can be revoked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class LoginFailure(models.Model):
    """A failed sign-in, kept briefly so attempts can be throttled across processes."""

    username = models.CharField(max_length=150)
    address = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"]),
            models.Index(fields=["address", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.at:%Y-%m-%d %H:%M}"


class AccessLink(models.Model):
    """A one-time link emailed to a person: to set a first password, or to choose a new one.

    Only the hash of the secret is kept. Issuing a new link of a purpose voids the person's
    earlier ones of that purpose; using a link marks it used.
    """

    class Purpose(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        RESET = "reset", _("Password reset")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_links")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("access link")
        verbose_name_plural = _("access links")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} for {self.user} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_usable(self) -> bool:
        return (
            self.used_at is None
            and self.voided_at is None
            and self.expires_at > timezone.now()
            and self.user.is_active
        )


class PrivacyOfficer(models.Model):
    """The person in charge of the protection of personal information (Quebec's Law 25).

    One row (pk 1), edited by a manager in the console, shown on the public pages and at the
    foot of every email.
    """

    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    email = models.EmailField(_("email address"))
    postal_address = models.TextField(_("postal address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("person in charge of personal information")
        verbose_name_plural = _("people in charge of personal information")

    def __str__(self) -> str:
        return self.name

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.postal_address.splitlines() if line.strip()]


class SignInCounter(models.Model):
    """Recent sign-in attempts of one scope, counted atomically (a locked row per key).

    Scopes: an account from one address; an account from the addresses it was never signed in
    from (a progressive delay, never a lock, so the owner is not locked out); one address,
    whatever account it tries.
    """

    class Scope(models.TextChoices):
        ACCOUNT_ADDRESS = "account_address", _("account from one address")
        ACCOUNT = "account", _("account from unknown addresses")
        ADDRESS = "address", _("address")

    scope = models.CharField(max_length=20, choices=Scope.choices)
    key = models.CharField(max_length=400)
    attempts = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField(null=True, blank=True)
    next_allowed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="signin_counter_unique"),
        ]
        indexes = [models.Index(fields=["last_at"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.attempts}"


class KnownAddress(models.Model):
    """An address a person signed in from successfully: failures elsewhere never lock it out."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_addresses")
    address = models.CharField(max_length=64)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "address"], name="known_address_unique"),
        ]
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.user} from {self.address}"
