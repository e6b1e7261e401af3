"""Time logged on a request from the console, and deleted."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine

from soutien.contracts.models import HourBank, TimeEntry
from soutien.contracts.services import contract_create
from tests import factories
from tests.web.helpers import NOON, signed_in, text_of


def test_technician_logs_and_deletes_time_on_a_request(manager, org, contact, tech1):
    contract_create(
        actor=manager,
        organization=org,
        reference="LIC-1",
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        included_minutes=60,
    )
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=NOON)
        web = signed_in(tech1)
        r = web.post(
            f"/console/demandes/{ticket.pk}/temps/",
            {"started_at": "2026-12-01T12:00", "minutes": "75", "note": "Correctif"},
        )
        assert r.status_code == 302
        page = web.get(f"/console/demandes/{ticket.pk}/").content.decode()
    entry = TimeEntry.objects.get()
    assert entry.overage_minutes == 15
    assert "hors de toute banque" in page or "15 min" in page
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        web.post(f"/console/temps/{entry.pk}/supprimer/")
    assert not TimeEntry.objects.exists()
    assert HourBank.objects.get().used_minutes == 0


def test_the_time_panel_is_read_when_opened_and_is_a_page_without_javascript(
    django_assert_max_num_queries, worked, tech1
):
    """The request page says how much time is logged in the panel's title; the panel itself
    (entries, the banks they drew from, the form) comes when it is opened, or as a page of its
    own through the link inside it when JavaScript is off."""
    with time_machine.travel(NOON + timedelta(hours=3), tick=False):
        web = signed_in(tech1)
        page = text_of(web.get(f"/console/demandes/{worked.pk}/"))
        panel_url = f"/console/demandes/{worked.pk}/temps/panneau/"
        assert "<summary>Temps (1)</summary>" in page
        assert f'hx-get="{panel_url}"' in page
        assert f'<a href="{panel_url}">' in page, "the link for a browser without JavaScript"
        assert "Analyse" not in page
        assert 'id="time_minutes"' not in page
        web.get(panel_url, headers={"HX-Request": "true"})  # compiled templates
        # Session, user, the request, its entries, their allocations with their banks, and the
        # unread notifications' count every page's context has.
        with django_assert_max_num_queries(6):
            fragment = text_of(web.get(panel_url, headers={"HX-Request": "true"}))
        full = text_of(web.get(panel_url))
    assert "<html" not in fragment
    assert "1 h 30" in fragment
    assert "Contrat " in fragment
    assert 'id="time_minutes"' in fragment
    assert f'action="/console/demandes/{worked.pk}/temps/"' in fragment
    assert "<h1>Temps de la demande" in full
    assert 'id="time_minutes"' in full
    assert "Contrat " in full
    assert f'<a href="/console/demandes/{worked.pk}/">Retour à la demande</a>' in full


def test_a_request_without_time_says_nothing_in_its_panel_title(ticket, tech1):
    page = text_of(signed_in(tech1).get(f"/console/demandes/{ticket.pk}/"))
    assert "<summary>Temps</summary>" in page


def test_the_time_panel_is_for_staff_only(worked, contact):
    response = signed_in(contact).get(f"/console/demandes/{worked.pk}/temps/panneau/")
    assert response.status_code in (302, 403, 404)
    assert "Analyse" not in response.content.decode()
