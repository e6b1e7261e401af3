"""A person's personal information as a ZIP of JSON and CSV (Law 25, s. 27: a structured format).

What goes in: the profile; the requests they are the contact of; the messages they wrote (a
client's own words, a staff member's replies and notes); the list of files they attached, with
the files themselves when small (each at most `FILE_LIMIT`, all together at most `FILES_LIMIT`;
the rest listed only, available from the request); the time they logged, or that was logged on
their requests (minutes and dates, without the technicians' names); their newsletter consent
ledger; their sign-in history (last sign-in, API tokens, failed sign-ins under their name or
address); the emails sent to them; who opened their record. Nothing of anyone else: other
people's messages on their requests and the names of staff are left out.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from soutien import __version__
from soutien.accounts import two_factor
from soutien.accounts.models import LoginFailure, User
from soutien.contracts.models import TimeEntry
from soutien.newsletter import selectors as newsletter
from soutien.outbound.models import OutboundEmail
from soutien.privacy.models import AccessEntry
from soutien.ticketing.models import Attachment, Message, Ticket

FILE_LIMIT = 2 * 1024 * 1024
FILES_LIMIT = 20 * 1024 * 1024
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Rows = list[dict[str, Any]]

README = """Soutien — export de renseignements personnels / personal information export

FR — Ce fichier contient les renseignements personnels que Soutien détient sur vous, en JSON
(data.json, tout ensemble) et en CSV (un fichier par section) :
  profile         votre profil
  requests        les demandes dont vous êtes le contact
  messages        les messages que vous avez écrits
  attachments     les fichiers que vous avez joints (les petits fichiers sont dans files/)
  time_entries    le temps consigné par vous ou sur vos demandes
  newsletter      votre registre de consentement à l'infolettre
  sign_ins        votre historique de connexion (dernière connexion, jetons, échecs)
  emails          les courriels que Soutien vous a envoyés
  access_log      qui a consulté votre dossier

