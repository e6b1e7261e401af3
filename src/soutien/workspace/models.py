"""The technician's workspace: saved views of the requests and canned answers (macros)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import User
from soutien.ticketing.models import Level, Status


class SavedView(models.Model):
    """A search kept under a name: personal, or shared with every staff member."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(_("name"), max_length=80)
    shared = models.BooleanField(_("shared with the team"), default=False)
    # The filters as query parameters (`ticketing.finder.Filters.as_params`).
    params = models.JSONField(_("filters"), default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["owner", "name"])]

    def __str__(self) -> str:
        return self.name


class Macro(models.Model):
    """A canned answer in both languages, with placeholders, that may set status or level."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="macros")
    name = models.CharField(_("name"), max_length=80)
    shared = models.BooleanField(_("shared with the team"), default=False)
    body_fr = models.TextField(_("text in French"))
    body_en = models.TextField(_("text in English"))
    set_status = models.CharField(
        _("then set the status"), max_length=8, choices=Status.choices, blank=True
    )
    set_level = models.PositiveSmallIntegerField(
        _("then set the level"), choices=Level.choices, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(set_level__isnull=True) | Q(set_level__in=[1, 2, 3]),
                name="macro_level_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name
