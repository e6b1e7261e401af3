"""The help centre's public pages, the clients-only articles, votes and suggestions."""

from __future__ import annotations

from django.test import Client

from soutien.kb import services
from soutien.kb.models import Article, ArticleDay, Kind, RequestForm, Visibility, VisitorMark
from soutien.ticketing.models import Ticket
from tests.kb.fixtures import *  # noqa: F403  (the publish and writer fixtures)


def test_every_public_page_answers_without_signing_in(publish):
    article = publish("Changer le mot de passe", "Ouvrez **votre profil**.", kind=Kind.FAQ)
    anonymous = Client()
    for url in [
        "/aide/",
        "/aide/faq/",
        "/aide/depannage/",
        "/aide/documentation/",
        "/aide/recherche/?q=mot+de+passe",
        f"/aide/articles/{article.slug}/",
    ]:
        r = anonymous.get(url)
        assert r.status_code == 200, url
    page = anonymous.get(f"/aide/articles/{article.slug}/").content.decode()
    assert "<strong>votre profil</strong>" in page


def test_unknown_kind_category_or_article_is_404(db):
    anonymous = Client()
    assert anonymous.get("/aide/autre/").status_code == 404
    assert anonymous.get("/aide/categories/rien/").status_code == 404
    assert anonymous.get("/aide/articles/rien/").status_code == 404


def test_clients_only_and_staff_only_articles_are_hidden_from_those_who_may_not_read_them(
    publish, portal, tech1
):
    clients = publish("Guide client", visibility=Visibility.CLIENTS)
    staff = publish("Procédure interne", visibility=Visibility.STAFF)
    draft = publish("Brouillon", publish=False)
    anonymous = Client()
    assert anonymous.get(f"/aide/articles/{clients.slug}/").status_code == 404
    assert portal.get(f"/aide/articles/{clients.slug}/").status_code == 200
    for slug in (staff.slug, draft.slug):
        assert anonymous.get(f"/aide/articles/{slug}/").status_code == 404
        assert portal.get(f"/aide/articles/{slug}/").status_code == 404
    console = Client()
    console.force_login(tech1)
    assert console.get(f"/aide/articles/{staff.slug}/").status_code == 200
    assert console.get(f"/aide/articles/{draft.slug}/").status_code == 200
    listing = portal.get("/aide/documentation/").content.decode()
    assert "Guide client" in listing
    assert "Procédure interne" not in listing


