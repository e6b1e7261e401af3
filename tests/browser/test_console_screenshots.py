"""The pictures of docs/console.md, taken from a live console (and checked while taken).

`SOUTIEN_SCREENSHOTS=docs/img python3 dev.py test tests/browser/test_console_screenshots.py`
writes them into docs/img/; otherwise they go to a temporary folder and are only checked.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from soutien.presence import services as presence
from soutien.ticketing import services
from soutien.ticketing.models import MessageKind
from soutien.workspace import services as workspace
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SUBJECTS = [
    "Dépôt de documents impossible",
    "La mise en page de la page d'accueil est décalée",
    "Les nouvelles ne s'affichent pas sur l'intranet",
]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_console_pictures(browser, live_server, tmp_path, language):
    folder = Path(os.environ.get("SOUTIEN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    manager = factories.staff(levels=(), manager=True, name="Geneviève Gestion")
    theo = factories.staff(levels=(1,), name="Théo Premier")
    tina = factories.staff(levels=(1, 2), name="Tina Second")
    org = factories.organization("Ville de Saint-Laurent")
    contact = factories.contact(org, name="Julie Tremblay")
    tickets = []
    for subject in SUBJECTS:
        ticket = factories.ticket(contact=contact, actor=manager, subject=subject)
        services.ticket_set_level(actor=manager, ticket=ticket, level=1)
        tickets.append(ticket)
    first = tickets[0]
    base = live_server.url
    context = browser.new_context(locale=f"{language}-CA", viewport={"width": 1200, "height": 820})
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    sign_in(page, base, theo.username)

    presence.presence_beat(actor=tina, ticket=first, typing=True)
    page.goto(f"{base}/console/?queue=1")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.is_visible("table.queue tr.current")
    assert "Tina Second" in page.inner_text(".on-it")
    page.screenshot(path=folder / f"console-queue-{language}.png")

    page.keyboard.press("?")
    page.screenshot(path=folder / f"console-shortcuts-{language}.png")
    page.keyboard.press("Escape")

    # A macro chosen by keyboard on the second request: m, the arrows, Enter.
    workspace.macro_save(
        actor=theo,
        name="Accusé de réception",
        body_fr="Bonjour {contact}, la demande {number} est entre bonnes mains.",
        body_en="Hello {contact}, request {number} is in good hands.",
    )
    page.goto(f"{base}/console/demandes/{tickets[1].pk}/")
    page.keyboard.press("m")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "macro-choice"
    page.locator("#macro-choice").scroll_into_view_if_needed()
    page.screenshot(path=folder / f"console-macro-{language}.png")
    page.keyboard.press("Enter")
    assert "Julie Tremblay" in page.input_value("#macro-body")

    page.goto(f"{base}/console/demandes/{first.pk}/")
    presence.presence_beat(actor=tina, ticket=first, typing=True)
    page.wait_for_selector("#presence li.typing", timeout=12_000)
    page.fill("#reply_body", "Videz le cache du navigateur, puis réessayez.")
    services.message_add(
        actor=tina, ticket=first, kind=MessageKind.REPLY, body="C'est corrigé de notre côté."
    )
    page.click("form.reply-form button.primary")
    page.wait_for_selector(".held")
    page.locator("#reply").scroll_into_view_if_needed()
    page.screenshot(path=folder / f"console-held-reply-{language}.png")

    phone = browser.new_context(
        locale=f"{language}-CA", viewport={"width": 390, "height": 760}, device_scale_factor=2
    )
    phone.add_cookies([{"name": "django_language", "value": language, "url": base}])
    small = phone.new_page()
    sign_in(small, base, theo.username)
    small.goto(f"{base}/console/?queue=1")
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    small.screenshot(path=folder / f"console-phone-{language}.png")

    for name in ("queue", "shortcuts", "macro", "held-reply", "phone"):
        assert (folder / f"console-{name}-{language}.png").stat().st_size > 5_000
