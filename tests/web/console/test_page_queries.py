"""The two console pages a technician has open all day cost a fixed, small number of queries:
the request page with every panel filled (timeline, time and banks, presence, macros, links,
merged requests, notifications) and the queue with saved views in its navigation. A query that
creeps in (one per message, per macro, per view...) fails here before it costs at a million
requests (docs/performance.md, "The console while ten technicians poll presence")."""

from __future__ import annotations

import io
from datetime import timedelta

import time_machine

from soutien.contracts.services import time_entry_create
from soutien.presence import services as presence
from soutien.satisfaction.services import rating_record
from soutien.ticketing import merging, services
from soutien.ticketing.models import CallDirection, MessageKind, Ticket
from soutien.ticketing.services import Upload
from soutien.workspace import services as workspace
from tests import factories
from tests.web.helpers import NOON, signed_in, text_of

# The request page's queries: session, user, the request (with how many time entries it has and
# whether it has a rating, guarantees, agreements, sessions), its messages, their files and its
# own (one query), its history, the SLA configuration's version, presence, notifications,
# macros, the linked and merged requests (one query), the technicians to assign to. The time
# entries themselves are read when their panel is opened (tests/web/console/test_time.py); the
# client's rating and guarantees, the agreement card and the sessions, one query each, only when
# the request has some.
REQUEST_PAGE = 12
# The queue: session, user, a page of requests, presence on them, the SLA configuration's
# version, notifications, the saved views; then a capped count per view (a view of words on
# PostgreSQL looks them up in the text index first: two queries).
QUEUE_BASE = 7
PER_VIEW = 2


def _more_of_everything(ticket: Ticket, manager, contact, tech1, n: int) -> None:
    """Messages of each kind with files, the request's own files, time logged, macros, links and
    a merged duplicate."""

    def upload(name: str) -> Upload:
        return Upload(name=name, content=io.BytesIO(b"log"), size=3)

    services.attachment_add(actor=contact, ticket=ticket, upload=upload(f"original-{n}.txt"))
    services.message_add(
        actor=tech1,
        ticket=ticket,
        kind=MessageKind.REPLY,
        body=f"Réponse {n}",
        uploads=[upload(f"reponse-{n}.txt")],
    )
    services.message_add(actor=tech1, ticket=ticket, kind=MessageKind.NOTE, body=f"Note {n}")
    services.message_add(
        actor=tech1,
        ticket=ticket,
        kind=MessageKind.PHONE_CALL,
        body=f"Appel {n}",
        at=NOON + timedelta(minutes=n),
        call_direction=CallDirection.OUTBOUND,
        duration_minutes=5,
    )
    services.message_add(actor=contact, ticket=ticket, kind=MessageKind.CLIENT, body=f"Merci {n}")
    time_entry_create(actor=tech1, ticket=ticket, started_at=NOON + timedelta(hours=1), minutes=15)
    workspace.macro_save(
        actor=tech1, name=f"Accusé {n}", body_fr="Bonjour {contact}", body_en="Hello {contact}"
    )
    workspace.macro_save(
        actor=manager, name=f"Équipe {n}", body_fr="Merci", body_en="Thanks", shared=True
    )
    neighbour = factories.ticket(contact=contact, actor=manager, subject=f"Voisine {n}")
    merging.ticket_link(actor=tech1, ticket=ticket, other=neighbour)
    duplicate = factories.ticket(contact=contact, actor=manager, subject=f"Doublon {n}")
    merging.ticket_merge(actor=tech1, duplicate=duplicate, into=ticket)


def test_the_request_page_costs_the_same_few_queries_however_full(
    django_assert_max_num_queries, worked, manager, contact, tech1
):
    ticket = worked
    colleague = factories.staff(levels=(1,), name="Tina Deux")
    url = f"/console/demandes/{ticket.pk}/"
    with time_machine.travel(NOON + timedelta(hours=3), tick=False):
        web = signed_in(tech1)
        services.ticket_set_level(actor=manager, ticket=ticket, level=1)
        services.ticket_assign(actor=manager, ticket=ticket, technician=tech1)
        _more_of_everything(ticket, manager, contact, tech1, 1)
        presence.presence_beat(actor=colleague, ticket=ticket, typing=True)
        web.get(url)  # compiled templates, the SLA snapshot
        with django_assert_max_num_queries(REQUEST_PAGE):
            response = web.get(url)
        assert response.status_code == 200, response
        page = text_of(response)
        first_entries = ticket.time_entries.count()
        for n in (2, 3):
            _more_of_everything(ticket, manager, contact, tech1, n)
        presence.presence_beat(actor=colleague, ticket=ticket, typing=True)
        with django_assert_max_num_queries(REQUEST_PAGE):
            fuller = text_of(web.get(url))
    # Every panel was there, each drawn from what the page had already read.
    for shown in ("Réponse 1", "Note 1", "Appel 1", "Merci 1", "Tina Deux", "Accusé 1", "Équipe 1"):
        assert shown in page, shown
    assert "Voisine 1" in page
    entries = (first_entries, ticket.time_entries.count())
    assert entries[1] > entries[0] > 0
    assert f"<summary>Temps ({entries[0]})</summary>" in page, "its title counts the time entries"
    assert f"<summary>Temps ({entries[1]})</summary>" in fuller
    for shown in ("Réponse 3", "Merci 3", "Accusé 3", "Équipe 3", "Voisine 3"):
        assert shown in fuller, shown
    assert fuller.count('class="msg msg-reply"') == 3
    # Each file once, where it belongs: the request's own under its text, a reply's in it.
    merged = list(ticket.merged_requests.values_list("pk", flat=True))
    html = response.content.decode()
    original = html[html.index('class="msg msg-client original"') : html.index('class="timeline"')]
    assert "original-1.txt" in original
    assert "reponse-1.txt" not in original
    assert html.count("reponse-1.txt") == 1
    assert len(merged) == 3
    for pk in merged:
        assert f'">#{pk}</a>' in fuller, "each merged request is listed"


