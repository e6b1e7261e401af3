"""The console's workspace: search as a queue, saved views, bulk actions, merge, links, macros,
next request in the current view."""

from __future__ import annotations

import re

from soutien.ticketing.models import Message, MessageKind, Ticket
from soutien.workspace import services as workspace
from soutien.workspace.models import SavedView
from tests import factories
from tests.web.helpers import signed_in


def test_every_console_page_has_the_search_box(console):
    page = console.get("/console/").content.decode()
    assert 'action="/console/recherche/"' in page
    assert 'name="q"' in page


def test_search_lists_matching_requests_as_a_queue(console, contact, other_org):
    factories.ticket(contact=contact, subject="Dates décalées", body="L'heure est décalée.")
    factories.ticket(contact=factories.contact(other_org), subject="Autre chose")
    page = console.get("/console/recherche/?q=décalés").content.decode()
    assert "Dates décalées" in page
    assert "Autre chose" not in page
    assert console.get("/console/recherche/?status=nope").status_code == 400
    assert console.get("/console/recherche/?view=999").status_code == 404


def test_a_saved_view_is_counted_and_shared(console, tech1, tech2, contact):
    for n in range(2):
        factories.ticket(contact=contact, subject=f"Imprimante {n}")
    r = console.post(
        "/console/vues/enregistrer/", {"q": "imprimante", "name": "Imprimantes", "shared": "on"}
    )
    view = SavedView.objects.get()
    assert r.status_code == 302
    assert r.url == f"/console/recherche/?view={view.pk}"
    page = console.get(r.url).content.decode()
    assert re.search(r"Imprimantes <span class=\"badge\">2</span>", page)
    other = signed_in(tech2).get(f"/console/recherche/?view={view.pk}").content.decode()
    assert "Imprimante 0" in other


def test_bulk_actions_report_what_was_done_and_refused(console, manager, contact):
    a = factories.ticket(contact=contact, subject="Un")
    b = factories.ticket(contact=contact, subject="Deux")
    client = signed_in(manager)
    r = client.post(
        "/console/recherche/lot/",
        {"tickets": [a.pk, b.pk], "action": "level", "bulk_level": "1", "q": "deux"},
        follow=True,
    )
    assert r.redirect_chain[0][0] == "/console/recherche/?q=deux"
    assert "2 demandes" in r.content.decode()
    assert set(Ticket.objects.values_list("level", flat=True)) == {1}
    r = client.post(
        "/console/recherche/lot/",
        {"tickets": [a.pk], "action": "status", "bulk_status": "new"},
        follow=True,
    )
    assert f"#{a.pk} refusée" in r.content.decode()
    r = client.post("/console/recherche/lot/", {"tickets": [], "action": "note"}, follow=True)
    assert "Sélectionnez au moins une demande." in r.content.decode()


def test_merge_and_link_from_the_request_page(console, contact):
    into = factories.ticket(contact=contact, subject="Original")
    duplicate = factories.ticket(contact=contact, subject="Doublon")
    other = factories.ticket(contact=contact, subject="Voisine")
    r = console.post(f"/console/demandes/{into.pk}/lier/", {"other": f"#{other.pk}"})
    assert r.status_code == 302
    assert f"#{into.pk} Original" in console.get(f"/console/demandes/{other.pk}/").content.decode()
    r = console.post(f"/console/demandes/{duplicate.pk}/fusionner/", {"into": str(into.pk)})
    assert r.url == f"/console/demandes/{into.pk}/"
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == into.pk
    assert (
        "Fusionnée dans la demande"
        in console.get(f"/console/demandes/{duplicate.pk}/").content.decode()
    )
    r = console.post(f"/console/demandes/{other.pk}/fusionner/", {"into": "abc"}, follow=True)
    assert "Cette demande n&#x27;existe pas." in r.content.decode()


def test_macro_send_and_next_follows_the_view(console, tech1, manager, contact):
    first = factories.ticket(contact=contact, subject="Premier")
    second = factories.ticket(contact=contact, subject="Second")
    macro = workspace.macro_save(
        actor=manager,
        name="Accusé",
        body_fr="Bonjour {contact}, nous traitons la demande {number}.",
        body_en="Hello {contact}, we are on request {number}.",
        shared=True,
    )
    view = workspace.view_save(
        actor=tech1, name="Nouvelles", params={"status": "new", "ordering": "received_at"}
    )
    page = console.get(f"/console/demandes/{first.pk}/?view={view.pk}").content.decode()
    assert f"Bonjour Marc Gagnon, nous traitons la demande {first.pk}." in page
    assert 'src="/static/soutien/macros.js"' in page
    assert "<script>" not in page
    r = console.post(
        f"/console/demandes/{first.pk}/reponse-type/",
        {"macro": macro.pk, "body": "", "then": "next", "view": view.pk},
    )
    assert r.url == f"/console/demandes/{first.pk}/suivante/?view={view.pk}"
    r = console.get(r.url)
    assert r.url == f"/console/demandes/{second.pk}/?view={view.pk}"
    reply = Message.objects.get(ticket=first)
    assert reply.kind == MessageKind.REPLY
    assert reply.body == f"Bonjour Marc Gagnon, nous traitons la demande {first.pk}."
    last = console.get(f"/console/demandes/{second.pk}/suivante/?view={view.pk}")
    assert last.url == f"/console/recherche/?view={view.pk}"


def test_macros_page_writes_and_refuses(console):
    r = console.post(
        "/console/reponses-types/",
        {"name": "Merci", "body_fr": "Merci.", "body_en": "Thanks.", "set_status": "resolved"},
    )
    assert r.status_code == 302
    assert "Merci" in console.get("/console/reponses-types/").content.decode()
    r = console.post("/console/reponses-types/", {"name": "Vide", "body_fr": "", "body_en": "x"})
    assert r.status_code == 400
    assert "Rédigez le texte français." in r.content.decode()


def test_next_request_follows_a_console_queue(console, manager, contact):
    first = factories.ticket(contact=contact, subject="Premier")
    second = factories.ticket(contact=contact, subject="Second")
    # Newest first: the second, then the first.
    query = "queue=triage&sort=received"
    r = console.get(f"/console/demandes/{second.pk}/suivante/?{query}")
    assert r.url == f"/console/demandes/{first.pk}/?{query}"
    r = console.get(f"/console/demandes/{first.pk}/suivante/?{query}&direction=previous")
    assert r.url == f"/console/demandes/{second.pk}/?{query}"
    r = console.get(f"/console/demandes/{first.pk}/suivante/?queue=triage")  # soonest due first
    assert r.url == f"/console/demandes/{second.pk}/?queue=triage"


def test_the_queues_show_the_saved_views_with_their_counts(console, tech1, contact):
    factories.ticket(contact=contact, subject="Imprimante")
    view = workspace.view_save(actor=tech1, name="Imprimantes", params={"q": "imprimante"})
    page = console.get("/console/?queue=triage").content.decode()
    assert (
        f'href="/console/recherche/?view={view.pk}">Imprimantes <span class="badge">1</span>'
        in page
    )
