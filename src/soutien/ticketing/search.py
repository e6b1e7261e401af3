"""Search across requests: one index row per request, on PostgreSQL and SQLite FTS5.

The words are those of the knowledge base (`kb.search.text`): diacritics removed, Snowball
stems, French inflections brought together. A request is stemmed in its contact's language;
a query word matches its French or its English stem, so a technician need not say which.

What a client may find is kept apart from what only staff may: internal notes (and the files
attached to them) are weight D on PostgreSQL and the `notes` column on SQLite; a client's
search reads only the rest. The ticketing services call `reindex` in their transaction when a
request is filed, when a message or a file is added, and when requests are merged; a contact's
or an organization's new name is indexed by a job queued when the accounts service renames it
(`tasks.people_renamed`).
"""

# ruff: noqa: S608  (SQL is assembled from constants; every value is a parameter)

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from soutien.kb.search.text import LANGUAGES, Clause, is_stop_word, parse, stem, stems
from soutien.ticketing.models import MessageKind, Ticket

MAX_QUERY = 200
PG_TABLE = "ticketing_search"
SQLITE_TABLE = "ticketing_search_fts"

PG_CREATE = [
    f"""CREATE TABLE IF NOT EXISTS {PG_TABLE} (
        ticket_id bigint PRIMARY KEY,
        document tsvector NOT NULL
    )""",
    f"CREATE INDEX IF NOT EXISTS ticketing_search_document ON {PG_TABLE} USING GIN (document)",
    # No foreign key (Django's TRUNCATE of its own tables in tests would be refused): triggers.
    f"""CREATE OR REPLACE FUNCTION ticketing_search_forget() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            DELETE FROM {PG_TABLE};
            RETURN NULL;
        END IF;
        DELETE FROM {PG_TABLE} s USING gone WHERE s.ticket_id = gone.id;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER ticketing_search_forget_rows AFTER DELETE ON ticketing_ticket
        REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
        EXECUTE FUNCTION ticketing_search_forget()""",
    """CREATE TRIGGER ticketing_search_forget_all AFTER TRUNCATE ON ticketing_ticket
        FOR EACH STATEMENT EXECUTE FUNCTION ticketing_search_forget()""",
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS ticketing_search_forget_rows ON ticketing_ticket",
    "DROP TRIGGER IF EXISTS ticketing_search_forget_all ON ticketing_ticket",
    "DROP FUNCTION IF EXISTS ticketing_search_forget()",
    f"DROP TABLE IF EXISTS {PG_TABLE}",
]
SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5(
        public, notes, tokenize = 'unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER IF NOT EXISTS ticketing_search_forget AFTER DELETE ON ticketing_ticket
        BEGIN DELETE FROM {SQLITE_TABLE} WHERE rowid = old.id; END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS ticketing_search_forget",
    f"DROP TABLE IF EXISTS {SQLITE_TABLE}",
]

# PostgreSQL weights: A number and subject; B contact, organization, public files' names;
# C description and public messages; D internal notes and their files.
_PG_DOCUMENT = (
    "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B')"
    " || setweight(to_tsvector('simple', %s), 'C') || setweight(to_tsvector('simple', %s), 'D')"
)


@dataclass(frozen=True, slots=True)
class Text:
    """What the index holds of one request, as stems, by part."""

    ticket_id: int
    head: str
    people: str
    public: str
    notes: str


def text_of(ticket: Any) -> Text:
    """The words of a request: its number, subject, body, messages, people and files.

    `ticket` is a request with its contact and organization (a historical model in migrations
    will do: only fields are read).
    """
    contact, organization = ticket.contact, ticket.organization
    language = contact.language or organization.language
    language = language if language in LANGUAGES else "fr"
    public: list[str] = [ticket.body]
    notes: list[str] = []
    note_ids: set[int] = set()
    for pk, kind, body, caller in ticket.messages.values_list("pk", "kind", "body", "caller"):
        if kind == MessageKind.NOTE:
            note_ids.add(pk)
            notes.append(body)
        else:
            public += [body, caller]
    name = contact.full_name or f"{contact.first_name} {contact.last_name}".strip()
    people = [name or contact.username, contact.email, organization.name]
    for file_name, message_id in ticket.attachments.values_list("name", "message_id"):
        (notes if message_id in note_ids else people).append(file_name)
    return Text(
        ticket_id=ticket.pk,
        head=stems(f"{ticket.pk} {ticket.subject}", language),
        people=stems("\n".join(people), language),
        public=stems("\n".join(public), language),
        notes=stems("\n".join(notes), language),
    )


