"""A contact's newsletter page in the portal: subscribe their own address, choose, unsubscribe."""

from __future__ import annotations

from soutien.newsletter import selectors
from soutien.outbound.models import OutboundEmail
from tests.newsletter.fixtures import *  # noqa: F403  (consent_text)
from tests.web.helpers import signed_in


def test_a_contact_subscribes_at_once_then_changes_topics_then_unsubscribes(contact, consent_text):
    portal = signed_in(contact)
    page = portal.get("/portail/infolettre/")
    assert page.status_code == 200
    assert "Je peux me désabonner en tout temps." in page.content.decode()
    refused = portal.post("/portail/infolettre/abonnement/", {"language": "fr", "topics": ["news"]})
    assert refused.status_code == 400
    done = portal.post(
        "/portail/infolettre/abonnement/",
        {"language": "en", "topics": ["news"], "agree": "on", "text_version": "2026-11"},
    )
    assert done.status_code == 302
    subscriber = selectors.subscriber_of(contact)
    assert subscriber is not None
    assert selectors.consenting().filter(pk=subscriber.pk).exists()
    event = subscriber.events.get()
    assert (event.source, event.recorded_by, event.text_version) == ("portal", contact, "2026-11")
    assert not OutboundEmail.objects.exists()  # signed in: no confirmation needed

    portal.post("/portail/infolettre/preferences/", {"language": "fr", "topics": ["problems"]})
    subscriber.refresh_from_db()
    assert subscriber.topics == ["problems"]
    assert portal.post("/portail/infolettre/desabonnement/").status_code == 302
    assert not selectors.consenting().filter(pk=subscriber.pk).exists()


def test_staff_are_sent_to_the_console(tech1):
    assert signed_in(tech1).get("/portail/infolettre/")["Location"] == "/console/"
