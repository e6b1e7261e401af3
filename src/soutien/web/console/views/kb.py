"""The knowledge base in the console: write, publish, translate, measure; the reply panel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from soutien.accounts.models import User
from soutien.core.errors import ServiceError
from soutien.kb import selectors, services
from soutien.kb.markdown import plain_text
from soutien.kb.models import Article, ArticleRevision, ArticleStatus, Category, Kind
from soutien.ticketing.models import Message, MessageKind
from soutien.ticketing.selectors import tickets_visible_to
from soutien.web.access import current_user, manager_required, staff_required
from soutien.web.console.forms.kb import (
    ArticleForm,
    CategoryForm,
    ImageForm,
    LinkForm,
    SupportContactForm,
)
from soutien.web.forms import apply_service_error, initial_from, reporting
from soutien.web.paging import page_number

PAGE_SIZE = 50


@staff_required
def article_list(request: HttpRequest) -> HttpResponse:
    qs = Article.objects.select_related("category", "updated_by").defer("body", "body_html")
    q = request.GET.get("q", "").strip()[:200]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(slug__icontains=q))
    filters = {name: request.GET.get(name, "") for name in ("kind", "status", "language")}
    valid = {"kind": Kind.values, "status": ArticleStatus.values, "language": ["fr", "en"]}
    for name, value in filters.items():
        if value in valid[name]:
            qs = qs.filter(**{name: value})
    page = page_number(request)
    start = (page - 1) * PAGE_SIZE
    rows = list(qs.order_by("-updated_at", "-id")[start : start + PAGE_SIZE + 1])
    context = {
        "articles": rows[:PAGE_SIZE],
        "page": page,
        "has_next": len(rows) > PAGE_SIZE,
        "q": q,
        "filters": filters,
        "kinds": Kind.choices,
        "statuses": ArticleStatus.choices,
    }
    return render(request, "console/kb/article_list.html", context)


@staff_required
def figures(request: HttpRequest) -> HttpResponse:
    """Top articles, searches with no result, votes, and the weekly deflection rate."""
    context = {
        "top": selectors.top_articles(days=30),
        "misses": selectors.searches_without_result(days=30),
        "least_helpful": selectors.least_helpful(),
        "weeks": selectors.deflection_by_week(weeks=8),
    }
    return render(request, "console/kb/figures.html", context)


def _article(request: HttpRequest, article_id: int) -> tuple[User, Article]:
    return current_user(request), get_object_or_404(Article, pk=article_id)


def _to_editor(article: Article) -> HttpResponse:
    return redirect("console:kb_article", article_id=article.pk)


def _editor(request: HttpRequest, article: Article | None, form: ArticleForm) -> HttpResponse:
    context: dict[str, Any] = {"article": article, "form": form}
    if article is not None:
        context.update(
            revisions=article.revisions.select_related("author")[:50],
            files=article.files.all(),
            translations=Article.objects.filter(group=article.group).exclude(pk=article.pk),
            image_form=ImageForm(),
            link_form=LinkForm(),
        )
    status = 400 if form.errors else 200
    return render(request, "console/kb/article_edit.html", context, status=status)


@staff_required
def article_edit(request: HttpRequest, article_id: int | None = None) -> HttpResponse:
    article = get_object_or_404(Article, pk=article_id) if article_id else None
    if request.method != "POST":
        initial = (
            initial_from(article, ArticleForm) if article else {"language": "fr", "kind": Kind.FAQ}
        )
        return _editor(request, article, ArticleForm(initial=initial))
    form = ArticleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        publish = {"publish": True, "draft": False}.get(request.POST.get("then", ""))
        try:
            saved = services.article_save(
                actor=current_user(request), article=article, publish=publish, **data
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request, _("Published.") if saved.is_published else _("Saved as a draft.")
            )
            return _to_editor(saved)
    return _editor(request, article, form)


@staff_required
@require_POST
def article_unpublish(request: HttpRequest, article_id: int) -> HttpResponse:
    """Take a published article back to draft."""
    user, article = _article(request, article_id)
    with reporting(request, _("Back to draft: readers no longer see it.")):
        services.article_unpublish(actor=user, article=article)
    return _to_editor(article)


@staff_required
@require_POST
def article_translate(request: HttpRequest, article_id: int) -> HttpResponse:
    """Start the version in the other language, and open it."""
    user, article = _article(request, article_id)
    target = article
    with reporting(request, _("Translate this draft, then publish it.")):
        target = services.article_translate(actor=user, article=article)
    return _to_editor(target)


@staff_required
@require_POST
def article_link(request: HttpRequest, article_id: int) -> HttpResponse:
    """Declare another article the same one in the other language."""
    user, article = _article(request, article_id)
    form = LinkForm(request.POST)
    other = Article.objects.filter(slug=request.POST.get("other", "")).first()
    if not form.is_valid() or other is None:
        messages.error(request, _("No article has this address."))
    else:
        with reporting(request, _("The two versions are now linked.")):
            services.article_link_translation(actor=user, article=article, other=other)
    return _to_editor(article)


@staff_required
@require_POST
def article_image(request: HttpRequest, article_id: int) -> HttpResponse:
    """Add an image to an article; the message gives the Markdown that shows it."""
    user, article = _article(request, article_id)
    form = ImageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an image to add."))
        return _to_editor(article)
    upload = form.cleaned_data["file"]
    if upload.size > services.MAX_IMAGE_BYTES:
        messages.error(request, _("An image is limited to 5 MB."))
        return _to_editor(article)
    try:
        item = services.article_file_add(
            actor=user, article=article, name=upload.name, content=upload.read()
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        url = reverse("public:file", args=[item.pk, item.name])
        messages.success(
            request,
            _("Image added. Put it in the text with: %(code)s")
            % {"code": f"![{item.name}]({url})"},
        )
    return _to_editor(article)


@staff_required
@require_POST
def article_delete(request: HttpRequest, article_id: int) -> HttpResponse:
    """Delete an article and go back to the list."""
    user, article = _article(request, article_id)
    try:
        services.delete_articles(actor=user, articles=[article])
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _to_editor(article)
    messages.success(request, _("Article deleted."))
    return redirect("console:kb_articles")


@staff_required
def revision(request: HttpRequest, article_id: int, number: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=article_id)
    found = get_object_or_404(
        ArticleRevision.objects.select_related("author"), article=article, number=number
    )
    if request.method == "POST":
        with reporting(request, _("Revision %(number)s restored.") % {"number": number}):
            services.article_restore(actor=current_user(request), article=article, revision=found)
        return _to_editor(article)
    return render(request, "console/kb/revision.html", {"article": article, "revision": found})


@staff_required
def categories(request: HttpRequest, category_id: int | None = None) -> HttpResponse:
    category = get_object_or_404(Category, pk=category_id) if category_id else None
    if request.method == "POST":
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                services.category_save(
                    actor=current_user(request), category=category, **form.cleaned_data
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Category saved."))
                return redirect("console:kb_categories")
    elif category is not None:
        form = CategoryForm(initial=initial_from(category, CategoryForm))
    else:
        form = CategoryForm()
    context = {"categories": Category.objects.all(), "form": form, "category": category}
    status = 400 if form.errors else 200
    return render(request, "console/kb/categories.html", context, status=status)


@manager_required
def support_contact(request: HttpRequest) -> HttpResponse:
    """The coordinates and support levels of the public support page."""
    current = selectors.support_contact()
    form = SupportContactForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.support_contact_save(
                actor=current_user(request),
                **{name: str(value) for name, value in form.cleaned_data.items()},
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The support page is up to date."))
            return redirect("console:kb_support")
    status = 400 if form.errors else 200
    return render(request, "console/kb/support_contact.html", {"form": form}, status=status)


# --- the panel of a request's page -------------------------------------------------------------


@staff_required
@require_GET
def panel_search(request: HttpRequest) -> HttpResponse:
    result = selectors.search(current_user(request), request.GET.get("q", ""), limit=8)
    return render(request, "console/kb/_panel_results.html", {"result": result})


@staff_required
@require_GET
def article_text(request: HttpRequest, article_id: int) -> JsonResponse:
    """What the panel inserts into a reply: title, public address, and the text."""
    article = selectors.article_for(current_user(request), pk=article_id)
    url = request.build_absolute_uri(reverse("public:article", args=[article.slug]))
    return JsonResponse({"title": article.title, "url": url, "text": plain_text(article.body_html)})


@staff_required
@require_POST
def faq_from_reply(request: HttpRequest, message_id: int) -> HttpResponse:
    user = current_user(request)
    message = get_object_or_404(
        Message.objects.select_related("ticket__organization"),
        pk=message_id,
        kind=MessageKind.REPLY,
        ticket__in=tickets_visible_to(user),
    )
    article = services.faq_from_reply(actor=user, message=message)
    messages.success(request, _("Draft FAQ entry made from the reply: edit it, then publish it."))
    return _to_editor(article)
