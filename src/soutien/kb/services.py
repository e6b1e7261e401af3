"""Writes on the knowledge base: articles and their revisions, files, figures, coordinates."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from soutien.accounts.models import Language, User
from soutien.accounts.permissions import require_manager, require_staff
from soutien.core.db import lock_row
from soutien.core.errors import InvalidInput
from soutien.kb import markdown
from soutien.kb.models import (
    Article,
    ArticleDay,
    ArticleFile,
    ArticleRevision,
    ArticleStatus,
    Category,
    DailySalt,
    Kind,
    RequestForm,
    SearchStat,
    SupportContact,
    Visibility,
    VisitorMark,
)
from soutien.kb.search import Document, backend
from soutien.ticketing.models import Message, MessageKind

STAFF_ONLY = gettext_lazy("Only support staff can write in the knowledge base.")

MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF8": "image/gif",
}
FORM_SALT = "soutien.kb.request-form"
# A form token older than this no longer counts (a form left open for days is another visit).
FORM_MAX_AGE = timedelta(days=1)
SEARCH_STATS_DAYS = 400


def _now() -> datetime:
    return timezone.now()


def local_day(at: datetime | None = None) -> date:
    """The service's calendar day (figures are kept per day of the vendor's time zone)."""
    return timezone.localtime(at or _now(), ZoneInfo(settings.TIME_ZONE)).date()


# --- articles ----------------------------------------------------------------------------------


def document_of(article: Article) -> Document:
    return Document(
        article_id=article.pk,
        language=article.language,
        kind=article.kind,
        visibility=article.visibility,
        group=article.group,
        title=article.title,
        codes="\n".join(article.codes),
        summary=article.summary,
        body=markdown.plain_text(article.body_html),
    )


def _reindex(article: Article) -> None:
    if article.is_published:
        backend().index([document_of(article)])
    else:
        backend().remove([article.pk])


def reindex_all(*, batch: int = 500) -> int:
    """Rebuild the search index from the published articles; returns how many."""
    search = backend()
    count = 0
    with transaction.atomic():
        search.clear()
        qs = Article.objects.filter(status=ArticleStatus.PUBLISHED).order_by("pk")
        chunk: list[Document] = []
        for article in qs.iterator(chunk_size=batch):
            chunk.append(document_of(article))
            if len(chunk) == batch:
                search.index(chunk)
                count += len(chunk)
                chunk = []
        search.index(chunk)
        count += len(chunk)
    return count


def _unique_slug(wanted: str, title: str, article: Article | None) -> str:
    base = slugify(wanted or title)[:100] or "article"
    slug, n = base, 1
    others = Article.objects.exclude(pk=article.pk) if article and article.pk else Article.objects
    while others.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _clean_codes(value: str) -> str:
    lines = [" ".join(line.split()) for line in value.splitlines()]
    return "\n".join(dict.fromkeys(line[:300] for line in lines if line))


def _validate(*, title: str, language: str, kind: str, visibility: int) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidInput(_("The title cannot be empty."), field="title")
    if len(title) > 200:
        raise InvalidInput(_("The title is longer than 200 characters."), field="title")
    if language not in Language.values:
        raise InvalidInput(
            _("Unknown language: %(value)s.") % {"value": language}, field="language"
        )
    if kind not in Kind.values:
        raise InvalidInput(_("Unknown kind of article: %(value)s.") % {"value": kind}, field="kind")
    if visibility not in Visibility.values:
        raise InvalidInput(_("Unknown visibility."), field="visibility")
    return title


def article_save(
    *,
    actor: User,
    article: Article | None = None,
    title: str,
    body: str,
    language: str,
    kind: str,
    visibility: int = Visibility.PUBLIC,
    category: Category | None = None,
    summary: str = "",
    error_codes: str = "",
    slug: str = "",
    group: str = "",
    note: str = "",
    publish: bool | None = None,
) -> Article:
    """Create or edit an article; every save is a revision (author, date, content).

    `publish` True publishes, False makes it a draft again, None keeps its status.
    """
    require_staff(actor, STAFF_ONLY)
    title = _validate(title=title, language=language, kind=kind, visibility=visibility)
    if "\x00" in body + summary + error_codes:
        raise InvalidInput(_("The text contains a NUL character."), field="body")
    now = _now()
    with transaction.atomic():
        if article is not None:
            article = lock_row(Article, article.pk)
        else:
            article = Article(created_by=actor, created_at=now)
        if group:
            article.group = group[:64]
        sibling = (
            Article.objects.filter(group=article.group, language=language)
            .exclude(pk=article.pk)
            .exists()
        )
        if sibling:
            raise InvalidInput(
                _("This article already has a version in this language."), field="language"
            )
        article.slug = _unique_slug(slug or article.slug, title, article)
        article.title = title
        article.summary = " ".join(summary.split())[:300]
        article.body = body.replace("\r\n", "\n")
        article.body_html = markdown.render(article.body)
        article.error_codes = _clean_codes(error_codes)
        article.language = language
        article.kind = kind
        article.visibility = visibility
        article.category = category
        article.updated_at = now
        article.updated_by = actor
        if publish is not None:
            article.status = ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT
        if article.is_published and article.published_at is None:
            article.published_at = now
        article.revision += 1
        article.save()
        ArticleRevision.objects.create(
            article=article,
            number=article.revision,
            title=article.title,
            summary=article.summary,
            body=article.body,
            error_codes=article.error_codes,
            author=actor,
            created_at=now,
            note=note.strip()[:200],
        )
        _reindex(article)
    return article


def _edit(actor: User, article: Article, **changes: Any) -> Article:
    values: dict[str, Any] = {
        "title": article.title,
        "body": article.body,
        "language": article.language,
        "kind": article.kind,
        "visibility": article.visibility,
        "category": article.category,
        "summary": article.summary,
        "error_codes": article.error_codes,
        "slug": article.slug,
    }
    values.update(changes)
    return article_save(actor=actor, article=article, **values)


def article_publish(*, actor: User, article: Article) -> Article:
    return _edit(actor, article, publish=True, note=_("Published"))


def article_unpublish(*, actor: User, article: Article) -> Article:
    return _edit(actor, article, publish=False, note=_("Back to draft"))


def article_restore(*, actor: User, article: Article, revision: ArticleRevision) -> Article:
    """Make an earlier revision the current text (as a new revision)."""
    if revision.article_id != article.pk:
        raise InvalidInput(_("This revision belongs to another article."))
    return _edit(
        actor,
        article,
        title=revision.title,
        summary=revision.summary,
        body=revision.body,
        error_codes=revision.error_codes,
        note=_("Restored revision %(number)s") % {"number": revision.number},
    )


def article_translate(*, actor: User, article: Article) -> Article:
    """Start the other language's version: a draft in the same group, to be translated."""
    language = "en" if article.language == "fr" else "fr"
    existing = Article.objects.filter(group=article.group, language=language).first()
    if existing is not None:
        return existing
    return article_save(
        actor=actor,
        title=article.title,
        body=article.body,
        language=language,
        kind=article.kind,
        visibility=article.visibility,
        category=article.category,
        summary=article.summary,
        error_codes=article.error_codes,
        group=article.group,
        note=_("Translation started"),
        publish=False,
    )