EN — This file holds the personal information Soutien keeps about you, as JSON (data.json,
everything together) and CSV (one file per section): profile, requests you are the contact of,
messages you wrote, files you attached (small ones are in files/), time logged by you or on your
requests, your newsletter consent ledger, your sign-in history, emails sent to you, and who
opened your record.
"""


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _row(obj: Any, fields: Iterable[str], **extra: Any) -> dict[str, Any]:
    row = {name: _value(getattr(obj, name)) for name in fields}
    row.update({k: _value(v) for k, v in extra.items()})
    return row


def safe_cell(value: Any) -> str:
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell that starts like a formula.
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def profile(person: User) -> dict[str, Any]:
    return _row(
        person,
        ("id", "username", "full_name", "email", "phone", "language", "time_zone", "is_active"),
        organization=person.organization.name if person.organization else "",
        client_role=person.client_role,
        staff_roles=", ".join(person.staff_roles),
        date_joined=person.date_joined,
        last_login=person.last_login,
    )


def requests(person: User) -> Rows:
    fields = ("id", "subject", "body", "channel", "kind", "status", "level", "received_at")
    tickets = (
        Ticket.objects.filter(contact=person)
        .only(*fields, "resolved_at", "closed_at")
        .order_by("received_at", "id")
    )
    return [
        _row(t, fields, number=t.number, resolved_at=t.resolved_at, closed_at=t.closed_at)
        for t in tickets
    ]


def messages(person: User) -> Rows:
    fields = ("id", "kind", "body", "at", "call_direction", "call_duration_minutes", "caller")
    rows = Message.objects.filter(author=person).only("ticket_id", *fields).order_by("at", "id")
    # A request's number is its id.
    return [_row(m, fields, request=str(m.ticket_id)) for m in rows]


def attachments(person: User) -> tuple[Rows, list[tuple[str, Attachment]]]:
    rows, files, total = [], [], 0
    for a in Attachment.objects.filter(uploaded_by=person).order_by("created_at", "id"):
        name = f"files/{a.pk}-{a.name}"
        included = a.size <= FILE_LIMIT and total + a.size <= FILES_LIMIT
        if included:
            total += a.size
            files.append((name, a))
        rows.append(
            _row(
                a,
                ("id", "name", "content_type", "size", "sha256", "created_at"),
                request=a.ticket_id,
                file=name if included else "",
            )
        )
    return rows, files


def time_entries(person: User) -> Rows:
    entries = TimeEntry.objects.filter(Q(technician=person) | Q(ticket__contact=person))
    return [
        _row(
            e,
            ("id", "started_at", "minutes", "overage_minutes", "service"),
            request=e.ticket_id,
            logged_by_you=e.technician_id == person.pk,
            # The note is the technician's: only their own notes are theirs to receive.
            note=e.note if e.technician_id == person.pk else "",
        )
        for e in entries.order_by("started_at", "id")
    ]


def newsletter_ledger(person: User) -> Rows:
    subscriber = newsletter.subscriber_of(person)
    if subscriber is None:
        return []
    fields = ("id", "kind", "source", "at", "text_version", "text", "expires_at", "basis")
    return [
        _row(
            e,
            fields,
            email=subscriber.email,
            language=subscriber.language,
            topics=", ".join(subscriber.topics),
            awaiting_confirmation=e.awaiting_confirmation,
            recorded_by_you=e.recorded_by_id == person.pk,
        )
        for e in newsletter.ledger_of(subscriber)
    ]


def sign_ins(person: User) -> Rows:
    rows: Rows = [{"event": "joined", "at": _value(person.date_joined), "detail": ""}]
    if person.last_login:
        rows.append({"event": "last_sign_in", "at": _value(person.last_login), "detail": ""})
    for token in person.api_tokens.order_by("created_at"):
        detail = f"{token.prefix}… {token.name}".strip()
        rows.append({"event": "api_token_issued", "at": _value(token.created_at), "detail": detail})
        if token.last_used_at:
            rows.append(
                {"event": "api_token_used", "at": _value(token.last_used_at), "detail": detail}
            )
        if token.revoked_at:
            rows.append(
                {"event": "api_token_revoked", "at": _value(token.revoked_at), "detail": detail}
            )
    for known in person.known_addresses.order_by("first_seen"):
        rows.append(
            {
                "event": "known_address",
                "at": _value(known.first_seen),
                "detail": f"{known.address} (last {_value(known.last_seen)})",
            }
        )
    if two_factor.is_on(person):
        left = two_factor.recovery_codes_left(person)
        rows.append({"event": "two_factor_on", "at": "", "detail": f"{left} recovery codes left"})
    names = {person.username.lower()} | ({person.email.lower()} if person.email else set())
    failures = LoginFailure.objects.annotate(typed=Lower("username")).filter(typed__in=names)
    rows += [
        {"event": "failed_sign_in", "at": _value(f.at), "detail": f.address}
        for f in failures.order_by("at")
    ]
    return sorted(rows, key=lambda r: str(r["at"] or "9"))


def emails(person: User) -> Rows:
    sent = OutboundEmail.objects.filter(recipient=person)
    if person.email:
        sent = OutboundEmail.objects.filter(
            Q(recipient=person) | Q(to_address__iexact=person.email)
        )
    fields = ("id", "template", "to_address", "subject", "status", "created_at", "sent_at")
    return [_row(e, fields) for e in sent.order_by("created_at", "id")]


def access_log(person: User) -> Rows:
    return [
        _row(a, ("at", "where"), viewer=a.viewer_name)
        for a in AccessEntry.objects.filter(person=person).order_by("at", "id")
    ]


def collect(person: User) -> tuple[dict[str, Any], list[tuple[str, Attachment]]]:
    files_rows, files = attachments(person)
    data = {
        "profile": profile(person),
        "requests": requests(person),
        "messages": messages(person),
        "attachments": files_rows,
        "time_entries": time_entries(person),
        "newsletter": newsletter_ledger(person),
        "sign_ins": sign_ins(person),
        "emails": emails(person),
        "access_log": access_log(person),
    }
    return data, files


def _csv(rows: Rows) -> bytes:
    out = io.StringIO()
    if rows:
        writer = csv.writer(out, lineterminator="\r\n")
        header = list(rows[0])
        writer.writerow(header)
        writer.writerows([safe_cell(row.get(name)) for name in header] for row in rows)
    # A byte-order mark, so spreadsheet programs read the accents right.
    return ("\ufeff" + out.getvalue()).encode()


def build(person: User) -> bytes:
    """The ZIP for one person: data.json, a CSV per section, README.txt, small files."""
    data, files = collect(person)
    document = {
        "generated_at": _value(timezone.now()),
        "generator": f"Soutien {__version__}",
        "person": person.pk,
        **data,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2))
        archive.writestr("profile.csv", _csv([data["profile"]]))
        for section, rows in data.items():
            if section != "profile":
                archive.writestr(f"{section}.csv", _csv(rows))
        for name, attachment in files:
            try:
                with attachment.file.open("rb") as handle:
                    archive.writestr(name, handle.read())
            except OSError:
                continue  # A file gone from storage is still listed in attachments.csv.
    return buffer.getvalue()
