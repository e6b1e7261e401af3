"""Reads on the knowledge base, always narrowed to what the reader may see."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import User
from soutien.contracts.models import Plan, Service
from soutien.kb.models import (
    Article,
    ArticleDay,
    ArticleStatus,
    RequestForm,
    SearchStat,
    SupportContact,
    Visibility,
)
from soutien.kb.search import Hit, SearchBackend, backend
from soutien.kb.search.text import (
    LANGUAGES,
    Clause,
    guess_language,
    is_code,
    parse,
    telling_words,
    terms_of,
)
from soutien.kb.services import local_day
from soutien.sla.models import ServiceCalendar

Reader = User | AnonymousUser | None
MAX_QUERY = 200
# Of a request being typed, the subject and the beginning of the body are enough to suggest.
MAX_SUGGESTION_TEXT = 2000
# Words of a request weighed for suggestions, at most (codes first, then in order of appearance).
SUGGESTION_WORDS = 40
# Of those, the most telling searched: at most this many words, and only as many as keep the
# articles they can match (added up) within SUGGESTION_CANDIDATES. See `suggest`.
SUGGESTION_TERMS = 8
SUGGESTION_CANDIDATES = 2000
# Added to the score of an article that names a quoted message or a code of the request (a
# word of letters and digits that few articles hold: "0x80070005", "ERR-4012").
EXACT_MATCH = 1_000_000.0
EXACT_CODE_ARTICLES = 50
LIST_FIELDS = (
    "id",
    "group",
    "slug",
    "title",
    "summary",
    "kind",
    "language",
    "visibility",
    "updated_at",
    "view_count",
    "category_id",
)


def max_visibility(reader: Reader) -> int:
    """Public for everyone, clients-only for signed-in clients, everything for staff."""
    if not isinstance(reader, User) or not reader.is_authenticated or not reader.is_active:
        return Visibility.PUBLIC
    if reader.is_staff_member:
        return Visibility.STAFF
    if reader.is_client:
        return Visibility.CLIENTS
    return Visibility.PUBLIC


def articles_visible_to(reader: Reader) -> QuerySet[Article]:
    return Article.objects.filter(
        status=ArticleStatus.PUBLISHED, visibility__lte=max_visibility(reader)
    )


def article_for(reader: Reader, *, slug: str | None = None, pk: int | None = None) -> Article:
    """A published article the reader may see (staff also see drafts); 404 otherwise."""
    if max_visibility(reader) == Visibility.STAFF:
        qs = Article.objects.all()
    else:
        qs = articles_visible_to(reader)
    lookup: dict[str, object] = {"slug": slug} if slug is not None else {"pk": pk}
    article = qs.select_related("category", "updated_by").filter(**lookup).first()
    if article is None:
        raise Http404
    return article


def translations_of(reader: Reader, article: Article) -> list[Article]:
    return list(
        articles_visible_to(reader)
        .filter(group=article.group)
        .exclude(pk=article.pk)
        .only("id", "slug", "title", "language")
    )


def _language(value: str | None, text: str, default: str) -> str:
    if value in LANGUAGES:
        return str(value)
    return guess_language(text, default if default in LANGUAGES else "fr")


def _articles(reader: Reader, hits: Sequence[Hit], prefer: str, limit: int) -> list[Article]:
    """One article per topic, in the preferred language when both versions matched."""
    chosen: dict[str, Hit] = {}
    best_score: dict[str, float] = {}
    for hit in hits:
        best = chosen.get(hit.group)
        best_score[hit.group] = max(best_score.get(hit.group, hit.score), hit.score)
        if best is None or (hit.language == prefer and best.language != prefer):
            chosen[hit.group] = hit
    ordered = sorted(chosen.values(), key=lambda h: -best_score[h.group])
    ids = [hit.article_id for hit in ordered][:limit]
    # Read again from the table, so nothing the reader may not see can come from the index.
    rows = articles_visible_to(reader).select_related("category").only(*LIST_FIELDS, "category")
    found = rows.in_bulk(ids)
    return [found[i] for i in ids if i in found]


def _search(
    search_backend: SearchBackend, query: str, clauses: list[Clause], options: dict[str, Any]
) -> list[Hit]:
    """The hits of `clauses`; a topic is excluded by `-word` whichever version names it.

    The backends match each version in its own language, so a clause with excluded words is
    run alone and the topics of its hits that hold an excluded word (in any version) dropped.
    """
    if not any(clause.excluded for clause in clauses):
        return search_backend.search(query, clauses, **options)
    hits: list[Hit] = []
    wider = {**options, "limit": options["limit"] * 3}
    for clause in clauses:
        found = search_backend.search(query, [clause], **(wider if clause.excluded else options))
        if clause.excluded:
            gone = search_backend.groups_holding(
                clause.excluded, sorted({hit.group for hit in found})
            )
            found = [hit for hit in found if hit.group not in gone]
        hits += found
    hits.sort(key=lambda hit: -hit.score)
    return hits


@dataclass
class SearchResult:
    query: str
    language: str
    articles: list[Article] = field(default_factory=list)
    # No article had every word: these have some of them.
    partial: bool = False


def search(
    reader: Reader,
    query: str,
    *,
    language: str | None = None,
    kind: str | None = None,
    limit: int = 10,
    default_language: str = "fr",
) -> SearchResult:
    """Articles for a search box query (web-search syntax), best first."""
    query = " ".join(query.split())[:MAX_QUERY]
    prefer = _language(language, query, default_language)
    result = SearchResult(query=query, language=prefer)
    clauses = parse(query)
    if not clauses:
        return result
    options = {
        "prefer": prefer,
        "max_visibility": max_visibility(reader),
        "kind": kind or None,
        "limit": limit * 2 + 4,
    }
    search_backend = backend()
    hits = _search(search_backend, query, clauses, options)
    if not hits:
        words = [word for clause in clauses for word in clause.words]
        phrases = [phrase for clause in clauses for phrase in clause.phrases]
        if len(words) + len(phrases) > 1:
            hits = search_backend.search_any(words, phrases, **options)  # type: ignore[arg-type]
            result.partial = bool(hits)
    result.articles = _articles(reader, hits, prefer, limit)
    return result


def suggest(
    reader: Reader,
    *,
    subject: str,
    body: str = "",
    language: str | None = None,
    limit: int = 5,
    default_language: str = "fr",
) -> list[Article]:
    """Articles that match what a client is typing: quoted errors, then the most telling words.

    A request has dozens of words, and most are common in any support knowledge base
    ("page", "error", "document"). Searching them all (an OR) matched and ranked half of the
    articles: 50-100 ms at 50,000 articles. So the words are first weighed by their document
    frequency, how many indexed articles hold them (the backends count it the same way: the
    articles holding the word's French or English stem; a table kept exact on PostgreSQL,
    FTS5's own `fts5vocab` on SQLite), and only the most telling are searched: quoted
    passages (error messages) always; then words from the rarest up, at most SUGGESTION_TERMS,
    and only while the articles they can match add up to SUGGESTION_CANDIDATES or fewer (the
    rarest word is always kept); words that no article holds are dropped. Ranking (ts_rank on
    PostgreSQL, bm25 on SQLite: title and codes first, the client's language preferred) thus
    runs on a bounded set of candidates, chosen by what distinguishes them: a rare word names
    the problem better than a common one (an inverse document frequency, which ts_rank lacks).
    On a small knowledge base every word fits in the budget, as before.

    The articles that name a quoted passage or a rare code of the request (a first, small
    search) come before the others, whatever their rank.
    """
    text = f"{subject}\n{body[:MAX_SUGGESTION_TEXT]}"
    candidates, phrases = terms_of(text, limit=SUGGESTION_WORDS)
    if not candidates and not phrases:
        return []
    search_backend = backend()
    frequencies = search_backend.frequencies(candidates) if candidates else {}
    words = telling_words(
        candidates, frequencies, limit=SUGGESTION_TERMS, budget=SUGGESTION_CANDIDATES
    )
    if not words and not phrases:
        return []
    prefer = _language(language, text, default_language)
    visible, wanted = max_visibility(reader), limit * 2 + 4

    def matching(words: Sequence[str], phrases: Sequence[Sequence[str]]) -> list[Hit]:
        return search_backend.search_any(
            words, phrases, prefer=prefer, max_visibility=visible, kind=None, limit=wanted
        )

    hits: list[Hit] = []
    codes = [w for w in words if is_code(w) and frequencies[w] <= EXACT_CODE_ARTICLES]
    if codes or phrases:
        # Articles that name a quoted message or a code of the request come first: ranking
        # alone can put first the articles that have several of its words in their title.
        hits = [
            Hit(h.article_id, h.group, h.language, h.score + EXACT_MATCH)
            for h in matching(codes, phrases)
        ]
    if len(hits) < wanted:
        hits += matching(words, phrases)
    return _articles(reader, hits, prefer, limit)


def _one_per_topic(qs: QuerySet[Article], reader: Reader, language: str) -> QuerySet[Article]:
    """Each topic once: its version in `language`, else the one it has."""
    in_language = articles_visible_to(reader).filter(language=language).values("group")
    return qs.filter(Q(language=language) | ~Q(group__in=in_language))


def most_consulted(
    reader: Reader, *, language: str, kind: str | None = None, limit: int = 20, offset: int = 0
) -> list[Article]:
    """The most consulted topics first (all-time views), in the reader's language."""
    qs = articles_visible_to(reader)
    if kind:
        qs = qs.filter(kind=kind)
    qs = _one_per_topic(qs, reader, language)
    return list(
        qs.select_related("category")
        .only(*LIST_FIELDS, "category")
        .order_by("-view_count", "id")[offset : offset + limit]
    )


def in_category(
    reader: Reader, *, category_id: int, language: str, limit: int = 200
) -> list[Article]:
    qs = _one_per_topic(
        articles_visible_to(reader).filter(category_id=category_id), reader, language
    )
    return list(qs.only(*LIST_FIELDS).order_by("title", "id")[:limit])


# --- figures for the console --------------------------------------------------------------------


@dataclass(frozen=True)
class TopArticle:
    article: Article
    views: int
    helpful: int
    unhelpful: int


def top_articles(*, days: int = 30, limit: int = 20, today: date | None = None) -> list[TopArticle]:
    since = (today or local_day()) - timedelta(days=days - 1)
    rows = list(
        ArticleDay.objects.filter(day__gte=since)
        .values("article_id")
        .annotate(views=Sum("views"), helpful=Sum("helpful"), unhelpful=Sum("unhelpful"))
        .order_by("-views", "article_id")[:limit]
    )
    articles = Article.objects.only(*LIST_FIELDS).in_bulk([r["article_id"] for r in rows])
    return [
        TopArticle(articles[r["article_id"]], r["views"], r["helpful"], r["unhelpful"])
        for r in rows
        if r["article_id"] in articles
    ]


def searches_without_result(
    *, days: int = 30, limit: int = 30, today: date | None = None
) -> list[dict[str, object]]:
    """What readers searched and did not find: what to write next."""
    since = (today or local_day()) - timedelta(days=days - 1)
    return list(
        SearchStat.objects.filter(day__gte=since, misses__gt=0)
        .values("query", "language")
        .annotate(misses=Sum("misses"), searches=Sum("searches"))
        .order_by("-misses", "query")[:limit]
    )


def least_helpful(*, limit: int = 20) -> list[Article]:
    """Articles with votes, the largest share of "not helpful" first."""
    return list(
        Article.objects.filter(Q(helpful_count__gt=0) | Q(unhelpful_count__gt=0))
        .only(*LIST_FIELDS, "helpful_count", "unhelpful_count")
        .order_by("-unhelpful_count", "helpful_count", "id")[:limit]
    )


@dataclass(frozen=True)
class DeflectionWeek:
    week: date
    opened: int  # forms from which a suggestion was opened
    deflected: int  # ... and never sent
    filed: int  # forms sent (with or without a suggestion opened)

    @property
    def rate(self) -> float | None:
        """Share of would-be requests a suggestion answered: deflected / (deflected + filed)."""
        total = self.deflected + self.filed
        return self.deflected / total if total else None


def deflection_by_week(*, weeks: int = 8, today: date | None = None) -> list[DeflectionWeek]:
    day = today or local_day()
    monday = day - timedelta(days=day.weekday())
    first = monday - timedelta(weeks=weeks - 1)
    counts = {first + timedelta(weeks=n): (0, 0, 0) for n in range(weeks)}
    opened = Q(opened_at__isnull=False)
    filed = Q(filed_at__isnull=False)
    rows = (
        RequestForm.objects.filter(week__gte=first, week__lte=monday)
        .values("week")
        .annotate(
            n_opened=Count("id", filter=opened),
            n_deflected=Count("id", filter=opened & ~filed),
            n_filed=Count("id", filter=filed),
        )
    )
    for row in rows:
        counts[row["week"]] = (row["n_opened"], row["n_deflected"], row["n_filed"])
    return [DeflectionWeek(w, *c) for w, c in sorted(counts.items(), reverse=True)]


def support_contact() -> SupportContact:
    return SupportContact.objects.filter(pk=1).first() or SupportContact(pk=1)


def coverage_text(calendar: ServiceCalendar) -> str:
    """Weekly hours in words: "Monday to Friday: 08:30-12:30, 13:00-17:00"."""
    if calendar.always_open:
        return str(_("24 hours a day, 7 days a week"))
    by_day = calendar.windows_by_day()
    runs: list[tuple[int, int, list[tuple[int, int]]]] = []
    for day in range(7):
        ranges = by_day.get(day, [])
        if not ranges:
            continue
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == ranges:
            runs[-1] = (runs[-1][0], day, ranges)
        else:
            runs.append((day, day, ranges))

    def clock(minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    parts = []
    for first, last, ranges in runs:
        days = str(WEEKDAYS[first]) if first == last else f"{WEEKDAYS[first]} - {WEEKDAYS[last]}"
        hours = ", ".join(f"{clock(s)}-{clock(e)}" for s, e in ranges)
        parts.append(f"{days}: {hours}")
    return "; ".join(parts)


@dataclass(frozen=True)
class PlanOffer:
    name: str
    hours: float
    calendar: ServiceCalendar
    coverage: str
    services: list[str]
    is_custom: bool


def support_page_context(language: str) -> dict[str, object]:
    """What the public support page shows besides its hours: coordinates, levels, plans."""
    contact = support_contact()
    levels = [(level, contact.level_examples(level, language)) for level in (1, 2, 3)]
    plans = [
        PlanOffer(
            name=plan.name(language),
            hours=plan.minutes / 60,
            calendar=plan.calendar,
            coverage=coverage_text(plan.calendar),
            services=[str(Service(s).label) for s in plan.services if s in Service.values],
            is_custom=plan.is_custom,
        )
        for plan in Plan.objects.filter(is_active=True).select_related("calendar")
    ]
    return {"contact": contact, "levels": levels, "plans": plans}


# --- for the newsletter ---------------------------------------------------------------------------


def public_published_between(start: datetime, end: datetime) -> list[Article]:
    """Public articles first published in [start, end), every language version, oldest first."""
    return list(
        articles_visible_to(None)
        .filter(published_at__gte=start, published_at__lt=end)
        .only(*LIST_FIELDS)
        .order_by("published_at", "id")
    )


def public_most_viewed_between(first: date, last: date, *, limit: int = 5) -> list[str]:
    """Translation groups of the public articles most viewed from `first` to `last` (local
    dates, both included), views of every language version added up, most first."""
    rows = (
        ArticleDay.objects.filter(
            day__gte=first,
            day__lte=last,
            article__status=ArticleStatus.PUBLISHED,
            article__visibility=Visibility.PUBLIC,
        )
        .values("article__group")
        .annotate(views=Sum("views"))
        .filter(views__gt=0)
        .order_by("-views", "article__group")[:limit]
    )
    return [row["article__group"] for row in rows]


def public_versions(groups: Sequence[str]) -> dict[str, dict[str, Article]]:
    """For each translation group, its public published articles by language."""
    found: dict[str, dict[str, Article]] = {}
    for article in articles_visible_to(None).filter(group__in=list(groups)).only(*LIST_FIELDS):
        found.setdefault(article.group, {})[article.language] = article
    return found
