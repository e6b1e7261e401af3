"""The help centre: public pages (no sign-in needed), clients-only articles, suggestions."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from soutien.accounts.models import User
from soutien.kb import selectors, services
from soutien.kb.models import ArticleFile, Category, Kind
from soutien.web.paging import page_number

PAGE_SIZE = 30
# The three lists of the help centre, by their French addresses.
KIND_SLUGS = {
    "documentation": Kind.DOCUMENTATION,
    "depannage": Kind.TROUBLESHOOTING,
    "faq": Kind.FAQ,
}
SLUG_OF_KIND: dict[str, str] = {kind: slug for slug, kind in KIND_SLUGS.items()}


def language() -> str:
    current = (get_language() or "fr")[:2]
    return current if current in ("fr", "en") else "fr"


def visitor_key(request: HttpRequest) -> str:
    """What tells visitors apart; only its daily-salted hash is ever stored."""
    user = request.user
    if user.is_authenticated:
        return f"user:{user.pk}"
    agent = request.headers.get("user-agent", "")[:300]
    return f"{request.META.get('REMOTE_ADDR', '')}|{agent}"


def _is_staff(request: HttpRequest) -> bool:
    return isinstance(request.user, User) and request.user.is_staff_member


def home(request: HttpRequest) -> HttpResponse:
    lang = language()
    context = {
        "faq": selectors.most_consulted(request.user, language=lang, kind=Kind.FAQ, limit=8),
        "troubleshooting": selectors.most_consulted(
            request.user, language=lang, kind=Kind.TROUBLESHOOTING, limit=8
        ),
        "documentation": selectors.most_consulted(
            request.user, language=lang, kind=Kind.DOCUMENTATION, limit=8
        ),
        "categories": Category.objects.all()[:100],
        "kind_slugs": SLUG_OF_KIND,
    }
    return render(request, "public/kb/home.html", context)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    kind = request.GET.get("kind", "")
    if kind not in Kind.values:
        kind = ""
    result = selectors.search(
        request.user, query, kind=kind or None, limit=20, default_language=language()
    )
    if result.query and not _is_staff(request) and not request.htmx:  # type: ignore[attr-defined]
        services.search_recorded(
            query=result.query, language=result.language, found=len(result.articles)
        )
    context = {"result": result, "kind": kind, "kinds": Kind.choices}
    template = "public/kb/_results.html" if request.htmx else "public/kb/search.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def kind_list(request: HttpRequest, kind_slug: str) -> HttpResponse:
    kind = KIND_SLUGS.get(kind_slug)
    if kind is None:
        raise Http404
    page = page_number(request)
    rows = selectors.most_consulted(
        request.user,
        language=language(),
        kind=kind,
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    context = {
        "kind": kind,
        "kind_label": Kind(kind).label,
        "articles": rows[:PAGE_SIZE],
        "page": page,
        "has_next": len(rows) > PAGE_SIZE,
    }
    return render(request, "public/kb/kind_list.html", context)


def category(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Category, slug=slug)
    articles = selectors.in_category(request.user, category_id=found.pk, language=language())
    return render(request, "public/kb/category.html", {"category": found, "articles": articles})


def article(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.article_for(request.user, slug=slug)
    if found.is_published and not _is_staff(request):
        services.article_viewed(article=found, visitor_key=visitor_key(request))
    context = {
        "article": found,
        "translations": selectors.translations_of(request.user, found),
        "kind_slug": SLUG_OF_KIND[found.kind],
    }
    return render(request, "public/kb/article.html", context)


@require_POST
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.article_for(request.user, slug=slug)
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no") or not found.is_published:
        return HttpResponse(status=400)
    services.article_vote(article=found, visitor_key=visitor_key(request), helpful=helpful == "yes")
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "public/kb/_voted.html", {"article": found})
    return redirect("public:article", slug=found.slug)


def article_file(request: HttpRequest, file_id: int, name: str = "") -> FileResponse:
    """An article's image, to those who may read the article."""
    item = get_object_or_404(ArticleFile.objects.select_related("article"), pk=file_id)
    selectors.article_for(request.user, pk=item.article_id)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    """Articles that match the request a client is typing (htmx, debounced by the form)."""
    subject = request.GET.get("subject", "")[:255]
    body = request.GET.get("body", "")[:5000]
    found = selectors.suggest(request.user, subject=subject, body=body, default_language=language())
    context = {"suggestions": found, "form_token": request.GET.get("kb_form", "")}
    return render(request, "public/kb/_suggestions.html", context)


@require_GET
def suggestion_open(request: HttpRequest, article_id: int) -> HttpResponse:
    """A client opens a suggestion from the new-request form: noted for the deflection rate."""
    found = selectors.article_for(request.user, pk=article_id)
    services.suggestion_opened(token=request.GET.get("f", ""), article=found)
    return redirect("public:article", slug=found.slug)
