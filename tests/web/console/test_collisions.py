"""Two technicians on one request: each sees the other, and a reply written blind is held."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from soutien.presence import services as presence
from soutien.ticketing import held, services
from soutien.ticketing.models import Attachment, MessageKind
from soutien.ticketing.services import Upload
from tests import factories
from tests.web.helpers import signed_in, text_of


def _seen(page: str) -> str:
    found = re.search(r'name="seen_message" value="(\d+)"', page)
    assert found, "the reply form carries the last message the writer has seen"
    return found.group(1)


def test_the_presence_beat_shows_who_else_is_viewing_and_typing(tech1, contact):
    tina = factories.staff(levels=(1,), name="Tina Deux")
    ticket = factories.ticket(contact=contact)
    url = f"/console/demandes/{ticket.pk}/presence/"
    theo, other = signed_in(tech1), signed_in(tina)
    assert theo.post(url, {"typing": "0"}).content.strip() == b""
    other.post(url, {"typing": "1"})
    assert "Tina Deux est en train d'écrire" in text_of(theo.post(url, {"typing": "0"}))
    assert "Théo Premier consulte cette demande" in text_of(other.post(url, {"typing": "0"}))
    assert theo.get(url).status_code == 405, "a beat is a POST"


def test_the_queue_shows_who_is_on_each_request(tech1, contact, manager):
    ticket = factories.ticket(contact=contact, subject="Bandeau décalé")
    services.ticket_set_level(actor=manager, ticket=ticket, level=1)
    tina = factories.staff(levels=(1,), name="Tina Deux")
    presence.presence_beat(actor=tina, ticket=ticket, typing=True)
    page = text_of(signed_in(tech1).get("/console/?queue=1"))
    assert "Sur place : Tina Deux (écrit)" in page


def test_a_reply_written_while_a_colleague_replied_is_held_then_sent_anyway(tech1, contact):
    tina = factories.staff(levels=(1,), name="Tina Deux")
    ticket = factories.ticket(contact=contact)
    theo = signed_in(tech1)
    page = theo.get(f"/console/demandes/{ticket.pk}/").content.decode()
    seen = _seen(page)
    assert seen == "0"
    services.message_add(actor=tina, ticket=ticket, kind=MessageKind.REPLY, body="Réglé.")

    r = theo.post(
        f"/console/demandes/{ticket.pk}/reply/", {"body": "Videz le cache.", "seen_message": seen}
    )
    assert r.status_code == 409
    held = text_of(r)
    assert "Tina Deux a répondu il y a moins d'une minute" in held
    assert "Envoyer quand même" in held
    assert "Videz le cache." in held, "the reply is kept as written"
    assert list(ticket.messages.values_list("body", flat=True)) == ["Réglé."]

    latest = _seen(r.content.decode())
    assert latest == str(ticket.messages.get().pk)
    r = theo.post(
        f"/console/demandes/{ticket.pk}/reply/", {"body": "Videz le cache.", "seen_message": latest}
    )
    assert r.status_code == 302
    assert ticket.messages.count() == 2


def test_own_messages_and_notes_do_not_hold_a_reply(tech1, contact):
    tina = factories.staff(levels=(1,), name="Tina Deux")
    ticket = factories.ticket(contact=contact)
    services.message_add(actor=tina, ticket=ticket, kind=MessageKind.NOTE, body="Je regarde.")
    services.message_add(actor=tech1, ticket=ticket, kind=MessageKind.REPLY, body="Premier.")
    r = signed_in(tech1).post(
        f"/console/demandes/{ticket.pk}/reply/", {"body": "Second.", "seen_message": "0"}
    )
    assert r.status_code == 302
    assert ticket.messages.count() == 3


def test_a_client_message_since_holds_the_reply(tech1, contact):
    ticket = factories.ticket(contact=contact)
    services.message_add(actor=contact, ticket=ticket, kind=MessageKind.CLIENT, body="C'est réglé!")
    r = signed_in(tech1).post(
        f"/console/demandes/{ticket.pk}/reply/", {"body": "Essayez ceci.", "seen_message": "0"}
    )
    assert r.status_code == 409
    assert f"{contact.display_name} a écrit il y a" in text_of(r)


def test_after_sending_the_page_goes_back_to_the_queue_it_came_from_and_nowhere_else(
    tech1, contact
):
    ticket = factories.ticket(contact=contact)
    theo = signed_in(tech1)
    url = f"/console/demandes/{ticket.pk}/reply/"
    r = theo.post(url, {"body": "Un.", "next": "/console/?queue=1"})
    assert r["Location"] == "/console/?queue=1"
    r = theo.post(url, {"body": "Deux.", "next": "https://ailleurs.example/"})
    assert r["Location"] == f"/console/demandes/{ticket.pk}/"


def test_element_ids_are_unique_on_a_request_page(tech1, contact):
    ticket = factories.ticket(contact=contact)
    page = signed_in(tech1).get(f"/console/demandes/{ticket.pk}/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert ids
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_the_favicon_is_served_and_the_404_page_is_styled_in_both_languages(client, db):
    assert client.get("/favicon.ico")["Location"].endswith("soutien/favicon.ico")
    page = client.get("/nulle-part/")
    assert page.status_code == 404
    assert "Page introuvable" in page.content.decode()
    client.cookies["django_language"] = "en"
    assert "Page not found" in client.get("/nulle-part/").content.decode()


def _held_token(page: str) -> str:
    found = re.search(r'name="held_files" value="([^"]+)"', page)
    assert found, "the held reply's form names its kept files"
    return found.group(1)


def test_a_held_reply_keeps_its_attachments_and_sends_them_anyway(
    tech1, contact, settings, tmp_path
):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)},
    }}  # fmt: skip
    tina = factories.staff(levels=(1,), name="Tina Deux")
    ticket = factories.ticket(contact=contact)
    theo = signed_in(tech1)
    services.message_add(actor=tina, ticket=ticket, kind=MessageKind.REPLY, body="Réglé.")
    log = SimpleUploadedFile("journal.txt", b"erreur 42\n", content_type="text/plain")

    r = theo.post(
        f"/console/demandes/{ticket.pk}/reply/",
        {"body": "Voici le journal.", "seen_message": "0", "attachments": [log]},
    )
    assert r.status_code == 409
    page = r.content.decode()
    assert "Gardés avec votre réponse, envoyés avec elle : journal.txt" in text_of(r)
    token = _held_token(page)
    assert not Attachment.objects.exists(), "nothing sent yet"
    assert [p.read_bytes() for p in (tmp_path / held.FOLDER).rglob("*.txt")] == [b"erreur 42\n"]

    # Someone else cannot send them, nor can a forged token.
    other = signed_in(tina).post(
        f"/console/demandes/{ticket.pk}/reply/",
        {"body": "Hop.", "seen_message": _seen(page), "held_files": token},
    )
    assert other.status_code == 400
    assert "Les fichiers de la réponse retenue ne sont plus là" in text_of(other)

    sent = theo.post(
        f"/console/demandes/{ticket.pk}/reply/",
        {"body": "Voici le journal.", "seen_message": _seen(page), "held_files": token},
    )
    assert sent.status_code == 302
    reply = ticket.messages.get(body="Voici le journal.")
    (attached,) = reply.attachments.all()
    assert attached.name == "journal.txt"
    assert attached.file.read() == b"erreur 42\n"
    assert not list((tmp_path / held.FOLDER).rglob("*.*")), "the kept copy is removed"
    again = theo.post(
        f"/console/demandes/{ticket.pk}/reply/",
        {"body": "Encore.", "seen_message": str(reply.pk), "held_files": token},
    )
    assert again.status_code == 400, "a token whose files were sent is spent"


def test_held_files_never_sent_are_removed_after_a_day(tech1, contact, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)},
    }}  # fmt: skip
    ticket = factories.ticket(contact=contact)
    upload = Upload(name="a.txt", content=io.BytesIO(b"a"), size=1, content_type="text/plain")
    _token, (kept,) = held.hold(actor=tech1, ticket=ticket, uploads=[upload])
    assert (tmp_path / kept.path).read_bytes() == b"a"
    assert held.purge() == 0
    assert held.purge(now=timezone.now() + timedelta(days=1, minutes=1)) == 1
    assert not (tmp_path / kept.path).exists()
