"""Under the strict Content-Security-Policy, no page of any site is refused anything, and htmx works.

Chromium reports each thing a policy blocks (an inline script or style, an eval, a foreign
source) as a `securitypolicyviolation` event and a console message; both are collected on
every page of the public site, the portal, the console and the API's interactive docs.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from soutien.channels.mail.models import InboundEmail, Mailbox
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


class Watched:
    """A page whose policy violations (events and console messages) are all kept."""

    def __init__(self, browser, base: str) -> None:
        self.base = base
        self.page = browser.new_context(locale="fr-CA").new_page()
        self.page.add_init_script(LISTEN)
        self.console: list[str] = []
        self.seen: list[str] = []
        self.page.on("console", self._message)

    def _message(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def visit(self, path: str) -> None:
        response = self.page.goto(f"{self.base}{path}")
        assert response is not None
        assert response.status < 400, (path, response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        self.page.wait_for_load_state("networkidle")
        self.seen.append(path)
        self.check(path)

    def check(self, where: str) -> None:
        violations = self.page.evaluate("window.__violations || []")
        assert violations == [], (where, violations)
        assert self.console == [], (where, self.console)


def test_every_site_runs_under_the_policy_and_htmx_still_works(browser, live_server):
    base = live_server.url
    org = factories.organization("Ville de Saint-Laurent")
    other_org = factories.organization("Maple Health Inc.", language="en")
    factories.contact(other_org, name="Jane Maple")
    contact = factories.contact(org, name="Marc Gagnon")
    technician = factories.staff(levels=(1,), name="Théo Premier")
    manager = factories.staff(levels=(), manager=True, name="Geneviève Gestion")
    ticket = factories.ticket(contact=contact)
    box = Mailbox.objects.create(
        name="Soutien", address="support@soutien.example", host="127.0.0.1", port=1,
        security="none", username="support", password_encrypted="x",
    )  # fmt: skip
    email = InboundEmail.objects.create(
        key="k1", message_id="m1@x", mailbox=box, raw=b"Subject: x\n\nx", size=12,
        arrived_at=timezone.now(), from_address="marc@x.example", subject="Écran noir",
        status="imported", ticket=ticket,
        html='<p style="color: #c0392b; font-weight: bold">Écran noir</p><img src="https://tracker.example/p.gif">',
        text="Écran noir",
    )  # fmt: skip

    public = Watched(browser, base)
    for path in ["/", "/connexion/", "/soutien/", "/aide/", "/infolettre/"]:
        public.visit(path)
    # htmx: the help centre's search box asks the server as one types.
    public.visit("/aide/")
    with public.page.expect_response(lambda r: "/aide/recherche/" in r.url) as searched:
        public.page.fill("input[name=q]", "imprimante")
    assert searched.value.status == 200
    public.check("help search")

    docs = Watched(browser, base)
    docs.visit("/api/v1/docs")
    docs.page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert "/api/v1/tickets" in docs.page.inner_text(".swagger-ui")
    docs.check("API docs")

    portal = Watched(browser, base)
    sign_in(portal.page, base, contact.username)
    portal.check("portal sign-in")
    for path in [
        reverse("portal:tickets"),
        reverse("portal:ticket_new"),
        reverse("portal:ticket", args=[ticket.pk]),
    ]:
        portal.visit(path)

    console = Watched(browser, base)
    sign_in(console.page, base, technician.username)
    console.check("console sign-in")
    for path in [
        reverse("console:queue"),
        reverse("console:ticket", args=[ticket.pk]),
        reverse("console:email", args=[email.pk]),
        reverse("console:email", args=[email.pk]) + "?images=1",
        reverse("console:organizations"),
    ]:
        console.visit(path)

    # htmx: the knowledge-base panel of a request searches as one types.
    console.visit(reverse("console:ticket", args=[ticket.pk]))
    console.page.click("#kb-panel summary")
    with console.page.expect_response(lambda r: "/console/aide/panneau/" in r.url) as panel:
        console.page.fill("#kb-panel input[name=q]", "imprimante")
    assert panel.value.status == 200
    console.check("KB panel")

    # A script from a static file: choosing the organization narrows the contacts (htmx.ajax).
    console.visit(reverse("console:ticket_new"))
    with console.page.expect_response(lambda r: "/console/contacts/options/" in r.url):
        console.page.select_option("#id_organization", str(other_org.pk))
    console.page.wait_for_function(
        "document.querySelector('#id_contact').innerText.includes('Jane Maple')"
    )
    assert "Marc Gagnon" not in console.page.inner_text("#id_contact")
    console.check("contacts narrowed")

    # The two-factor pages have a journey of their own; here the manager's pages are the point.
    manager.second_factor_exempt = True
    manager.save(update_fields=["second_factor_exempt"])
    managing = Watched(browser, base)
    sign_in(managing.page, base, manager.username)
    managing.visit(reverse("console:calendars"))
    assert managing.page.url.endswith(reverse("console:calendars"))
    assert managing.page.locator("svg.bar").count() > 0  # the week's hours, drawn without style=
    managing.visit(reverse("console:queue"))