def test_the_queue_costs_a_query_or_two_per_saved_view_and_none_per_request(
    django_assert_max_num_queries, manager, contact, tech1
):
    colleague = factories.staff(levels=(1,), name="Tina Deux")
    for n in range(3):
        ticket = factories.ticket(contact=contact, actor=manager, subject=f"Imprimante {n}")
        services.ticket_set_level(actor=manager, ticket=ticket, level=1)
        presence.presence_beat(actor=colleague, ticket=ticket, typing=n == 0)
    workspace.view_save(actor=tech1, name="Imprimantes", params={"q": "imprimante"})
    workspace.view_save(actor=manager, name="Niveau 1", params={"level": "1"}, shared=True)
    web = signed_in(tech1)
    web.get("/console/?queue=1")
    with django_assert_max_num_queries(QUEUE_BASE + 2 * PER_VIEW):
        page = text_of(web.get("/console/?queue=1"))
    assert "Imprimante 2" in page
    assert "Sur place : Tina Deux (écrit)" in page
    assert 'Imprimantes <span class="badge">3</span>' in page
    for n in range(3, 8):
        ticket = factories.ticket(contact=contact, actor=manager, subject=f"Imprimante {n}")
        services.ticket_set_level(actor=manager, ticket=ticket, level=1)
        presence.presence_beat(actor=colleague, ticket=ticket, typing=False)
    with django_assert_max_num_queries(QUEUE_BASE + 2 * PER_VIEW):
        page = text_of(web.get("/console/?queue=1"))
    assert "Imprimante 7" in page
    assert 'Niveau 1 <span class="badge">8</span>' in page


def test_a_view_holding_more_than_the_cap_says_so_without_counting_them_all(
    monkeypatch, manager, contact, tech1
):
    """Past the cap the navigation says "2+" (99+ in production); the view lists them all."""
    from soutien.workspace import selectors as workspace_selectors

    monkeypatch.setattr(workspace_selectors, "NAV_COUNT_CAP", 2)
    for n in range(3):
        ticket = factories.ticket(contact=contact, actor=manager, subject=f"Imprimante {n}")
        services.ticket_set_level(actor=manager, ticket=ticket, level=1)
    factories.ticket(contact=contact, actor=manager, subject="Écran noir")
    view = workspace.view_save(actor=tech1, name="Imprimantes", params={"q": "imprimante"})
    workspace.view_save(actor=tech1, name="Écrans", params={"q": "écran"})
    web = signed_in(tech1)
    for url in ("/console/?queue=1", "/console/recherche/"):
        page = text_of(web.get(url))
        assert 'Imprimantes <span class="badge">2+</span>' in page, url
        assert 'Écrans <span class="badge">1</span>' in page, url
    listed = text_of(web.get(f"/console/recherche/?view={view.pk}"))
    assert all(f"Imprimante {n}" in listed for n in range(3))


def test_the_satisfaction_card_is_read_only_for_a_request_rated_or_with_a_guarantee(
    django_assert_max_num_queries, manager, contact, tech1
):
    """Most requests have neither: the page does not look for them, and has no card; once the
    client rates it, the card shows the rating (one more query)."""
    ticket = factories.ticket(contact=contact, actor=manager, subject="Réglée")
    services.ticket_change_status(actor=manager, ticket=ticket, status="resolved")
    web = signed_in(tech1)
    url = f"/console/demandes/{ticket.pk}/"
    web.get(url)
    with django_assert_max_num_queries(REQUEST_PAGE):
        page = text_of(web.get(url))
    assert 'id="satisfaction"' not in page
    rating_record(ticket=ticket, value="bad", comment="Trop lent", actor=None, via="email")
    with django_assert_max_num_queries(REQUEST_PAGE + 1):
        page = text_of(web.get(url))
    card = page[page.index('id="satisfaction"') : page.index('class="timeline"')]
    assert "Avis « Pas bien » donné le" in card
    assert "Trop lent" in card
