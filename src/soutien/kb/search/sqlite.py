"""SQLite FTS5 backend: the index stores folded Snowball stems; queries are stemmed the same way.

Also the document frequency of every stem, for suggestions (FTS5's `fts5vocab`)."""

# ruff: noqa: S608  (SQL is assembled from constants; every value is a parameter)

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from soutien.kb.search.base import PREFERRED_LANGUAGE_BOOST, Document, Hit, SearchBackend
from soutien.kb.search.text import LANGUAGES, Clause, is_stop_word, stem, stems

TABLE = "kb_article_fts"
# bm25 weights of title, codes, summary, body.
WEIGHTS = "10.0, 10.0, 4.0, 1.0"

CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(
        title, codes, summary, body,
        language UNINDEXED, kind UNINDEXED, visibility UNINDEXED, grp UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2'
    )""",
    # Deleting an article (or emptying the table) removes it from the index.
    f"""CREATE TRIGGER IF NOT EXISTS kb_article_fts_delete AFTER DELETE ON kb_article
        BEGIN DELETE FROM {TABLE} WHERE rowid = old.id; END""",
]
DROP = ["DROP TRIGGER IF EXISTS kb_article_fts_delete", f"DROP TABLE IF EXISTS {TABLE}"]
# Document frequencies: FTS5 keeps them itself, exact, and shows them through fts5vocab
# (one row per stem: `doc`, the number of articles holding it). Migration 0004.
TERMS = "kb_article_fts_terms"
TERMS_CREATE = [f"CREATE VIRTUAL TABLE IF NOT EXISTS {TERMS} USING fts5vocab({TABLE}, row)"]
TERMS_DROP = [f"DROP TABLE IF EXISTS {TERMS}"]
# What a search filters on and returns besides the rank, in a narrow table of its own: FTS5
# reads an UNINDEXED column from the whole stored row (all the stems of the article), which
# cost more than bm25 itself for a word that 30,000 articles hold. Migration 0006.
META = "kb_article_fts_meta"
_FORGET = f"""CREATE TRIGGER kb_article_fts_delete AFTER DELETE ON kb_article
        BEGIN DELETE FROM {TABLE} WHERE rowid = old.id;{{meta}} END"""
META_CREATE = [
    f"""CREATE TABLE IF NOT EXISTS {META} (
        id integer PRIMARY KEY, language text NOT NULL, kind text NOT NULL,
        visibility integer NOT NULL, grp text NOT NULL
    )""",
    f"INSERT OR REPLACE INTO {META} (id, language, kind, visibility, grp)"
    f" SELECT rowid, language, kind, visibility, grp FROM {TABLE}",
    "DROP TRIGGER IF EXISTS kb_article_fts_delete",
    _FORGET.format(meta=f" DELETE FROM {META} WHERE id = old.id;"),
]
META_DROP = [
    "DROP TRIGGER IF EXISTS kb_article_fts_delete",
    _FORGET.format(meta=""),
    f"DROP TABLE IF EXISTS {META}",
]


def _quoted(token: str) -> str:
    # Stems are letters and digits only, so they never contain a double quote.
    return f'"{token}"'


def _phrase(words: Sequence[str], language: str) -> str:
    return _quoted(" ".join(stem(word, language) for word in words))


def match_expression(clauses: Sequence[Clause], language: str) -> str | None:
    """The FTS5 query for `clauses` read in `language`; None when only stop words are left."""
    alternatives = []
    for clause in clauses:
        required = [
            _quoted(stem(word, language))
            for word in clause.words
            if not is_stop_word(word, language)
        ]
        required += [_phrase(phrase, language) for phrase in clause.phrases]
        if not required:
            continue
        expression = " AND ".join(required)
        if clause.excluded:
            excluded = " OR ".join(_quoted(stem(word, language)) for word in clause.excluded)
            expression = f"({expression}) NOT ({excluded})"
        alternatives.append(f"({expression})")
    return " OR ".join(alternatives) or None


def any_expression(
    words: Sequence[str], phrases: Sequence[Sequence[str]], language: str
) -> str | None:
    parts = [_phrase(phrase, language) for phrase in phrases]
    parts += [_quoted(stem(word, language)) for word in words if not is_stop_word(word, language)]
    return " OR ".join(dict.fromkeys(parts)) or None


class SqliteBackend(SearchBackend):
    def index(self, documents: Iterable[Document]) -> None:
        rows = [
            (
                d.article_id,
                stems(d.title, d.language),
                stems(d.codes, d.language),
                stems(d.summary, d.language),
                stems(d.body, d.language),
                d.language,
                d.kind,
                d.visibility,
                d.group,
            )
            for d in documents
        ]
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(r[0],) for r in rows])
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, title, codes, summary, body, language, kind,"
                " visibility, grp) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
            cursor.executemany(
                f"INSERT OR REPLACE INTO {META} (id, language, kind, visibility, grp)"
                " VALUES (%s, %s, %s, %s, %s)",
                [(r[0], *r[5:]) for r in rows],
            )

    def remove(self, article_ids: Iterable[int]) -> None:
        ids = [(i,) for i in article_ids]
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", ids)
            cursor.executemany(f"DELETE FROM {META} WHERE id = %s", ids)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
            cursor.execute(f"DELETE FROM {META}")

    def _run(
        self,
        expressions: dict[str, str | None],
        *,
        prefer: str,
        max_visibility: int,
        kind: str | None,
        limit: int,
    ) -> list[Hit]:
        # Languages whose query reads the same (most queries: "message", "ERR-4012") share one
        # pass over the index: each match is found and ranked once, not once per language.
        languages_of: dict[str, list[str]] = {}
        for language, expression in expressions.items():
            if expression is not None:
                languages_of.setdefault(expression, []).append(language)
        selects: list[str] = []
        params: list[Any] = []
        for expression, languages in languages_of.items():
            boost = f"CASE m.language WHEN %s THEN {PREFERRED_LANGUAGE_BOOST} ELSE 1.0 END"
            # CROSS JOIN keeps this order: the matches first, then their row in META.
            sql = (
                f"SELECT {TABLE}.rowid, m.grp, m.language, bm25({TABLE}, {WEIGHTS}) * {boost}"
                f" FROM {TABLE} CROSS JOIN {META} m ON m.id = {TABLE}.rowid WHERE {TABLE} MATCH %s"
                f" AND m.language IN ({', '.join(['%s'] * len(languages))}) AND m.visibility <= %s"
            )
            params += [prefer, expression, *languages, max_visibility]
            if kind:
                sql += " AND m.kind = %s"
                params.append(kind)
            selects.append(sql)
        if not selects:
            return []
        # bm25 is negative, the best match the most negative.
        sql = " UNION ALL ".join(selects) + " ORDER BY 4, 1 LIMIT %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit])
            return [Hit(row[0], row[1], row[2], -float(row[3])) for row in cursor.fetchall()]

    def groups_holding(self, words: Sequence[str], groups: Sequence[str]) -> set[str]:
        if not groups:
            return set()
        found: set[str] = set()
        marks = ", ".join(["%s"] * len(groups))
        with connection.cursor() as cursor:
            for language in LANGUAGES:
                expression = " OR ".join(dict.fromkeys(_quoted(stem(w, language)) for w in words))
                if not expression:
                    continue
                cursor.execute(
                    f"SELECT DISTINCT m.grp FROM {TABLE} CROSS JOIN {META} m"
                    f" ON m.id = {TABLE}.rowid WHERE {TABLE} MATCH %s AND m.language = %s"
                    f" AND m.grp IN ({marks})",
                    [expression, language, *groups],
                )
                found.update(row[0] for row in cursor.fetchall())
        return found

    def frequencies(self, words: Sequence[str]) -> dict[str, int]:
        # Each word read as the index reads it, in French and in English (stop words left
        # out, as `any_expression` does); the articles holding each distinct stem, added up.
        stems_of = {
            word: {stem(word, lang) for lang in LANGUAGES if not is_stop_word(word, lang)}
            for word in words
        }
        every = sorted(set().union(*stems_of.values())) if stems_of else []
        if not every:
            return dict.fromkeys(words, 0)
        marks = ", ".join(["%s"] * len(every))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT term, doc FROM {TERMS} WHERE term IN ({marks})", every)
            held = dict(cursor.fetchall())
        return {word: sum(held.get(s, 0) for s in stems) for word, stems in stems_of.items()}

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
        expressions = {language: match_expression(clauses, language) for language in LANGUAGES}
        return self._run(
            expressions, prefer=prefer, max_visibility=max_visibility, kind=kind, limit=limit
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
        expressions = {language: any_expression(words, phrases, language) for language in LANGUAGES}
        return self._run(
            expressions, prefer=prefer, max_visibility=max_visibility, kind=kind, limit=limit
        )