def reindex(tickets: Iterable[Any]) -> None:
    """Index these requests again (in the caller's transaction)."""
    write([text_of(ticket) for ticket in tickets])


def write(texts: Sequence[Text]) -> None:
    if not texts:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.executemany(
                f"INSERT INTO {PG_TABLE} (ticket_id, document) VALUES (%s, {_PG_DOCUMENT})"
                " ON CONFLICT (ticket_id) DO UPDATE SET document = EXCLUDED.document",
                [(t.ticket_id, t.head, t.people, t.public, t.notes) for t in texts],
            )
        else:
            cursor.executemany(
                f"DELETE FROM {SQLITE_TABLE} WHERE rowid = %s", [(t.ticket_id,) for t in texts]
            )
            cursor.executemany(
                f"INSERT INTO {SQLITE_TABLE} (rowid, public, notes) VALUES (%s, %s, %s)",
                [(t.ticket_id, f"{t.head}\n{t.people}\n{t.public}", t.notes) for t in texts],
            )


def rebuild(*, batch: int = 1000, model: Any = Ticket, where: dict[str, Any] | None = None) -> int:
    """Index every request (or those `where` says) again; returns how many (`model`: a
    migration's historical one)."""
    count = 0
    qs = model.objects.filter(**(where or {})).select_related("contact", "organization")
    qs = qs.order_by("pk")
    chunk: list[Any] = []
    for ticket in qs.iterator(chunk_size=batch):
        chunk.append(ticket)
        if len(chunk) == batch:
            reindex(chunk)
            count += len(chunk)
            chunk = []
    reindex(chunk)
    return count + len(chunk)


# --- queries -----------------------------------------------------------------------------------


def _stems(word: str, *, stop_words: bool) -> list[str]:
    """The French and English stems of a query word (stop words dropped unless asked)."""
    found = [
        stem(word, language)
        for language in LANGUAGES
        if stop_words or not is_stop_word(word, language)
    ]
    return list(dict.fromkeys(found))


def _pg_term(word: str, weights: str, *, stop_words: bool = False) -> str | None:
    found = [f"'{s}'{weights}" for s in _stems(word, stop_words=stop_words)]
    return "(" + " | ".join(found) + ")" if found else None


def _pg_phrase(words: Sequence[str], weights: str, *, loose: bool = False) -> str:
    readings = dict.fromkeys(
        "("
        + (" & " if loose else " <-> ").join(f"'{stem(w, language)}'{weights}" for w in words)
        + ")"
        for language in LANGUAGES
    )
    return "(" + " | ".join(readings) + ")"


def pg_tsquery(clauses: Sequence[Clause], *, staff: bool, loose: bool = False) -> str | None:
    """The tsquery text of `clauses`: each word by its French or English stem.

    `loose`: a phrase's words anywhere (what the text index answers without reading each
    request's word positions), which finds the same requests and perhaps more."""
    weights = "" if staff else ":ABC"
    alternatives = []
    for clause in clauses:
        required = [t for w in clause.words if (t := _pg_term(w, weights))]
        required += [_pg_phrase(phrase, weights, loose=loose) for phrase in clause.phrases]
        if not required:
            continue
        required += [
            f"!{t}" for w in clause.excluded if (t := _pg_term(w, weights, stop_words=True))
        ]
        alternatives.append("(" + " & ".join(required) + ")")
    return " | ".join(alternatives) or None


def _fts_term(word: str, *, stop_words: bool = False) -> str | None:
    found = [f'"{s}"' for s in _stems(word, stop_words=stop_words)]
    return "(" + " OR ".join(found) + ")" if found else None


def _fts_phrase(words: Sequence[str]) -> str:
    # A phrase that reads the same in both languages is searched once.
    readings = dict.fromkeys(
        '"' + " ".join(stem(w, language) for w in words) + '"' for language in LANGUAGES
    )
    return "(" + " OR ".join(readings) + ")"


