"""The technician's workspace in Chromium: a queue worked by keyboard only, two technicians on one
request, and time logged from a French and an English browser."""

from __future__ import annotations

import re

import pytest

from soutien.contracts.models import TimeEntry
from soutien.ticketing import services
from soutien.ticketing.models import Message, MessageKind
from soutien.workspace import services as workspace
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _level_one_queue(count: int) -> list[int]:
    manager = factories.staff(levels=(), manager=True, name="Gérante")
    org = factories.organization("Ville de Laval")
    contact = factories.contact(org, name="Marc Gagnon")
    ids = []
    for n in range(count):
        ticket = factories.ticket(contact=contact, actor=manager, subject=f"Problème {n + 1}")
        services.ticket_set_level(actor=manager, ticket=ticket, level=1)
        ids.append(ticket.pk)
    return ids


def test_a_level_one_queue_of_ten_is_worked_by_keyboard_with_a_macro_and_send_and_next(
    browser, live_server
):
    ids = _level_one_queue(10)
    technician = factories.staff(levels=(1,), name="Théo Premier")
    workspace.macro_save(
        actor=technician,
        name="Accusé de réception",
        body_fr="Bonjour {contact}, la demande {number} est entre bonnes mains.",
        body_en="Hello {contact}, request {number} is in good hands.",
    )
    workspace.macro_save(
        actor=technician,
        name="Redémarrage",
        body_fr="Bonjour {contact}, redémarrez le poste, puis dites-nous.",
        body_en="Hello {contact}, restart the computer, then tell us.",
    )
    base = live_server.url
    page = browser.new_context(locale="fr-CA").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base, technician.username)
    page.goto(f"{base}/console/?queue=1")
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))

    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    opened = []
    for n in range(10):
        match = re.search(r"/console/demandes/(\d+)/", page.url)
        assert match, page.url
        opened.append(int(match.group(1)))
        page.keyboard.press("m")
        assert page.evaluate("document.activeElement.id") == "macro-choice"
        if n % 2:
            page.keyboard.type("Red")  # typing its name chooses it
        else:
            page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.id") == "macro-choice", "still choosing"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "macro-body"
        page.keyboard.type(f" Suivi {n + 1}.")
        with page.expect_navigation():
            if n % 2:
                page.keyboard.press("Control+Enter")
            else:  # leave the box, then s
                page.keyboard.press("Escape")
                page.keyboard.press("s")
        if n < 9:
            assert "Réponse envoyée" in page.inner_text(".flash")
    assert "C'était la dernière demande de cette liste." in page.inner_text(".flash")

    assert sorted(opened) == sorted(ids), "each request of the queue opened once, in turn"
    replies = Message.objects.filter(kind=MessageKind.REPLY, author=technician)
    assert sorted(replies.values_list("ticket_id", flat=True)) == sorted(ids), "each one answered"
    bodies = {m.ticket_id: m.body for m in replies}
    for n, ticket_id in enumerate(opened):
        if n % 2:
            expected = "Bonjour Marc Gagnon, redémarrez le poste, puis dites-nous."
        else:
            expected = f"Bonjour Marc Gagnon, la demande {ticket_id} est entre bonnes mains."
        assert bodies[ticket_id] == f"{expected} Suivi {n + 1}.", "placeholders filled, then edited"
    # One page load per request (its own page; sending lands on the next), the list at the end.
    assert len(loads) <= 2 * 10, loads
    assert len(loads) == 11, loads
    assert errors == []


def test_a_queue_is_worked_by_keyboard_replying_and_back_to_the_queue(browser, live_server):
    ids = _level_one_queue(3)
    technician = factories.staff(levels=(1,), name="Théo Premier")
    base = live_server.url
    page = browser.new_context(locale="fr-CA").new_page()
    sign_in(page, base, technician.username)
    page.goto(f"{base}/console/?queue=1")
    loads = []
    page.on("load", lambda p: loads.append(p.url))

    page.keyboard.press("j")
    for n in range(3):
        focused = page.evaluate("document.activeElement.getAttribute('href')")
        assert re.search(r"/console/demandes/\d+/$", focused or ""), focused
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/console/demandes/" in page.url
        page.keyboard.press("r")
        assert page.evaluate("document.activeElement.id") == "reply_body"
        page.keyboard.type(f"Réponse numéro {n + 1}.")
        page.keyboard.press("Escape")
        with page.expect_navigation():
            page.keyboard.press("s")
        assert page.url.endswith("/console/?queue=1"), "back to the queue it came from"
        assert "Réponse envoyée" in page.inner_text(".flash")

    replies = Message.objects.filter(kind=MessageKind.REPLY, author=technician)
    assert sorted(replies.values_list("ticket_id", flat=True)) == sorted(ids), "each one answered"
    assert {m.body for m in replies} == {f"Réponse numéro {n}." for n in range(1, 4)}
    assert len(loads) <= 2 * 3, loads