def article_link_translation(*, actor: User, article: Article, other: Article) -> Article:
    """Declare `other` the same article in the other language."""
    require_staff(actor, STAFF_ONLY)
    if other.pk == article.pk or other.language == article.language:
        raise InvalidInput(_("Choose the version in the other language."), field="other")
    with transaction.atomic():
        taken = (
            Article.objects.filter(group=article.group, language=other.language)
            .exclude(pk=other.pk)
            .exists()
        )
        if taken:
            raise InvalidInput(
                _("This article already has a version in this language."), field="other"
            )
        Article.objects.filter(pk=other.pk).update(group=article.group)
        other.group = article.group
        _reindex(other)
    return other


def image_type(head: bytes) -> str | None:
    """The content type of an image file from its first 16 bytes (PNG, JPEG, GIF, WebP)."""
    for magic, content_type in IMAGE_TYPES.items():
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def article_file_add(*, actor: User, article: Article, name: str, content: bytes) -> ArticleFile:
    """Attach an image (PNG, JPEG, GIF or WebP, checked by content) to an article."""
    require_staff(actor, STAFF_ONLY)
    if len(content) > MAX_IMAGE_BYTES:
        raise InvalidInput(_("An image is limited to 5 MB."), field="file")
    content_type = image_type(content[:16])
    if content_type is None:
        raise InvalidInput(_("Only PNG, JPEG, GIF and WebP images can be added."), field="file")
    name = re.sub(r"[^\w.-]+", "-", name.rsplit("/", 1)[-1]).strip("-.")[:150] or "image"
    item = ArticleFile(
        article=article, name=name, content_type=content_type, size=len(content), uploaded_by=actor
    )
    item.file.save(name, ContentFile(content), save=False)
    item.save()
    return item


