"""Knowledge base: search, popular topics, article read and suggestions (no token needed for
public articles; a client's token also shows clients-only articles, a staff token everything)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import AuthenticationError
from pydantic import AfterValidator, Field

from soutien.accounts.models import User
from soutien.api.v1.auth import bearer
from soutien.api.v1.common import Id, LocalDateTime, no_nul
from soutien.core.errors import InvalidInput
from soutien.kb import selectors, services
from soutien.kb.models import Article
from soutien.kb.search.text import LANGUAGES


class OptionalBearer:
    """A bearer token if one is given (and it must then be valid); anonymous otherwise."""

    def __call__(self, request: HttpRequest) -> User | Literal[True]:
        if "Authorization" not in request.headers:
            return True
        user = bearer(request)
        if user is None:
            raise AuthenticationError(401, _("Sign in: a valid token is needed."))
        return user


optional = OptionalBearer()
router = Router(tags=["knowledge base"], auth=optional)

KindName = Literal["documentation", "troubleshooting", "faq"]
LanguageName = Literal["fr", "en"]
Query = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(no_nul)]
Limit = Annotated[int, Field(ge=1, le=50)]


def _reader(request: HttpRequest) -> User | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, User) else None


def _default_language(lang: str | None) -> str:
    current = (lang or get_language() or "fr")[:2]
    return current if current in LANGUAGES else "fr"


class ArticleItem(Schema):
    id: int
    title: str
    kind: str
    url: str
    language: str
    summary: str
    updated_at: LocalDateTime


class Translation(Schema):
    id: int
    language: str
    url: str


class ArticleOut(ArticleItem):
    category: str | None
    visibility: str
    body: str = Field(description="Markdown source")
    body_html: str = Field(description="Rendered and sanitized HTML")
    error_codes: list[str]
    views: int
    helpful: int
    not_helpful: int
    translations: list[Translation]


class SuggestionsIn(Schema):
    subject: Annotated[str, Field(max_length=255), AfterValidator(no_nul)] = ""
    body: Annotated[str, Field(max_length=100_000), AfterValidator(no_nul)] = ""
    lang: LanguageName | None = None
    limit: Limit = 5


class VoteIn(Schema):
    helpful: bool


def _url(request: HttpRequest, article: Article) -> str:
    return request.build_absolute_uri(reverse("public:article", args=[article.slug]))


def _item(request: HttpRequest, article: Article) -> dict[str, Any]:
    return {
        "id": article.pk,
        "title": article.title,
        "kind": article.kind,
        "url": _url(request, article),
        "language": article.language,
        "summary": article.summary,
        "updated_at": article.updated_at,
    }


def _visitor(request: HttpRequest) -> str:
    user = _reader(request)
    if user is not None:
        return f"user:{user.pk}"
    agent = request.headers.get("user-agent", "")[:300]
    return f"{request.META.get('REMOTE_ADDR', '')}|{agent}"


@router.get("/search", response=list[ArticleItem], summary="Search the knowledge base")
def search(
    request: HttpRequest,
    q: Query,
    lang: LanguageName | None = None,
    kind: KindName | None = None,
    limit: Limit = 10,
) -> list[dict[str, Any]]:
    """Web-search syntax: words are all required, "quoted phrase", -excluded, `or`.

    Accent-insensitive and stemmed in French and English; `lang` is the preferred language
    (guessed from the query when absent). When no article has every word, the articles with
    some of them are returned.
    """
    reader = _reader(request)
    result = selectors.search(
        reader, q, language=lang, kind=kind, limit=limit, default_language=_default_language(lang)
    )
    if result.query and not (reader and reader.is_staff_member):
        services.search_recorded(
            query=result.query, language=result.language, found=len(result.articles)
        )
    return [_item(request, article) for article in result.articles]


@router.get("/popular", response=list[ArticleItem], summary="Most consulted articles")
def popular(
    request: HttpRequest,
    lang: LanguageName | None = None,
    kind: KindName | None = None,
    limit: Limit = 10,
) -> list[dict[str, Any]]:
    """The most consulted topics first, each once, in `lang` when it has that version."""
    articles = selectors.most_consulted(
        _reader(request), language=_default_language(lang), kind=kind, limit=limit
    )
    return [_item(request, article) for article in articles]


@router.post("/suggestions", response=list[ArticleItem], summary="Suggest articles for a request")
def suggestions(request: HttpRequest, payload: SuggestionsIn) -> list[dict[str, Any]]:
    """Articles that may answer a request being written, from its subject and body (quoted error
    messages and error codes count most)."""
    articles = selectors.suggest(
        _reader(request),
        subject=payload.subject,
        body=payload.body,
        language=payload.lang,
        limit=payload.limit,
        default_language=_default_language(payload.lang),
    )
    return [_item(request, article) for article in articles]


@router.get("/articles/{article_id}", response=ArticleOut, summary="Read an article")
def read_article(request: HttpRequest, article_id: Id) -> dict[str, Any]:
    """A published article the caller may read (404 otherwise); the read counts as a view."""
    reader = _reader(request)
    article = selectors.article_for(reader, pk=article_id)
    if not article.is_published:
        # Staff drafts are for the console; the API serves what readers can see.
        raise InvalidInput(_("This article is not published."), field="article_id")
    if not (reader and reader.is_staff_member):
        services.article_viewed(article=article, visitor_key=_visitor(request))
        article.refresh_from_db(fields=["view_count"])
    language = article.language
    return {
        **_item(request, article),
        "category": article.category.name(language) if article.category else None,
        "visibility": {0: "public", 1: "clients", 2: "staff"}[article.visibility],
        "body": article.body,
        "body_html": article.body_html,
        "error_codes": article.codes,
        "views": article.view_count,
        "helpful": article.helpful_count,
        "not_helpful": article.unhelpful_count,
        "translations": [
            {"id": t.pk, "language": t.language, "url": _url(request, t)}
            for t in selectors.translations_of(reader, article)
        ],
    }


@router.post(
    "/articles/{article_id}/vote", response={204: None}, summary="Was this article helpful?"
)
def vote(request: HttpRequest, article_id: Id, payload: VoteIn) -> Status[None]:
    """One vote per visitor and day; voting again the same day replaces the vote."""
    article = selectors.article_for(_reader(request), pk=article_id)
    if not article.is_published:
        raise InvalidInput(_("This article is not published."), field="article_id")
    services.article_vote(article=article, visitor_key=_visitor(request), helpful=payload.helpful)
    return Status(204, None)
