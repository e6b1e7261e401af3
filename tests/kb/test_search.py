"""The same search expectations on SQLite FTS5 and PostgreSQL full-text search."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from soutien.kb import selectors, services
from soutien.kb.models import Article, Kind, Visibility
from soutien.kb.search import backend
from soutien.kb.search.text import telling_words, terms_of

ANONYMOUS = AnonymousUser()


def titles(result) -> list[str]:
    return [a.title for a in result.articles]


def test_a_query_without_accents_finds_the_accented_word(publish):
    publish("Équilibrage des charges entre serveurs", "Répartir la charge sur deux nœuds.")
    publish("Changer le mot de passe", "Ouvrez votre profil.")
    assert titles(selectors.search(ANONYMOUS, "equilibrage")) == [
        "Équilibrage des charges entre serveurs"
    ]


def test_an_accented_query_finds_the_word_written_without_accent(publish):
    publish("Probleme de telechargement", "Le televersement echoue.")
    assert titles(selectors.search(ANONYMOUS, "téléchargement")) == ["Probleme de telechargement"]


def test_a_plural_finds_the_singular_in_french_and_in_english(publish):
    publish("Déposer un document", "Glissez le fichier dans la zone de dépôt.")
    publish("Upload a document", "Drag the file to the upload area.", language="en")
    found = selectors.search(ANONYMOUS, "documents", language="fr")
    assert "Déposer un document" in titles(found)
    found = selectors.search(ANONYMOUS, "documents", language="en")
    assert "Upload a document" in titles(found)


def test_a_french_query_prefers_the_french_version(publish):
    fr = publish("Configuration du serveur de publication", "La configuration du serveur.")
    publish(
        "Publication server configuration",
        "The configuration of the server.",
        language="en",
        group=fr.group,
    )
    result = selectors.search(ANONYMOUS, "configuration du serveur")
    assert result.language == "fr"
    assert titles(result) == ["Configuration du serveur de publication"]
    english = selectors.search(ANONYMOUS, "configuration of the server")
    assert english.language == "en"
    assert titles(english) == ["Publication server configuration"]


def test_a_french_query_ranks_french_articles_before_english_ones(publish):
    publish("Server configuration", "Configuration configuration server.", language="en")
    publish("Configuration du serveur", "La configuration.", language="fr")
    result = selectors.search(ANONYMOUS, "configuration", language="fr")
    assert titles(result) == ["Configuration du serveur", "Server configuration"]


def test_a_quoted_error_message_finds_the_article_that_names_it(publish):
    publish(
        "Les profils ne se synchronisent plus",
        "Relancez le service de synchronisation.",
        error_codes="ERR-4012 : accès refusé au profil sécurisé",
        kind=Kind.TROUBLESHOOTING,
    )
    publish("Accès au profil", "Le profil sécurisé donne accès aux pages refusé aux autres.")
    result = selectors.search(ANONYMOUS, '"ERR-4012 : accès refusé au profil sécurisé"')
    assert titles(result) == ["Les profils ne se synchronisent plus"]
    assert titles(selectors.search(ANONYMOUS, "ERR-4012")) == [
        "Les profils ne se synchronisent plus"
    ]


def test_a_phrase_needs_its_words_together(publish):
    publish("Accès refusé", "Le message accès refusé apparaît.")
    publish("Refusé puis accès", "La demande est refusée. Plus tard, l'accès revient.")
    assert titles(selectors.search(ANONYMOUS, '"accès refusé"')) == ["Accès refusé"]


def test_every_word_is_required_unless_none_matches_them_all(publish):
    publish("Imprimer une page", "Imprimer depuis le navigateur.")
    publish("Exporter une page", "Exporter en PDF.")
    assert titles(selectors.search(ANONYMOUS, "imprimer page")) == ["Imprimer une page"]
    partial = selectors.search(ANONYMOUS, "imprimer facture")
    assert partial.partial
    assert titles(partial) == ["Imprimer une page"]


def test_minus_excludes_and_or_offers_alternatives(publish):
    publish("Imprimer une page", "Imprimer depuis le navigateur.")
    publish("Imprimer un rapport", "Imprimer le rapport mensuel.")
    publish("Archiver un rapport", "Archiver.")
    assert titles(selectors.search(ANONYMOUS, "imprimer -rapport")) == ["Imprimer une page"]
    assert set(titles(selectors.search(ANONYMOUS, "navigateur or archiver"))) == {
        "Imprimer une page",
        "Archiver un rapport",
    }


def test_the_title_outranks_the_body(publish):
    publish("Mettre en page un tableau", "Les colonnes et les lignes.")
    publish("Colonnes", "Pour un tableau, choisissez les colonnes.")
    assert titles(selectors.search(ANONYMOUS, "tableau"))[0] == "Mettre en page un tableau"


def test_search_filters_by_kind(publish):
    publish("Sauvegarde quotidienne", kind=Kind.FAQ)
    publish("Sauvegarde manuelle", kind=Kind.DOCUMENTATION)
    assert titles(selectors.search(ANONYMOUS, "sauvegarde", kind=Kind.FAQ)) == [
        "Sauvegarde quotidienne"
    ]


def test_search_shows_each_reader_only_what_it_may_see(publish, contact, tech1):
    publish("Sauvegarde publique")
    publish("Sauvegarde clients", visibility=Visibility.CLIENTS)
    publish("Sauvegarde interne", visibility=Visibility.STAFF)
    publish("Sauvegarde brouillon", publish=False)
    assert titles(selectors.search(ANONYMOUS, "sauvegarde")) == ["Sauvegarde publique"]
    assert set(titles(selectors.search(contact, "sauvegarde"))) == {
        "Sauvegarde publique",
        "Sauvegarde clients",
    }
    assert set(titles(selectors.search(tech1, "sauvegarde"))) == {
        "Sauvegarde publique",
        "Sauvegarde clients",
        "Sauvegarde interne",
    }


def test_editing_and_unpublishing_keep_the_index_in_sync(publish, writer):
    article = publish("Sauvegarde du site", "Copie nocturne.")
    services.article_save(
        actor=writer,
        article=article,
        title="Restauration du site",
        body="Copie nocturne.",
        language="fr",
        kind=article.kind,
    )
    assert titles(selectors.search(ANONYMOUS, "sauvegarde")) == []
    assert titles(selectors.search(ANONYMOUS, "restauration")) == ["Restauration du site"]
    services.article_unpublish(actor=writer, article=article)
    assert titles(selectors.search(ANONYMOUS, "restauration")) == []


def test_deleting_an_article_removes_it_from_the_index(publish, manager):
    article = publish("Sauvegarde du site")
    article.delete()
    assert selectors.search(ANONYMOUS, "sauvegarde").articles == []
    assert services.reindex_all() == 0


def test_rebuilding_the_index_finds_the_same_articles(publish):
    publish("Équilibrage des charges")
    publish("Load balancing", language="en")
    assert services.reindex_all() == 2
    assert titles(selectors.search(ANONYMOUS, "equilibrage")) == ["Équilibrage des charges"]


def test_queries_of_stop_words_or_symbols_find_nothing_without_error(publish):
    publish("Sauvegarde")
    for query in ["", "   ", "le la les", '"', "-", "or", "!!! ???", "a" * 500, "'; DROP TABLE"]:
        assert selectors.search(ANONYMOUS, query).articles == []


def test_suggestions_come_from_the_subject_and_the_body(publish):
    publish("Équilibrage des charges entre serveurs", "Répartir la charge.")
    publish("Téléverser un document PDF", "Le dépôt de documents se fait par glisser-déposer.")
    publish("Changer de mot de passe", "Profil.")
    found = selectors.suggest(
        ANONYMOUS,
        subject="Impossible de téléverser",
        body="Quand je dépose mes documents PDF, rien ne se passe.",
    )
    assert found[0].title == "Téléverser un document PDF"


def test_a_quoted_error_in_the_body_suggests_the_article_that_names_it(publish):
    publish("Synchronisation", "Les profils.", error_codes="Erreur 0x80070005 accès refusé")
    publish("Accès", "Accès refusé aux profils de synchronisation.")
    found = selectors.suggest(
        ANONYMOUS,
        subject="Bonjour",
        body="Depuis ce matin le message « Erreur 0x80070005 accès refusé » apparaît.",
    )
    assert found[0].title == "Synchronisation"


def test_a_french_request_is_suggested_the_french_version(publish):
    fr = publish("Synchroniser les profils sécurisés", "La synchronisation des profils.")
    publish(
        "Synchronize secure profiles",
        "Profile synchronization.",
        language="en",
        group=fr.group,
    )
    found = selectors.suggest(
        ANONYMOUS, subject="Synchronisation", body="Mes profils ne se synchronisent plus."
    )
    assert [a.title for a in found] == ["Synchroniser les profils sécurisés"]
    found = selectors.suggest(
        ANONYMOUS, subject="Synchronization", body="My profiles do not synchronize any more."
    )
    assert [a.title for a in found] == ["Synchronize secure profiles"]


def test_suggestions_show_each_reader_only_what_it_may_see(publish, contact, tech1):
    publish("Sauvegarde publique")
    publish("Sauvegarde clients", visibility=Visibility.CLIENTS)
    publish("Sauvegarde interne", visibility=Visibility.STAFF)
    publish("Sauvegarde brouillon", publish=False)

    def suggested(reader) -> set[str]:
        return {a.title for a in selectors.suggest(reader, subject="Sauvegarde impossible")}

    assert suggested(ANONYMOUS) == {"Sauvegarde publique"}
    assert suggested(contact) == {"Sauvegarde publique", "Sauvegarde clients"}
    assert suggested(tech1) == {"Sauvegarde publique", "Sauvegarde clients", "Sauvegarde interne"}


# A request of many common words, the telling one last (past the first dozen words).
LONG_REQUEST = (
    "Bonjour, la page du document ne s'affiche plus dans le navigateur : le menu, le lien, "
    "le bouton, la colonne et le tableau de la page restent vides depuis la mise à jour. "
    "Le gabarit de la vignette semble en cause."
)


def test_a_telling_word_far_in_the_request_is_searched(publish):
    for n in range(4):
        publish(f"Afficher une page {n}", "Le menu, le lien, le bouton, la colonne du tableau.")
    publish("Gabarit de vignette", "Choisir la taille des images réduites.")
    found = selectors.suggest(ANONYMOUS, subject="Page vide", body=LONG_REQUEST)
    assert "Gabarit de vignette" in [a.title for a in found]


def test_suggestions_leave_out_words_that_would_match_too_many_articles(publish, monkeypatch):
    for n in range(6):
        publish(f"Afficher une page {n}", "Le menu, le lien, le bouton, la colonne du tableau.")
    publish("Gabarit de vignette", "Choisir la taille des images réduites.")
    # As on a large knowledge base: the common words would each bring too many candidates.
    monkeypatch.setattr(selectors, "SUGGESTION_CANDIDATES", 3)
    found = selectors.suggest(ANONYMOUS, subject="Page vide", body=LONG_REQUEST)
    assert [a.title for a in found] == ["Gabarit de vignette"]


def test_a_request_of_common_words_only_still_finds_something(publish, monkeypatch):
    for n in range(6):
        publish(f"Afficher une page {n}", "Le menu et le lien.")
    monkeypatch.setattr(selectors, "SUGGESTION_CANDIDATES", 3)
    found = selectors.suggest(ANONYMOUS, subject="Le menu de la page", body="Le lien.")
    assert len(found) == 5


def test_words_no_article_holds_are_not_searched(publish):
    publish("Vignette", "Images réduites.")
    assert selectors.suggest(ANONYMOUS, subject="Xylophone quadrilatère") == []


def test_document_frequencies_follow_every_change_of_the_index(publish, writer, manager):
    search = backend()
    site = publish("Sauvegarde du site", "Copie nocturne du site.")
    publish("Site backup", "Nightly copy of the site.", language="en")
    draft = publish("Sauvegarde du serveur", publish=False)
    # "site" is read as its French stem and its English stem: one article holds each.
    assert search.frequencies(["site", "sauvegarde", "nocturne", "absent"]) == {
        "site": 2,
        "sauvegarde": 1,
        "nocturne": 1,
        "absent": 0,
    }
    services.article_publish(actor=writer, article=draft)
    assert search.frequencies(["sauvegarde"]) == {"sauvegarde": 2}
    services.article_save(
        actor=writer,
        article=site,
        title="Restauration du site",
        body="Copie nocturne.",
        language="fr",
        kind=site.kind,
    )
    assert search.frequencies(["sauvegarde", "restauration"]) == {
        "sauvegarde": 1,
        "restauration": 1,
    }
    services.article_unpublish(actor=writer, article=draft)
    assert search.frequencies(["sauvegarde"]) == {"sauvegarde": 0}
    site.delete()
    assert search.frequencies(["restauration", "site"]) == {"restauration": 0, "site": 1}
    services.delete_articles(actor=manager, articles=Article.objects.all())
    assert search.frequencies(["site"]) == {"site": 0}


def test_rebuilding_the_index_counts_each_article_once(publish):
    publish("Sauvegarde du site")
    publish("Sauvegarde du serveur")
    assert services.reindex_all() == 2
    assert services.reindex_all() == 2
    assert backend().frequencies(["sauvegarde"]) == {"sauvegarde": 2}


def test_telling_words_are_the_rarest_within_a_budget():
    frequencies = {"page": 900, "menu": 400, "vignette": 3, "gabarit": 3, "lien": 50}
    words = ["page", "menu", "gabarit", "lien", "vignette", "inconnu"]
    assert telling_words(words, frequencies, limit=8, budget=10_000) == [
        "gabarit",
        "vignette",
        "lien",
        "menu",
        "page",
    ]
    assert telling_words(words, frequencies, limit=2, budget=10_000) == ["gabarit", "vignette"]
    assert telling_words(words, frequencies, limit=8, budget=100) == ["gabarit", "vignette", "lien"]
    # The rarest is kept even over the budget; a word no article holds never is.
    assert telling_words(["page", "menu"], frequencies, limit=8, budget=10) == ["menu"]
    assert telling_words(["inconnu"], frequencies, limit=8, budget=10) == []


def test_the_words_of_a_request_count_each_stem_once():
    words, phrases = terms_of("Documents et document : le « message d'erreur » ERR-4012", limit=40)
    assert words == ["4012", "documents", "message", "erreur", "err"]
    assert phrases == [["message", "d", "erreur"]]


def test_a_code_in_a_request_suggests_the_article_that_names_it_first(publish):
    publish("Synchronisation", "Relancez le service.", error_codes="ERR-4012")
    # Articles with every other word of the request in their title, and more than once.
    for n in range(6):
        publish(
            f"Message accès refusé au profil sécurisé {n}",
            "Le message accès refusé au profil sécurisé apparaît. Accès refusé au profil.",
        )
    subject = "Accès refusé au profil sécurisé"
    for body in ("Le message ERR-4012 apparaît.", "Le message « ERR-4012 » apparaît."):
        found = selectors.suggest(ANONYMOUS, subject=subject, body=body)
        assert found[0].title == "Synchronisation", body


def test_a_hyphenated_code_is_read_the_same_by_both_backends(publish):
    publish("Synchronisation", "Relancez le service.", error_codes="ERR-4012")
    publish("Glisser-déposer des fichiers", "Déposez-les.")
    assert titles(selectors.search(ANONYMOUS, "4012")) == ["Synchronisation"]
    assert titles(selectors.search(ANONYMOUS, "err-4012")) == ["Synchronisation"]
    assert titles(selectors.search(ANONYMOUS, '"ERR 4012"')) == ["Synchronisation"]
    assert titles(selectors.search(ANONYMOUS, "glisser")) == ["Glisser-déposer des fichiers"]
    assert titles(selectors.search(ANONYMOUS, "glisser-déposer")) == [
        "Glisser-déposer des fichiers"
    ]
    assert titles(selectors.search(ANONYMOUS, "fichiers -glisser-déposer")) == []


def test_excluding_a_word_excludes_the_topic_in_both_languages(publish):
    fr = publish("Publier une page", "La page publiée reste dans le cache du serveur.")
    publish("Publish a page", "The published page appears at once.", language="en", group=fr.group)
    publish("Page d'accueil", "Choisir la page d'accueil du site.")
    for language in ("fr", "en"):
        assert titles(selectors.search(ANONYMOUS, "page -cache", language=language)) == [
            "Page d'accueil"
        ]
    # The excluded word in the English version only excludes the French one too.
    assert "Publier une page" not in titles(
        selectors.search(ANONYMOUS, "page -appears", language="fr")
    )


def test_a_topic_appears_once_even_when_both_versions_match(publish):
    fr = publish("Publier une page", "Publier la page sur le site.")
    publish("Publish a page", "Publish the page on the site.", language="en", group=fr.group)
    for query in ("page", "page or publish", "publier or publish", "site -nothing"):
        for language in ("fr", "en"):
            found = titles(selectors.search(ANONYMOUS, query, language=language))
            assert len(found) == 1, (query, language, found)
    assert titles(selectors.search(ANONYMOUS, "page", language="en")) == ["Publish a page"]


def test_french_inflections_meet(publish):
    publish("Dates décalées", "L'heure de publication est décalée d'une heure.")
    publish("Le téléversement échoue", "Le fichier échoue au téléversement.")
    publish("Les synchronisations échouent", "Les profils se synchronisent mal.")
    assert titles(selectors.search(ANONYMOUS, "décalés", language="fr")) == ["Dates décalées"]
    assert titles(selectors.search(ANONYMOUS, "decale", language="fr")) == ["Dates décalées"]
    assert set(titles(selectors.search(ANONYMOUS, "échouent", language="fr"))) == {
        "Le téléversement échoue",
        "Les synchronisations échouent",
    }
    assert set(titles(selectors.search(ANONYMOUS, "echoue", language="fr"))) == {
        "Le téléversement échoue",
        "Les synchronisations échouent",
    }
    assert titles(selectors.search(ANONYMOUS, "synchronisé", language="fr")) == [
        "Les synchronisations échouent"
    ]
