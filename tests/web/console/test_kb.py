"""The knowledge base in the console: writing, publishing, revisions, figures, the reply panel."""

from __future__ import annotations

from django.test import Client

from soutien.kb import services
from soutien.kb.models import Article, ArticleStatus, Kind, SupportContact
from soutien.ticketing import services as ticketing
from soutien.ticketing.models import MessageKind
from tests import factories
from tests.kb.fixtures import *  # noqa: F403  (the publish and writer fixtures)

ARTICLE = {
    "title": "Vider le cache",
    "language": "fr",
    "kind": Kind.TROUBLESHOOTING,
    "visibility": "0",
    "summary": "Quand les pages ne changent pas.",
    "body": "1. Ouvrez **Réglages**.\n<script>alert(1)</script>",
    "error_codes": "ERR-CACHE-7",
    "note": "Première version",
}


def test_staff_write_publish_and_unpublish_an_article_with_its_history(console, tech1):
    r = console.post("/console/aide/articles/nouveau/", {**ARTICLE, "then": "draft"})
    assert r.status_code == 302
    article = Article.objects.get()
    assert article.status == ArticleStatus.DRAFT
    assert "<script>" not in article.body_html
    assert "<strong>Réglages</strong>" in article.body_html
    r = console.post(
        f"/console/aide/articles/{article.pk}/",
        {**ARTICLE, "body": "Ouvrez les réglages.", "then": "publish", "note": "Plus court"},
    )
    assert r.status_code == 302
    article.refresh_from_db()
    assert article.is_published
    page = console.get(f"/console/aide/articles/{article.pk}/").content.decode()
    assert "Plus court" in page
    assert tech1.display_name in page
    revisions = list(article.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[0].body.startswith("1. Ouvrez")
    assert all(r.author == tech1 for r in revisions)
    console.post(f"/console/aide/articles/{article.pk}/unpublish/")
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT


def test_an_earlier_revision_can_be_restored(console, publish):
    article = publish("Vider le cache", "Première version.")
    services.article_save(
        actor=article.created_by,
        article=article,
        title="Vider le cache",
        body="Deuxième version.",
        language="fr",
        kind=article.kind,
    )
    assert console.get(f"/console/aide/articles/{article.pk}/revisions/1/").status_code == 200
    console.post(f"/console/aide/articles/{article.pk}/revisions/1/")
    article.refresh_from_db()
    assert article.body == "Première version."
    assert article.revision == 3


def test_an_invalid_article_shows_form_errors(console):
    r = console.post("/console/aide/articles/nouveau/", {**ARTICLE, "title": "", "kind": "x"})
    assert r.status_code == 400
    assert not Article.objects.exists()


def test_the_english_version_is_started_from_the_french_one(console, publish):
    article = publish("Vider le cache")
    r = console.post(f"/console/aide/articles/{article.pk}/translate/")
    english = Article.objects.get(language="en")
    assert r["Location"] == f"/console/aide/articles/{english.pk}/"
    assert english.group == article.group
    assert english.status == ArticleStatus.DRAFT


def test_clients_cannot_enter_the_console_pages(contact, publish):
    article = publish("Vider le cache")
    client = Client()
    client.force_login(contact)
    for url in [
        "/console/aide/",
        "/console/aide/chiffres/",
        f"/console/aide/articles/{article.pk}/",
    ]:
        assert client.get(url).status_code == 302
    assert client.post(f"/console/aide/articles/{article.pk}/unpublish/").status_code == 302
    article.refresh_from_db()
    assert article.is_published


def test_figures_show_top_articles_searches_without_result_votes_and_deflection(console, publish):
    article = publish("Vider le cache")
    services.article_viewed(article=article, visitor_key="a")
    services.article_vote(article=article, visitor_key="a", helpful=False)
    services.search_recorded(query="licence expirée", language="fr", found=0)
    token = services.form_token()
    services.suggestion_opened(token=token, article=article)
    services.request_form_filed(token=services.form_token())
    page = console.get("/console/aide/chiffres/").content.decode()
    assert "Vider le cache" in page
    assert "licence expirée" in page
    assert "50 %" in page  # one deflection, one request filed


def test_list_and_figures_take_a_fixed_number_of_queries(
    console, publish, django_assert_max_num_queries
):
    for n in range(30):
        article = publish(f"Article {n}")
        services.article_viewed(article=article, visitor_key="v")
    with django_assert_max_num_queries(8):
        assert console.get("/console/aide/").status_code == 200
    with django_assert_max_num_queries(10):
        assert console.get("/console/aide/chiffres/").status_code == 200


def test_the_reply_panel_searches_and_gives_the_text_to_insert(console, publish, contact):
    article = publish("Vider le cache", "Ouvrez **Réglages**.")
    ticket = factories.ticket(contact=contact)
    page = console.get(f"/console/demandes/{ticket.pk}/").content.decode()
    assert 'id="kb-panel"' in page
    results = console.get("/console/aide/panneau/", {"q": "cache"}).content.decode()
    assert "Vider le cache" in results
    assert "data-insert" in results
    text = console.get(f"/console/aide/articles/{article.pk}/texte/").json()
    assert text["text"] == "Ouvrez Réglages."
    assert text["url"].endswith(f"/aide/articles/{article.slug}/")


def test_a_public_reply_becomes_a_draft_faq_entry(console, tech1, contact):
    ticket = factories.ticket(contact=contact, subject="Comment vider le cache?")
    reply = ticketing.message_add(
        actor=tech1, ticket=ticket, kind=MessageKind.REPLY, body="Ouvrez les réglages."
    )
    note = ticketing.message_add(actor=tech1, ticket=ticket, kind=MessageKind.NOTE, body="Interne")
    assert console.post(f"/console/aide/faq-depuis-reponse/{note.pk}/").status_code == 404
    r = console.post(f"/console/aide/faq-depuis-reponse/{reply.pk}/")
    faq = Article.objects.get()
    assert r["Location"] == f"/console/aide/articles/{faq.pk}/"
    assert (faq.kind, faq.title, faq.body) == (
        Kind.FAQ,
        "Comment vider le cache?",
        "Ouvrez les réglages.",
    )
    assert faq.status == ArticleStatus.DRAFT
    assert faq.revisions.get().note.endswith(f" {ticket.number}")


def test_only_managers_edit_the_support_coordinates(console, manager):
    assert console.get("/console/aide/coordonnees/").status_code == 302
    client = Client()
    client.force_login(manager)
    data = {"phone": "514 555-0100", "email": "soutien@ebi.example", "fax": "514 555-0199"}
    r = client.post("/console/aide/coordonnees/", data)
    assert r.status_code == 302
    saved = SupportContact.objects.get()
    assert (saved.phone, saved.email, saved.fax) == tuple(data.values())
    assert (
        client.post("/console/aide/coordonnees/", {"email": "pas un courriel"}).status_code == 400
    )


def test_categories_are_created_and_listed(console):
    r = console.post("/console/aide/categories/", {"name_fr": "Publication", "position": 1})
    assert r.status_code == 302
    assert "Publication" in console.get("/console/aide/categories/").content.decode()
    assert Client().get("/aide/categories/publication/").status_code == 200
