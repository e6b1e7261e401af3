"""A client types a request whose words match an article, sees it suggested, opens it, leaves
without filing: the console counts a deflection."""

from __future__ import annotations

import pytest

from soutien.kb import services
from soutien.kb.models import Kind, RequestForm
from soutien.ticketing.models import Ticket
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_client_opens_a_suggestion_and_leaves_which_counts_as_a_deflection(browser, live_server):
    org = factories.organization("Ville de Saint-Laurent")
    client_user = factories.contact(org, name="Marc Gagnon")
    manager = factories.staff(levels=(), manager=True, name="Geneviève Gestion")
    # A manager signs in with a second factor (tests/browser/test_two_factor_journey.py); this
    # test is about the figures, so its manager signs in as the demo's do.
    manager.second_factor_exempt = True
    manager.save(update_fields=["second_factor_exempt"])
    services.article_save(
        actor=manager,
        title="Les documents PDF ne se téléversent pas",
        body="Vérifiez la taille du fichier, puis videz le cache du navigateur.",
        language="fr",
        kind=Kind.TROUBLESHOOTING,
        publish=True,
    )
    base = live_server.url

    context = browser.new_context(locale="fr-CA")
    page = context.new_page()
    sign_in(page, base, client_user.username)
    page.wait_for_url(f"{base}/portail/")
    page.goto(f"{base}/portail/demandes/nouvelle/")
    page.fill("input[name=subject]", "Téléversement impossible")
    page.type("textarea[name=body]", "Mes documents PDF ne passent pas.", delay=20)
    suggestion = page.wait_for_selector("#kb-suggestions a.kb-suggestion", timeout=10_000)
    assert "Les documents PDF ne se téléversent pas" in suggestion.inner_text()

    with context.expect_page() as opened:
        suggestion.click()
    article_page = opened.value
    article_page.wait_for_load_state()
    assert "Vérifiez la taille du fichier" in article_page.inner_text("main")
    # The client leaves without filing the request.
    article_page.close()
    page.goto(f"{base}/aide/")
    assert not Ticket.objects.exists()
    form = RequestForm.objects.get()
    assert form.deflected

    console = browser.new_context(locale="fr-CA").new_page()
    sign_in(console, base, manager.username)
    console.wait_for_url(f"{base}/console/")
    console.goto(f"{base}/console/aide/chiffres/")
    this_week = console.locator("#deflection tbody tr").first
    assert this_week.locator("td.deflected").inner_text() == "1"
    assert this_week.locator("td.rate").inner_text() == "100 %"
