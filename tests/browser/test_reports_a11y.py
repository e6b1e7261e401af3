"""Every report page passes axe-core in Chromium, at desktop width and at 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from soutien.contracts.models import HourBank
from soutien.contracts.services import time_entry_create
from soutien.satisfaction.services import guarantee_decide, guarantee_invoke, rating_record
from soutien.ticketing import services
from soutien.ticketing.models import MessageKind
from tests import factories
from tests.browser.a11y import axe_violations
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = ["", "hours/", "team/", "kb/", "satisfaction/"]


def test_report_pages_have_no_axe_violation(browser, live_server):
    manager = factories.staff(levels=(), manager=True, name="Geneviève Gestion")
    manager.second_factor_exempt = True  # the two-factor sign-in has tests of its own
    manager.save(update_fields=["second_factor_exempt"])
    tech = factories.staff(levels=(1, 2), name="Théo Premier")
    org = factories.organization("Ville de Saint-Laurent")
    factories.spec4_banks(manager, org)
    contact = factories.contact(org)
    now = timezone.now().replace(microsecond=0)
    for hours_ago in (50, 30, 5):
        ticket = factories.ticket(
            contact=contact, actor=manager, received_at=now - timedelta(hours=hours_ago)
        )
        services.ticket_update(actor=manager, ticket=ticket, level=1, assignee=tech)
        services.message_add(actor=tech, ticket=ticket, kind=MessageKind.REPLY, body="Bonjour")
        time_entry_create(
            actor=tech, ticket=ticket, started_at=now - timedelta(hours=hours_ago), minutes=45
        )
    solved = factories.ticket(contact=contact, actor=manager)
    services.ticket_change_status(actor=manager, ticket=solved, status="resolved")
    rating_record(ticket=solved, value="bad", comment="Trop lent", actor=None, via="email")
    # A guarantee to decide on the request, one granted on a statement with a credit.
    admin = factories.client_admin(org)
    guarantee_invoke(actor=admin, ticket=solved, reason="Trois jours sans réponse")
    today = timezone.localdate()
    granted = guarantee_invoke(
        actor=admin, organization=org, first_day=today.replace(day=1), last_day=today,
        reason="Heures en double",
    )  # fmt: skip
    guarantee_decide(
        actor=manager, guarantee=granted, grant=True, note="Une heure rendue.",
        bank=HourBank.objects.filter(organization=org).first(), credit_minutes=60,
    )  # fmt: skip
    base = live_server.url
    for width in (1280, 390):
        context = browser.new_context(
            locale="fr-CA", viewport={"width": width, "height": 900}, bypass_csp=True
        )
        page = context.new_page()
        sign_in(page, base, manager.username)
        for path in PAGES:
            page.goto(f"{base}/console/rapports/{path}")
            assert page.locator("h1").inner_text() == "Rapports"
            assert axe_violations(page) == [], (path, width)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth > document.documentElement.clientWidth"
            )
            assert not overflow, (path, width)
        # The request's page: the client's rating and the guarantee a manager decides there.
        page.goto(f"{base}/console/demandes/{solved.pk}/")
        assert page.locator("#satisfaction").count() == 1
        assert axe_violations(page) == [], ("ticket", width)
        context.close()
    # The client administrator's figures, request and statement (guarantees) in the portal.
    for width in (1280, 390):
        context = browser.new_context(
            locale="fr-CA", viewport={"width": width, "height": 900}, bypass_csp=True
        )
        page = context.new_page()
        sign_in(page, base, admin.username)
        page.goto(f"{base}/portail/chiffres/")
        assert page.locator("h1").inner_text() == "Nos chiffres"
        assert axe_violations(page) == [], ("portal", width)
        # The first page tells the decision until the statement is read.
        page.goto(f"{base}/portail/")
        assert page.locator(".flash-inline").count() == (1 if width == 1280 else 0)
        assert axe_violations(page) == [], ("portal requests", width)
        for path in (f"/portail/demandes/{solved.pk}/", "/portail/releve/"):
            page.goto(f"{base}{path}")
            assert page.locator("#guarantee").count() == 1, path
            assert axe_violations(page) == [], (path, width)
        context.close()
