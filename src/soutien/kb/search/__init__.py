"""Full-text search of published articles behind one interface, with two backends.

PostgreSQL: a `tsvector` per article built with the `kb_fr` / `kb_en` configurations (unaccent,
then the French or English Snowball stemmer), a GIN index, `ts_rank`, `websearch_to_tsquery`.
SQLite: an FTS5 table of folded Snowball stems (the embedded default), ranked by bm25.

Each article is matched with the query read in the article's own language, and articles in
the reader's preferred language rank higher; both backends answer the same tests.

Both also count how many articles hold each stem (document frequencies: a table the PostgreSQL
backend keeps exact as it indexes, FTS5's own `fts5vocab` table on SQLite), so that suggestions
search only the most telling words of a request (see `selectors.suggest`).
"""

from __future__ import annotations

from django.db import connection

from soutien.kb.search.base import PREFERRED_LANGUAGE_BOOST, Document, Hit, SearchBackend
from soutien.kb.search.postgres import PostgresBackend
from soutien.kb.search.sqlite import SqliteBackend

__all__ = ["PREFERRED_LANGUAGE_BOOST", "Document", "Hit", "SearchBackend", "backend"]


def backend() -> SearchBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    return SqliteBackend()