def faq_from_reply(*, actor: User, message: Message) -> Article:
    """A draft FAQ entry from a public reply: the request's subject asks, the reply answers."""
    require_staff(actor, STAFF_ONLY)
    if message.kind != MessageKind.REPLY:
        raise InvalidInput(_("Only a public reply can become an FAQ entry."), field="message")
    ticket = message.ticket
    return article_save(
        actor=actor,
        title=ticket.subject[:200],
        body=message.body,
        language=ticket.organization.language,
        kind=Kind.FAQ,
        visibility=Visibility.CLIENTS,
        note=_("From a reply to request #%(number)s") % {"number": ticket.number},
        publish=False,
    )


def category_save(
    *,
    actor: User,
    category: Category | None = None,
    name_fr: str,
    name_en: str = "",
    slug: str = "",
    position: int = 0,
) -> Category:
    require_staff(actor, STAFF_ONLY)
    name_fr = " ".join(name_fr.split())
    if not name_fr:
        raise InvalidInput(_("The French name is required."), field="name_fr")
    category = category or Category()
    category.name_fr = name_fr[:120]
    category.name_en = " ".join(name_en.split())[:120]
    category.slug = slugify(slug or category.slug or name_fr)[:80] or "categorie"
    category.position = max(0, min(position, 32767))
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError as exc:
        raise InvalidInput(_("Another category has this short name."), field="slug") from exc
    return category


