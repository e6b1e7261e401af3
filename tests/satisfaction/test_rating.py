"""Done-when 4 (rating): the resolution email's link works without signing in, once per request,
changeable for 7 days; a bad rating reaches the managers; the portal and the API rate too."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from soutien.notifications.models import Notification
from soutien.outbound import rendering
from soutien.outbound.models import OutboundEmail
from soutien.satisfaction.models import Rating
from soutien.ticketing import services
from soutien.ticketing.models import Event, Status
from tests import factories
from tests.web.helpers import signed_in, text_of

EASTERN = ZoneInfo("America/Toronto")
RESOLVED = datetime(2026, 11, 10, 14, 0, tzinfo=EASTERN)


@pytest.fixture
def resolved(manager, contact, tech1):
    with time_machine.travel(RESOLVED - timedelta(hours=3), tick=False):
        ticket = factories.ticket(contact=contact, actor=manager)
        services.ticket_update(actor=manager, ticket=ticket, level=1, assignee=tech1)
    with time_machine.travel(RESOLVED, tick=False):
        services.ticket_change_status(actor=tech1, ticket=ticket, status=Status.RESOLVED)
    return ticket


def _links(ticket) -> dict[str, str]:
    row = (
        OutboundEmail.objects.filter(ticket_id=ticket.pk, template="status_changed")
        .order_by("id")
        .last()
    )
    assert row is not None
    assert row.context["new"] == "resolved"
    with time_machine.travel(RESOLVED + timedelta(minutes=1), tick=False):
        rendering.render(row)
    found = re.findall(r"(https?://\S+/avis/\S+/)\?r=(good|bad)", row.text)
    assert row.html.count("/avis/") == 2
    return {value: f"{url}?r={value}" for url, value in found}


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_the_resolution_email_link_rates_without_signing_in(resolved, manager):
    links = _links(resolved)
    visitor = Client()
    with time_machine.travel(RESOLVED + timedelta(days=1), tick=False):
        page = visitor.get(_path(links["good"]))
        assert page.status_code == 200
        assert not Rating.objects.exists()  # a link checker's GET rates nothing
        done = visitor.post(_path(links["good"]).split("?")[0], {"rating": "good"})
    assert done.status_code == 200
    rating = Rating.objects.get()
    assert (rating.value, rating.via, rating.rated_by) == ("good", "email", resolved.contact)
    assert not Notification.objects.filter(kind="satisfaction_bad").exists()


def test_a_rating_changes_to_bad_within_7_days_and_a_manager_follows_up(resolved, manager):
    url = _path(_links(resolved)["bad"]).split("?")[0]
    visitor = Client()
    with time_machine.travel(RESOLVED + timedelta(days=1), tick=False):
        visitor.post(url, {"rating": "good"})
    with time_machine.travel(RESOLVED + timedelta(days=6), tick=False):
        r = visitor.post(url, {"rating": "bad", "comment": "Le problème est revenu."})
    assert "Un gestionnaire du soutien" in text_of(r)
    rating = Rating.objects.get()  # still one rating for the request
    assert (rating.value, rating.comment) == ("bad", "Le problème est revenu.")
    notice = Notification.objects.get(kind="satisfaction_bad")
    assert notice.recipient == manager
    assert notice.ticket_id == resolved.pk
    assert notice.data["comment"] == "Le problème est revenu."
    history = Event.objects.filter(ticket=resolved, data__field="satisfaction")
    assert [(e.data["from"], e.data["to"]) for e in history] == [(None, "good"), ("good", "bad")]


def test_after_7_days_the_link_changes_nothing(resolved):
    url = _path(_links(resolved)["good"]).split("?")[0]
    with time_machine.travel(RESOLVED + timedelta(days=8), tick=False):
        r = Client().post(url, {"rating": "bad"})
    assert r.status_code == 410
    assert not Rating.objects.exists()


def test_a_forged_link_rates_nothing(resolved):
    with time_machine.travel(RESOLVED + timedelta(days=1), tick=False):
        r = Client().post(f"/avis/{resolved.pk}:forged/", {"rating": "bad"})
    assert r.status_code == 410
    assert not Rating.objects.exists()


def test_the_contact_rates_in_the_portal(resolved, contact):
    client = signed_in(contact)
    with time_machine.travel(RESOLVED + timedelta(days=2), tick=False):
        page = client.get(f"/portail/demandes/{resolved.pk}/")
        assert 'id="rating"' in page.content.decode()
        r = client.post(f"/portail/demandes/{resolved.pk}/avis/", {"rating": "good"})
    assert r.status_code == 302
    assert Rating.objects.get().via == "portal"


def test_the_api_rates_a_resolved_request_and_refuses_the_rest(
    resolved, api_as, contact, tech1, other_org, manager
):
    with time_machine.travel(RESOLVED + timedelta(days=2), tick=False):
        r = api_as(contact).post(
            f"tickets/{resolved.pk}/satisfaction", {"rating": "bad", "comment": "Trop long"}
        )
        assert r.status_code == 200, r.content
        assert r.json()["rating"] == "bad"
        assert (
            api_as(tech1)
            .post(f"tickets/{resolved.pk}/satisfaction", {"rating": "good"})
            .status_code
            == 403
        )
        stranger = factories.contact(other_org)
        assert (
            api_as(stranger)
            .post(f"tickets/{resolved.pk}/satisfaction", {"rating": "good"})
            .status_code
            == 404
        )
        assert (
            api_as(contact)
            .post(f"tickets/{resolved.pk}/satisfaction", {"rating": "meh"})
            .status_code
            == 422
        )
        active = factories.ticket(contact=contact, actor=manager)
        refused = api_as(contact).post(f"tickets/{active.pk}/satisfaction", {"rating": "good"})
        assert refused.status_code == 409
        assert "detail" in refused.json()
        report = api_as(manager).get("reports/satisfaction?from=2026-11-01&to=2026-11-30").json()
    assert (report["count"], report["bad"], report["score"], report["open_follow_ups"]) == (
        1,
        1,
        0.0,
        1,
    )
    assert report["months"] == [{"month": "2026-11", "good": 0, "bad": 1}]


def test_a_manager_closes_the_follow_up_from_the_reports(resolved, manager, tech1):
    with time_machine.travel(RESOLVED + timedelta(days=1), tick=False):
        from soutien.satisfaction.services import rating_record

        rating = rating_record(
            ticket=resolved, value="bad", comment="Lent", actor=None, via="email"
        )
        page = signed_in(manager).get(
            "/console/rapports/satisfaction/?from=2026-11-01&to=2026-11-30"
        )
        assert "Lent" in text_of(page)
        assert (
            signed_in(tech1).post(f"/console/avis/{rating.pk}/suivi/", {"note": "x"}).status_code
            == 302
        )
        rating.refresh_from_db()
        assert rating.followed_up_at is None  # a technician may not
        r = signed_in(manager).post(
            f"/console/avis/{rating.pk}/suivi/", {"note": "Rappelé le client"}
        )
    assert r.status_code == 302
    rating.refresh_from_db()
    assert (rating.followed_up_by, rating.follow_up_note) == (manager, "Rappelé le client")


def test_the_link_opens_in_the_contacts_language_unless_the_visitor_chose_one(resolved):
    contact = resolved.contact
    contact.language = "en"
    contact.save(update_fields=["language"])
    links = _links(resolved)
    with time_machine.travel(RESOLVED + timedelta(days=1), tick=False):
        page = Client().get(_path(links["bad"]))
        assert "How did we do?" in text_of(page)
        chosen = Client()
        chosen.cookies["django_language"] = "fr"
        page = chosen.get(_path(links["bad"]))
        assert "Comment avons-nous fait" in text_of(page)
