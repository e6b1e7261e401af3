"""PostgreSQL full-text backend: a tsvector of folded Snowball stems, GIN index, ts_rank.

The stems are made in Python (`text.stems`), as for SQLite, and stored with the `simple`
configuration (no further stemming, no stop words): both backends read every word the same
way, French inflections included, which PostgreSQL's own unaccent + Snowball chain could not
(it stems after removing accents, and keeps "échouent" whole).

Also the document frequency of every lexeme, for suggestions (`kb_search_term`)."""

# ruff: noqa: S608  (SQL is assembled from constants; every value is a parameter)

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from soutien.kb.search.base import PREFERRED_LANGUAGE_BOOST, Document, Hit, SearchBackend
from soutien.kb.search.text import LANGUAGES, Clause, is_stop_word, stem, stems

TABLE = "kb_search"
# ts_rank weights of D, C, B, A: body D, summary B, title and codes A.
WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'"

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    *[
        statement
        for config, snowball in (("kb_fr", "french"), ("kb_en", "english"))
        for statement in (
            f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {config}",
            f"CREATE TEXT SEARCH CONFIGURATION {config} (COPY = pg_catalog.{snowball})",
            f"ALTER TEXT SEARCH CONFIGURATION {config} ALTER MAPPING FOR hword, hword_part, word"
            f" WITH unaccent, {snowball}_stem",
        )
    ],
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        article_id bigint PRIMARY KEY,
        language varchar(2) NOT NULL,
        kind varchar(16) NOT NULL,
        visibility smallint NOT NULL,
        grp varchar(64) NOT NULL,
        document tsvector NOT NULL
    )""",
    # Vectors stay in the row (compressed if need be) rather than out of line in TOAST.
    f"ALTER TABLE {TABLE} ALTER COLUMN document SET STORAGE MAIN",
    f"CREATE INDEX IF NOT EXISTS kb_search_document ON {TABLE} USING GIN (document)",
    # Deleting or emptying kb_article removes the rows here (no foreign key, so that Django's
    # TRUNCATE of its own tables in tests is not refused).
    """CREATE OR REPLACE FUNCTION kb_search_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            DELETE FROM kb_search;
            RETURN NULL;
        END IF;
        DELETE FROM kb_search WHERE article_id = OLD.id;
        RETURN OLD;
    END $$""",
    """CREATE TRIGGER kb_search_forget_row AFTER DELETE ON kb_article
        FOR EACH ROW EXECUTE FUNCTION kb_search_forget()""",
    """CREATE TRIGGER kb_search_forget_all AFTER TRUNCATE ON kb_article
        FOR EACH STATEMENT EXECUTE FUNCTION kb_search_forget()""",
]
DROP = [
    "DROP TRIGGER IF EXISTS kb_search_forget_row ON kb_article",
    "DROP TRIGGER IF EXISTS kb_search_forget_all ON kb_article",
    "DROP FUNCTION IF EXISTS kb_search_forget()",
    f"DROP TABLE IF EXISTS {TABLE}",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS kb_fr",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS kb_en",
]

# Document frequencies: how many indexed articles hold each lexeme (in any language), kept
# exact as articles are indexed, removed or deleted (created by migration 0004). Its writers
# take one transaction-level advisory lock first, so that two saves never update the same
# counters in opposite orders (a deadlock); articles are saved rarely, this costs nothing.
TERMS = "kb_search_term"
TERMS_LOCK = 0x6B62_7465_726D  # "kbterm"
_LOCK_TERMS = f"pg_advisory_xact_lock({TERMS_LOCK})"


def _count_terms(sign: str, source: str, where: str = "true") -> str:
    """Add (sign "+1") or subtract ("-1") the lexemes of the kb_search rows `s` of `source`."""
    return (
        f"INSERT INTO {TERMS} (term, documents)"
        f" SELECT term, {sign} * count(*) FROM {source},"
        f" unnest(tsvector_to_array(s.document)) AS term WHERE {where} GROUP BY term ORDER BY term"
        f" ON CONFLICT (term) DO UPDATE SET documents = {TERMS}.documents + EXCLUDED.documents"
    )


_THESE = "s.article_id = ANY(%s)"
_FORGET_ALL = f"""CREATE OR REPLACE FUNCTION kb_search_forget() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            DELETE FROM {TABLE};
            {{terms}}
            RETURN NULL;
        END IF;
        DELETE FROM {TABLE} WHERE article_id = OLD.id;
        RETURN OLD;
    END $$"""
TERMS_CREATE = [
    f"CREATE TABLE IF NOT EXISTS {TERMS} (term text PRIMARY KEY, documents integer NOT NULL)",
    f"DELETE FROM {TERMS}",
    f"INSERT INTO {TERMS} (term, documents)"
    f" SELECT word, ndoc FROM ts_stat('SELECT document FROM {TABLE}')",
    # Deleting articles, one or many, forgets them in one statement: counters, then rows.
    "DROP TRIGGER IF EXISTS kb_search_forget_row ON kb_article",
    f"""CREATE OR REPLACE FUNCTION kb_search_forget_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM {_LOCK_TERMS};
        {_count_terms("-1", f"{TABLE} s JOIN gone ON gone.id = s.article_id")};
        DELETE FROM {TABLE} s USING gone WHERE s.article_id = gone.id;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER kb_search_forget_rows AFTER DELETE ON kb_article REFERENCING OLD TABLE
        AS gone FOR EACH STATEMENT EXECUTE FUNCTION kb_search_forget_rows()""",
    # Emptying kb_article (Django's tests do) empties both.
    _FORGET_ALL.format(terms=f"DELETE FROM {TERMS};"),
]
TERMS_DROP = [
    "DROP TRIGGER IF EXISTS kb_search_forget_rows ON kb_article",
    "DROP FUNCTION IF EXISTS kb_search_forget_rows()",
    f"DROP TABLE IF EXISTS {TERMS}",
    _FORGET_ALL.format(terms=""),
    """CREATE TRIGGER kb_search_forget_row AFTER DELETE ON kb_article
        FOR EACH ROW EXECUTE FUNCTION kb_search_forget()""",
]

_DOCUMENT = (
    "setweight(to_tsvector('simple', %(title)s), 'A')"
    " || setweight(to_tsvector('simple', %(codes)s), 'A')"
    " || setweight(to_tsvector('simple', %(summary)s), 'B')"
    " || setweight(to_tsvector('simple', %(body)s), 'D')"
)


def _lexeme(token: str) -> str:
    # Stems are letters and digits only: nothing to escape.
    return f"'{token}'"


def _phrase(words: Sequence[str], language: str) -> str:
    return "(" + " <-> ".join(_lexeme(stem(word, language)) for word in words) + ")"


def tsquery(clauses: Sequence[Clause], language: str) -> str | None:
    """The tsquery text for `clauses` read in `language` (as `sqlite.match_expression`)."""
    alternatives = []
    for clause in clauses:
        required = [
            _lexeme(stem(word, language))
            for word in clause.words
            if not is_stop_word(word, language)
        ]
        required += [_phrase(phrase, language) for phrase in clause.phrases]
        if not required:
            continue
        required += [f"!{_lexeme(stem(word, language))}" for word in clause.excluded]
        alternatives.append("(" + " & ".join(required) + ")")
    return " | ".join(alternatives) or None


def any_tsquery(
    words: Sequence[str], phrases: Sequence[Sequence[str]], language: str
) -> str | None:
    parts = [_phrase(phrase, language) for phrase in phrases]
    parts += [_lexeme(stem(word, language)) for word in words if not is_stop_word(word, language)]
    return " | ".join(dict.fromkeys(parts)) or None


class PostgresBackend(SearchBackend):
    def index(self, documents: Iterable[Document]) -> None:
        rows: list[dict[str, Any]] = [
            {
                "id": d.article_id,
                "language": d.language,
                "kind": d.kind,
                "visibility": d.visibility,
                "grp": d.group,
                "title": stems(d.title, d.language),
                "codes": stems(d.codes, d.language),
                "summary": stems(d.summary, d.language),
                "body": stems(d.body, d.language),
            }
            for d in documents
        ]
        if not rows:
            return
        ids = [row["id"] for row in rows]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {_LOCK_TERMS}")
            cursor.execute(_count_terms("-1", f"{TABLE} s", _THESE), [ids])
            cursor.executemany(
                f"INSERT INTO {TABLE} (article_id, language, kind, visibility, grp, document)"
                f" VALUES (%(id)s, %(language)s, %(kind)s, %(visibility)s, %(grp)s, {_DOCUMENT})"
                " ON CONFLICT (article_id) DO UPDATE SET language = EXCLUDED.language,"
                " kind = EXCLUDED.kind, visibility = EXCLUDED.visibility, grp = EXCLUDED.grp,"
                " document = EXCLUDED.document",
                rows,
            )
            cursor.execute(_count_terms("+1", f"{TABLE} s", _THESE), [ids])

    def remove(self, article_ids: Iterable[int]) -> None:
        ids = list(article_ids)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {_LOCK_TERMS}")
            cursor.execute(_count_terms("-1", f"{TABLE} s", _THESE), [ids])
            cursor.execute(f"DELETE FROM {TABLE} WHERE article_id = ANY(%s)", [ids])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {_LOCK_TERMS}")
            cursor.execute(f"DELETE FROM {TABLE}")
            cursor.execute(f"DELETE FROM {TERMS}")

    def frequencies(self, words: Sequence[str]) -> dict[str, int]:
        # Each word read as the index reads it, in French and in English (stop words left
        # out, as on SQLite); the articles holding each distinct stem, added up.
        stems_of = {
            word: {stem(word, lang) for lang in LANGUAGES if not is_stop_word(word, lang)}
            for word in words
        }
        every = sorted(set().union(*stems_of.values())) if stems_of else []
        if not every:
            return dict.fromkeys(words, 0)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT term, documents FROM {TERMS} WHERE term = ANY(%s)", [every])
            held = {term: max(int(n), 0) for term, n in cursor.fetchall()}
        return {word: sum(held.get(s, 0) for s in stems) for word, stems in stems_of.items()}

    def groups_holding(self, words: Sequence[str], groups: Sequence[str]) -> set[str]:
        # Every word, stop words included (as an excluded word is read in `tsquery`).
        queries = {
            language: " | ".join(dict.fromkeys(_lexeme(stem(w, language)) for w in words))
            for language in LANGUAGES
        }
        matches = [
            "(s.language = %s AND s.document @@ to_tsquery('simple', %s))"
            for query in queries.values()
            if query
        ]
        if not matches or not groups:
            return set()
        params: list[Any] = [
            value for language, query in queries.items() if query for value in (language, query)
        ]
        sql = (
            f"SELECT DISTINCT s.grp FROM {TABLE} s WHERE s.grp = ANY(%s)"
            f" AND ({' OR '.join(matches)})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(groups), *params])
            return {row[0] for row in cursor.fetchall()}

    def _run(
        self,
        queries: dict[str, str | None],
        *,
        prefer: str,
        max_visibility: int,
        kind: str | None,
        limit: int,
    ) -> list[Hit]:
        # Each language's query is written out in place (not joined from a CTE) so the planner
        # sees constant tsqueries and uses the GIN index for each side of the OR.
        matches: list[str] = []
        ranks: list[str] = []
        params: list[Any] = []
        rank_params: list[Any] = []
        for language, query in queries.items():
            if query is None:
                continue
            matches.append("(s.language = %s AND s.document @@ to_tsquery('simple', %s))")
            params += [language, query]
            boost = PREFERRED_LANGUAGE_BOOST if language == prefer else 1.0
            ranks.append(
                f"WHEN %s THEN ts_rank({WEIGHTS}, s.document, to_tsquery('simple', %s), 1)"
                f" * {boost}"
            )
            rank_params += [language, query]
        if not matches:
            return []
        sql = (
            f"SELECT s.article_id, s.grp, s.language, CASE s.language {' '.join(ranks)} END"
            f" AS score FROM {TABLE} s WHERE ({' OR '.join(matches)}) AND s.visibility <= %s"
        )
        params = [*rank_params, *params, max_visibility]
        if kind:
            sql += " AND s.kind = %s"
            params.append(kind)
        sql += " ORDER BY score DESC, s.article_id LIMIT %s"
        params.append(limit)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [Hit(row[0], row[1], row[2], float(row[3])) for row in cursor.fetchall()]

    def search(
        self,
        query: str,
        clauses: Sequence[Clause],
        *,
        prefer: str,
        max_visibility: int,
        kind: str | None,
        limit: int,
    ) -> list[Hit]:
        queries = {language: tsquery(clauses, language) for language in LANGUAGES}
        return self._run(
            queries, prefer=prefer, max_visibility=max_visibility, kind=kind, limit=limit
        )

    def search_any(
        self,
        words: Sequence[str],
        phrases: Sequence[Sequence[str]],
        *,
        prefer: str,
        max_visibility: int,
        kind: str | None,
        limit: int,
    ) -> list[Hit]:
        queries = {language: any_tsquery(words, phrases, language) for language in LANGUAGES}
        return self._run(
            queries, prefer=prefer, max_visibility=max_visibility, kind=kind, limit=limit
        )