def support_contact_save(*, actor: User, **fields: str) -> SupportContact:
    """Edit the coordinates and the support levels shown on the public support page."""
    require_manager(actor, _("Only a support manager can change the support page."))
    allowed = {f.name for f in SupportContact._meta.get_fields()} - {"id", "updated_at"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput(_("Unknown field: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    with transaction.atomic():
        contact, _created = SupportContact.objects.select_for_update().get_or_create(pk=1)
        for name, value in fields.items():
            setattr(contact, name, value.strip())
        contact.updated_at = _now()
        contact.updated_by = actor
        contact.full_clean()
        contact.save()
    return contact


# --- figures without personal data -------------------------------------------------------------


def _salt(day: date) -> str:
    salt = DailySalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if salt is None:
        try:
            with transaction.atomic():
                salt = DailySalt.objects.create(day=day, salt=secrets.token_hex(32)).salt
        except IntegrityError:
            salt = DailySalt.objects.get(day=day).salt
    return salt


def visitor_hash(visitor_key: str, day: date) -> str:
    """Who the visitor is today, as a hash nobody can reverse once the day's salt is deleted."""
    return hashlib.sha256(f"{_salt(day)}|{visitor_key}".encode()).hexdigest()


def _bump_day(article_id: int, day: date, **deltas: int) -> None:
    changes = {name: F(name) + delta for name, delta in deltas.items()}
    if ArticleDay.objects.filter(article_id=article_id, day=day).update(**changes):
        return
    try:
        with transaction.atomic():
            ArticleDay.objects.create(
                article_id=article_id, day=day, **{k: max(v, 0) for k, v in deltas.items()}
            )
    except IntegrityError:
        ArticleDay.objects.filter(article_id=article_id, day=day).update(**changes)


@transaction.atomic
def article_viewed(*, article: Article, visitor_key: str) -> bool:
    """Count a view once per visitor and day; returns whether this one counted."""
    day = local_day()
    try:
        with transaction.atomic():
            VisitorMark.objects.create(
                article=article,
                day=day,
                visitor=visitor_hash(visitor_key, day),
                action=VisitorMark.Action.VIEW,
            )
    except IntegrityError:
        return False
    _bump_day(article.pk, day, views=1)
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
    return True


@transaction.atomic
def article_vote(*, article: Article, visitor_key: str, helpful: bool) -> None:
    """ "Was this helpful?": one vote per visitor and day, which the visitor may change."""
    day = local_day()
    visitor = visitor_hash(visitor_key, day)
    value = 1 if helpful else 0
    mark = (
        VisitorMark.objects.select_for_update()
        .filter(article=article, day=day, visitor=visitor, action=VisitorMark.Action.VOTE)
        .first()
    )
    if mark is not None and mark.value == value:
        return
    deltas = {"helpful": 0, "unhelpful": 0}
    deltas["helpful" if helpful else "unhelpful"] += 1
    if mark is not None:
        deltas["unhelpful" if helpful else "helpful"] -= 1
        mark.value = value
        mark.save(update_fields=["value"])
    else:
        VisitorMark.objects.create(
            article=article, day=day, visitor=visitor, action=VisitorMark.Action.VOTE, value=value
        )
    _bump_day(article.pk, day, **deltas)
    Article.objects.filter(pk=article.pk).update(
        helpful_count=F("helpful_count") + deltas["helpful"],
        unhelpful_count=F("unhelpful_count") + deltas["unhelpful"],
    )


_EMAIL = re.compile(r"\S+@\S+")
_DIGITS = re.compile(r"\d{6,}")


def normalized_query(query: str) -> str:
    """A query as kept in the figures: lower case, spaces collapsed, no email or long number."""
    text = _DIGITS.sub("#", _EMAIL.sub("@", query.casefold()))
    return " ".join(text.split())[:200]


def search_recorded(*, query: str, language: str, found: int) -> None:
    """Count a search (and whether it found nothing), for "what to write next"."""
    text = normalized_query(query)
    if not text:
        return
    day = local_day()
    misses = 0 if found else 1
    key = {"day": day, "language": language[:2], "query": text}
    with transaction.atomic():
        if SearchStat.objects.filter(**key).update(
            searches=F("searches") + 1, misses=F("misses") + misses
        ):
            return
        try:
            with transaction.atomic():
                SearchStat.objects.create(**key, searches=1, misses=misses)
        except IntegrityError:
            SearchStat.objects.filter(**key).update(
                searches=F("searches") + 1, misses=F("misses") + misses
            )


def form_token() -> str:
    """A signed random key for one new-request form: it names the form, not the person."""
    return signing.dumps(secrets.token_hex(16), salt=FORM_SALT, compress=False)


def _form_key(token: str) -> str | None:
    try:
        key = signing.loads(token, salt=FORM_SALT, max_age=FORM_MAX_AGE)
    except signing.BadSignature:
        return None
    return key if isinstance(key, str) and len(key) == 32 else None


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def suggestion_opened(*, token: str, article: Article) -> bool:
    """The client opened a suggested article from the form `token`; returns whether it counted."""
    key = _form_key(token)
    if key is None:
        return False
    now = _now()
    with transaction.atomic():
        form, created = RequestForm.objects.get_or_create(
            key=key,
            defaults={"week": _week(local_day(now)), "opened_at": now, "opened_article": article},
        )
        if not created and form.opened_at is None:
            form.opened_at, form.opened_article = now, article
            form.save(update_fields=["opened_at", "opened_article"])
    return True


def request_form_filed(*, token: str) -> bool:
    """The form `token` was sent: whatever was opened from it is not a deflection."""
    key = _form_key(token)
    if key is None:
        return False
    now = _now()
    with transaction.atomic():
        form, created = RequestForm.objects.get_or_create(
            key=key, defaults={"week": _week(local_day(now)), "filed_at": now}
        )
        if not created and form.filed_at is None:
            form.filed_at = now
            form.save(update_fields=["filed_at"])
    return True


def forget_past_visitors(*, today: date | None = None) -> int:
    """Delete the visitor hashes and salts of past days, and search figures past retention."""
    today = today or local_day()
    with transaction.atomic():
        marks, _details = VisitorMark.objects.filter(day__lt=today).delete()
        DailySalt.objects.filter(day__lt=today).delete()
        SearchStat.objects.filter(day__lt=today - timedelta(days=SEARCH_STATS_DAYS)).delete()
    return marks


def delete_articles(*, actor: User, articles: Iterable[Article]) -> int:
    """Delete articles for good (their revisions, files and figures go with them)."""
    require_manager(actor, _("Only a support manager can delete articles."))
    ids = [a.pk for a in articles]
    with transaction.atomic():
        deleted, _details = Article.objects.filter(pk__in=ids).delete()
        backend().remove(ids)
    return deleted