def test_a_view_counts_once_per_visitor_per_day_and_stores_no_address(publish):
    article = publish("Sauvegarde")
    first = Client(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Firefox")
    for _ in range(3):
        first.get(f"/aide/articles/{article.slug}/")
    Client(REMOTE_ADDR="203.0.113.8", HTTP_USER_AGENT="Firefox").get(
        f"/aide/articles/{article.slug}/"
    )
    article.refresh_from_db()
    assert article.view_count == 2
    assert ArticleDay.objects.get(article=article).views == 2
    for mark in VisitorMark.objects.all():
        assert "203.0.113" not in mark.visitor
        assert "Firefox" not in mark.visitor
        assert len(mark.visitor) == 64


def test_the_faq_lists_the_most_consulted_first(publish):
    rare = publish("Question rare", kind=Kind.FAQ)
    frequent = publish("Question fréquente", kind=Kind.FAQ)
    Article.objects.filter(pk=frequent.pk).update(view_count=40)
    Article.objects.filter(pk=rare.pk).update(view_count=3)
    page = Client().get("/aide/faq/").content.decode()
    assert page.index("Question fréquente") < page.index("Question rare")


def test_each_topic_is_listed_once_in_the_reader_s_language(publish):
    fr = publish("Imprimer une facture", kind=Kind.FAQ)
    publish("Print an invoice", kind=Kind.FAQ, language="en", group=fr.group)
    publish("Only in English", kind=Kind.FAQ, language="en")
    french = Client().get("/aide/faq/").content.decode()
    assert "Imprimer une facture" in french
    assert "Print an invoice" not in french
    assert "Only in English" in french
    english = Client(headers={"Accept-Language": "en"}).get("/aide/faq/").content.decode()
    assert "Print an invoice" in english
    assert "Imprimer une facture" not in english


def test_a_vote_counts_once_per_visitor_and_can_be_changed(publish):
    article = publish("Sauvegarde")
    visitor = Client(REMOTE_ADDR="198.51.100.1")
    url = f"/aide/articles/{article.slug}/avis/"
    assert visitor.post(url, {"helpful": "yes"}, headers={"HX-Request": "true"}).status_code == 200
    visitor.post(url, {"helpful": "yes"})
    article.refresh_from_db()
    assert (article.helpful_count, article.unhelpful_count) == (1, 0)
    visitor.post(url, {"helpful": "no"})
    article.refresh_from_db()
    assert (article.helpful_count, article.unhelpful_count) == (0, 1)
    assert visitor.post(url, {"helpful": "maybe"}).status_code == 400


def test_searches_are_recorded_for_the_figures_without_the_person(publish):
    publish("Sauvegarde")
    Client().get("/aide/recherche/", {"q": "sauvegarde"})
    Client().get("/aide/recherche/", {"q": "facturation marc@example.com 5145551234"})
    from soutien.kb.models import SearchStat

    stats = {s.query: (s.searches, s.misses) for s in SearchStat.objects.all()}
    assert stats == {"sauvegarde": (1, 0), "facturation @ #": (1, 1)}


def test_search_pages_take_a_fixed_number_of_queries(publish, django_assert_max_num_queries):
    for n in range(15):
        publish(f"Sauvegarde numéro {n}", kind=Kind.FAQ)
    anonymous = Client()
    with django_assert_max_num_queries(8):
        assert anonymous.get("/aide/recherche/", {"q": "sauvegarde"}).status_code == 200
    with django_assert_max_num_queries(8):
        assert anonymous.get("/aide/faq/").status_code == 200
    with django_assert_max_num_queries(8):
        assert anonymous.get("/aide/").status_code == 200
    slug = Article.objects.first().slug
    # The first view of the day also makes the day's salt (3 statements with its savepoint).
    with django_assert_max_num_queries(16):
        assert anonymous.get(f"/aide/articles/{slug}/").status_code == 200


def test_the_new_request_form_suggests_articles_as_the_client_types(publish, portal):
    publish("Téléverser un document PDF", "Le dépôt de documents.")
    form = portal.get("/portail/demandes/nouvelle/").content.decode()
    assert 'name="kb_form"' in form
    assert 'hx-get="/aide/suggestions/"' in form
    r = portal.get(
        "/aide/suggestions/",
        {"subject": "Impossible de téléverser", "body": "mes documents", "kb_form": "x"},
        headers={"HX-Request": "true"},
    )
    assert "Téléverser un document PDF" in r.content.decode()
    empty = portal.get("/aide/suggestions/", {"subject": "", "body": ""})
    assert empty.status_code == 200
    assert "<li>" not in empty.content.decode()


def test_opening_a_suggestion_then_leaving_is_a_deflection(publish, portal):
    article = publish("Téléverser un document PDF")
    token = services.form_token()
    r = portal.get(f"/aide/suggestions/{article.pk}/", {"f": token})
    assert r.status_code == 302
    assert r["Location"] == f"/aide/articles/{article.slug}/"
    form = RequestForm.objects.get()
    assert form.deflected
    assert form.opened_article == article


def test_filing_the_request_after_opening_a_suggestion_is_not_a_deflection(publish, portal):
    article = publish("Téléverser un document PDF")
    token = services.form_token()
    portal.get(f"/aide/suggestions/{article.pk}/", {"f": token})
    r = portal.post(
        "/portail/demandes/nouvelle/",
        {"subject": "Téléversement", "body": "Toujours impossible.", "kb_form": token},
    )
    assert r.status_code == 302
    assert Ticket.objects.count() == 1
    form = RequestForm.objects.get()
    assert not form.deflected
    assert form.filed_at is not None


def test_a_forged_form_key_is_not_counted(publish, portal):
    article = publish("Téléverser un document PDF")
    r = portal.get(f"/aide/suggestions/{article.pk}/", {"f": "forged:key"})
    assert r.status_code == 302
    assert not RequestForm.objects.exists()


def test_article_images_are_served_only_to_readers_of_the_article(publish, writer, portal):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    public = publish("Capture publique")
    hidden = publish("Capture interne", visibility=Visibility.STAFF)
    shown = services.article_file_add(actor=writer, article=public, name="a.png", content=png)
    secret = services.article_file_add(actor=writer, article=hidden, name="b.png", content=png)
    r = Client().get(f"/aide/fichiers/{shown.pk}/a.png")
    assert r.status_code == 200
    assert r["Content-Type"] == "image/png"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert Client().get(f"/aide/fichiers/{secret.pk}/b.png").status_code == 404
    assert portal.get(f"/aide/fichiers/{secret.pk}/b.png").status_code == 404
