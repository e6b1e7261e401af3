"""A staff member's notifications: the page and the badge."""

from __future__ import annotations

from datetime import timedelta

from soutien.notifications.services import post
from soutien.sla.services import send_due_alerts
from tests.web.helpers import RECEIVED, signed_in


def test_notifications_page_and_badge(tech1, ticket):
    post([tech1], "sla_warning", ticket=ticket)
    web = signed_in(tech1)
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
        in signed_in(manager).get("/console/notifications/").content.decode()
    )
