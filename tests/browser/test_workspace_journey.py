"""A technician works a saved view with a macro: chosen, put in the reply box by the static
script, edited, sent, and on to the next request of the view."""

from __future__ import annotations

import pytest

from soutien.ticketing.models import Message, MessageKind
from soutien.workspace import services as workspace
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_macro_fills_the_reply_box_and_send_and_next_follows_the_view(browser, live_server):
    org = factories.organization("Ville de Saint-Laurent")
    contact = factories.contact(org, name="Marc Gagnon")
    tech = factories.staff(levels=(1,), name="Théo Premier")
    first = factories.ticket(contact=contact, subject="Premier")
    second = factories.ticket(contact=contact, subject="Second")
    workspace.macro_save(
        actor=tech,
        name="Accusé",
        body_fr="Bonjour {contact}, la demande {number} est entre bonnes mains.",
        body_en="Hello {contact}, request {number} is in good hands.",
    )
    view = workspace.view_save(
        actor=tech, name="Nouvelles", params={"status": "new", "ordering": "received_at"}
    )
    base = live_server.url
    context = browser.new_context(locale="fr-CA")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base, tech.username)
    page.goto(f"{base}/console/recherche/?view={view.pk}")
    page.click("table.queue a:text-is('Premier')")
    page.wait_for_url(f"{base}/console/demandes/{first.pk}/?view={view.pk}")
    page.select_option("#macro-choice", label="Accusé")
    box = page.locator("#macro-body")
    expected = f"Bonjour Marc Gagnon, la demande {first.pk} est entre bonnes mains."
    assert box.input_value() == expected
    box.fill(expected + " À bientôt.")
    page.click("button[name=then][value=next]")
    page.wait_for_url(f"{base}/console/demandes/{second.pk}/?view={view.pk}")
    reply = Message.objects.get(ticket=first)
    assert reply.kind == MessageKind.REPLY
    assert reply.body == expected + " À bientôt."
    assert errors == []
    context.close()
