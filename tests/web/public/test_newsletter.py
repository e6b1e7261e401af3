"""The newsletter's public pages: archive and feeds, subscribing with double opt-in, and the
links of every issue -- one-click unsubscribe (RFC 8058) without a session, the unsubscribe
and preferences pages in the reader's language, a clear page for a forged link."""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree

import pytest
from django.test import Client

from soutien.newsletter import issues, selectors, tokens
from soutien.newsletter.issues import SectionText
from soutien.newsletter.models import ConsentEvent, Issue
from soutien.outbound.models import OutboundEmail
from tests.newsletter.fixtures import *  # noqa: F403  (consent_text, sender)
from tests.newsletter.fixtures import subscribed
from tests.web.helpers import signed_in


@pytest.fixture
def reader(tech1, consent_text):
    return subscribed("lise@ville.example", staff=tech1, language="en")


@pytest.fixture
def published(manager, sender) -> Issue:
    issue = issues.issue_create(
        actor=manager, month=date(2026, 11, 1), intro_fr="Bonjour **tous**.", intro_en="Hello all.",
        sections=[SectionText("news", "Nouvelles", "News", "La 4.2 est sortie.", "4.2 is out.")],
    )  # fmt: skip
    issues.issue_send(actor=manager, issue=issue)
    issue.refresh_from_db()
    return issue


def test_one_click_post_unsubscribes_without_a_session_or_csrf_token(reader):
    token = tokens.reader_token(reader.pk)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/newsletter/unsubscribe/{token}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert "You are unsubscribed" in response.content.decode()
    assert not selectors.consenting().filter(pk=reader.pk).exists()
    assert reader.events.last().source == "one_click"
    assert "sessionid" not in response.cookies


def test_following_the_one_click_address_shows_the_button_and_changes_nothing(reader):
    token = tokens.reader_token(reader.pk)
    response = Client().get(f"/newsletter/unsubscribe/{token}")
    assert response.status_code == 302
    assert response["Location"] == f"/infolettre/desabonnement/{token}/"
    page = Client().get(response["Location"])
    assert page.status_code == 200
    assert "lise@ville.example" in page.content.decode()
    assert selectors.consenting().filter(pk=reader.pk).exists()


def test_the_visible_link_unsubscribes_in_the_readers_language_at_once(reader):
    token = tokens.reader_token(reader.pk)
    response = Client().post(f"/infolettre/desabonnement/{token}/")
    assert response.status_code == 200
    assert "No issue of the technical newsletter will be sent to" in response.content.decode()
    assert not selectors.consenting().filter(pk=reader.pk).exists()


@pytest.mark.parametrize("path", ["/newsletter/unsubscribe/{}", "/infolettre/desabonnement/{}/"])
def test_a_forged_unsubscribe_link_gets_a_clear_page_and_changes_nothing(reader, path):
    token = tokens.reader_token(reader.pk)
    forged = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    for bad in (forged, f"{reader.pk + 1}:x:y", "nothing"):
        response = Client().post(path.format(bad))
        assert response.status_code == 400
        assert "Lien non valide" in response.content.decode()
        assert "coupé ou modifié" in response.content.decode()
    assert reader.events.count() == 1


def test_preferences_change_the_language_and_topics_and_need_one_topic(reader):
    token = tokens.reader_token(reader.pk)
    client = Client()
    page = client.get(f"/infolettre/preferences/{token}/")
    assert page.status_code == 200
    assert "Newsletter preferences" in page.content.decode()  # in the reader's language
    refused = client.post(f"/infolettre/preferences/{token}/", {"language": "fr"})
    assert refused.status_code == 400
    assert "Choose at least one topic" in refused.content.decode()
    saved = client.post(
        f"/infolettre/preferences/{token}/", {"language": "fr", "topics": ["problems"]}
    )
    assert saved.status_code == 200
    assert saved["Content-Language"] == "fr"
    reader.refresh_from_db()
    assert (reader.language, reader.topics) == ("fr", ["problems"])