def fts_expression(clauses: Sequence[Clause], *, staff: bool) -> str | None:
    """The FTS5 query of `clauses`; a client's reads the `public` column only."""
    alternatives = []
    for clause in clauses:
        required = [t for w in clause.words if (t := _fts_term(w))]
        required += [_fts_phrase(phrase) for phrase in clause.phrases]
        if not required:
            continue
        expression = " AND ".join(required)
        excluded = [t for w in clause.excluded if (t := _fts_term(w, stop_words=True))]
        if excluded:
            expression = f"({expression}) NOT ({' OR '.join(excluded)})"
        alternatives.append(f"({expression})")
    if not alternatives:
        return None
    expression = " OR ".join(alternatives)
    return expression if staff else f"{{public}} : ({expression})"


def _clauses(query: str) -> list[Clause]:
    return parse(" ".join(query.split())[:MAX_QUERY])


# first_matches: when the planner expects this many times `limit` matches, none are read.
MANY = 5


def first_matches(query: str, *, staff: bool, limit: int) -> tuple[list[int] | None, bool] | None:
    """PostgreSQL: the ids of at most `limit` requests that may match `query`, read from the
    text index alone (no join for the planner to misjudge), and whether they all do (False:
    a phrase's words are there, perhaps not together). None: nothing to search; ids None:
    the planner expects far more than `limit` (from the words' frequencies), none were read.
    """
    clauses = _clauses(query)
    if not clauses:
        return None
    tsquery = pg_tsquery(clauses, staff=staff, loose=True)
    if tsquery is None:
        return [], True
    exact = not any(clause.phrases for clause in clauses)
    found = f"SELECT ticket_id FROM {PG_TABLE} WHERE document @@ to_tsquery('simple', %s)"
    with connection.cursor() as cursor:
        # Reading every match of common words costs more than the estimate (1 ms).
        cursor.execute(f"EXPLAIN (FORMAT JSON) {found}", [tsquery])
        plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        if plan[0]["Plan"]["Plan Rows"] >= MANY * limit:
            return None, exact
        # Planned without the LIMIT (a materialized CTE, read only as far as needed): with it,
        # the planner reads the table from the start when it expects many matches, and reads
        # it all when they are few after all.
        cursor.execute(
            f"WITH found AS MATERIALIZED ({found}) SELECT ticket_id FROM found LIMIT %s",
            [tsquery, limit],
        )
        ids = [row[0] for row in cursor.fetchall()]
    return ids, exact


def matching(
    qs: QuerySet[Ticket], query: str, *, staff: bool, row_by_row: bool = False
) -> QuerySet[Ticket]:
    """`qs` narrowed to the requests that match `query` (web-search syntax).

    Words are all required, "a phrase" keeps its words together, -word excludes, `or`
    separates alternatives. A query with nothing to search leaves `qs` as it is.
    `row_by_row` (PostgreSQL): each request's words are checked as it is read, in the
    order's index, instead of looking the words up first (for words that match many).
    """
    clauses = _clauses(query)
    if not clauses:
        return qs
    table = Ticket._meta.db_table
    if connection.vendor == "postgresql":
        tsquery = pg_tsquery(clauses, staff=staff)
        if tsquery is None:
            return qs.none()
        if row_by_row:
            # A scalar subquery, so that the planner cannot make it a join of every match;
            # in COALESCE, so that it deems half the rows match (it would guess a few and
            # read and sort them all) and walks the order's index.
            where = (
                f"COALESCE((SELECT document FROM {PG_TABLE} WHERE ticket_id = {table}.id)"
                " @@ to_tsquery('simple', %s), false)"
            )
        else:
            where = (
                f"{table}.id IN (SELECT ticket_id FROM {PG_TABLE}"
                " WHERE document @@ to_tsquery('simple', %s))"
            )
        return qs.extra(where=[where], params=[tsquery])  # noqa: S610
    expression = fts_expression(clauses, staff=staff)
    if expression is None:
        return qs.none()
    where = f"{table}.id IN (SELECT rowid FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s)"
    return qs.extra(where=[where], params=[expression])  # noqa: S610
