"""Knowledge base: articles in French and English, their revisions, files, and usage figures.

Usage figures hold no personal data: a view or a vote is deduplicated per visitor and day with
a hash salted by a secret that is deleted when the day is over, and a new-request form that led
to a suggestion is known only by a random key.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import Language


class Kind(models.TextChoices):
    DOCUMENTATION = "documentation", _("Documentation")
    TROUBLESHOOTING = "troubleshooting", _("Troubleshooting guide")
    FAQ = "faq", _("FAQ")


class Visibility(models.IntegerChoices):
    """Ordered: a reader may see every level up to its own."""

    PUBLIC = 0, _("Public")
    CLIENTS = 1, _("Clients only")
    STAFF = 2, _("Staff only")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


def new_group() -> str:
    return uuid.uuid4().hex


class Category(models.Model):
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name_fr"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name_fr

    def name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_fr


class Article(models.Model):
    """One language version of a topic; versions of the same topic share `group`."""

    group = models.CharField(_("translation group"), max_length=64, default=new_group)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    slug = models.SlugField(_("address"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text (Markdown)"), blank=True)
    # The body rendered and sanitized once, when it is saved.
    body_html = models.TextField(blank=True)
    error_codes = models.TextField(
        _("error messages and codes it solves"),
        blank=True,
        help_text=_("One per line, exactly as the software shows them."),
    )
    visibility = models.PositiveSmallIntegerField(
        _("visibility"), choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last updated"), default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)
    # Counters kept by the services; the daily figures are in ArticleDay.
    view_count = models.PositiveBigIntegerField(_("views"), default=0)
    helpful_count = models.PositiveIntegerField(_("found it helpful"), default=0)
    unhelpful_count = models.PositiveIntegerField(_("did not find it helpful"), default=0)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "language"], name="kb_one_version_per_language"
            ),
        ]
        indexes = [
            # Lists by kind, most consulted first.
            models.Index(
                fields=["kind", "language", "-view_count", "id"],
                condition=Q(status="published"),
                name="kb_published_by_views",
            ),
            models.Index(fields=["category", "title"], name="kb_article_category"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    @property
    def codes(self) -> list[str]:
        return [line.strip() for line in self.error_codes.splitlines() if line.strip()]


class ArticleRevision(models.Model):
    """What an article said after each save, by whom and when."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text (Markdown)"), blank=True)
    error_codes = models.TextField(_("error messages and codes"), blank=True)
    author = models.ForeignKey(
        "accounts.User",
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_revision_once"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"


def article_file_path(instance: ArticleFile, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"kb/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ArticleFile(models.Model):
    """An image shown in an article; served only to those who may read the article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=article_file_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.name


class ArticleDay(models.Model):
    """One article's figures for one day (local date)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)
    helpful = models.PositiveIntegerField(default=0)
    unhelpful = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "day"], name="kb_article_day_once"),
        ]
        indexes = [models.Index(fields=["day", "article"], name="kb_article_day_by_day")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}"


class DailySalt(models.Model):
    """Today's secret for visitor hashes; deleted when the day is over, so hashes cannot be
    linked to a person or across days."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return str(self.day)


class VisitorMark(models.Model):
    """ "This visitor already viewed (or voted on) this article today": a salted hash, no more."""

    class Action(models.IntegerChoices):
        VIEW = 1, _("view")
        VOTE = 2, _("vote")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    visitor = models.CharField(max_length=64)
    action = models.PositiveSmallIntegerField(choices=Action.choices)
    # For a vote: 1 helpful, 0 not helpful.
    value = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "day", "visitor", "action"], name="kb_visitor_mark_once"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="kb_visitor_mark_day")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day} {self.action}"


class SearchStat(models.Model):
    """How often a query was searched on one day, and how often it found nothing."""

    day = models.DateField()
    language = models.CharField(max_length=2)
    query = models.CharField(max_length=200)
    searches = models.PositiveIntegerField(default=0)
    misses = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "language", "query"], name="kb_search_stat_once"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="kb_search_stat_day")]

    def __str__(self) -> str:
        return self.query


class RequestForm(models.Model):
    """One new-request form of the portal, known only by a random key.

    A form whose client opened a suggestion and that was never filed is a deflection.
    """

    key = models.CharField(max_length=32, unique=True)
    # Monday of the week the form was first seen here (local date).
    week = models.DateField()
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["week"], name="kb_request_form_week")]

    def __str__(self) -> str:
        return self.key

    @property
    def deflected(self) -> bool:
        return self.opened_at is not None and self.filed_at is None


class SupportContact(models.Model):
    """The coordinates and support levels shown on the public support page (one row)."""

    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    fax = models.CharField(_("fax"), max_length=40, blank=True)
    address = models.TextField(_("postal address"), blank=True)
    level_1_fr = models.TextField(_("level 1 examples (French)"), blank=True)
    level_1_en = models.TextField(_("level 1 examples (English)"), blank=True)
    level_2_fr = models.TextField(_("level 2 examples (French)"), blank=True)
    level_2_en = models.TextField(_("level 2 examples (English)"), blank=True)
    level_3_fr = models.TextField(_("level 3 examples (French)"), blank=True)
    level_3_en = models.TextField(_("level 3 examples (English)"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("support coordinates")
        verbose_name_plural = _("support coordinates")

    def __str__(self) -> str:
        return self.email or self.phone or "support"

    def level_examples(self, level: int, language: str) -> str:
        french = str(getattr(self, f"level_{level}_fr"))
        english = str(getattr(self, f"level_{level}_en"))
        return english if language == "en" and english else french
