"""Articles as Markdown files with YAML front matter, so a vendor can load its documentation.

    ---
    title: Vider le cache
    slug: vider-le-cache
    language: fr
    kind: troubleshooting        # documentation | troubleshooting | faq
    visibility: public           # public | clients | staff
    status: published            # published | draft
    category: publication        # a category's short name (made when missing)
    translation: cache           # the same key on the French and English files links them
    summary: Quand les pages ne changent pas.
    error_codes: [ERR-CACHE-7]
    ---
    Texte en **Markdown**. ![capture](images/cache.png)

Images referenced by a relative path inside the folder become the article's files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.urls import reverse

from soutien.accounts.models import User
from soutien.core.errors import InvalidInput, ServiceError
from soutien.kb import services
from soutien.kb.models import Article, ArticleFile, ArticleStatus, Category, Kind, Visibility

VISIBILITY_NAMES = {
    "public": Visibility.PUBLIC,
    "clients": Visibility.CLIENTS,
    "staff": Visibility.STAFF,
}
NAME_OF_VISIBILITY: dict[int, str] = {value: name for name, value in VISIBILITY_NAMES.items()}
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
_FILE_URL = re.compile(r"/aide/fichiers/(\d+)/[^)\s]*")
MAX_FILE_BYTES = 1_000_000


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] | None = None


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The YAML header and the Markdown body of a file."""
    text = text.lstrip("\ufeff")
    if not text.startswith("---"):
        return {}, text
    end = re.search(r"^---\s*$", text[3:], flags=re.MULTILINE)
    if end is None:
        raise InvalidInput("The front matter has no closing ---.")
    header = yaml.safe_load(text[3 : 3 + end.start()]) or {}
    if not isinstance(header, dict):
        raise InvalidInput("The front matter must be a mapping of names to values.")
    return header, text[3 + end.end() :].lstrip("\n")


def markdown_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.md") if p.is_file())


def _choice(header: dict[str, Any], name: str, allowed: dict[str, Any], default: str) -> Any:
    value = str(header.get(name, default)).strip().lower()
    if value not in allowed:
        raise InvalidInput(f"{name}: {value!r} is not one of {', '.join(allowed)}.")
    return allowed[value]


def _category(slug: str) -> Category:
    found = Category.objects.filter(slug=slug).first()
    return found or Category.objects.create(
        slug=slug[:80], name_fr=slug.replace("-", " ").capitalize()
    )


def _attach(actor: User, article: Article, body: str, source: Path, root: Path) -> str:
    """Store the images a body refers to (inside `root` only) and point the body at them."""

    def replace(match: re.Match[str]) -> str:
        alt, target = match.group(1), match.group(2)
        if re.match(r"^[a-z]+:|^/", target):
            return match.group(0)
        path = (source.parent / target).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return match.group(0)
        content = path.read_bytes()[: services.MAX_IMAGE_BYTES + 1]
        existing = next(
            (f for f in article.files.all() if f.name == path.name and f.size == len(content)),
            None,
        )
        item = existing or services.article_file_add(
            actor=actor, article=article, name=path.name, content=content
        )
        return f"![{alt}]({reverse('public:file', args=[item.pk, item.name])})"

    return _IMAGE.sub(replace, body)


def import_file(actor: User, source: Path, root: Path) -> str:
    """Create or update the article of one file; returns "created", "updated" or "unchanged"."""
    header, body = split_front_matter(source.read_text(encoding="utf-8"))
    title = str(header.get("title") or "").strip()
    if not title:
        raise InvalidInput("title is missing.")
    fields: dict[str, Any] = {
        "title": title,
        "language": _choice(header, "language", {"fr": "fr", "en": "en"}, "fr"),
        "kind": _choice(header, "kind", {k: k for k in Kind.values}, Kind.DOCUMENTATION),
        "visibility": _choice(header, "visibility", VISIBILITY_NAMES, "public"),
        "summary": str(header.get("summary") or ""),
        "error_codes": "\n".join(str(c) for c in (header.get("error_codes") or [])),
        "category": _category(str(header["category"])) if header.get("category") else None,
    }
    status = _choice(header, "status", {"published": True, "draft": False}, ArticleStatus.PUBLISHED)
    slug = str(header.get("slug") or "").strip()
    group = str(header.get("translation") or "").strip()
    with transaction.atomic():
        article = Article.objects.filter(slug=slug).first() if slug else None
        if article is None and group:
            article = Article.objects.filter(group=group, language=fields["language"]).first()
        outcome = "updated" if article else "created"
        if article is None:
            article = services.article_save(
                actor=actor, body=body, slug=slug, group=group, note="Import", **fields
            )
        final_body = _attach(actor, article, body, source, root)
        same = (
            article.body == final_body
            and article.is_published == status
            and all(getattr(article, name) == value for name, value in fields.items())
        )
        if same:
            return "unchanged" if outcome == "updated" else outcome
        services.article_save(
            actor=actor,
            article=article,
            body=final_body,
            slug=slug or article.slug,
            group=group,
            note="Import",
            publish=status,
            **fields,
        )
    return outcome


def import_folder(
    actor: User, folder: Path, on_file: Callable[[Path], None] | None = None
) -> Outcome:
    root = folder.resolve()
    outcome = Outcome(errors=[])
    for source in markdown_files(root):
        try:
            result = import_file(actor, source, root)
        except (ServiceError, yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
            assert outcome.errors is not None
            outcome.errors.append(f"{source.relative_to(root)}: {exc}")
        else:
            setattr(outcome, result, getattr(outcome, result) + 1)
        if on_file:
            on_file(source)
    return outcome


def export_articles(folder: Path, *, published_only: bool = False) -> Iterator[Path]:
    """Write each article to FOLDER/<language>/<slug>.md and its images to FOLDER/images/."""
    qs = Article.objects.select_related("category").prefetch_related("files").order_by("pk")
    if published_only:
        qs = qs.filter(status=ArticleStatus.PUBLISHED)
    images = folder / "images"
    for article in qs.iterator(chunk_size=500):
        files = {str(f.pk): f for f in article.files.all()}

        def relative(match: re.Match[str], files: dict[str, ArticleFile] = files) -> str:
            item = files.get(match.group(1))
            if item is None:
                return match.group(0)
            images.mkdir(parents=True, exist_ok=True)
            name = f"{item.pk}-{item.name}"
            with item.file.open("rb") as handle:
                (images / name).write_bytes(handle.read())
            return f"../images/{name}"

        header = {
            "title": article.title,
            "slug": article.slug,
            "language": article.language,
            "kind": article.kind,
            "visibility": NAME_OF_VISIBILITY[article.visibility],
            "status": article.status,
            "translation": article.group,
            "category": article.category.slug if article.category else None,
            "summary": article.summary or None,
            "error_codes": article.codes or None,
            "updated": article.updated_at.isoformat(),
        }
        header = {k: v for k, v in header.items() if v is not None}
        text = "---\n" + yaml.safe_dump(header, allow_unicode=True, sort_keys=False) + "---\n"
        text += _FILE_URL.sub(relative, article.body)
        target = folder / article.language / f"{article.slug}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        yield target
