"""The console's SLA side: live clocks, notifications, and the manager's calendar and policy pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from soutien.notifications.services import post
from soutien.sla.models import Closure, Policy, ServiceCalendar
from soutien.sla.services import send_due_alerts
from soutien.ticketing import services
from soutien.ticketing.models import MessageKind, Ticket
from tests import factories

EASTERN = ZoneInfo("America/Toronto")
RECEIVED = datetime(2026, 12, 1, 10, 15, tzinfo=EASTERN)


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ticket(manager, contact):
    with time_machine.travel(RECEIVED, tick=False):
        return factories.ticket(
            contact=contact, actor=manager, received_at=RECEIVED, subject="Horloge"
        )


def test_queue_shows_service_time_left_then_overdue(ticket, tech1):
    with time_machine.travel(RECEIVED + timedelta(minutes=15), tick=False):
        page = _login(tech1).get("/console/?queue=triage").content.decode()
    assert "0 h 45 min" in page or "45 min" in page
    assert "clock-running" in page
    with time_machine.travel(RECEIVED + timedelta(minutes=90), tick=False):
        page = _login(tech1).get("/console/?queue=triage").content.decode()
    assert "clock-overdue" in page
    assert "30 min" in page


def test_clock_counts_service_time_not_wall_time(manager, contact, tech1):
    friday = datetime(2026, 12, 4, 16, 45, tzinfo=EASTERN)
    with time_machine.travel(friday, tick=False):
        t = factories.ticket(contact=contact, actor=manager, received_at=friday)
    with time_machine.travel(datetime(2026, 12, 5, 12, 0, tzinfo=EASTERN), tick=False):
        clock = _login(tech1).get(f"/console/demandes/{t.pk}/horloge/").content.decode()
    # 15 minutes used on Friday; on Saturday 45 minutes of service time are still left.
    assert "45 min" in clock
    assert 'hx-trigger="every 30s"' in clock


def test_answered_request_shows_answered(ticket, tech1):
    with time_machine.travel(RECEIVED + timedelta(minutes=20), tick=False):
        services.message_add(actor=tech1, ticket=ticket, kind=MessageKind.REPLY, body="Bonjour")
        page = _login(tech1).get(f"/console/demandes/{ticket.pk}/").content.decode()
    assert "clock-answered" in page


def test_portal_tells_the_client_when_it_will_hear_from_us(ticket, contact):
    with time_machine.travel(RECEIVED + timedelta(minutes=5), tick=False):
        page = _login(contact).get(f"/portail/demandes/{ticket.pk}/").content.decode()
    assert "Vous aurez de nos nouvelles au plus tard" in page
    assert "11:15" in page


def test_notifications_page_and_badge(tech1, ticket):
    post([tech1], "sla_warning", ticket=ticket)
    web = _login(tech1)
    page = web.get("/console/").content.decode()
    assert 'class="badge">1<' in page
    listing = web.get("/console/notifications/").content.decode()
    assert "Horloge" in listing
    web.post("/console/notifications/")
    assert 'class="badge"' not in web.get("/console/").content.decode()


def test_alert_job_feeds_the_notifications_page(manager, ticket):
    send_due_alerts(now=RECEIVED + timedelta(minutes=61))
    assert (
        "Première réponse en retard"
        in _login(manager).get("/console/notifications/").content.decode()
    )


def test_settings_are_for_managers_only(tech1):
    r = _login(tech1).get("/console/reglages/calendriers/")
    assert r.status_code == 302


def test_manager_edits_a_calendar_with_a_lunch_break(manager, django_capture_on_commit_callbacks):
    web = _login(manager)
    form = {
        "name": "Base plus",
        "time_zone": "America/Toronto",
        "holiday_country": "CA",
        "holiday_subdivision": "QC",
        **{f"day_{d}": "08:30-12:30, 13h00-17h00" for d in range(5)},
        "day_5": "",
        "day_6": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        r = web.post("/console/reglages/calendriers/nouveau/", form)
    assert r.status_code == 302, r.content.decode()[:3000]
    calendar = ServiceCalendar.objects.get(name="Base plus")
    assert calendar.windows["0"] == [[510, 750], [780, 1020]]
    page = web.get(r["Location"]).content.decode()
    assert "Fête nationale du Québec" in page
    assert "08:30-12:30, 13:00-17:00" in page


def test_bad_hours_are_a_form_error(manager):
    r = _login(manager).post(
        "/console/reglages/calendriers/nouveau/",
        {"name": "Cassé", "time_zone": "America/Toronto", "day_0": "17:00-08:00"},
    )
    assert r.status_code == 400
    assert not ServiceCalendar.objects.filter(name="Cassé").exists()
    r = _login(manager).post(
        "/console/reglages/calendriers/nouveau/",
        {"name": "Zone", "time_zone": "Mars/Olympus", "day_0": "08:00-09:00"},
    )
    assert r.status_code == 400


def test_manager_adds_and_removes_a_closure(manager, django_capture_on_commit_callbacks):
    standard = ServiceCalendar.objects.get(name="Heures normales de service")
    web = _login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        web.post(
            f"/console/reglages/calendriers/{standard.pk}/fermetures/",
            {"day": "2026-12-24", "reason": "Veille de Noël"},
        )
    closure = Closure.objects.get()
    assert closure.reason == "Veille de Noël"
    assert (
        "Veille de Noël"
        in web.get(f"/console/reglages/calendriers/{standard.pk}/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        web.post(f"/console/reglages/calendriers/{standard.pk}/fermetures/{closure.pk}/retirer/")
    assert not Closure.objects.exists()


def test_manager_publishes_a_policy_version(manager, django_capture_on_commit_callbacks):
    web = _login(manager)
    standard = ServiceCalendar.objects.get(name="Heures normales de service")
    assert (
        "Politique de soutien technique" in web.get("/console/reglages/politique/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = web.post(
            "/console/reglages/politique/",
            {
                "effective_from": "2027-01-01T00:00",
                "calendar": standard.pk,
                "minutes_untriaged": 45,
                "minutes_level_1": 45,
                "minutes_level_2": 240,
                "minutes_level_3": 45,
                "text_fr": "Politique 2027",
                "text_en": "Policy 2027",
            },
        )
    assert r.status_code == 302
    newest = Policy.objects.order_by("-effective_from").first()
    assert newest.minutes_level_2 == 240
    assert newest.effective_from == datetime(2027, 1, 1, tzinfo=EASTERN)


def test_public_support_page_needs_no_login(db):
    with time_machine.travel(datetime(2026, 12, 5, 11, 0, tzinfo=EASTERN), tick=False):
        page = Client().get("/soutien/").content.decode()
    assert "Le soutien est fermé" in page
    assert "lundi 7 décembre" in page
    assert "Politique de soutien technique" in page


def test_request_list_for_the_clock_costs_no_query_per_row(
    django_assert_max_num_queries, manager, contact, tech1
):
    with time_machine.travel(RECEIVED, tick=False):
        for _ in range(20):
            factories.ticket(contact=contact, actor=manager, received_at=RECEIVED)
    web = _login(tech1)
    web.get("/console/?queue=triage")
    with django_assert_max_num_queries(8):
        web.get("/console/?queue=triage")
    assert Ticket.objects.count() == 20