def test_subscribing_on_the_public_form_sends_the_confirmation_then_the_link_subscribes(
    sender, consent_text
):
    client = Client()
    archive = client.get("/infolettre/")
    assert "Je peux me désabonner en tout temps." in archive.content.decode()
    response = client.post(
        "/infolettre/abonnement/",
        {"email": "Curieux@Example.org", "language": "en", "topics": ["knowledge_base", "news"],
         "agree": "on", "text_version": "2026-11", "website": ""},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Vérifiez votre boîte de réception" in response.content.decode()
    email = OutboundEmail.objects.get(template="newsletter_confirmation")
    assert email.to_address == "curieux@example.org"
    path = email.context["url"].removeprefix("http://127.0.0.1:8000")
    assert client.get(path).status_code == 200  # a button: a link checker subscribes nobody
    subscriber = selectors.subscribers()[0]
    assert not selectors.consenting().filter(pk=subscriber.pk).exists()
    confirmed = client.post(path)
    assert confirmed.status_code == 200
    assert "You are subscribed" in confirmed.content.decode()
    assert selectors.consenting().filter(pk=subscriber.pk).exists()
    assert subscriber.events.filter(source="confirmation").count() == 1


def test_the_public_form_shows_its_errors_and_a_robot_gets_nothing(sender, consent_text):
    client = Client()
    missing = client.post("/infolettre/abonnement/", {"email": "x", "language": "fr"})
    assert missing.status_code == 400
    assert missing.content.decode().count('role="alert"') >= 3
    robot = client.post(
        "/infolettre/abonnement/",
        {"email": "bot@example.org", "language": "fr", "topics": ["news"], "agree": "on",
         "text_version": "2026-11", "website": "http://spam.example"},
    )  # fmt: skip
    assert robot.status_code == 200
    assert not ConsentEvent.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_a_forged_confirmation_link_is_refused(db):
    assert Client().get("/infolettre/confirmation/1:abc:def/").status_code == 400
    assert Client().post("/infolettre/confirmation/1:abc:def/").status_code == 400


def test_the_archive_lists_sent_issues_in_both_languages_and_not_drafts(published, manager):
    issues.issue_create(actor=manager, month=date(2026, 12, 1), intro_fr="x", intro_en="y")
    client = Client()
    archive = client.get("/infolettre/").content.decode()
    assert "Infolettre technique — novembre 2026" in archive
    assert "décembre" not in archive
    page = client.get("/infolettre/2026-11/")
    assert page.status_code == 200
    assert "Bonjour <strong>tous</strong>." in page.content.decode()
    english = client.get("/infolettre/2026-11/?lang=en").content.decode()
    assert "4.2 is out." in english
    assert client.get("/infolettre/2026-12/").status_code == 404
    assert client.get("/infolettre/pas-un-mois/").status_code == 404


@pytest.mark.parametrize(("path", "root"), [("flux.atom", "feed"), ("flux.rss", "rss")])
def test_the_feeds_carry_the_published_issues(published, path, root):
    response = Client().get(f"/infolettre/{path}?lang=en")
    assert response.status_code == 200
    document = ElementTree.fromstring(response.content)  # noqa: S314 (our own feed)
    assert document.tag.rsplit("}", 1)[-1] == root
    assert b"Technical newsletter \xe2\x80\x94 November 2026" in response.content
    assert b"http://127.0.0.1:8000/infolettre/2026-11/" in response.content


def test_a_signed_in_contact_on_the_public_form_is_subscribed_at_once(contact, sender):
    response = signed_in(contact).post(
        "/infolettre/abonnement/",
        {"email": contact.email, "language": "fr", "topics": ["news"], "agree": "on",
         "text_version": "2026-11"},
    )  # fmt: skip
    assert "Vous êtes abonné" in response.content.decode()
    assert not OutboundEmail.objects.exists()


def test_images_of_an_issue_are_served_to_anyone_and_only_its_images(published, manager):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    image = issues.issue_image_add(actor=manager, issue=published, name="a.png", content=png)
    response = Client().get(f"/infolettre/images/{image.key.hex}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png
    assert Client().get("/infolettre/images/not-a-key").status_code == 404
    assert Client().get(f"/infolettre/images/{'0' * 32}").status_code == 404