def test_shortcuts_help_opens_with_the_question_mark(browser, live_server):
    technician = factories.staff(levels=(1,), name="Théo Premier")
    page = browser.new_context(locale="en-CA").new_page()
    sign_in(page, live_server.url, technician.username)
    page.goto(f"{live_server.url}/console/")
    page.keyboard.press("?")
    assert page.is_visible("#keys-help")
    page.keyboard.press("Escape")
    assert not page.is_visible("#keys-help")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"


def test_two_technicians_see_each_other_and_a_stale_reply_is_held(browser, live_server):
    (ticket_id,) = _level_one_queue(1)
    theo = factories.staff(levels=(1,), name="Théo Premier")
    tina = factories.staff(levels=(1,), name="Tina Deux")
    base = live_server.url
    url = f"{base}/console/demandes/{ticket_id}/"
    first = browser.new_context(locale="fr-CA").new_page()
    second = browser.new_context(locale="fr-CA").new_page()
    sign_in(first, base, theo.username)
    sign_in(second, base, tina.username)
    first.goto(url)
    second.goto(url)

    # Each page polls every 5 seconds: the other shows up without a reload.
    second.wait_for_selector(
        "#presence >> text=Théo Premier consulte cette demande", timeout=12_000
    )
    first.wait_for_selector("#presence >> text=Tina Deux consulte cette demande", timeout=12_000)
    second.fill("#reply_body", "")
    second.type("#reply_body", "Videz le cache", delay=20)
    first.wait_for_selector(
        "#presence >> text=Tina Deux est en train d'écrire sur cette demande", timeout=12_000
    )

    # Théo writes too; Tina sends first; Théo's reply is held, then sent anyway.
    first.fill("#reply_body", "Redémarrez le serveur.")
    log = {"name": "journal.txt", "mimeType": "text/plain", "buffer": b"erreur 42\n"}
    first.set_input_files("#reply_attachments", files=[log])
    second.click("form.reply-form button.primary")
    second.wait_for_selector(".flash")
    first.click("form.reply-form button.primary")
    first.wait_for_selector(".held")
    assert "Tina Deux a répondu il y a" in first.inner_text(".held")
    assert "journal.txt" in first.inner_text(".held"), "the file is kept with the held reply"
    assert first.input_value("#reply_body") == "Redémarrez le serveur."
    assert Message.objects.filter(ticket_id=ticket_id).count() == 1
    first.click("text=Envoyer quand même")
    first.wait_for_selector(".flash")
    assert Message.objects.filter(ticket_id=ticket_id).count() == 2
    sent = Message.objects.get(ticket_id=ticket_id, author=theo)
    assert [(a.name, a.file.read()) for a in sent.attachments.all()] == [
        ("journal.txt", b"erreur 42\n")
    ]


@pytest.mark.parametrize("locale", ["fr-CA", "en-US"])
def test_time_is_logged_with_the_prefilled_start_in_every_browser_locale(
    browser, live_server, locale
):
    (ticket_id,) = _level_one_queue(1)
    technician = factories.staff(levels=(1,), name="Théo Premier")
    page = browser.new_context(locale=locale).new_page()
    sign_in(page, live_server.url, technician.username)
    page.goto(f"{live_server.url}/console/demandes/{ticket_id}/")
    page.click("#time summary")
    start = page.input_value("#time_started_at")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", start), start
    page.fill("#time_minutes", "30")
    page.click("#time form button")
    page.wait_for_selector(".flash")
    entry = TimeEntry.objects.get(ticket_id=ticket_id)
    assert entry.minutes == 30
