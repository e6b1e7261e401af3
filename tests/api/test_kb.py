"""GET /api/v1/kb/search and /kb/popular (SPEC 11), article read, suggestions and votes."""

from __future__ import annotations

from soutien.kb.models import Article, Kind, Visibility
from tests.kb.fixtures import *  # noqa: F403  (the publish and writer fixtures)


def test_search_answers_without_a_token_with_the_spec_fields(api_as, publish):
    article = publish("Équilibrage des charges", kind=Kind.TROUBLESHOOTING)
    r = api_as(None).get("kb/search?q=equilibrage&lang=fr")
    assert r.status_code == 200
    [item] = r.json()
    assert {k: item[k] for k in ("id", "title", "kind")} == {
        "id": article.pk,
        "title": "Équilibrage des charges",
        "kind": "troubleshooting",
    }
    assert item["url"].endswith(f"/aide/articles/{article.slug}/")


def test_a_client_never_sees_staff_only_articles(api_as, publish, contact, tech1):
    publish("Sauvegarde publique")
    publish("Sauvegarde clients", visibility=Visibility.CLIENTS)
    staff = publish("Sauvegarde interne", visibility=Visibility.STAFF)
    titles = lambda r: {item["title"] for item in r.json()}  # noqa: E731
    assert titles(api_as(None).get("kb/search?q=sauvegarde")) == {"Sauvegarde publique"}
    assert titles(api_as(contact).get("kb/search?q=sauvegarde")) == {
        "Sauvegarde publique",
        "Sauvegarde clients",
    }
    assert "Sauvegarde interne" in titles(api_as(tech1).get("kb/search?q=sauvegarde"))
    assert api_as(contact).get(f"kb/articles/{staff.pk}").status_code == 404
    assert "Sauvegarde interne" not in titles(api_as(contact).get("kb/popular"))
    r = api_as(contact).post("kb/suggestions", {"subject": "sauvegarde"})
    assert "Sauvegarde interne" not in titles(r)


def test_popular_lists_the_most_consulted_first_by_language_and_kind(api_as, publish):
    low = publish("Question rare", kind=Kind.FAQ)
    high = publish("Question fréquente", kind=Kind.FAQ)
    publish("Guide", kind=Kind.DOCUMENTATION)
    Article.objects.filter(pk=high.pk).update(view_count=50)
    Article.objects.filter(pk=low.pk).update(view_count=5)
    r = api_as(None).get("kb/popular?lang=fr&kind=faq")
    assert r.status_code == 200
    assert [item["title"] for item in r.json()] == ["Question fréquente", "Question rare"]


def test_reading_an_article_counts_a_view_once_per_visitor(api_as, publish):
    article = publish("Sauvegarde", "Copie **nocturne**.", error_codes="ERR-42")
    api = api_as(None)
    body = api.get(f"kb/articles/{article.pk}").json()
    assert body["body"] == "Copie **nocturne**."
    assert "<strong>nocturne</strong>" in body["body_html"]
    assert body["error_codes"] == ["ERR-42"]
    assert body["views"] == 1
    assert api.get(f"kb/articles/{article.pk}").json()["views"] == 1


def test_votes_and_suggestions(api_as, publish):
    article = publish("Téléverser un document", "Dépôt de documents.")
    api = api_as(None)
    assert api.post(f"kb/articles/{article.pk}/vote", {"helpful": True}).status_code == 204
    article.refresh_from_db()
    assert article.helpful_count == 1
    r = api.post("kb/suggestions", {"subject": "Impossible de téléverser mes documents"})
    assert [item["id"] for item in r.json()] == [article.pk]


def test_bad_input_is_a_json_4xx(api_as, publish):
    publish("Sauvegarde")
    api = api_as(None)
    for path in [
        "kb/search",
        "kb/search?q=",
        "kb/search?q=x&lang=de",
        "kb/search?q=x&kind=other",
        "kb/search?q=x&limit=0",
        f"kb/search?q={'x' * 300}",
        "kb/search?q=%00",
        "kb/popular?lang=xx",
        "kb/articles/0",
        "kb/articles/99999999",
        "kb/articles/abc",
    ]:
        r = api.get(path)
        assert 400 <= r.status_code < 500, path
        assert "detail" in r.json(), path
    assert api.post("kb/suggestions", raw="{").status_code == 400
    assert api.post("kb/articles/1/vote", {"helpful": "maybe"}).status_code == 422
    bad_token = api.get("kb/search?q=x", headers={"Authorization": "Bearer nope"})
    assert bad_token.status_code == 401


def test_search_endpoint_takes_a_fixed_number_of_queries(
    api_as, publish, django_assert_max_num_queries
):
    for n in range(20):
        publish(f"Sauvegarde {n}")
    api = api_as(None)
    # Search, read the hits, and count the search (an upsert in a savepoint).
    with django_assert_max_num_queries(8):
        assert api.get("kb/search?q=sauvegarde").status_code == 200
    with django_assert_max_num_queries(4):
        assert api.get("kb/popular").status_code == 200
